"""A bronze run killed at any point, then re-run: every raw line lands exactly once.

Each case runs the real Glue entry script in a child process (its own Spark), kills it, and re-runs
it, on both Delta writers.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from deltalake import DeltaTable

from tests.bronze.conftest import movie, write_raw

pytestmark = [pytest.mark.spark, pytest.mark.slow]
ENTRY = Path(__file__).resolve().parents[2] / "glue_scripts" / "bronze_job.py"


def job(data_root: Path, writer: str, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable, str(ENTRY), "--dataset", "movies", "--data_root", str(data_root),
            "--reject_threshold", "0.2", "--writer", writer,
        ],
        env={**os.environ, "OAKVALE_SPARK_MASTER": "local[1]", **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def counts(data_root: Path) -> tuple[int, int, int]:
    bronze = data_root / "lakehouse" / "bronze"
    rows = DeltaTable(str(bronze / "movies")).to_pyarrow_table()
    rejects = DeltaTable(str(bronze / "movies_rejects")).to_pyarrow_table()
    return rows.num_rows, len(set(rows.column("movie_id").to_pylist())), rejects.num_rows


@pytest.fixture
def raw(data_root: Path) -> Path:
    for part in range(3):
        lines = [movie(part * 100 + i) for i in range(100)] + ["{not json"]
        write_raw(data_root, "movies", "2026-11-20", f"r1-{part}", lines)
    return data_root


# Spark's Delta writer leaves nothing behind at after_stage (its stage only persists the parse):
# that case runs on the delta-rs path only, which has staged files by then.
@pytest.mark.parametrize(
    ("writer", "failpoint"),
    [("parquet+delta-rs", "after_stage"), ("parquet+delta-rs", "after_rejects_commit"), ("spark-delta", "after_rejects_commit")],
)
def test_killed_at_a_failpoint_then_rerun(raw: Path, failpoint: str, writer: str):
    crashed = job(raw, writer, OAKVALE_FAILPOINT=failpoint)
    crashed.communicate(timeout=300)
    assert crashed.returncode == 137

    rerun = job(raw, writer)
    out, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, err
    assert counts(raw) == (300, 300, 3)
    assert DeltaTable(str(raw / "lakehouse/bronze/movies")).transaction_version("oakvale-bronze-movies") == 1


def _writing(bronze: Path, writer: str) -> bool:
    """Spark has begun writing the batch: staged files (delta-rs path), or Parquet files in a table
    folder that no commit references yet (Spark's Delta writer writes them there directly)."""
    if writer == "parquet+delta-rs":
        return (bronze / "movies" / "_staging").exists()
    return any(bronze.glob("movies*/_ingest_date=*/*.parquet"))


def test_sigkill_while_spark_writes_then_rerun(raw: Path, writer: str):
    victim = job(raw, writer)
    bronze = raw / "lakehouse" / "bronze"
    deadline = time.time() + 240
    while not _writing(bronze, writer) and time.time() < deadline and victim.poll() is None:
        time.sleep(0.05)
    victim.send_signal(signal.SIGKILL)  # no cleanup, like a lost Glue worker
    victim.communicate(timeout=60)

    rerun = job(raw, writer)
    out, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, err
    assert counts(raw) == (300, 300, 3)
