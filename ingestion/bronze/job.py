"""One bronze run for one dataset, end to end: plan -> read -> stage -> check -> commit -> register."""

from __future__ import annotations

import logging
import os
import time
from dataclasses import asdict, dataclass
from typing import Literal

from deltalake import DeltaTable
from pydantic import BaseModel, Field
from pyspark.sql import SparkSession

from ingestion import storage
from ingestion.bronze.ledger import Ledger, list_raw_files
from ingestion.bronze.parse import BatchStamp
from ingestion.bronze.read import read_lines
from ingestion.bronze.schema import PARTITION_COLUMN, dataset_spec
from ingestion.bronze.write import BatchTarget, choose_writer, committed_version, delta_storage_options
from ingestion.catalog import CatalogTable, catalog_for
from ingestion.errors import OakvaleError

log = logging.getLogger(__name__)


class BronzeJobOptions(BaseModel):
    dataset: str
    data_root: str = Field(description="root holding lakehouse/bronze (local folder or s3:// URI)")
    raw_root: str | None = Field(default=None, description="raw zone root; default <data_root>/raw")
    reject_threshold: float = Field(default=0.05, ge=0.0, le=1.0)
    writer: Literal["auto", "spark-delta", "parquet+delta-rs"] = "auto"
    catalog: Literal["auto", "glue", "local", "none"] = "auto"
    bronze_database: str = "oakvale_bronze"
    max_files_per_partition: int | None = Field(
        default=None, ge=1, description="files a run may add to one partition; default: Spark's parallelism (its cores)"
    )
    aws_region: str | None = None

    @property
    def bronze_root(self) -> str:
        return storage.join(self.data_root, "lakehouse", "bronze")

    @property
    def raw_prefix(self) -> str:
        return storage.join(self.raw_root or storage.join(self.data_root, "raw"), self.dataset)

    @property
    def catalog_kind(self) -> str:
        if self.catalog != "auto":
            return self.catalog
        return "glue" if storage.is_s3(self.data_root) else "local"


@dataclass
class BronzeRunResult:
    dataset: str
    status: Literal["committed", "no_new_files"]
    batch_id: str | None = None
    files: int = 0
    rows: int = 0
    rejects: int = 0
    writer: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


class MissingInputError(OakvaleError, FileNotFoundError):
    pass


class RejectThresholdExceeded(OakvaleError, RuntimeError):
    pass


def _failpoint(name: str) -> None:
    """Crash here on purpose when OAKVALE_FAILPOINT names this point (used by the crash tests)."""
    if os.environ.get("OAKVALE_FAILPOINT") == name:
        log.error("failpoint %s: exiting without cleanup", name)
        os._exit(137)


def app_id(dataset: str) -> str:
    return f"oakvale-bronze-{dataset}"


def run(spark: SparkSession, options: BronzeJobOptions) -> BronzeRunResult:
    spec = dataset_spec(options.dataset)
    if not storage.exists(options.raw_prefix):
        raise MissingInputError(f"raw input {options.raw_prefix} does not exist: generate or land data there first")

    data_path = storage.join(options.bronze_root, spec.table)
    rejects_path = storage.join(options.bronze_root, spec.rejects_table)
    txn = app_id(spec.name)
    done = committed_version(data_path, txn)
    ledger = Ledger(options.bronze_root, spec.name)
    plan = ledger.next_plan(list_raw_files(options.raw_prefix), done)
    if plan is None:
        log.info("%s: no new raw files under %s; nothing to do (bronze at batch %d)", spec.name, options.raw_prefix, done)
        return BronzeRunResult(spec.name, "no_new_files")

    log.info("%s: batch %s with %d raw file(s)", spec.name, plan.batch_id, len(plan.files))
    writer = choose_writer(spark, options.writer)
    stamp = BatchStamp(plan.batch_id, plan.ingested_at, plan.ingested_at.date().isoformat())
    # Each task writes one file per partition it sees: as many tasks as cores keeps every core busy.
    max_tasks = options.max_files_per_partition or spark.sparkContext.defaultParallelism
    lines = read_lines(spark, [f.uri for f in plan.files], max_tasks)
    started = time.perf_counter()
    staged_rows, staged_rejects = writer.stage(lines, BatchTarget(spec, stamp, data_path, rejects_path))
    log.info("%s: parsed and staged in %.1fs", spec.name, time.perf_counter() - started)
    _failpoint("after_stage")
    total = staged_rows.num_rows + staged_rejects.num_rows
    share = staged_rejects.num_rows / total if total else 0.0
    if share > options.reject_threshold:
        writer.abort(staged_rows)
        writer.abort(staged_rejects)
        ledger.discard(plan)
        raise RejectThresholdExceeded(
            f"{spec.name} batch {plan.batch_id}: {staged_rejects.num_rows} of {total} lines rejected "
            f"({share:.1%}) > threshold {options.reject_threshold:.1%}; nothing was committed. Inspect the raw "
            f"files or raise --reject_threshold."
        )

    # Rejects first, then data: the data table's app transaction is the ledger's source of truth, so a
    # crash between the two commits replays the plan, and the rejects table skips what it already has.
    if committed_version(rejects_path, txn) < plan.version:
        writer.commit(staged_rejects, txn, plan.version)
    else:
        writer.abort(staged_rejects)
    _failpoint("after_rejects_commit")
    writer.commit(staged_rows, txn, plan.version)
    log.info(
        "%s: committed %s: %d rows, %d rejects (%.2f%%) via %s",
        spec.name, plan.batch_id, staged_rows.num_rows, staged_rejects.num_rows, 100 * share, writer.name,
    )
    _register(options, [(spec.table, data_path, spec.data_schema()), (spec.rejects_table, rejects_path, spec.rejects_schema())])
    return BronzeRunResult(
        spec.name, "committed", plan.batch_id, len(plan.files), staged_rows.num_rows, staged_rejects.num_rows, writer.name
    )


def _register(options: BronzeJobOptions, tables) -> None:
    catalog = catalog_for(options.catalog_kind, data_root=options.data_root, region=options.aws_region)
    if catalog is None:
        return
    for name, path, schema in tables:
        version = DeltaTable(path, storage_options=delta_storage_options(path)).version()
        catalog.register(
            CatalogTable(options.bronze_database, name, path, schema, (PARTITION_COLUMN,), version, f"Oakvale bronze {name}")
        )
