"""The bronze job: raw NDJSON -> bronze Delta tables (+ rejects), incrementally and exactly once."""

from ingestion.bronze.job import (
    BronzeJobOptions,
    BronzeRunResult,
    MissingInputError,
    RejectThresholdExceeded,
    run,
)

__all__ = ["BronzeJobOptions", "BronzeRunResult", "MissingInputError", "RejectThresholdExceeded", "run"]
