"""The SparkSession the bronze job runs on, and whether Delta's Spark classes are on its classpath."""

from __future__ import annotations

import logging
import os
import sys

from pyspark.sql import SparkSession

from ingestion.bronze import class_archive

log = logging.getLogger(__name__)

# Settings both writer paths rely on: UTC so timestamps never depend on the machine, and INT64
# microsecond timestamps wherever Spark itself writes Parquet (its default is INT96).
JOB_CONF = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
    "spark.hadoop.mapreduce.fileoutputcommitter.marksuccessfuljobs": "false",
    "spark.sql.parquet.compression.codec": "snappy",
    # Lines reach the parse kernel in Arrow batches of this many rows (Spark's default is 10,000).
    "spark.sql.execution.arrow.maxRecordsPerBatch": "50000",
}

LOCAL_CONF = {
    "spark.ui.enabled": "false",
    "spark.driver.memory": os.environ.get("OAKVALE_SPARK_DRIVER_MEMORY", "2g"),
    "spark.sql.shuffle.partitions": "4",
}


def _driver_java_options() -> str:
    options = ["-Dderby.system.home=/tmp/oakvale-derby", *class_archive.java_options()]
    return " ".join([*options, os.environ.get("OAKVALE_SPARK_JAVA_OPTIONS", "")]).strip()


def local_session(app_name: str = "oakvale-bronze") -> SparkSession:
    """A local Spark session. Delta jars are added when OAKVALE_DELTA_JARS lists them (comma-separated)."""
    # Python workers (the parse kernel) run this interpreter, the venv's, not the first python3 on PATH.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.master(os.environ.get("OAKVALE_SPARK_MASTER", "local[*]")).appName(app_name)
    for key, value in {**LOCAL_CONF, **JOB_CONF, "spark.driver.extraJavaOptions": _driver_java_options()}.items():
        builder = builder.config(key, value)
    jars = os.environ.get("OAKVALE_DELTA_JARS")
    if jars:
        builder = (
            builder.config("spark.jars", jars)
            .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
            .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
        )
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def apply_job_conf(spark: SparkSession) -> None:
    """On Glue the session exists already; set what the job needs on it."""
    for key, value in JOB_CONF.items():
        if not key.startswith("spark.hadoop."):
            spark.conf.set(key, value)


def delta_classes_available(spark: SparkSession) -> bool:
    try:
        loader = spark.sparkContext._jvm.java.lang.Thread.currentThread().getContextClassLoader()
        loader.loadClass("org.apache.spark.sql.delta.DeltaLog")
        return True
    except Exception:  # py4j wraps ClassNotFoundException
        return False
