"""Delta writers for bronze: Spark's own Delta writer where its classes exist, else Parquet + delta-rs.

Both stage a batch first (so the reject threshold can be checked before anything is visible) and
commit it with a Delta app transaction `(app_id, version)`: Delta's own idempotency mark, read back
by `committed_version`. A commit is all or nothing; staged files that never get committed are
invisible to readers and removed by `vacuum`.
"""

from __future__ import annotations

import json
import logging
import os
import time
import uuid
from dataclasses import dataclass, field
from typing import Protocol

import pyarrow as pa
from deltalake import DeltaTable, Field, Schema
from deltalake.exceptions import CommitFailedError, DeltaError, TableNotFoundError
from deltalake.transaction import AddAction, CommitProperties, Transaction, create_table_with_add_actions
from pyspark import StorageLevel
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from ingestion import storage
from ingestion.bronze.arrow_map import map_in_arrow
from ingestion.bronze.parse import BatchStamp
from ingestion.bronze.schema import PARTITION_COLUMN, DatasetSpec
from ingestion.bronze.task import REJECTS, ROWS, STAGED_FILE_DDL, PartitionedFiles, StageTask
from ingestion.bronze.union import file_rejects_frame, parsed_frame
from ingestion.errors import OakvaleError

log = logging.getLogger(__name__)


def delta_storage_options(table_path: str) -> dict[str, str] | None:
    """delta-rs options for a table. On S3, commits are conditional PUTs (If-None-Match), so of
    several writers racing for one log version exactly one wins: safe with concurrent runs and no
    lock table. Locally a commit is an atomic no-replace rename already."""
    if not storage.is_s3(table_path):
        return None
    options = {"aws_conditional_put": "etag"}
    endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    if endpoint and endpoint.startswith("http://"):
        options["AWS_ALLOW_HTTP"] = "true"  # a local S3 endpoint (moto in tests)
    return options


class BatchCommittedElsewhere(Exception):
    """Another run committed this batch to this table first (concurrent runs of one dataset)."""


def committed_version(table_path: str, app_id: str) -> int:
    """The last batch version committed to a table by this job, 0 if none."""
    options = delta_storage_options(table_path)
    if not DeltaTable.is_deltatable(table_path, storage_options=options):
        return 0
    return DeltaTable(table_path, storage_options=options).transaction_version(app_id) or 0


@dataclass
class StagedFile:
    uri: str
    size: int
    partition_value: str
    num_records: int
    stats: str  # Delta statistics JSON


@dataclass
class StagedBatch:
    table_path: str
    schema: pa.Schema
    batch_id: str
    num_rows: int
    staging_dir: str | None = None
    files: list[StagedFile] = field(default_factory=list)
    frame: DataFrame | None = None  # kept by the Spark-native writer, which writes at commit
    parse: _PersistedParse | None = None  # what `frame` is cut from, shared with the other table


class _PersistedParse:
    """The parsed lines both tables of a batch are written from, kept on disk until neither needs them."""

    def __init__(self, frame: DataFrame, tables: int):
        self.frame = frame
        self.pending = tables

    def release(self) -> None:
        self.pending -= 1
        if self.pending == 0:
            self.frame.unpersist()


@dataclass(frozen=True)
class BatchTarget:
    """One batch of one dataset: what it is stamped with and the two tables it lands in."""

    spec: DatasetSpec
    stamp: BatchStamp
    data_path: str
    rejects_path: str

    def tables(self) -> tuple[tuple[str, str, pa.Schema], tuple[str, str, pa.Schema]]:
        """(kind, path, schema) of the rows table, then of the rejects table: what both writers stage."""
        return (
            (ROWS, self.data_path, self.spec.data_schema()),
            (REJECTS, self.rejects_path, self.spec.rejects_schema()),
        )


class BronzeWriter(Protocol):
    name: str

    def stage(self, lines: DataFrame, target: BatchTarget, file_rejects: pa.Table) -> tuple[StagedBatch, StagedBatch]:
        """Parse and stage a batch: (rows, rejects), neither visible to readers yet. `file_rejects`
        (one row per quarantined file) join the rejects. A failed stage leaves nothing behind."""
        ...

    def commit(self, staged: StagedBatch, app_id: str, version: int) -> None:
        """Commit a staged batch with the app transaction (app_id, version), or raise
        BatchCommittedElsewhere if the table already holds that version (checked in the commit)."""
        ...

    def abort(self, staged: StagedBatch) -> None: ...


