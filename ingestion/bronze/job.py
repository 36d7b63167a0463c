"""One bronze run for one dataset, end to end: plan -> read -> stage -> check -> commit -> register."""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass, field
from typing import Literal

from deltalake import DeltaTable
from pydantic import BaseModel, Field
from pyspark.sql import SparkSession

from ingestion import storage
from ingestion.bronze.failpoints import failpoint
from ingestion.bronze.integrity import QuarantinedFile, find_unreadable
from ingestion.bronze.ledger import BatchPlan, Ledger, list_raw_files
from ingestion.bronze.parse import BatchStamp, file_rejects
from ingestion.bronze.read import read_lines
from ingestion.bronze.schema import PARTITION_COLUMN, dataset_spec
from ingestion.bronze.write import (
    BatchCommittedElsewhere,
    BatchTarget,
    choose_writer,
    committed_version,
    delta_storage_options,
)
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
    status: Literal["committed", "no_new_files", "committed_by_another_run"]
    batch_id: str | None = None
    files: int = 0
    rows: int = 0
    rejects: int = 0
    writer: str | None = None
    quarantined: list[str] = field(default_factory=list)  # raw files recorded as file-level rejects

    def as_dict(self) -> dict:
        return asdict(self)


class MissingInputError(OakvaleError, FileNotFoundError):
    pass


class RejectThresholdExceeded(OakvaleError, RuntimeError):
    pass


class ReadKeptFailing(OakvaleError, RuntimeError):
    """Files kept breaking while the batch was read (changed or removed during the run)."""


def app_id(dataset: str) -> str:
    return f"oakvale-bronze-{dataset}"


def run(spark: SparkSession, options: BronzeJobOptions) -> BronzeRunResult:
    spec = dataset_spec(options.dataset)
    if not storage.exists(options.raw_prefix):
        raise MissingInputError(f"raw input {options.raw_prefix} does not exist: generate or land data there first")

    data_path = storage.join(options.bronze_root, spec.table)
    rejects_path = storage.join(options.bronze_root, spec.rejects_table)
    tables = [(spec.table, data_path, spec.data_schema()), (spec.rejects_table, rejects_path, spec.rejects_schema())]
    txn = app_id(spec.name)
    done = committed_version(data_path, txn)
    ledger = Ledger(options.bronze_root, spec.name)
    plan = ledger.next_plan(list_raw_files(options.raw_prefix), done)
    if plan is None:
        log.info("%s: no new raw files under %s; nothing to do (bronze at batch %d)", spec.name, options.raw_prefix, done)
        _register(options, tables)  # a run killed after its commit registers here
        return BronzeRunResult(spec.name, "no_new_files")
    failpoint("after_plan")

    log.info("%s: batch %s with %d raw file(s)", spec.name, plan.batch_id, len(plan.files))
    writer = choose_writer(spark, options.writer)
    stamp = BatchStamp(plan.batch_id, plan.ingested_at, plan.ingested_at.date().isoformat())
    # Each task writes one file per partition it sees: as many tasks as cores keeps every core busy.
    max_tasks = options.max_files_per_partition or spark.sparkContext.defaultParallelism
    started = time.perf_counter()
    staged_rows, staged_rejects, quarantined = _stage_readable(
        spark, writer, plan, BatchTarget(spec, stamp, data_path, rejects_path), max_tasks
    )
    log.info("%s: parsed and staged in %.1fs", spec.name, time.perf_counter() - started)
    failpoint("after_stage")
    # A quarantined file is one reject row, not a line: it does not count against the threshold.
    line_rejects = staged_rejects.num_rows - len(quarantined)
    total = staged_rows.num_rows + line_rejects
    share = line_rejects / total if total else 0.0
    if share > options.reject_threshold:
        writer.abort(staged_rows)
        writer.abort(staged_rejects)
        ledger.discard(plan)
        raise RejectThresholdExceeded(
            f"{spec.name} batch {plan.batch_id}: {line_rejects} of {total} lines rejected "
            f"({share:.1%}) > threshold {options.reject_threshold:.1%}; nothing was committed. Inspect the rejects "
            f"named in the log, fix the raw files, or raise the threshold (--reject-threshold; --reject_threshold on Glue)."
        )

    # Rejects first, then data: the data table's app transaction is the ledger's source of truth, so a
    # crash between the two commits replays the plan, and the rejects table refuses what it already has.
    # Each commit refuses a batch another run committed first (concurrent runs of one dataset).
    try:
        writer.commit(staged_rejects, txn, plan.version)
    except BatchCommittedElsewhere:
        log.info("%s: rejects of %s were committed before (a replay or a concurrent run)", spec.name, plan.batch_id)
    failpoint("after_rejects_commit")
    try:
        writer.commit(staged_rows, txn, plan.version)
    except BatchCommittedElsewhere:
        log.info("%s: batch %s was committed by another run; nothing added", spec.name, plan.batch_id)
        _register(options, tables)
        return BronzeRunResult(spec.name, "committed_by_another_run", plan.batch_id, len(plan.files), writer=writer.name)
    log.info(
        "%s: committed %s: %d rows, %d rejects (%.2f%%) via %s",
        spec.name, plan.batch_id, staged_rows.num_rows, line_rejects, 100 * share, writer.name,
    )
    failpoint("after_data_commit")
    _register(options, tables)
    return BronzeRunResult(
        spec.name,
        "committed",
        plan.batch_id,
        len(plan.files),
        staged_rows.num_rows,
        line_rejects,
        writer.name,
        quarantined=[f.uri for f in quarantined],
    )


def _stage_readable(spark: SparkSession, writer, plan: BatchPlan, target: BatchTarget, max_tasks: int):
    """Stage the plan's files; if the read fails, quarantine the files that cannot be read and stage
    the rest. A file that breaks later (deleted mid-run) is found on the next attempt."""
    sizes = {f.uri: f.size for f in plan.files}
    quarantined: list[QuarantinedFile] = []
    for _attempt in range(3):
        skipped = {q.uri for q in quarantined}
        readable = [f.uri for f in plan.files if f.uri not in skipped]
        quarantine_rows = file_rejects(
            [(q.uri, sizes[q.uri], q.reason, q.detail) for q in quarantined], target.spec, target.stamp
        )
        try:
            staged_rows, staged_rejects = writer.stage(read_lines(spark, readable, max_tasks), target, quarantine_rows)
            return staged_rows, staged_rejects, quarantined
        except Exception as error:
            found = find_unreadable(spark, readable)
            if not found:
                raise
            log.debug("%s: the read failed (%s); checking its files", plan.batch_id, error)
            for q in found:
                log.warning(
                    "%s: quarantined %s (%s: %s); the rest of the batch goes on. Fix the file and land it again "
                    "under a new name to ingest it.", plan.batch_id, q.uri, q.reason, q.detail,
                )
            quarantined += found
    raise ReadKeptFailing(f"{plan.batch_id}: the read kept failing on newly broken raw files; re-run the job once they stop changing")


def _register(options: BronzeJobOptions, tables) -> None:
    """Register each committed table (again): idempotent, so a re-run repairs a run killed before it."""
    catalog = catalog_for(options.catalog_kind, data_root=options.data_root, region=options.aws_region)
    if catalog is None:
        return
    for name, path, schema in tables:
        storage_options = delta_storage_options(path)
        if not DeltaTable.is_deltatable(path, storage_options=storage_options):
            continue
        version = DeltaTable(path, storage_options=storage_options).version()
        catalog.register(
            CatalogTable(options.bronze_database, name, path, schema, (PARTITION_COLUMN,), version, f"Oakvale bronze {name}")
        )
