"""Where a run's files go and which records each holds (names from the data contract)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np


def run_id_for(dataset: str, seed: int, date: dt.date) -> str:
    """Deterministic from (dataset, seed, date), as the contract requires; readable on purpose."""
    return f"{dataset}-{date:%Y%m%d}-s{seed}"


def partition_for(dataset: str, date: dt.date) -> str:
    """The run's folder, relative to the raw root."""
    return f"{dataset}/ingest_date={date.isoformat()}"


@dataclass(frozen=True)
class FilePlan:
    part: int
    name: str
    lo: int  # first record
    hi: int  # one past the last record
    empty: bool  # a zero-byte file injected by the empty_file dirt kind


def plan_files(
    run_id: str, count: int, parts: int, empty_rate: float, rng: np.random.Generator, gzip: bool
) -> list[FilePlan]:
    """Records split as evenly as possible over `parts` files; with probability `empty_rate` a
    part is followed by a zero-byte file, which takes the next part number."""
    empty_after = rng.random(parts) < empty_rate
    ext = ".json.gz" if gzip else ".json"
    plans: list[FilePlan] = []
    for k in range(parts):
        lo, hi = count * k // parts, count * (k + 1) // parts
        plans.append(FilePlan(len(plans), f"{run_id}-{len(plans):05d}{ext}", lo, hi, False))
        if empty_after[k]:
            plans.append(FilePlan(len(plans), f"{run_id}-{len(plans):05d}{ext}", hi, hi, True))
    return plans
