"""Turn a chunk of clean records into lines: dirt applied, extra lines placed, everything counted.

Line layout per record, in this order: [malformed copy] record [exact duplicate] [older version].
The record's own line is always written and valid, so the `count` records all reach bronze and
every extra line is accounted for in the manifest.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from ingestion.generator.dirt import DRAWN_KINDS, RECORD_KINDS, DirtRates, RowPlan, draw_flags, plan_row
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


def _render(ds: Dataset, chunk: Chunk, i: int, plan: RowPlan, stale: bool) -> str:
    frags = [col[i] for col in chunk.columns]
    row = RowView(chunk, i, stale)
    if stale:
        for name, frag in ds.stale_fragments(row).items():
            frags[ds.position[name]] = frag
    for kind, name, u in plan.actions:
        frags[ds.position[name]] = ds.dirty(kind, name, row, u)
    line = ds.template % tuple(frags)
    if plan.extras:
        line = line[:-1] + "".join(f',"{k}":{v}' for k, v in plan.extras) + "}"
    return line


def render_chunk(ds: Dataset, chunk: Chunk, rates: DirtRates, rng: np.random.Generator) -> RenderedChunk:
    n = len(chunk)
    flags = draw_flags(rates, n, rng, ds.applicable)
    r = random.Random(int(rng.integers(0, 2**63)))
    lines = [ds.template % row for row in zip(*chunk.columns, strict=True)]  # the fast, clean path

    applied = {kind: np.zeros(n, dtype=bool) for kind in RECORD_KINDS}
    fields: Counter[tuple[str, str]] = Counter()
    any_record = np.zeros(n, dtype=bool)
    for kind in RECORD_KINDS:
        any_record |= flags[kind]
    plans: dict[int, RowPlan] = {}
    for i in np.flatnonzero(any_record).tolist():
        fired = [kind for kind in RECORD_KINDS if flags[kind][i]]
        plan = plan_row(fired, ds.eligible, r)
        plans[i] = plan
        if plan.actions or plan.extras:
            lines[i] = _render(ds, chunk, i, plan, stale=False)
        for kind in plan.applied:
            applied[kind][i] = True
        for kind, name, _ in plan.actions:
            fields[(kind, name)] += 1

    mal, dup, resent = flags["malformed_json"], flags["exact_duplicates"], flags["resent_records"]
    extra = mal.astype(np.int64) + dup + resent
    starts = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(1 + extra, out=starts[1:])
    if extra.any():
        out: list[str] = []
        pos = 0
        empty = RowPlan((), (), ())
        for i in np.flatnonzero(extra).tolist():
            out.extend(lines[pos:i])
            if mal[i]:
                out.append(_malformed(lines[i], r))
            out.append(lines[i])
            if dup[i]:
                out.append(lines[i])
            if resent[i]:
                out.append(_render(ds, chunk, i, plans.get(i, empty), stale=True))
            pos = i + 1
        out.extend(lines[pos:])
        lines = out
    for kind in DRAWN_KINDS:
        if kind not in applied:
            applied[kind] = flags[kind]
    return RenderedChunk(start=chunk.start, lines=lines, starts=starts, applied=applied, fields=fields)
