"""S3 output (moto), the Lambda handler and the CLI."""

from __future__ import annotations

import argparse
import datetime as dt
import gzip as gz
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from ingestion.generator import DirtRates, GeneratorError, generate_dataset, lambda_handler
from ingestion.generator import cli as generator_cli

from .generator_audit import DATE

BUCKET = "oakvale-test-raw"


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)  # never leave the mock for a real or shared endpoint
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        client = boto3.client("s3")
        client.create_bucket(Bucket=BUCKET)
        yield client


def _keys(client: Any) -> list[str]:
    return sorted(o["Key"] for o in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def test_s3_output_equals_local_output(s3: Any, tmp_path: Path) -> None:
    rates = DirtRates(empty_file=0.5, malformed_json=0.02)
    remote = generate_dataset("movies", 600, 8, DATE, f"s3://{BUCKET}/raw", gzip=True, parts=3, dirt=rates)
    local = generate_dataset("movies", 600, 8, DATE, str(tmp_path), gzip=True, parts=3, dirt=rates)
    prefix = "raw/movies/ingest_date=2026-11-23/"
    assert _keys(s3) == sorted([prefix + "movies-20261123-s8.manifest.json"] + ["raw/" + f.path for f in remote.files])
    for f in remote.files:
        body = s3.get_object(Bucket=BUCKET, Key="raw/" + f.path)["Body"].read()
        assert body == (tmp_path / f.path).read_bytes()
        assert len(body) == f.bytes
        if body:
            assert len(gz.decompress(body).splitlines()) == f.lines_written
    manifest = json.loads(s3.get_object(Bucket=BUCKET, Key=prefix + "movies-20261123-s8.manifest.json")["Body"].read())
    assert manifest["raw_root"] == f"s3://{BUCKET}/raw"
    assert manifest["files"] == local.model_dump(mode="json")["files"]
    assert remote.file_uris()[0] == f"s3://{BUCKET}/raw/movies/ingest_date=2026-11-23/movies-20261123-s8-00000.json.gz"


def test_lambda_handler_writes_to_s3_from_env(s3: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OAKVALE_RAW_URI", f"s3://{BUCKET}/landing")
    # Shaped like the state machine's payload: numbers as strings from the template.
    event = {"dataset": "reviews", "count": "250", "seed": "42", "date": "2026-11-20", "gzip": True, "parts": 2, "dirt": {"orphan_reviews": 0.2}}
    result = lambda_handler(event, None)
    json.dumps(result)  # a Lambda result must be JSON-serialisable
    assert result["run_id"] == "reviews-20261120-s42"
    assert result["raw_root"] == f"s3://{BUCKET}/landing"
    assert result["options"]["dirt"]["orphan_reviews"] == 0.2
    assert result["options"]["dirt"]["malformed_json"] == 0.002  # unspecified kinds keep their defaults
    assert result["options"]["movie_universe"] == 1000
    assert result["dirt"]["orphan_reviews"] > 20
    keys = _keys(s3)
    assert f"landing/reviews/ingest_date=2026-11-20/reviews-20261120-s42.manifest.json" in keys
    assert sum(k.endswith(".json.gz") for k in keys) == len(result["files"])


def test_lambda_handler_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OAKVALE_RAW_URI", raising=False)
    monkeypatch.setenv("OAKVALE_DATA_ROOT", str(tmp_path / "root"))
    result = lambda_handler({"dataset": "movies", "count": 20, "seed": 1}, None)
    today = dt.datetime.now(dt.UTC).date()
    assert result["ingest_date"] == today.isoformat()
    assert result["raw_root"] == str(tmp_path / "root" / "raw")
    assert (tmp_path / "root" / "raw" / result["files"][0]["path"]).is_file()
    assert result["options"]["gzip"] is False and result["options"]["parts"] == 1
    assert lambda_handler({"dataset": "movies", "count": 20, "seed": 1, "gzip": "false"}, None)["options"]["gzip"] is False


def test_lambda_handler_rejects_incomplete_events() -> None:
    with pytest.raises(ValueError, match="missing"):
        lambda_handler({"dataset": "movies"}, None)
    with pytest.raises(ValueError, match="gzip must be true or false"):
        lambda_handler({"dataset": "movies", "count": 5, "seed": 1, "out": "/nonexistent", "gzip": "maybe"}, None)
    with pytest.raises(ValueError, match="Extra inputs"):
        lambda_handler({"dataset": "movies", "count": 5, "seed": 1, "out": "/nonexistent", "dirt": {"typo": 0.1}}, None)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="oakvale generate")
    generator_cli.add_arguments(parser)
    return parser


def test_cli_runs_with_every_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = _parser().parse_args(
        ["--dataset", "reviews", "--count", "40", "--seed", "3", "--date", "2026-01-02", "--out", str(tmp_path),
         "--gzip", "--parts", "2", "--movie-universe", "77", "--clean", "--dirt", "orphan_reviews=1", "--dirt", "empty_file=0"]
    )  # fmt: skip
    assert generator_cli.run(args) == 0
    printed = capsys.readouterr().out
    assert "reviews-20260102-s3: 40 records" in printed
    assert f"manifest: {tmp_path}/reviews/ingest_date=2026-01-02/reviews-20260102-s3.manifest.json" in printed
    manifest = json.loads((tmp_path / "reviews/ingest_date=2026-01-02/reviews-20260102-s3.manifest.json").read_text())
    assert manifest["options"]["movie_universe"] == 77 and manifest["options"]["gzip"] is True
    assert manifest["dirt"]["orphan_reviews"] == 40 and manifest["dirt"]["malformed_json"] == 0
    assert len(manifest["files"]) == 2


def test_cli_default_out_is_the_configured_raw_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OAKVALE_DATA_ROOT", str(tmp_path))
    assert generator_cli.run(_parser().parse_args(["--dataset", "movies", "--count", "5", "--date", "2026-01-02"])) == 0
    assert (tmp_path / "raw/movies/ingest_date=2026-01-02/movies-20260102-s0-00000.json").is_file()


def test_cli_reports_bad_options(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(SystemExit):
        _parser().parse_args(["--dataset", "movies", "--count", "5", "--dirt", "nope=0.1"])
    with pytest.raises(SystemExit):
        _parser().parse_args(["--dataset", "movies", "--count", "5", "--dirt", "malformed_json=2"])
    with pytest.raises(GeneratorError, match="parts must be between"):
        generator_cli.run(_parser().parse_args(["--dataset", "movies", "--count", "5", "--parts", "9", "--out", str(tmp_path)]))
    monkeypatch.setenv("OAKVALE_DATA_ROOT", str(tmp_path))
    capsys.readouterr()
    assert generator_cli.main(["--dataset", "movies", "--count", "5", "--parts", "9", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("oakvale generate: parts must be between") and f"(log: {tmp_path}/logs/generate-" in err


def test_every_cli_option_has_help() -> None:
    for action in _parser()._actions:
        assert action.help, action.dest


def test_s3_rerun_removes_parts_it_no_longer_writes(s3: Any) -> None:
    generate_dataset("reviews", 40, 1, DATE, f"s3://{BUCKET}/raw", parts=4, dirt=DirtRates.none())
    generate_dataset("reviews", 40, 1, DATE, f"s3://{BUCKET}/raw", parts=1, gzip=True, dirt=DirtRates.none())
    assert _keys(s3) == [
        "raw/reviews/ingest_date=2026-11-23/reviews-20261123-s1-00000.json.gz",
        "raw/reviews/ingest_date=2026-11-23/reviews-20261123-s1.manifest.json",
    ]
