"""Bronze job arguments: Glue's getResolvedOptions when awsglue is importable, argparse otherwise.

Both accept the same names (`--dataset movies --data_root s3://...`), so one command line works on
Glue and locally.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from ingestion.bronze.job import BronzeJobOptions

REQUIRED = ("dataset", "data_root")
OPTIONAL = ("raw_root", "reject_threshold", "writer", "catalog", "bronze_database", "max_files_per_partition", "aws_region")


def _glue_resolver():
    try:
        from awsglue.utils import getResolvedOptions
    except ImportError:
        return None
    return getResolvedOptions


def parse_job_args(argv: Sequence[str]) -> BronzeJobOptions:
    resolve = _glue_resolver()
    if resolve is not None:
        # getResolvedOptions fails on a missing name, so optional names are asked for only when given.
        given = [name for name in OPTIONAL if f"--{name}" in argv]
        values = resolve(list(argv), [*REQUIRED, *given])
        return BronzeJobOptions(**{k: v for k, v in values.items() if k in REQUIRED + OPTIONAL})
    parser = argparse.ArgumentParser(prog="bronze_job", description="Land raw JSON in bronze Delta tables")
    for name in REQUIRED:
        parser.add_argument(f"--{name}", required=True)
    for name in OPTIONAL:
        parser.add_argument(f"--{name}")
    parsed, _unknown = parser.parse_known_args(list(argv)[1:])  # Glue adds its own --JOB_NAME etc.
    return BronzeJobOptions(**{k: v for k, v in vars(parsed).items() if v is not None})
