"""What glue_scripts/bronze_job.py runs: parse arguments, get the session, run the job, exit code."""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Sequence

from pyspark.sql import SparkSession

from ingestion.bronze.args import parse_job_args
from ingestion.bronze.job import MissingInputError, RejectThresholdExceeded, run
from ingestion.bronze.session import apply_job_conf, local_session


def _session(on_glue: bool) -> SparkSession:
    if not on_glue:
        return local_session()
    # On Glue the GlueContext owns the session (it only works inside Glue's JVM).
    from awsglue.context import GlueContext
    from pyspark.context import SparkContext

    spark = GlueContext(SparkContext.getOrCreate()).spark_session
    apply_job_conf(spark)
    return spark


def main(argv: Sequence[str]) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    options = parse_job_args(argv)
    on_glue = "--JOB_NAME" in argv
    spark = _session(on_glue)
    started = time.perf_counter()
    try:
        result = run(spark, options)
    except (MissingInputError, RejectThresholdExceeded) as error:
        print(f"bronze job failed: {error}", file=sys.stderr)
        return 2
    finally:
        if not on_glue:
            spark.stop()  # a JVM left running at interpreter exit can abort the process
    print(json.dumps({**result.as_dict(), "seconds": round(time.perf_counter() - started, 2)}))
    return 0
