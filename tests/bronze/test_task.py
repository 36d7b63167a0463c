"""A task's staged files: one per table and partition, Delta statistics from their footers, on S3 too."""

from __future__ import annotations

import datetime as dt
import io
import json

import boto3
import pyarrow as pa
import pyarrow.parquet as pq
from moto import mock_aws

from ingestion.bronze.parse import BatchStamp
from ingestion.bronze.schema import dataset_spec
from ingestion.bronze.task import REJECTS, ROWS, StageTask
from tests.bronze.conftest import movie

STAMP = BatchStamp("movies-000001", dt.datetime(2026, 11, 21, tzinfo=dt.timezone.utc), "2026-11-21")


def _batches() -> list[pa.RecordBatch]:
    day1 = "/raw/movies/ingest_date=2026-11-20/a.json"
    day2 = "/raw/movies/ingest_date=2026-11-21/b.json"
    values = [movie(3), movie(1), "{bad", movie(2, title=None)]
    sources = [day1, day1, day1, day2]
    return pa.table({"value": values, "_source_file": sources}).to_batches(max_chunksize=2)


def _described(task: StageTask) -> list[dict]:
    return [row for batch in task(iter(_batches())) for row in batch.to_pylist()]


def test_one_file_per_table_and_partition_with_delta_statistics(tmp_path):
    staging = {ROWS: str(tmp_path / "rows"), REJECTS: str(tmp_path / "rejects")}
    described = _described(StageTask(dataset_spec("movies"), STAMP, staging))

    by_key = {(d["table"], d["partition_value"]): d for d in described}
    assert sorted(by_key) == [(REJECTS, "2026-11-20"), (ROWS, "2026-11-20"), (ROWS, "2026-11-21")]
    day1 = by_key[(ROWS, "2026-11-20")]
    stats = json.loads(day1["stats"])
    assert day1["num_records"] == stats["numRecords"] == pq.read_metadata(day1["uri"]).num_rows == 2
    assert (stats["minValues"]["movie_id"], stats["maxValues"]["movie_id"]) == ("tt0000001", "tt0000003")
    assert (stats["minValues"]["_source_line"], stats["maxValues"]["_source_line"]) == (1, 2)  # lines 1-2 of a.json
    assert "_ingested_at" not in stats["minValues"]  # timestamps: no min/max rather than a rounded one
    assert json.loads(by_key[(ROWS, "2026-11-21")]["stats"])["nullCount"]["title"] == 1
    assert "_ingest_date" not in pq.read_schema(day1["uri"]).names  # partition values live in the Delta log


def test_staged_files_reach_s3(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="lake")
        staging = {ROWS: "s3://lake/bronze/movies/_staging/b1", REJECTS: "s3://lake/bronze/movies_rejects/_staging/b1"}
        described = _described(StageTask(dataset_spec("movies"), STAMP, staging))

        for d in described:
            assert d["uri"].startswith(staging[d["table"]] + f"/_ingest_date={d['partition_value']}/")
            key = d["uri"].removeprefix("s3://lake/")
            body = s3.get_object(Bucket="lake", Key=key)["Body"].read()
            assert len(body) == d["size"]
            assert pq.read_table(io.BytesIO(body)).num_rows == d["num_records"]


def test_statistics_are_not_invented(tmp_path):
    # A column that is null in every row has a null count and no bounds.
    staging = {ROWS: str(tmp_path / "rows"), REJECTS: str(tmp_path / "rejects")}
    described = _described(StageTask(dataset_spec("movies"), STAMP, staging))
    stats = json.loads(next(d for d in described if d["partition_value"] == "2026-11-21" and d["table"] == ROWS)["stats"])
    assert "title" not in stats["minValues"] and "title" not in stats["maxValues"]
