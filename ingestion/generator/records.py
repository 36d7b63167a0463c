"""What a dataset module provides to the renderer: one chunk of clean records, column-wise.

Records are held as columns of JSON fragments (text already encoded), because joining fragments
with one `%` template per record is several times faster than building and dumping a dict; only
the few records that carry dirt are re-rendered field by field.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class Chunk:
    """Clean records [start, stop) of a run, in key order."""

    start: int
    columns: list[list[str]]  # one list of JSON fragments per key, in Dataset.keys order
    raw: dict[str, list[Any]]  # plain values the dirt renderers need, per field name
    stale: dict[str, list[Any]] = field(default_factory=dict)  # raw values of each record's older version

    def __len__(self) -> int:
        return len(self.columns[0])


class RowView:
    """Raw values of one record, optionally with its older version's values laid over."""

    __slots__ = ("_chunk", "_i", "_stale")

    def __init__(self, chunk: Chunk, i: int, stale: bool = False) -> None:
        self._chunk, self._i, self._stale = chunk, i, stale

    def __getitem__(self, name: str) -> Any:
        if self._stale and name in self._chunk.stale:
            return self._chunk.stale[name][self._i]
        return self._chunk.raw[name][self._i]


class Dataset(ABC):
    """One raw feed. Subclasses fix the keys, the clean values and how each field gets dirty."""

    name: str
    keys: tuple[str, ...]
    # dirt kind -> fields it may change (kinds absent here never apply to this dataset)
    eligible: dict[str, tuple[str, ...]]
    # line/record kinds this dataset supports besides the field kinds in `eligible`
    other_kinds: frozenset[str]

    def __init__(self, count: int, seed: int, date: dt.date, universe: int) -> None:
        self.count, self.seed, self.date, self.universe = count, seed, date, universe
        # One `%s` per key plus a last one for unknown fields (usually ""), spliced before the brace.
        self.template = "{" + ",".join(f'"{k}":%s' for k in self.keys) + "%s}"
        self.position = {k: i for i, k in enumerate(self.keys)}

    @property
    def applicable(self) -> frozenset[str]:
        return frozenset(k for k, fields in self.eligible.items() if fields) | self.other_kinds

    @abstractmethod
    def chunk(self, start: int, stop: int, rng: np.random.Generator) -> Chunk:
        """Clean records start..stop-1, plus the raw values of an older version of each."""

    @abstractmethod
    def dirty(self, kind: str, field: str, row: RowView, u: float) -> str:
        """The JSON fragment of `field` under dirt `kind` (u picks the variant)."""

    @abstractmethod
    def stale_fragments(self, row: RowView) -> dict[str, str]:
        """Clean fragments of the fields that differ in the record's older version."""
