"""The bronze job on local Spark: schema, rescue, rejects, threshold, exactly-once, empty input.

Tests that take `writer` run on both Delta writers (Parquet + delta-rs, Spark's own Delta writer);
the others exercise reading and parsing, which both writers share.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pytest
from deltalake import DeltaTable

from ingestion.bronze import BronzeJobOptions, MissingInputError, RejectThresholdExceeded, run
from ingestion.bronze.schema import dataset_spec
from ingestion.bronze.write import WriterUnavailableError, choose_writer
from tests.bronze.conftest import movie, write_raw

pytestmark = pytest.mark.spark


def bronze(data_root: Path, table: str) -> pa.Table:
    return DeltaTable(str(data_root / "lakehouse" / "bronze" / table)).to_pyarrow_table()


def options(data_root: Path, **kw) -> BronzeJobOptions:
    return BronzeJobOptions(dataset=kw.pop("dataset", "movies"), data_root=str(data_root), **kw)



def test_schema_is_explicit_and_values_keep_their_raw_text(spark, data_root, writer):
    write_raw(data_root, "movies", "2026-11-20", "r1-0", [movie(1), movie(2, runtime_minutes="120 min", title=None)])
    result = run(spark, options(data_root, writer=writer))
    table = bronze(data_root, "movies")

    assert result.rows == 2 and result.rejects == 0
    assert table.schema.equals(dataset_spec("movies").data_schema(), check_metadata=False)
    rows = {r["movie_id"]: r for r in table.to_pylist()}
    assert rows["tt0000001"]["runtime_minutes"] == "120"  # a JSON number kept as its text
    assert rows["tt0000002"]["runtime_minutes"] == "120 min"
    assert json.loads(rows["tt0000001"]["genres"]) == ["Drama", "Sci-Fi"]  # arrays kept as JSON text
    assert rows["tt0000002"]["title"] is None
    assert {str(r["_ingest_date"]) for r in rows.values()} == {"2026-11-20"}
    assert {r["_batch_id"] for r in rows.values()} == {"movies-000001"}
    assert rows["tt0000001"]["_source_file"].endswith("ingest_date=2026-11-20/r1-0.json")
    assert DeltaTable(str(data_root / "lakehouse/bronze/movies")).metadata().partition_columns == ["_ingest_date"]


def test_unknown_fields_are_rescued_not_dropped(spark, data_root):
    write_raw(data_root, "movies", "2026-11-20", "r1-0", [movie(1, promo_code="X1", source_system={"id": 7}), movie(2)])
    run(spark, options(data_root))
    rows = {r["movie_id"]: r for r in bronze(data_root, "movies").to_pylist()}

    rescued = json.loads(rows["tt0000001"]["_rescued_data"])
    assert rescued["promo_code"] == "X1"
    assert json.loads(rescued["source_system"]) == {"id": 7}
    assert rows["tt0000002"]["_rescued_data"] is None


def test_bad_lines_go_to_rejects_with_reason_and_nothing_is_lost(spark, data_root, writer):
    good = [movie(i) for i in range(1, 41)]
    bad = ['{"movie_id": "tt9", "tit', "[1, 2]", "not json at all"]
    write_raw(data_root, "movies", "2026-11-20", "r1-0", good[:20] + bad[:1] + [""] + good[20:], gz=True)
    write_raw(data_root, "movies", "2026-11-21", "r2-0", bad[1:])
    result = run(spark, options(data_root, writer=writer, reject_threshold=0.1))

    rejects = bronze(data_root, "movies_rejects").to_pylist()
    assert result.rows == 40 and result.rejects == 3  # the blank line is not a record
    assert bronze(data_root, "movies").num_rows + len(rejects) == 43
    by_line = {r["_raw_line"]: r for r in rejects}
    assert by_line['{"movie_id": "tt9", "tit']["_reject_reason"] == "malformed_json"
    assert by_line["[1, 2]"]["_reject_reason"] == "not_a_json_object"
    assert by_line["not json at all"]["_reject_reason"] == "malformed_json"
    assert by_line["[1, 2]"]["_source_file"].endswith("r2-0.json")
    assert {r["_batch_id"] for r in rejects} == {"movies-000001"}


def test_reject_threshold_aborts_and_commits_nothing(spark, data_root, writer):
    write_raw(data_root, "movies", "2026-11-20", "r1-0", [movie(1), movie(2), "{broken", "{broken too"])
    with pytest.raises(RejectThresholdExceeded, match=r"2 of 4 lines rejected \(50.0%\) > threshold 5.0%"):
        run(spark, options(data_root, writer=writer))

    bronze_root = data_root / "lakehouse" / "bronze"
    assert not DeltaTable.is_deltatable(str(bronze_root / "movies"))
    assert not DeltaTable.is_deltatable(str(bronze_root / "movies_rejects"))
    assert not any(bronze_root.rglob("*.parquet")), "staged files must be removed"
    assert not any((bronze_root / "_ledger").rglob("batch-*.json")), "the aborted plan must be forgotten"

    # The same files go through once the threshold allows them.
    assert run(spark, options(data_root, writer=writer, reject_threshold=0.5)).rows == 2


def test_rerun_and_a_file_delivered_twice_add_no_rows(spark, data_root, writer):
    first = write_raw(data_root, "movies", "2026-11-20", "r1-0", [movie(i) for i in range(1, 11)])
    assert run(spark, options(data_root, writer=writer)).rows == 10
    assert run(spark, options(data_root, writer=writer)).status == "no_new_files"

    # The same bytes delivered again under another name and into another day's folder.
    copy = data_root / "raw" / "movies" / "ingest_date=2026-11-21" / "redelivered.json"
    copy.parent.mkdir(parents=True)
    copy.write_bytes(first.read_bytes())
    assert run(spark, options(data_root, writer=writer)).status == "no_new_files"

    write_raw(data_root, "movies", "2026-11-21", "r2-0", [movie(i) for i in range(11, 16)])
    result = run(spark, options(data_root, writer=writer))
    assert (result.batch_id, result.files, result.rows) == ("movies-000002", 1, 5)
    table = DeltaTable(str(data_root / "lakehouse/bronze/movies"))
    assert table.to_pyarrow_table().num_rows == 15
    assert table.transaction_version("oakvale-bronze-movies") == 2


def test_empty_input_is_a_noop_that_says_so(spark, data_root, caplog):
    (data_root / "raw" / "movies").mkdir(parents=True)
    with caplog.at_level("INFO"):
        result = run(spark, options(data_root))
    assert result.status == "no_new_files"
    assert "no new raw files" in caplog.text


def test_empty_files_are_recorded_without_rows(spark, data_root, writer):
    write_raw(data_root, "reviews", "2026-11-20", "r1-0", [])
    result = run(spark, options(data_root, writer=writer, dataset="reviews"))
    assert (result.status, result.files, result.rows, result.rejects) == ("committed", 1, 0, 0)
    assert run(spark, options(data_root, writer=writer, dataset="reviews")).status == "no_new_files"


def test_missing_input_path_is_a_clear_error(spark, data_root):
    with pytest.raises(MissingInputError, match="raw input .*raw/movies does not exist"):
        run(spark, options(data_root))


def test_auto_is_the_delta_rs_commit_and_the_native_writer_is_taken_only_when_asked(spark, caplog):
    with caplog.at_level("INFO"):
        assert choose_writer(spark, "auto").name == "parquet+delta-rs"  # the commit Glue is deployed with
        assert choose_writer(spark, "spark-delta").name == "spark-delta"  # the pinned jars are in the session
    assert "bronze writer: parquet+delta-rs (Delta Spark classes present)" in caplog.text


def test_native_writer_without_its_classes_fails_clearly(spark, monkeypatch):
    monkeypatch.setattr("ingestion.bronze.session.delta_classes_available", lambda _spark: False)
    assert choose_writer(spark, "auto").name == "parquet+delta-rs"
    with pytest.raises(WriterUnavailableError, match="make setup"):
        choose_writer(spark, "spark-delta")


def test_files_per_partition_are_bounded(spark, data_root, writer):
    for part in range(6):
        write_raw(data_root, "movies", "2026-11-20", f"r1-{part}", [movie(part * 10 + i) for i in range(10)])
    run(spark, options(data_root, writer=writer, max_files_per_partition=2))
    files = DeltaTable(str(data_root / "lakehouse/bronze/movies")).file_uris()
    assert 1 <= len(files) <= 2


def test_default_file_bound_is_sparks_parallelism(spark, data_root):
    paths = [
        str(write_raw(data_root, "movies", "2026-11-20", f"r1-{part}", [movie(part * 10 + i) for i in range(10)]))
        for part in range(6)
    ]
    previous = spark.conf.get("spark.sql.files.maxPartitionBytes")
    spark.conf.set("spark.sql.files.maxPartitionBytes", "4096")  # small input splits: more than the cores
    try:
        splits = spark.read.text(paths).rdd.getNumPartitions()
        run(spark, options(data_root))
    finally:
        spark.conf.set("spark.sql.files.maxPartitionBytes", previous)
    assert splits > spark.sparkContext.defaultParallelism
    files = DeltaTable(str(data_root / "lakehouse/bronze/movies")).file_uris()
    assert 1 <= len(files) <= spark.sparkContext.defaultParallelism
