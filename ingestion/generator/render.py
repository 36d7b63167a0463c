"""Turn a chunk of clean records into lines: dirt applied, extra lines placed, everything counted.

Dirt edits replace cells in the chunk's columns before the single joining pass, so a dirty record
costs one formatted value, not a re-render. Line layout per record, in this order:
[malformed copy] record [exact duplicate] [older version]. The record's own line is always
written and valid, so all `count` records reach bronze and every extra line is in the manifest.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from ingestion.generator.dirt import DirtRates, Edit, plan_chunk
from ingestion.generator.records import Chunk, Dataset, RowView


@dataclass
class RenderedChunk:
    start: int  # index of the chunk's first record in the run
    lines: list[str]
    starts: np.ndarray  # starts[i] = index in `lines` of record i's first line; starts[n] = len(lines)
    applied: dict[str, np.ndarray]  # kind -> bool per record (record kinds really applied, line kinds drawn)
    fields: Counter[tuple[str, str]] = field(default_factory=Counter)  # (kind, field) -> records

    def line_range(self, lo: int, hi: int) -> tuple[int, int]:
        return int(self.starts[lo]), int(self.starts[hi])


def _malformed(line: str, r: random.Random) -> str:
    """A line no JSON parser accepts: a proper prefix of the object (the writer died mid-line) or a
    doubled comma. Both keep the leading `{`, so readers classify it as malformed, not a non-object."""
    if r.random() < 0.7:
        return line[: max(1, int(len(line) * (0.15 + 0.8 * r.random())))]
    cut = line.index(',"', int(len(line) * 0.5 * r.random()))
    return line[:cut] + ",," + line[cut + 1 :]


def _older_version(ds: Dataset, chunk: Chunk, closers: list[str], i: int, edits: list[tuple[str, str, float]]) -> str:
    """Record i as it was before (ds.stale_fragments), with the same dirt re-applied to the changed fields."""
    cells = [col[i] for col in chunk.columns]
    row = RowView(chunk, i, stale=True)
    changed = ds.stale_fragments(row)
    for name, frag in changed.items():
        cells[ds.position[name]] = ds.cell(name, frag)
    for kind, name, u in edits:
        if name in changed:
            cells[ds.position[name]] = ds.cell(name, ds.dirty(kind, name, row, u))
    cells.append(closers[i])
    return "".join(cells)


def _apply(ds: Dataset, chunk: Chunk, edit: Edit) -> None:
    column = chunk.columns[ds.position[edit.field]]
    dirty, prefix = ds.dirty, ds.prefix[edit.field]
    for i, u in zip(edit.rows.tolist(), edit.u.tolist(), strict=True):
        column[i] = prefix + dirty(edit.kind, edit.field, RowView(chunk, i), u)


def render_chunk(ds: Dataset, chunk: Chunk, rates: DirtRates, rng: np.random.Generator) -> RenderedChunk:
    n = len(chunk)
    plan = plan_chunk(rates, n, rng, ds.eligible, ds.applicable)
    r = random.Random(int(rng.integers(0, 2**63)))
    fields: Counter[tuple[str, str]] = Counter()
    for edit in plan.edits:
        _apply(ds, chunk, edit)
        fields[(edit.kind, edit.field)] += len(edit.rows)
    closers = ["}"] * n  # the last cell closes the object; unknown fields go in front of the brace
    for i, text in plan.extras.items():
        closers[i] = text + "}"
    lines = ["".join(cells) for cells in zip(*chunk.columns, closers, strict=True)]

    mal, dup, resent = plan.applied["malformed_json"], plan.applied["exact_duplicates"], plan.applied["resent_records"]
    extra = mal.astype(np.int64) + dup + resent
    starts = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(1 + extra, out=starts[1:])
    if extra.any():
        resent_rows = np.flatnonzero(resent)
        edits_of: dict[int, list[tuple[str, str, float]]] = {}
        for edit in plan.edits:
            hit = np.isin(edit.rows, resent_rows)
            for i, u in zip(edit.rows[hit].tolist(), edit.u[hit].tolist(), strict=True):
                edits_of.setdefault(i, []).append((edit.kind, edit.field, u))
        out: list[str] = []
        pos = 0
        for i in np.flatnonzero(extra).tolist():
            out.extend(lines[pos:i])
            if mal[i]:
                out.append(_malformed(lines[i], r))
            out.append(lines[i])
            if dup[i]:
                out.append(lines[i])
            if resent[i]:
                out.append(_older_version(ds, chunk, closers, i, edits_of.get(i, [])))
            pos = i + 1
        out.extend(lines[pos:])
        lines = out
    return RenderedChunk(start=chunk.start, lines=lines, starts=starts, applied=plan.applied, fields=fields)
