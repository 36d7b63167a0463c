"""Dirt kinds (names are the data contract's manifest keys), their rates, and the plan of where they go.

Every kind is decided by a Bernoulli draw per record (per part file for `empty_file`), so a rate
is a probability and the manifest reports the exact number that was injected. Each field carries
at most one kind (a null runtime is never also "120 min"), which keeps every dirty value
attributable to exactly one kind downstream. Dirt is planned for a whole chunk at once with numpy
and applied as edits to the chunk's columns of JSON fragments.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

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

    numbers_as_strings: float = Field(
        0.03, ge=0, le=1, description='money "$12,000,000", runtime "120 min", rating "4/5"'
    )
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


@dataclass(frozen=True)
class Edit:
    """One dirt kind applied to one field of some records; `u[k]` in [0, 1) picks the variant for rows[k]."""

    kind: str
    field: str
    rows: np.ndarray
    u: np.ndarray


@dataclass
class ChunkPlan:
    edits: list[Edit]
    applied: dict[str, np.ndarray]  # record kinds: really applied; line kinds: drawn
    extras: dict[int, str]  # unknown_fields: row -> text spliced before the closing brace


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


def _unknown_fields(r: random.Random) -> str:
    """One extra key, or two for a third of the records."""
    keys = r.sample(UNKNOWN_FIELDS, 2 if r.random() < 1 / 3 else 1)
    return "".join(f',"{key}":{_unknown_value(key, r)}' for key in keys)


def plan_chunk(
    rates: DirtRates, n: int, rng: np.random.Generator, eligible: dict[str, tuple[str, ...]], applicable: frozenset[str]
) -> ChunkPlan:
    """Decide every dirt edit of a chunk with array operations (a per-record loop cost about 20 us
    per dirty record). Kinds claim fields in FIELD_KINDS order; a kind whose eligible fields are all
    taken in a record is dropped there and not counted. Random draws have fixed shapes, so the
    stream of each kind is the same whatever the rates."""
    flags = draw_flags(rates, n, rng, applicable)
    claimed: dict[str, np.ndarray] = {}
    edits: list[Edit] = []
    applied: dict[str, np.ndarray] = {}
    for kind in FIELD_KINDS:
        fields = eligible.get(kind, ())
        choose_u = rng.random(n)
        variant_u = rng.random((len(fields), n))
        fired = flags[kind]
        if not fields or not fired.any():
            applied[kind] = np.zeros(n, dtype=bool)
            continue
        free = np.array([fired & ~claimed[f] if f in claimed else fired for f in fields])  # (fields, n)
        n_free = free.sum(axis=0)
        rank = np.where(free, np.cumsum(free, axis=0) - 1, 0)  # position among the record's free fields
        if kind in MULTI_FIELD_KINDS:
            # a uniform non-empty subset of the free fields, as a bit mask over their ranks
            mask = 1 + (choose_u * ((1 << n_free) - 1)).astype(np.int64)
            chosen = free & ((mask[None, :] >> rank) & 1).astype(bool)
        else:
            chosen = free & (rank == (choose_u * n_free).astype(np.int64)[None, :])
        for j, name in enumerate(fields):
            rows = np.flatnonzero(chosen[j])
            if rows.size:
                edits.append(Edit(kind, name, rows, variant_u[j][rows]))
                claimed[name] = claimed[name] | chosen[j] if name in claimed else chosen[j]
        applied[kind] = n_free > 0
    r = random.Random(int(rng.integers(0, 2**63)))
    extras = {i: _unknown_fields(r) for i in np.flatnonzero(flags["unknown_fields"]).tolist()}
    applied["unknown_fields"] = flags["unknown_fields"]
    for kind in LINE_KINDS:
        applied[kind] = flags[kind]
    return ChunkPlan(edits=edits, applied=applied, extras=extras)


def pick(u: float, n: int) -> tuple[int, float]:
    """Split one uniform into an index below n and a fresh uniform for a second choice."""
    scaled = u * n
    i = min(int(scaled), n - 1)
    return i, scaled - i


def null_or_empty(u: float) -> str:
    return "null" if u < 0.5 else '""'
