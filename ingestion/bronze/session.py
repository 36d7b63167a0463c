"""The SparkSession the bronze job runs on, and whether Delta's Spark classes are on its classpath."""

from __future__ import annotations

import logging
import os
import sys

from pyspark.sql import SparkSession

from ingestion.bronze import class_archive, jars

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


DELTA_CONF = {
    "spark.sql.extensions": "io.delta.sql.DeltaSparkSessionExtension",
    "spark.sql.catalog.spark_catalog": "org.apache.spark.sql.delta.catalog.DeltaCatalog",
}
# Local tables are small: Delta's default of 50 partitions for reading its log state costs seconds
# per commit on 2 cores (Glue keeps its own default).
LOCAL_DELTA_CONF = {"spark.databricks.delta.snapshotPartitions": "2"}


def delta_jars() -> list[str]:
    """Delta's jars for a local session: OAKVALE_DELTA_JARS (comma-separated; set but empty for
    none) when set, else the pinned jars `make setup` cached, else none."""
    if "OAKVALE_DELTA_JARS" in os.environ:
        return [j for j in os.environ["OAKVALE_DELTA_JARS"].split(",") if j.strip()]
    return [str(p) for p in jars.cached(jars.DELTA) or []]


def s3_conf() -> dict[str, str]:
    """`s3://` for a local session as Glue has it: the pinned hadoop-aws jars (when cached), `s3://`
    mapped to S3AFileSystem, and S3 at AWS_ENDPOINT_URL(_S3) when set (moto in tests: path-style,
    plain HTTP). Local sessions only: Glue's own `s3://` needs none of it."""
    paths = jars.cached(jars.S3A)
    if not paths:
        return {}
    conf = {"spark.hadoop.fs.s3.impl": "org.apache.hadoop.fs.s3a.S3AFileSystem"}
    endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    if endpoint:
        conf |= {
            "spark.hadoop.fs.s3a.endpoint": endpoint,
            "spark.hadoop.fs.s3a.path.style.access": "true",
            "spark.hadoop.fs.s3a.connection.ssl.enabled": str(endpoint.startswith("https://")).lower(),
        }
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    if region:
        conf["spark.hadoop.fs.s3a.endpoint.region"] = region
    return {"spark.jars": ",".join(str(p) for p in paths), **conf}


def local_session(app_name: str = "oakvale-bronze") -> SparkSession:
    """A local Spark session: Delta's Spark classes and `s3://` support when their jars are there
    (see `delta_jars`, `s3_conf`)."""
    # Python workers (the parse kernel) run this interpreter, the venv's, not the first python3 on PATH.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.master(os.environ.get("OAKVALE_SPARK_MASTER", "local[*]")).appName(app_name)
    conf = {**LOCAL_CONF, **JOB_CONF, "spark.driver.extraJavaOptions": _driver_java_options(), **s3_conf()}
    delta = delta_jars()
    if delta:
        conf |= DELTA_CONF | LOCAL_DELTA_CONF
        conf["spark.jars"] = ",".join(filter(None, [*delta, conf.get("spark.jars", "")]))
    for key, value in conf.items():
        builder = builder.config(key, value)
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
