"""The Glue entry script's arguments and exit codes, with and without awsglue's resolver."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ingestion.bronze import args as job_args

ENTRY = Path(__file__).resolve().parents[2] / "glue_scripts" / "bronze_job.py"
ARGV = ["bronze_job.py", "--JOB_NAME", "oakvale-bronze", "--dataset", "reviews", "--data_root", "s3://lake", "--reject_threshold", "0.1"]


def test_glue_resolver_reads_the_same_names():
    assert job_args._glue_resolver() is not None, "AWSGlueDataplanePython is pinned, so awsglue must import"
    options = job_args.parse_job_args(ARGV)
    assert (options.dataset, options.data_root, options.reject_threshold) == ("reviews", "s3://lake", 0.1)
    assert options.catalog_kind == "glue"


def test_argparse_fallback_reads_the_same_names(monkeypatch):
    monkeypatch.setattr(job_args, "_glue_resolver", lambda: None)
    options = job_args.parse_job_args(ARGV)
    assert (options.dataset, options.data_root, options.reject_threshold) == ("reviews", "s3://lake", 0.1)


def test_missing_required_argument_fails():
    from awsglue.utils import GlueArgumentError

    with pytest.raises(GlueArgumentError):
        job_args.parse_job_args(["bronze_job.py", "--dataset", "movies"])


@pytest.mark.spark
def test_missing_input_exits_nonzero_with_a_clear_message(tmp_path):
    done = subprocess.run(
        [sys.executable, str(ENTRY), "--dataset", "movies", "--data_root", str(tmp_path)],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 2
    assert f"raw input {tmp_path}/raw/movies does not exist" in done.stderr
