"""Hostile raw input: a corrupt or vanished file is quarantined, a non-UTF-8 line is rejected with its
bytes kept, a byte-order mark is not dirt, and two runs of one batch commit it once.

Tests that take `writer` run on both Delta writers; the others only read and parse.
"""

from __future__ import annotations

import gzip
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyarrow as pa
import pytest
from deltalake import DeltaTable

from ingestion.bronze import BronzeJobOptions, run
from ingestion.bronze.ledger import Ledger, list_raw_files
from ingestion.bronze.parse import BatchStamp
from ingestion.bronze.read import read_lines
from ingestion.bronze.schema import dataset_spec
from ingestion.bronze.write import BatchCommittedElsewhere, BatchTarget, ParquetDeltaRsWriter, SparkDeltaWriter
from tests.bronze.conftest import movie, write_raw

pytestmark = pytest.mark.spark
WRITER_CLASSES = {"parquet+delta-rs": ParquetDeltaRsWriter, "spark-delta": SparkDeltaWriter}


def bronze(data_root: Path, table: str) -> pa.Table:
    return DeltaTable(str(data_root / "lakehouse" / "bronze" / table)).to_pyarrow_table()


def options(data_root: Path, **kw) -> BronzeJobOptions:
    return BronzeJobOptions(dataset="movies", data_root=str(data_root), **kw)