class ParquetDeltaRsWriter:
    """Spark tasks parse and write Parquet in parallel; the driver commits the files with delta-rs.

    One pass over the raw lines stages both tables. No row passes through the driver: it receives
    one small description per file written and writes one Delta commit per table, holding every
    add action (with statistics) and the app transaction.
    """

    name = "parquet+delta-rs"

    def stage(self, lines: DataFrame, target: BatchTarget, file_rejects: pa.Table) -> tuple[StagedBatch, StagedBatch]:
        suffix = f"{target.stamp.batch_id}-{uuid.uuid4().hex[:8]}"
        staging = {
            ROWS: storage.join(target.data_path, "_staging", suffix),
            REJECTS: storage.join(target.rejects_path, "_staging", suffix),
        }
        task = StageTask(target.spec, target.stamp, staging)
        try:
            described = [d.asDict() for d in map_in_arrow(lines, task, STAGED_FILE_DDL).collect()]
            if file_rejects.num_rows:  # a few rows: written by the driver beside the tasks' files
                files = PartitionedFiles({REJECTS: staging[REJECTS]})
                files.add(REJECTS, file_rejects)
                described += files.close()
        except BaseException:
            for kind, path, _schema in target.tables():
                _remove_staging(staging[kind], path)
            raise
        batches = []
        for kind, path, schema in target.tables():
            files = [
                StagedFile(d["uri"], d["size"], d["partition_value"], d["num_records"], d["stats"])
                for d in described
                if d["table"] == kind
            ]
            num_rows = sum(f.num_records for f in files)
            batches.append(StagedBatch(path, schema, target.stamp.batch_id, num_rows, staging[kind], files))
        return batches[0], batches[1]

    def commit(self, staged: StagedBatch, app_id: str, version: int) -> None:
        now_ms = int(time.time() * 1000)
        actions = []
        for f in staged.files:
            relative = f"{PARTITION_COLUMN}={f.partition_value}/{staged.batch_id}-{f.uri.rsplit('/', 1)[-1]}"
            storage.move(f.uri, storage.join(staged.table_path, relative))
            actions.append(
                AddAction(
                    path=relative,
                    size=f.size,
                    partition_values={PARTITION_COLUMN: f.partition_value},
                    modification_time=now_ms,
                    data_change=True,
                    stats=f.stats,
                )
            )
        properties = CommitProperties(
            app_transactions=[Transaction(app_id, version)],
            custom_metadata={"oakvale.batch_id": staged.batch_id, "oakvale.writer": self.name},
        )
        try:
            _commit_once(staged, actions, properties, app_id, version)
        except BatchCommittedElsewhere:
            for action in actions:  # moved in but never referenced: not data, remove them now
                storage.remove_file(storage.join(staged.table_path, action.path))
            raise
        finally:
            self.abort(staged)  # only the emptied staging folder is left to remove

    def abort(self, staged: StagedBatch) -> None:
        if staged.staging_dir:
            _remove_staging(staged.staging_dir, staged.table_path)


def _commit_once(staged: StagedBatch, actions: list, properties: CommitProperties, app_id: str, version: int) -> None:
    """One Delta commit of `actions`, admitted only if no commit holds (app_id, >= version).

    The check runs on the snapshot the commit is made against, and Delta's optimistic concurrency
    makes it hold at the version committed: a concurrent commit carrying the same app id fails this
    one ("concurrent transaction"), after which the table is read again and the check decides.
    """
    options = delta_storage_options(staged.table_path)
    for _attempt in range(5):
        try:
            table = DeltaTable(staged.table_path, storage_options=options)
        except TableNotFoundError:
            table = None
        if table is None:
            try:
                create_table_with_add_actions(
                    staged.table_path,
                    Schema.from_arrow(staged.schema),
                    actions,
                    mode="error",  # a table another run created meanwhile is appended to, below
                    partition_by=[PARTITION_COLUMN],
                    name=staged.table_path.rstrip("/").rsplit("/", 1)[-1],
                    storage_options=options,
                    commit_properties=properties,
                )
                return
            except DeltaError as error:
                if not DeltaTable.is_deltatable(staged.table_path, storage_options=options):
                    raise
                log.info("%s: created concurrently (%s); committing to it", staged.table_path, error)
                continue
        if (table.transaction_version(app_id) or 0) >= version:
            raise BatchCommittedElsewhere(f"{staged.table_path}: ({app_id}, {version}) is already committed")
        add_new_columns(table, staged.schema)
        try:
            table.create_write_transaction(
                actions, mode="append", schema=staged.schema, partition_by=[PARTITION_COLUMN], commit_properties=properties
            )
            return
        except CommitFailedError as error:
            log.info("%s: commit of (%s, %d) lost a race (%s); reading the table again", staged.table_path, app_id, version, error)
    raise RuntimeError(f"{staged.table_path}: could not commit ({app_id}, {version}) after 5 attempts")


