"""Raw files -> one Spark row per raw line, with the file it came from. No parsing here.

Spark's text reader does the distributed part (listing, S3 reads, gzip, line splitting); each task
then hands its lines to the parse kernel (`ingestion.bronze.parse`) as Arrow batches.
"""

from __future__ import annotations

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from ingestion import storage


def read_lines(spark: SparkSession, files: list[str], max_tasks: int) -> DataFrame:
    """Lines of the given raw files as (value, _source_file), in at most `max_tasks` tasks.

    Each task writes one file per table and partition, so `max_tasks` bounds the files a run adds
    to a partition; coalesce merges input splits without a shuffle.
    """
    lines = spark.read.text([storage.to_spark_uri(f) for f in files])
    return lines.select("value", F.input_file_name().alias("_source_file")).coalesce(max_tasks)
