"""Dirt kinds (names are the data contract's manifest keys), their rates, and per-record planning.

Every kind is decided by a Bernoulli draw per record (per part file for `empty_file`), so a rate
is a probability and the manifest reports the exact number that was injected. Each field carries
at most one kind (a null runtime is never also "120 min"), which keeps every dirty value
attributable to exactly one kind downstream.
"""

from __future__ import annotations

import random
from typing import NamedTuple

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ingestion.generator.vocab import UNKNOWN_FIELDS, dumps

# Contract order; also the manifest's key order.
DIRT_KINDS: tuple[str, ...] = (
    "numbers_as_strings", "category_variants", "date_formats", "nulls_and_empty", "exact_duplicates",
    "resent_records", "orphan_reviews", "out_of_range", "unknown_fields", "malformed_json", "empty_file",
)  # fmt: skip

# Kinds that change a record's own fields, in the order they claim fields (earlier wins a field).
FIELD_KINDS: tuple[str, ...] = (
    "orphan_reviews", "out_of_range", "nulls_and_empty", "numbers_as_strings", "category_variants", "date_formats",
)  # fmt: skip
RECORD_KINDS: tuple[str, ...] = (*FIELD_KINDS, "unknown_fields")
# Kinds that add a line next to a record (the record's own line is always written intact).
LINE_KINDS: tuple[str, ...] = ("malformed_json", "exact_duplicates", "resent_records")
# Kinds drawn per record, in a fixed order so each kind's stream never depends on another's rate.
DRAWN_KINDS: tuple[str, ...] = (*RECORD_KINDS, *LINE_KINDS)
# Kinds that may touch several fields of one record; the others touch exactly one.
MULTI_FIELD_KINDS = frozenset({"numbers_as_strings", "category_variants", "date_formats"})


class DirtRates(BaseModel):
    """Probability of each dirt kind per record (`empty_file`: per part file). 0 turns a kind off."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    numbers_as_strings: float = Field(0.03, ge=0, le=1, description='money "$12,000,000", runtime "120 min", rating "4/5"')
    category_variants: float = Field(0.05, ge=0, le=1, description="genre, studio and MPAA spellings (movies)")
    date_formats: float = Field(0.03, ge=0, le=1, description="MM/DD/YYYY, DD Mon YYYY, naive or epoch timestamps")
    nulls_and_empty: float = Field(0.03, ge=0, le=1, description='one optional field is null or ""')
    exact_duplicates: float = Field(0.01, ge=0, le=1, description="the record's line is written twice")
    resent_records: float = Field(0.02, ge=0, le=1, description="an older version of the record follows it")
    orphan_reviews: float = Field(0.01, ge=0, le=1, description="review of a movie id outside the universe")
    out_of_range: float = Field(0.01, ge=0, le=1, description="negative runtime/budget, rating off the scale")
    unknown_fields: float = Field(0.02, ge=0, le=1, description="one or two extra keys")
    malformed_json: float = Field(0.002, ge=0, le=1, description="a truncated or garbled copy precedes the record")
    empty_file: float = Field(0.05, ge=0, le=1, description="a zero-byte file follows a part file")

    @classmethod
    def none(cls) -> DirtRates:
        """Clean output: every rate 0."""
        return cls(**{kind: 0.0 for kind in DIRT_KINDS})

    def with_rates(self, **rates: float) -> DirtRates:
        """A copy with some rates replaced (validated like the constructor)."""
        return DirtRates(**{**self.model_dump(), **rates})


# One dirt kind applied to one field: (kind, field, u), u in [0, 1) picks the variant. A plain
# tuple, not a dataclass: one is built per dirty field, hundreds of thousands per run.
Action = tuple[str, str, float]


class RowPlan(NamedTuple):
    actions: tuple[Action, ...]
    extras: tuple[tuple[str, str], ...]  # unknown fields: (key, JSON fragment)
    applied: tuple[str, ...]  # record kinds that really changed the record


def draw_flags(rates: DirtRates, n: int, rng: np.random.Generator, applicable: frozenset[str]) -> dict[str, np.ndarray]:
    """One boolean array per drawn kind. The uniform matrix does not depend on the rates, so raising
    one rate only adds records to that kind."""
    u = rng.random((len(DRAWN_KINDS), n))
    return {
        kind: (u[k] < getattr(rates, kind)) if kind in applicable else np.zeros(n, dtype=bool)
        for k, kind in enumerate(DRAWN_KINDS)
    }


def _unknown_value(key: str, r: random.Random) -> str:
    if key == "promo_code":
        return dumps(f"SAVE{r.randrange(5, 60, 5)}")
    if key == "source_system":
        return dumps(r.choice(("cms-v2", "partner-feed", "legacy-export")))
    if key == "ingest_hint":
        return dumps(r.choice(("backfill", "realtime", "replay")))
    if key == "legacy_id":
        return str(r.randrange(1, 10**9))
    return dumps(r.choice(("1.2", "1.3", "2.0-beta")))


def plan_row(fired: list[str], eligible: dict[str, tuple[str, ...]], r: random.Random) -> RowPlan:
    """Turn the kinds drawn for one record into concrete field changes.

    A kind whose eligible fields are all taken by earlier kinds is dropped (and not counted).
    """
    claimed: set[str] = set()
    actions: list[Action] = []
    applied: list[str] = []
    extras: tuple[tuple[str, str], ...] = ()
    rand = r.random
    for kind in fired:
        if kind == "unknown_fields":
            first = int(rand() * len(UNKNOWN_FIELDS))
            keys = [UNKNOWN_FIELDS[first]]
            if rand() < 1 / 3:  # a third of these records get two extra keys
                keys.append(UNKNOWN_FIELDS[(first + 1 + int(rand() * (len(UNKNOWN_FIELDS) - 1))) % len(UNKNOWN_FIELDS)])
            extras = tuple((key, _unknown_value(key, r)) for key in keys)
            applied.append(kind)
            continue
        free = [f for f in eligible.get(kind, ()) if f not in claimed]
        if not free:
            continue
        if kind in MULTI_FIELD_KINDS and len(free) > 1:
            mask = 1 + int(rand() * ((1 << len(free)) - 1))  # a uniform non-empty subset, in field order
            chosen = [f for bit, f in enumerate(free) if mask >> bit & 1]
        else:
            chosen = [free[int(rand() * len(free))]]
        for field in chosen:
            claimed.add(field)
            actions.append((kind, field, rand()))
        applied.append(kind)
    return RowPlan(tuple(actions), extras, tuple(applied))


def pick(u: float, n: int) -> tuple[int, float]:
    """Split one uniform into an index below n and a fresh uniform for a second choice."""
    scaled = u * n
    i = min(int(scaled), n - 1)
    return i, scaled - i


def null_or_empty(u: float) -> str:
    return "null" if u < 0.5 else '""'
