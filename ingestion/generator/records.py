"""What a dataset module provides to the renderer: one chunk of clean records, column-wise.

Records are held as columns of *cells*: each cell is a field's JSON value with its key already in
front (`,"title":"The Golden Canyon"`; the first key opens the object with `{`). A line is then
one `"".join` of its cells and a closing cell, about 2x faster than a `%` template and 5x faster
than building and dumping a dict. Only the few records that carry dirt get a cell replaced.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

import numpy as np


def key_prefixes(keys: tuple[str, ...]) -> dict[str, str]:
    """The text in front of each field's value: `{"first":` then `,"next":`."""
    return {k: ('{"' if i == 0 else ',"') + k + '":' for i, k in enumerate(keys)}


@dataclass
class Chunk:
    """Clean records [start, stop) of a run, in key order."""

    start: int
    columns: list[list[str]]  # one list of cells per key, in Dataset.keys order
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
        self.prefix = key_prefixes(self.keys)
        self.position = {k: i for i, k in enumerate(self.keys)}

    @property
    def applicable(self) -> frozenset[str]:
        return frozenset(k for k, fields in self.eligible.items() if fields) | self.other_kinds

    def cell(self, name: str, fragment: str) -> str:
        return self.prefix[name] + fragment

    @abstractmethod
    def chunk(self, start: int, stop: int, rng: np.random.Generator) -> Chunk:
        """Clean records start..stop-1 as cells, plus the raw values of an older version of each."""

    @abstractmethod
    def dirty(self, kind: str, field: str, row: RowView, u: float) -> str:
        """The JSON fragment (value only, no key) of `field` under dirt `kind`; u picks the variant."""

    @abstractmethod
    def stale_fragments(self, row: RowView) -> dict[str, str]:
        """Clean JSON fragments (value only) of the fields that differ in the record's older version."""
