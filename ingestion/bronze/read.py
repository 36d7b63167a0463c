"""Raw files -> one Spark row per raw line, with the file it came from. No parsing here.

Spark's text reader does the distributed part (listing, S3 reads, gzip, line splitting); each task
then hands its lines to the parse kernel (`ingestion.bronze.parse`) as Arrow batches.
"""

from __future__ import annotations

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

LINES_DDL = "value binary, _source_file string, _block_start bigint"


def read_lines(spark: SparkSession, files: list[str], max_tasks: int) -> DataFrame:
    """Lines of the given raw files as (value bytes, _source_file, _block_start), in at most `max_tasks` tasks.

    `_block_start` is the byte where the task's part of the file begins: 0 unless Spark split a
    large uncompressed file. A task reads its parts line by line, in order, so the parse kernel can
    number the lines of every part that starts at the beginning of its file.

    Each task writes one file per table and partition, so `max_tasks` bounds the files a run adds
    to a partition; coalesce merges input splits without a shuffle.
    """
    if not files:  # every planned file was quarantined
        return spark.createDataFrame([], LINES_DDL)
    lines = spark.read.text(list(files))
    # Bytes, not text: Spark does not check UTF-8, and the parse kernel rejects a line that is not.
    return lines.select(
        F.col("value").cast("binary").alias("value"),
        F.input_file_name().alias("_source_file"),
        F.input_file_block_start().alias("_block_start"),
    ).coalesce(max_tasks)
