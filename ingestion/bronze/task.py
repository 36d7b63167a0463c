"""What each Spark task runs on the Parquet + delta-rs path: parse its lines, write Parquet files.

A task parses its share of the raw lines once and writes the good rows and the rejects straight to
two staging folders, one file per table and `_ingest_date` it saw. It returns only a description
of each file (path, partition, row count, Delta statistics) for the driver to commit: no row goes
back through Spark or the driver.
"""

from __future__ import annotations

import json
import os
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ingestion import storage
from ingestion.bronze.parse import BatchStamp, LineParser
from ingestion.bronze.schema import PARTITION_COLUMN, DatasetSpec

ROWS, REJECTS = "rows", "rejects"

# What a task returns for each file it wrote (Spark reads mapInArrow's output by position).
STAGED_FILE_SCHEMA = pa.schema(
    [
        ("table", pa.string()),
        ("uri", pa.string()),
        ("size", pa.int64()),
        ("partition_value", pa.string()),
        ("num_records", pa.int64()),
        ("stats", pa.string()),
    ]
)
STAGED_FILE_DDL = ", ".join(f"{f.name} {'long' if f.type == pa.int64() else 'string'}" for f in STAGED_FILE_SCHEMA)

ROW_GROUP_ROWS = 128 * 1024  # buffer Spark's small Arrow batches into row groups of this size
STATS_MAX_STRING = 32  # Delta's own limit: longer strings get no min/max rather than a wrong one


@dataclass(frozen=True)
class StageTask:
    """A picklable function from one task's line batches to descriptions of the files it wrote."""

    spec: DatasetSpec
    stamp: BatchStamp
    staging_dirs: dict[str, str]  # ROWS / REJECTS -> staging folder (local path or s3:// URI)

    def __call__(self, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        files = PartitionedFiles(self.staging_dirs)
        with LineParser(self.spec, self.stamp) as parser:
            for batch in batches:
                parsed = parser.parse(batch)
                files.add(ROWS, parsed.rows)
                files.add(REJECTS, parsed.rejects)
        written = files.close()
        if written:
            yield pa.RecordBatch.from_pylist(written, schema=STAGED_FILE_SCHEMA)


class PartitionedFiles:
    """One open Parquet file per (table, partition value), fed in row groups of ROW_GROUP_ROWS."""

    def __init__(self, staging_dirs: dict[str, str]):
        self.staging_dirs = staging_dirs
        self.buffers: dict[tuple[str, date], list[pa.Table]] = {}
        self.writers: dict[tuple[str, date], _StagedParquetFile] = {}

    def add(self, table_kind: str, rows: pa.Table) -> None:
        if rows.num_rows == 0:
            return
        dates = rows.column(PARTITION_COLUMN)
        days = pc.unique(dates).to_pylist()
        for day in days:
            part = rows if len(days) == 1 else rows.filter(pc.equal(dates, day))
            key = (table_kind, day)
            self.buffers.setdefault(key, []).append(part.drop_columns([PARTITION_COLUMN]))
            if sum(t.num_rows for t in self.buffers[key]) >= ROW_GROUP_ROWS:
                self._flush(key)

    def _flush(self, key: tuple[str, date]) -> None:
        pending = self.buffers.pop(key, [])
        if not pending:
            return
        table = pa.concat_tables(pending)
        if key not in self.writers:
            table_kind, day = key
            folder = storage.join(self.staging_dirs[table_kind], f"{PARTITION_COLUMN}={day.isoformat()}")
            self.writers[key] = _StagedParquetFile(folder, table.schema)
        self.writers[key].write(table)

    def close(self) -> list[dict]:
        for key in list(self.buffers):
            self._flush(key)
        written = []
        for (table_kind, day), writer in self.writers.items():
            written.append({"table": table_kind, "partition_value": day.isoformat(), **writer.close()})
        return written


class _StagedParquetFile:
    """A Parquet file written where it will be staged: in place locally, via a local temp file to S3."""

    def __init__(self, folder: str, schema: pa.Schema):
        self.uri = storage.join(folder, f"part-{uuid.uuid4().hex}.snappy.parquet")
        if storage.is_s3(self.uri):
            handle, self.local_path = tempfile.mkstemp(suffix=".parquet")
            os.close(handle)
        else:
            os.makedirs(folder, exist_ok=True)
            self.local_path = self.uri
        # INT64 microsecond timestamps: what Delta readers expect (Parquet's legacy INT96 is not).
        self.writer = pq.ParquetWriter(self.local_path, schema, compression="snappy", coerce_timestamps="us")

    def write(self, table: pa.Table) -> None:
        self.writer.write_table(table, row_group_size=len(table))

    def close(self) -> dict:
        self.writer.close()
        metadata = pq.read_metadata(self.local_path)
        size = os.path.getsize(self.local_path)
        if self.local_path != self.uri:
            storage.upload_file(self.local_path, self.uri)
        return {"uri": self.uri, "size": size, "num_records": metadata.num_rows, "stats": delta_stats(metadata)}


def _stat_value(value) -> str | int | None:
    if isinstance(value, str):
        return value if len(value) <= STATS_MAX_STRING else None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    return None  # timestamps and others: Delta's millisecond format would round a max down


def delta_stats(metadata: pq.FileMetaData) -> str:
    """Delta's per-file statistics (numRecords, minValues, maxValues, nullCount) from a Parquet footer."""
    mins: dict[str, str | int] = {}
    maxs: dict[str, str | int] = {}
    nulls: dict[str, int] = {}
    for column in range(metadata.num_columns):
        name = metadata.schema.column(column).name
        groups = [metadata.row_group(g).column(column).statistics for g in range(metadata.num_row_groups)]
        if not groups or any(s is None for s in groups):
            continue
        nulls[name] = sum(s.null_count for s in groups)
        bounds = [(_stat_value(s.min), _stat_value(s.max)) for s in groups if s.has_min_max]
        if bounds and len(bounds) == len(groups) and all(lo is not None and hi is not None for lo, hi in bounds):
            mins[name] = min(lo for lo, _ in bounds)
            maxs[name] = max(hi for _, hi in bounds)
    return json.dumps({"numRecords": metadata.num_rows, "minValues": mins, "maxValues": maxs, "nullCount": nulls})
