"""Raw NDJSON lines -> bronze rows and reject rows, with an explicit schema and no inference.

Lines are read as text and parsed once into a string map, so every source field keeps its raw JSON
text, unknown keys are rescued instead of dropped, and a bad line is kept whole with its reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from ingestion.bronze.schema import DatasetSpec

_AS_MAP = T.MapType(T.StringType(), T.StringType())
_AS_ARRAY = T.ArrayType(T.StringType())


@dataclass(frozen=True)
class BatchStamp:
    """What every row of one batch carries."""

    batch_id: str
    ingested_at: datetime  # UTC
    fallback_ingest_date: str  # YYYY-MM-DD, for raw files outside an ingest_date= folder


@dataclass
class ParsedBatch:
    rows: DataFrame
    rejects: DataFrame


def _source_file() -> Column:
    # Spark reports local files as URL-encoded file: URIs; keep plain paths so they match the listing.
    return F.url_decode(F.regexp_replace(F.input_file_name(), r"^file:(//)?", ""))


def _ingest_date(stamp: BatchStamp) -> Column:
    from_path = F.regexp_extract(F.col("_source_file"), r"ingest_date=(\d{4}-\d{2}-\d{2})", 1)
    chosen = F.when(from_path != "", from_path).otherwise(F.lit(stamp.fallback_ingest_date))
    return chosen.cast(T.DateType())  # a plain cast: to_date with a pattern runs a formatter per row


def _rescued(spec: DatasetSpec) -> Column:
    known = F.array(*[F.lit(f) for f in spec.fields])
    extra = F.map_filter("_record", lambda key, _value: ~F.array_contains(known, key))
    return F.when(F.size(extra) > 0, F.to_json(extra))


def _reject_reason() -> Column:
    # A line that parses as JSON once wrapped in [] is valid JSON, just not an object.
    is_json_value = F.from_json(F.concat(F.lit("["), F.col("value"), F.lit("]")), _AS_ARRAY).isNotNull()
    return F.when(is_json_value, F.lit("not_a_json_object")).otherwise(F.lit("malformed_json"))


def _batch_columns(stamp: BatchStamp) -> list[Column]:
    return [
        F.col("_source_file"),
        F.col("_ingest_date"),
        F.lit(stamp.ingested_at).cast(T.TimestampType()).alias("_ingested_at"),
        F.lit(stamp.batch_id).alias("_batch_id"),
    ]


def read_raw(spark: SparkSession, files: list[str], spec: DatasetSpec, stamp: BatchStamp) -> ParsedBatch:
    lines = (
        spark.read.text(files)
        .withColumn("_source_file", _source_file())
        .where(F.trim(F.col("value")) != "")  # blank lines are not records
        .withColumn("_ingest_date", _ingest_date(stamp))
        .withColumn("_record", F.from_json(F.col("value"), _AS_MAP))
    )
    rows = lines.where(F.col("_record").isNotNull()).select(
        *[F.col("_record")[f].alias(f) for f in spec.fields],
        _rescued(spec).alias("_rescued_data"),
        *_batch_columns(stamp),
    )
    rejects = lines.where(F.col("_record").isNull()).select(
        F.col("value").alias("_raw_line"),
        _reject_reason().alias("_reject_reason"),
        *_batch_columns(stamp),
    )
    return ParsedBatch(rows=rows, rejects=rejects)
