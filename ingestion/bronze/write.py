"""Delta writers for bronze: Spark's own Delta writer where its classes exist, else Parquet + delta-rs.

Both stage a batch first (so the reject threshold can be checked before anything is visible) and
commit it with a Delta app transaction `(app_id, version)`: Delta's own idempotency mark, read back
by `committed_version`. A commit is all or nothing; staged files that never get committed are
invisible to readers and removed by `vacuum`.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from dataclasses import dataclass, field
from typing import Protocol

import pyarrow as pa
import pyarrow.parquet as pq
from deltalake import DeltaTable, Schema
from deltalake.transaction import AddAction, CommitProperties, Transaction, create_table_with_add_actions
from pyspark.sql import DataFrame

from ingestion import storage
from ingestion.bronze.schema import PARTITION_COLUMN

log = logging.getLogger(__name__)


def delta_storage_options(table_path: str) -> dict[str, str] | None:
    # One writer per table at a time (the Glue job runs with max concurrency 1), so S3 needs no lock.
    return {"AWS_S3_ALLOW_UNSAFE_RENAME": "true"} if storage.is_s3(table_path) else None


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


@dataclass
class StagedBatch:
    table_path: str
    schema: pa.Schema
    batch_id: str
    num_rows: int
    staging_dir: str | None = None
    files: list[StagedFile] = field(default_factory=list)
    frame: DataFrame | None = None  # kept by the Spark-native writer, which writes at commit


class BronzeWriter(Protocol):
    name: str

    def stage(self, frame: DataFrame, table_path: str, schema: pa.Schema, batch_id: str) -> StagedBatch: ...

    def commit(self, staged: StagedBatch, app_id: str, version: int) -> None: ...

    def abort(self, staged: StagedBatch) -> None: ...


def _partition_value(relative_path: str) -> str:
    for segment in relative_path.split("/"):
        if segment.startswith(f"{PARTITION_COLUMN}="):
            return segment.split("=", 1)[1]
    raise ValueError(f"staged file {relative_path!r} has no {PARTITION_COLUMN}= folder")


class ParquetDeltaRsWriter:
    """Spark writes the batch as Parquet in parallel; the driver commits the files with delta-rs.

    No row passes through the driver: it only reads Parquet footers (for numRecords) and writes one
    Delta commit holding every add action and the app transaction.
    """

    name = "parquet+delta-rs"

    def __init__(self, max_files_per_partition: int = 4):
        self.max_files_per_partition = max_files_per_partition

    def stage(self, frame: DataFrame, table_path: str, schema: pa.Schema, batch_id: str) -> StagedBatch:
        staging_dir = storage.join(table_path, "_staging", f"{batch_id}-{uuid.uuid4().hex[:8]}")
        # coalesce bounds the files per partition without a shuffle
        frame.coalesce(self.max_files_per_partition).write.mode("errorifexists").partitionBy(
            PARTITION_COLUMN
        ).parquet(staging_dir)
        files = []
        for info in storage.list_files(staging_dir):
            if not info.uri.endswith(".parquet"):
                continue  # Spark's .crc and marker files are not data
            relative = info.uri[len(staging_dir) + 1 :]
            files.append(
                StagedFile(info.uri, info.size, _partition_value(relative), pq.read_metadata(info.uri).num_rows)
            )
        num_rows = sum(f.num_records for f in files)
        return StagedBatch(table_path, schema, batch_id, num_rows, staging_dir=staging_dir, files=files)

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
                    stats=json.dumps({"numRecords": f.num_records}),
                )
            )
        properties = CommitProperties(
            app_transactions=[Transaction(app_id, version)],
            custom_metadata={"oakvale.batch_id": staged.batch_id, "oakvale.writer": self.name},
        )
        options = delta_storage_options(staged.table_path)
        if DeltaTable.is_deltatable(staged.table_path, storage_options=options):
            DeltaTable(staged.table_path, storage_options=options).create_write_transaction(
                actions, mode="append", schema=staged.schema, partition_by=[PARTITION_COLUMN], commit_properties=properties
            )
        else:
            create_table_with_add_actions(
                staged.table_path,
                Schema.from_arrow(staged.schema),
                actions,
                mode="append",
                partition_by=[PARTITION_COLUMN],
                name=staged.table_path.rstrip("/").rsplit("/", 1)[-1],
                storage_options=options,
                commit_properties=properties,
            )
        self.abort(staged)  # only the emptied staging folder is left to remove

    def abort(self, staged: StagedBatch) -> None:
        if staged.staging_dir:
            storage.remove_tree(staged.staging_dir)
            _remove_empty_parent(storage.join(staged.table_path, "_staging"))


def _remove_empty_parent(path: str) -> None:
    if storage.is_s3(path):
        return  # S3 has no empty folders
    import os

    try:
        os.rmdir(path)
    except OSError:
        pass  # not empty: another batch's staging is still there


class SparkDeltaWriter:
    """Spark's own Delta writer (Glue with --datalake-formats delta, or local Spark given the jars)."""

    name = "spark-delta"

    def __init__(self, max_files_per_partition: int = 4):
        self.max_files_per_partition = max_files_per_partition

    def stage(self, frame: DataFrame, table_path: str, schema: pa.Schema, batch_id: str) -> StagedBatch:
        # Spark's Delta writer has no separate stage step; count first so the threshold can be checked.
        return StagedBatch(table_path, schema, batch_id, frame.count(), frame=frame)

    def commit(self, staged: StagedBatch, app_id: str, version: int) -> None:
        assert staged.frame is not None
        (
            staged.frame.coalesce(self.max_files_per_partition)
            .write.format("delta")
            .mode("append")
            .partitionBy(PARTITION_COLUMN)
            .option("txnAppId", app_id)
            .option("txnVersion", version)
            .option("userMetadata", json.dumps({"oakvale.batch_id": staged.batch_id, "oakvale.writer": self.name}))
            .save(staged.table_path)
        )

    def abort(self, staged: StagedBatch) -> None:
        staged.frame = None


class WriterUnavailableError(RuntimeError):
    pass


def choose_writer(spark, preference: str = "auto", max_files_per_partition: int = 4) -> BronzeWriter:
    """`auto` takes Spark's Delta writer when its classes are on the classpath, else Parquet + delta-rs."""
    from ingestion.bronze.session import delta_classes_available

    native = delta_classes_available(spark)
    if preference == "spark-delta" and not native:
        raise WriterUnavailableError(
            "writer 'spark-delta' asked for, but Delta's Spark classes are not on the classpath: run on Glue "
            "with --datalake-formats delta, or set OAKVALE_DELTA_JARS to the delta-spark and delta-storage jars"
        )
    if preference == "spark-delta" or (preference == "auto" and native):
        writer: BronzeWriter = SparkDeltaWriter(max_files_per_partition)
    elif preference in ("auto", "parquet+delta-rs"):
        writer = ParquetDeltaRsWriter(max_files_per_partition)
    else:
        raise ValueError(f"unknown writer {preference!r}: use auto, spark-delta or parquet+delta-rs")
    log.info("bronze writer: %s (Delta Spark classes %s)", writer.name, "present" if native else "absent")
    return writer