def test_a_truncated_gzip_is_quarantined_and_the_rest_of_the_batch_commits(spark, data_root, writer):
    write_raw(data_root, "movies", "2026-11-20", "good", [movie(i) for i in range(20)])
    bad = write_raw(data_root, "movies", "2026-11-20", "cut", [movie(100 + i) for i in range(200)], gz=True)
    whole = bad.read_bytes()
    bad.write_bytes(whole[: len(whole) // 2])

    result = run(spark, options(data_root, writer=writer))

    assert (result.status, result.rows, result.rejects) == ("committed", 20, 0)
    assert result.quarantined == [str(bad)]
    [quarantined] = bronze(data_root, "movies_rejects").to_pylist()
    assert quarantined["_reject_reason"] == "corrupt_file"
    assert quarantined["_source_file"] == str(bad)
    assert quarantined["_file_size"] == len(whole) // 2
    assert quarantined["_raw_line"] is None and quarantined["_source_line"] is None
    assert "EOFError" in quarantined["_reject_detail"]
    assert quarantined["_batch_id"] == "movies-000001"
    # Not wedged: the next run has nothing to do, and a fixed file under a new name goes through.
    assert run(spark, options(data_root, writer=writer)).status == "no_new_files"
    fixed = bad.with_name("cut-fixed.json.gz")
    fixed.write_bytes(whole)
    assert run(spark, options(data_root, writer=writer)).rows == 200


def test_a_planned_file_that_vanished_is_quarantined_not_fatal(spark, data_root, writer):
    keep = write_raw(data_root, "movies", "2026-11-20", "keep", [movie(i) for i in range(5)])
    gone = write_raw(data_root, "movies", "2026-11-20", "gone", [movie(10 + i) for i in range(5)])
    bronze_root = str(data_root / "lakehouse" / "bronze")
    plan = Ledger(bronze_root, "movies").next_plan(list_raw_files(str(data_root / "raw" / "movies")), 0)
    assert {f.uri for f in plan.files} == {str(keep), str(gone)}
    gone.unlink()  # e.g. moved out of the raw zone by hand after the plan was written

    result = run(spark, options(data_root, writer=writer))

    assert (result.batch_id, result.rows, result.quarantined) == ("movies-000001", 5, [str(gone)])
    [quarantined] = bronze(data_root, "movies_rejects").to_pylist()
    assert quarantined["_reject_reason"] == "missing_file"


def test_a_line_that_is_not_utf8_is_rejected_with_its_bytes(spark, data_root, writer):
    latin1 = '{"movie_id": "tt0000009", "title": "Caf\xe9"}'.encode("latin-1")
    path = write_raw(data_root, "movies", "2026-11-20", "mixed", [movie(1), movie(2)])
    path.write_bytes(path.read_bytes() + latin1 + b"\n" + movie(3).encode() + b"\n")

    result = run(spark, options(data_root, writer=writer, reject_threshold=0.5))

    assert (result.rows, result.rejects) == (3, 1)
    [reject] = bronze(data_root, "movies_rejects").to_pylist()
    assert reject["_reject_reason"] == "invalid_utf8"
    assert reject["_raw_bytes"] == latin1  # recoverable exactly
    assert reject["_raw_line"] == '{"movie_id": "tt0000009", "title": "Caf\ufffd"}'
    assert reject["_source_line"] == 3
    for table in ("movies", "movies_rejects"):  # every string column is valid UTF-8 (the cast checks it)
        for column in bronze(data_root, table).columns:
            if pa.types.is_string(column.type):
                column.cast(pa.binary()).cast(pa.string())


def test_a_byte_order_mark_does_not_make_the_first_record_a_reject(spark, data_root):
    path = write_raw(data_root, "movies", "2026-11-20", "bom", [movie(1), movie(2)])
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    result = run(spark, options(data_root))
    assert (result.rows, result.rejects) == (2, 0)
    rows = {r["movie_id"]: r["_source_line"] for r in bronze(data_root, "movies").to_pylist()}
    assert rows == {"tt0000001": 1, "tt0000002": 2}


def test_concurrent_plans_agree_and_the_second_commit_of_a_batch_is_refused(spark, data_root, writer):
    write_raw(data_root, "movies", "2026-11-20", "a", [movie(i) for i in range(10)])
    bronze_root = str(data_root / "lakehouse" / "bronze")
    raw = list_raw_files(str(data_root / "raw" / "movies"))
    first = Ledger(bronze_root, "movies").next_plan(raw, 0)
    # A second run that listed more files a moment later still takes the plan written first.
    write_raw(data_root, "movies", "2026-11-20", "b", [movie(100 + i) for i in range(10)])
    second = Ledger(bronze_root, "movies").next_plan(list_raw_files(str(data_root / "raw" / "movies")), 0)
    assert second == first

    # Both runs stage the batch; the first commit wins, the second is refused inside its commit.
    spec = dataset_spec("movies")
    stamp = BatchStamp(first.batch_id, first.ingested_at, "2026-11-20")
    target = BatchTarget(spec, stamp, f"{bronze_root}/movies", f"{bronze_root}/movies_rejects")
    writers = [WRITER_CLASSES[writer](), WRITER_CLASSES[writer]()]
    no_file_rejects = spec.rejects_schema().empty_table()
    staged = [w.stage(read_lines(spark, [f.uri for f in first.files], 2), target, no_file_rejects)[0] for w in writers]
    writers[0].commit(staged[0], "oakvale-bronze-movies", first.version)
    with pytest.raises(BatchCommittedElsewhere):
        writers[1].commit(staged[1], "oakvale-bronze-movies", first.version)

    assert bronze(data_root, "movies").num_rows == 10
    table_dir = Path(bronze_root) / "movies"
    on_disk = {p.name for p in table_dir.rglob("*.parquet")}
    referenced = {Path(p).name for p in DeltaTable(str(table_dir)).file_uris()}
    assert on_disk == referenced, "the refused commit's files are removed, not left as orphans"


def test_native_commits_that_race_for_one_batch_commit_it_once(spark, data_root, monkeypatch):
    """Spark's Delta writer, past its own check (as if both runs checked before either committed):
    of two racing commits one wins and the other is refused (Delta's conflict check, or Delta
    skipping a committed app transaction); a commit arriving after the batch is refused too."""
    write_raw(data_root, "movies", "2026-11-20", "a", [movie(i) for i in range(10)])
    bronze_root = str(data_root / "lakehouse" / "bronze")
    plan = Ledger(bronze_root, "movies").next_plan(list_raw_files(str(data_root / "raw" / "movies")), 0)
    spec = dataset_spec("movies")
    target = BatchTarget(spec, BatchStamp(plan.batch_id, plan.ingested_at, "2026-11-20"), f"{bronze_root}/movies", "unused")
    monkeypatch.setattr(SparkDeltaWriter, "_already_committed", staticmethod(lambda *_: False))
    writer = SparkDeltaWriter()
    no_file_rejects = spec.rejects_schema().empty_table()
    staged = [writer.stage(read_lines(spark, [f.uri for f in plan.files], 2), target, no_file_rejects)[0] for _ in range(3)]

    start = threading.Barrier(2)

    def commit(batch) -> str:
        start.wait()
        try:
            writer.commit(batch, "oakvale-bronze-movies", plan.version)
            return "committed"
        except BatchCommittedElsewhere:
            return "refused"

    with ThreadPoolExecutor(2) as pool:
        outcomes = sorted(pool.map(commit, staged[:2]))
    assert outcomes == ["committed", "refused"]
    with pytest.raises(BatchCommittedElsewhere):  # Delta skips the write: no commit of ours appears
        writer.commit(staged[2], "oakvale-bronze-movies", plan.version)

    table = DeltaTable(f"{bronze_root}/movies")
    assert table.to_pyarrow_table().num_rows == 10
    assert table.transaction_version("oakvale-bronze-movies") == plan.version


def test_zero_byte_gzip_is_an_empty_file_not_a_corrupt_one(spark, data_root):
    folder = data_root / "raw" / "movies" / "ingest_date=2026-11-20"
    folder.mkdir(parents=True)
    (folder / "empty.json.gz").write_bytes(b"")
    (folder / "empty-member.json.gz").write_bytes(gzip.compress(b""))
    write_raw(data_root, "movies", "2026-11-20", "one", [movie(1)])
    result = run(spark, options(data_root))
    assert (result.rows, result.rejects, result.quarantined) == (1, 0, [])
