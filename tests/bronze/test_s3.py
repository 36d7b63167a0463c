"""The bronze job on S3, as Glue runs it: a local S3 and Glue (a moto server on 127.0.0.1), the
real Glue entry script in a child process, `--data_root s3://...`.

Spark reads the raw files from S3 itself (hadoop-aws's s3a, `s3://` mapped to it by the local
session); with `parquet+delta-rs` (what the Glue job is deployed with) the tasks upload the Parquet
files and delta-rs commits on S3 with conditional PUTs; with `spark-delta` Spark's Delta writer
writes files and log through s3a. The tables are registered in the Glue catalog of the same moto
server, and must equal those of a local run of the same raw files.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import boto3
import pytest
from deltalake import DeltaTable

from ingestion.bronze import BronzeJobOptions, run
from ingestion.bronze.write import delta_storage_options
from tests.bronze.conftest import movie, write_raw

pytestmark = [pytest.mark.spark, pytest.mark.slow]
ENTRY = Path(__file__).resolve().parents[2] / "glue_scripts" / "bronze_job.py"
BUCKET = "oakvale-bronze-s3-test"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def moto_s3(monkeypatch):
    """A moto server (S3, Glue) for this test; boto3, delta-rs and Spark here reach it through the env."""
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    # moto's backends live in this process, shared by every server and mock in it: start empty.
    urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}/moto-api/reset", method="POST"))
    env = {
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(key, raising=False)
    try:
        yield env
    finally:
        urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}/moto-api/reset", method="POST"))
        server.stop()


def _land(root: Path) -> None:
    write_raw(root, "movies", "2026-11-20", "r1-0", [movie(i) for i in range(30)] + ["{bad"], gz=True)
    write_raw(root, "movies", "2026-11-21", "r2-0", [movie(100 + i, promo="x") for i in range(20)])


def _upload(local_root: Path, s3_root: str) -> None:
    bucket, prefix = s3_root.removeprefix("s3://").split("/", 1)
    s3 = boto3.client("s3")
    for path in sorted(local_root.rglob("*")):
        if path.is_file():
            s3.upload_file(str(path), bucket, f"{prefix}/{path.relative_to(local_root)}")


def _table(path: str, root: str) -> tuple:
    table = DeltaTable(path, storage_options=delta_storage_options(path))
    rows = [
        {**r, "_source_file": r["_source_file"].split(root.removeprefix("s3://"), 1)[-1]}
        for r in table.to_pyarrow_table().drop_columns(["_ingested_at"]).to_pylist()
    ]
    return (
        table.schema().to_arrow(),
        table.metadata().partition_columns,
        table.transaction_version("oakvale-bronze-movies"),
        sorted(map(repr, rows)),
    )


def test_the_glue_entry_on_s3_lands_the_tables_a_local_run_lands(spark, tmp_path, moto_s3, writer):
    local_root = tmp_path / "local"
    _land(local_root)
    run(spark, BronzeJobOptions(dataset="movies", data_root=str(local_root), reject_threshold=0.1))

    s3_root = f"s3://{BUCKET}/oakvale"
    boto3.client("s3").create_bucket(Bucket=BUCKET)
    _upload(local_root / "raw", f"{s3_root}/raw")
    job = subprocess.run(
        [
            sys.executable, str(ENTRY), "--dataset", "movies", "--data_root", s3_root,
            "--reject_threshold", "0.1", "--writer", writer,
        ],
        env={**os.environ, "OAKVALE_SPARK_MASTER": "local[2]"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert job.returncode == 0, job.stderr[-4000:]
    result = json.loads(job.stdout.strip().splitlines()[-1])
    assert (result["status"], result["rows"], result["rejects"], result["writer"]) == ("committed", 50, 1, writer)

    for table in ("movies", "movies_rejects"):
        on_s3 = _table(f"{s3_root}/lakehouse/bronze/{table}", s3_root)
        local = _table(str(local_root / "lakehouse/bronze" / table), str(local_root))
        assert on_s3 == local, table
        registered = boto3.client("glue").get_table(DatabaseName="oakvale_bronze", Name=table)["Table"]
        assert registered["StorageDescriptor"]["Location"] == f"{s3_root}/lakehouse/bronze/{table}/"
        assert registered["Parameters"]["table_type"] == "DELTA"
    # Nothing staged is left behind on S3: every Parquet object is referenced by the table.
    keys = [o["Key"] for o in boto3.client("s3").list_objects_v2(Bucket=BUCKET, Prefix="oakvale/lakehouse")["Contents"]]
    parquet = {f"s3://{BUCKET}/{k}" for k in keys if k.endswith(".parquet")}
    referenced = set()
    for table in ("movies", "movies_rejects"):
        path = f"{s3_root}/lakehouse/bronze/{table}"
        referenced |= set(DeltaTable(path, storage_options=delta_storage_options(path)).file_uris())
    assert parquet == referenced