def add_new_columns(table: DeltaTable, schema: pa.Schema) -> None:
    """Additive schema evolution: columns a newer bronze schema adds join an older table, null in
    its existing rows (as Spark's Delta writer does with mergeSchema). A changed or dropped column
    is not evolved: the commit then fails on the mismatch."""
    existing = {f.name for f in table.schema().fields}
    new = [Field.from_arrow(f) for f in schema if f.name not in existing]
    if new:
        log.info("%s: adding column(s) %s", table.table_uri, ", ".join(f.name for f in new))
        table.alter.add_columns(new)


def _remove_staging(staging_dir: str, table_path: str) -> None:
    """Remove one batch's staging folder, and the table's `_staging` folder once it is empty."""
    storage.remove_tree(staging_dir)
    _remove_empty_parent(storage.join(table_path, "_staging"))


def _remove_empty_parent(path: str) -> None:
    if storage.is_s3(path):
        return  # S3 has no empty folders
    import os

    try:
        os.rmdir(path)
    except OSError:
        pass  # not empty: another batch's staging is still there


class SparkDeltaWriter:
    """Spark's own Delta writer (Glue with --datalake-formats delta, or local Spark given the jars).

    The same parse kernel runs in the tasks (one union frame of rows and rejects, kept on disk so
    the lines are parsed once); Spark's Delta writer then writes each table with its app transaction.
    """

    name = "spark-delta"

    def stage(self, lines: DataFrame, target: BatchTarget, file_rejects: pa.Table) -> tuple[StagedBatch, StagedBatch]:
        parsed = parsed_frame(lines, target)
        if file_rejects.num_rows:
            parsed = parsed.unionByName(file_rejects_frame(lines.sparkSession, file_rejects, target))
        parsed = parsed.persist(StorageLevel.DISK_ONLY)
        persisted = _PersistedParse(parsed, tables=2)
        try:
            counts = dict(parsed.groupBy("_is_reject").count().collect())
        except BaseException:
            parsed.unpersist()
            raise
        staged = []
        for kind, path, schema in target.tables():
            is_reject = kind == REJECTS
            frame = parsed.where(F.col("_is_reject") == is_reject).select(*schema.names)
            num_rows = counts.get(is_reject, 0)
            staged.append(StagedBatch(path, schema, target.stamp.batch_id, num_rows, frame=frame, parse=persisted))
        return staged[0], staged[1]

    def commit(self, staged: StagedBatch, app_id: str, version: int) -> None:
        assert staged.frame is not None
        options = delta_storage_options(staged.table_path)
        # Names this commit among the table's commits: how a write Delta skipped is told from one it made.
        token = uuid.uuid4().hex
        metadata = {"oakvale.batch_id": staged.batch_id, "oakvale.writer": self.name, "oakvale.commit": token}
        try:
            if self._already_committed(staged.table_path, app_id, version):
                raise BatchCommittedElsewhere(f"{staged.table_path}: ({app_id}, {version}) is already committed")
            for _attempt in range(5):
                before = _table_version(staged.table_path, options)
                try:
                    self._write(staged, app_id, version, metadata)
                    break
                except Exception as error:
                    # Delta's conflict check failed this commit: a concurrent commit carrying the same
                    # app id (ConcurrentTransactionException), or a concurrent first commit of the table
                    # (ProtocolChangedException, MetadataChangedException). Read the table again.
                    conflict = _delta_conflict(staged.frame.sparkSession, error)
                    if conflict is None:
                        raise
                    if committed_version(staged.table_path, app_id) >= version:
                        log.info("%s: (%s, %d) lost a race to the same batch (%s)", staged.table_path, app_id, version, conflict)
                        raise BatchCommittedElsewhere(
                            f"{staged.table_path}: ({app_id}, {version}) committed by another run"
                        ) from None
                    log.info("%s: commit of (%s, %d) lost a race (%s); writing again", staged.table_path, app_id, version, conflict)
            else:
                raise RuntimeError(f"{staged.table_path}: could not commit ({app_id}, {version}) after 5 attempts")
            # Delta returns without writing when its snapshot already holds (app_id, >= version): a
            # run that committed between the check above and the write. Only our own commit says we wrote.
            if not _has_commit(staged.table_path, options, after=before, token=token):
                raise BatchCommittedElsewhere(f"{staged.table_path}: ({app_id}, {version}) committed by another run")
        finally:
            self.abort(staged)  # written or not: its part of the persisted parse is no longer needed

    def _write(self, staged: StagedBatch, app_id: str, version: int, metadata: dict[str, str]) -> None:
        (
            staged.frame.write.format("delta")
            .mode("append")
            .partitionBy(PARTITION_COLUMN)
            .option("txnAppId", app_id)
            .option("txnVersion", version)
            .option("mergeSchema", "true")  # columns a newer bronze schema adds (see add_new_columns)
            .option("userMetadata", json.dumps(metadata))
            .save(staged.table_path)
        )

    @staticmethod
    def _already_committed(table_path: str, app_id: str, version: int) -> bool:
        """The check before writing: it saves the write; the commit itself decides (see `commit`)."""
        return committed_version(table_path, app_id) >= version

    def abort(self, staged: StagedBatch) -> None:
        if staged.frame is not None and staged.parse is not None:
            staged.parse.release()
        staged.frame = None


