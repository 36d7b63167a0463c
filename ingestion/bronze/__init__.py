"""The bronze job: raw NDJSON -> bronze Delta tables (+ rejects), incrementally and exactly once.

The public names are loaded on first use: Spark's Python workers import `ingestion.bronze.task`
and should not pay for the driver's imports (delta-rs, pydantic, the catalog clients).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__all__ = ["BronzeJobOptions", "BronzeRunResult", "MissingInputError", "RejectThresholdExceeded", "run"]

if TYPE_CHECKING:
    from ingestion.bronze.job import BronzeJobOptions, BronzeRunResult, MissingInputError, RejectThresholdExceeded, run


def __getattr__(name: str):
    if name in __all__:
        return getattr(importlib.import_module("ingestion.bronze.job"), name)
    raise AttributeError(f"module 'ingestion.bronze' has no attribute {name!r}")
