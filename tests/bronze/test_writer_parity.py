"""Both Delta writer paths land the same table, and other Delta readers read what we commit.

Spark's own Delta writer runs on the pinned Delta jars `make setup` caches (ingestion/bronze/jars.py),
the Delta of the Glue version infra/ deploys; the test session loads them by default.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from deltalake import DeltaTable

from ingestion.bronze import BronzeJobOptions, run
from ingestion.bronze.ledger import Ledger
from ingestion.bronze.parse import BatchStamp
from ingestion.bronze.read import read_lines
from ingestion.bronze.schema import dataset_spec
from ingestion.bronze.write import BatchTarget, SparkDeltaWriter
from tests.bronze.conftest import movie, write_raw

pytestmark = pytest.mark.spark
DELTA_EXTENSION = next(
    Path(duckdb.__file__).parent.parent.glob("duckdb_extension_delta/extensions/*/delta.duckdb_extension")
)


def _land(data_root: Path, *, hostile: bool = False) -> None:
    write_raw(data_root, "movies", "2026-11-20", "r1-0", [movie(i) for i in range(20)] + ["{bad"])
    write_raw(data_root, "movies", "2026-11-21", "r2-0", [movie(i, box_office_usd=i * 10) for i in range(10)])
    if not hostile:
        return
    # Hostile input: a byte-order mark, a line that is not UTF-8 (kept as _raw_bytes), a truncated
    # gzip (quarantined: a file-level reject made on the driver).
    bom = write_raw(data_root, "movies", "2026-11-21", "bom", [movie(40), movie(41, extra="rescued")])
    bom.write_bytes(b"\xef\xbb\xbf" + bom.read_bytes() + '{"movie_id": "tt0000042", "title": "Caf\xe9"}\n'.encode("latin-1"))
    cut = write_raw(data_root, "movies", "2026-11-21", "cut", [movie(100 + i) for i in range(200)], gz=True)
    cut.write_bytes(cut.read_bytes()[:300])


def _comparable(data_root: Path, table_name: str) -> tuple:
    table = DeltaTable(str(data_root / "lakehouse/bronze" / table_name))
    arrow = table.to_pyarrow_table()
    stamps = set(zip(arrow.column("_batch_id").to_pylist(), arrow.column("_ingested_at").to_pylist()))
    assert len(stamps) == len(set(arrow.column("_batch_id").to_pylist()))  # one stamp per batch
    rows = [
        {**row, "_source_file": row["_source_file"].split(str(data_root), 1)[-1]}
        for row in arrow.drop_columns(["_ingested_at"]).to_pylist()
    ]
    return (
        table.schema().to_arrow(),
        table.metadata().partition_columns,
        (table.protocol().min_reader_version, table.protocol().min_writer_version),
        table.transaction_version("oakvale-bronze-movies"),
        sorted(map(repr, rows)),
    )


def _batch_of(commit: dict) -> str:
    """The batch a commit names: Spark's writer keeps it in userMetadata, delta-rs as commit info."""
    if "userMetadata" in commit:
        return json.loads(commit["userMetadata"])["oakvale.batch_id"]
    return commit["oakvale.batch_id"]


def test_spark_delta_and_delta_rs_write_the_same_table(spark, tmp_path):
    for writer in ("spark-delta", "parquet+delta-rs"):
        _land(tmp_path / writer, hostile=True)
        run(spark, BronzeJobOptions(dataset="movies", data_root=str(tmp_path / writer), writer=writer, reject_threshold=0.5))
        # A second batch: the app transaction moves on the same way on both.
        write_raw(tmp_path / writer, "movies", "2026-11-22", "r3-0", [movie(i, title="Again") for i in range(5)])
        run(spark, BronzeJobOptions(dataset="movies", data_root=str(tmp_path / writer), writer=writer, reject_threshold=0.5))
        history = DeltaTable(str(tmp_path / writer / "lakehouse/bronze/movies")).history()
        assert [_batch_of(commit) for commit in history] == ["movies-000002", "movies-000001"]
        rejects = DeltaTable(str(tmp_path / writer / "lakehouse/bronze/movies_rejects")).to_pyarrow_table()
        assert sorted(rejects.column("_reject_reason").to_pylist()) == ["corrupt_file", "invalid_utf8", "malformed_json"]
    for table in ("movies", "movies_rejects"):
        assert _comparable(tmp_path / "spark-delta", table) == _comparable(tmp_path / "parquet+delta-rs", table)


def test_duckdb_reads_the_committed_table_and_prunes_partitions(spark, tmp_path):
    _land(tmp_path)
    run(spark, BronzeJobOptions(dataset="movies", data_root=str(tmp_path), reject_threshold=0.5))
    path = tmp_path / "lakehouse/bronze/movies"
    con = duckdb.connect()
    con.execute(f"LOAD '{DELTA_EXTENSION}'")
    total = con.execute(f"select count(*) from delta_scan('{path}')").fetchone()[0]
    one_day = con.execute(
        f"select count(*) from delta_scan('{path}') where _ingest_date = DATE '2026-11-21'"
    ).fetchone()[0]
    assert (total, one_day) == (30, 10)
    types = dict(con.execute(f"select column_name, column_type from (describe select * from delta_scan('{path}'))").fetchall())
    assert types["_ingest_date"] == "DATE" and types["_ingested_at"] == "TIMESTAMP WITH TIME ZONE"


def test_native_writer_frames_hold_what_the_delta_rs_path_commits(spark, tmp_path):
    _land(tmp_path)
    run(spark, BronzeJobOptions(dataset="movies", data_root=str(tmp_path), reject_threshold=0.5))
    plan = Ledger(str(tmp_path / "lakehouse/bronze"), "movies").read_plan(1)
    stamp = BatchStamp(plan.batch_id, plan.ingested_at, plan.ingested_at.date().isoformat())
    target = BatchTarget(dataset_spec("movies"), stamp, "unused", "unused")

    persisted_rdds = spark.sparkContext._jsc.getPersistentRDDs().size()
    writer = SparkDeltaWriter()
    no_file_rejects = dataset_spec("movies").rejects_schema().empty_table()
    staged_rows, staged_rejects = writer.stage(read_lines(spark, [f.uri for f in plan.files], 4), target, no_file_rejects)
    for staged, table in ((staged_rows, "movies"), (staged_rejects, "movies_rejects")):
        committed = DeltaTable(str(tmp_path / "lakehouse/bronze" / table)).to_pyarrow_table()
        assert staged.frame.columns == committed.column_names
        assert set(committed.column("_ingested_at").to_pylist()) == {plan.ingested_at}
        # Spark hands timestamps to Python as naive local times: compared above, left out below.
        committed = committed.drop_columns(["_ingested_at"])
        frame_rows = [tuple(r) for r in staged.frame.drop("_ingested_at").collect()]
        assert staged.num_rows == committed.num_rows == len(frame_rows)
        assert sorted(map(repr, frame_rows)) == sorted(map(repr, (tuple(r.values()) for r in committed.to_pylist())))

    writer.abort(staged_rows)
    assert spark.sparkContext._jsc.getPersistentRDDs().size() == persisted_rdds + 1  # rejects still need it
    writer.abort(staged_rejects)
    writer.abort(staged_rejects)  # twice is harmless
    assert spark.sparkContext._jsc.getPersistentRDDs().size() == persisted_rdds  # the parse is released