def _delta_conflict(spark, error: Exception) -> str | None:
    """The Delta exception's name if a failed write lost an optimistic-concurrency race (any of
    Delta's DeltaConcurrentModificationException kinds), else None (some other failure)."""
    # py4j's error, or PySpark's converted one (which keeps the Java exception as `_origin`)
    java_error = getattr(error, "java_exception", None) or getattr(error, "_origin", None)
    if java_error is None:
        return None
    loader = spark.sparkContext._jvm.java.lang.Thread.currentThread().getContextClassLoader()
    conflict = loader.loadClass("io.delta.exceptions.DeltaConcurrentModificationException")
    return str(java_error.getClass().getSimpleName()) if conflict.isInstance(java_error) else None


def _table_version(table_path: str, options: dict[str, str] | None) -> int:
    """The table's latest version, -1 before its first commit."""
    if not DeltaTable.is_deltatable(table_path, storage_options=options):
        return -1
    return DeltaTable(table_path, storage_options=options).version()


def _has_commit(table_path: str, options: dict[str, str] | None, *, after: int, token: str) -> bool:
    """Whether a commit after version `after` carries `token` in its userMetadata."""
    if not DeltaTable.is_deltatable(table_path, storage_options=options):
        return False
    table = DeltaTable(table_path, storage_options=options)
    for commit in table.history(limit=max(table.version() - after, 1)):
        try:
            if json.loads(commit.get("userMetadata") or "{}").get("oakvale.commit") == token:
                return True
        except ValueError:
            continue  # another writer's userMetadata
    return False


class WriterUnavailableError(OakvaleError, RuntimeError):
    pass


def choose_writer(spark, preference: str = "auto") -> BronzeWriter:
    """`auto` is Parquet + delta-rs, wherever the job runs: the commit the Glue job is deployed with
    (`infra/glue.tf`), safe when runs of one dataset overlap on S3. Spark's own Delta writer runs when
    asked for (`spark-delta`) and its classes are on the classpath."""
    from ingestion.bronze.session import delta_classes_available

    native = delta_classes_available(spark)
    if preference == "spark-delta":
        if not native:
            raise WriterUnavailableError(
                "writer 'spark-delta' asked for, but Delta's Spark classes are not on the classpath: run on Glue "
                "with --datalake-formats delta, or locally run `make setup` (it caches the pinned Delta jars) or "
                "set OAKVALE_DELTA_JARS to the delta-spark and delta-storage jars"
            )
        writer: BronzeWriter = SparkDeltaWriter()
    elif preference in ("auto", "parquet+delta-rs"):
        writer = ParquetDeltaRsWriter()
    else:
        raise ValueError(f"unknown writer {preference!r}: use auto, spark-delta or parquet+delta-rs")
    log.info("bronze writer: %s (Delta Spark classes %s)", writer.name, "present" if native else "absent")
    return writer
