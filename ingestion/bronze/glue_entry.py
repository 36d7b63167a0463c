"""What glue_scripts/bronze_job.py runs: parse arguments, get the session, run the job, exit code.

Run by hand, the job logs to `<data_root>/logs/bronze-job-<UTC timestamp>-<pid>.log` (Spark's JVM
log included) and a failure ends with one line on stderr (`ingestion.runlog`). On Glue logging
stays on stdout/stderr for CloudWatch, and the same one line ends a failed run.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError
from pyspark.sql import SparkSession

from ingestion import runlog
from ingestion.bronze.args import parse_job_args
from ingestion.bronze.job import BronzeJobOptions, run
from ingestion.bronze.session import apply_job_conf, local_session
from ingestion.errors import InvalidArgumentError, OakvaleError, invalid_settings, one_line

try:
    from awsglue.utils import GlueArgumentError
except ImportError:  # only the argparse fallback: its errors exit with usage, as argparse does
    GlueArgumentError = ()  # type: ignore[assignment,misc]

COMMAND = "bronze-job"


def _session(on_glue: bool, log_file: Path | None) -> SparkSession:
    if not on_glue:
        spark = local_session(log_file=log_file)
        runlog.watch_interrupts()  # after PySpark's own handler: Ctrl-C ends in the "interrupted" line
        return spark
    # On Glue the GlueContext owns the session (it only works inside Glue's JVM).
    from awsglue.context import GlueContext
    from pyspark.context import SparkContext

    spark = GlueContext(SparkContext.getOrCreate()).spark_session
    apply_job_conf(spark)
    return spark


def _options(argv: Sequence[str]) -> BronzeJobOptions:
    try:
        return parse_job_args(argv)
    except ValidationError as error:
        raise invalid_settings(error, underscores=True) from error
    except GlueArgumentError as error:
        raise InvalidArgumentError(
            f"{error}; usage: bronze_job.py --dataset movies|reviews --data_root <root> [--raw_root <root>] "
            "[--reject_threshold 0.05] [--writer auto|spark-delta|parquet+delta-rs]"
        ) from error


def _glue_arg(argv: Sequence[str], name: str) -> str | None:
    """A value Glue itself passes (--JOB_RUN_ID, --custom-logGroup-prefix), if present."""
    args = list(argv)
    return args[args.index(name) + 1] if name in args[:-1] else None


def main(argv: Sequence[str]) -> int:
    on_glue = "--JOB_NAME" in argv
    try:
        options = _options(argv)
    except OakvaleError as error:  # before the data root is known: nothing to log yet
        print(f"oakvale {COMMAND}: {one_line(str(error))}", file=sys.stderr)
        return error.exit_code
    if on_glue:
        log = runlog.start_glue(COMMAND, _glue_arg(argv, "--JOB_RUN_ID"), _glue_arg(argv, "--custom-logGroup-prefix"))
    else:
        log = runlog.start(COMMAND, options.data_root)
    started = time.perf_counter()
    try:
        spark = _session(on_glue, log.path)
        try:
            result = run(spark, options)
        finally:
            if not on_glue:
                spark.stop()  # a JVM left running at interpreter exit can abort the process
    except (Exception, KeyboardInterrupt) as error:
        return runlog.fail(log, error)
    finally:
        runlog.stop(log)
    print(json.dumps({**result.as_dict(), "seconds": round(time.perf_counter() - started, 2)}))
    return 0
