"""The parse kernel as one Spark frame: rows and rejects together, told apart by `_is_reject`.

Spark's own Delta writer needs a DataFrame per table; this frame feeds both (see SparkDeltaWriter),
so the native path runs the very kernel the Parquet + delta-rs path runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyarrow as pa

from ingestion.bronze.parse import BatchStamp, LineParser
from ingestion.bronze.schema import DatasetSpec

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

_SPARK_TYPES = {
    pa.string(): "string",
    pa.binary(): "binary",
    pa.int64(): "bigint",
    pa.date32(): "date",
    pa.timestamp("us", tz="UTC"): "timestamp",
}


def union_schema(spec: DatasetSpec) -> pa.Schema:
    fields = {f.name: f for f in spec.data_schema()}
    for f in spec.rejects_schema():
        fields.setdefault(f.name, f)
    return pa.schema([*fields.values(), pa.field("_is_reject", pa.bool_())])


def union_ddl(spec: DatasetSpec) -> str:
    return ", ".join(
        f"`{f.name}` {'boolean' if f.type == pa.bool_() else _SPARK_TYPES[f.type]}" for f in union_schema(spec)
    )


@dataclass(frozen=True)
class UnionTask:
    spec: DatasetSpec
    stamp: BatchStamp

    def __call__(self, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        schema = union_schema(self.spec)
        with LineParser(self.spec, self.stamp) as parser:
            for batch in batches:
                parsed = parser.parse(batch)
                for table, is_reject in ((parsed.rows, False), (parsed.rejects, True)):
                    if table.num_rows:
                        yield from _widen(table, is_reject, schema).to_batches()


def _widen(table: pa.Table, is_reject: bool, schema: pa.Schema) -> pa.Table:
    n = table.num_rows
    columns = []
    for field in schema:
        if field.name == "_is_reject":
            columns.append(pa.repeat(pa.scalar(is_reject), n))
        elif field.name in table.column_names:
            columns.append(table.column(field.name))
        else:
            columns.append(pa.nulls(n, field.type))
    return pa.Table.from_arrays(columns, schema=schema)


def parsed_frame(lines: DataFrame, target) -> DataFrame:
    """`lines` (value, _source_file, _block_start) parsed into one frame of the union schema."""
    from ingestion.bronze.arrow_map import map_in_arrow  # Spark only on the driver: workers import this module

    return map_in_arrow(lines, UnionTask(target.spec, target.stamp), union_ddl(target.spec))


def file_rejects_frame(spark, rejects: pa.Table, target) -> DataFrame:
    """The reject rows of quarantined files (a handful, made on the driver) in the union schema."""
    widened = _widen(rejects, True, union_schema(target.spec))
    return spark.createDataFrame(widened.to_pylist(), schema=union_ddl(target.spec))
