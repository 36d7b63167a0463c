"""Both Delta writer paths land the same table, and other Delta readers read what we commit.

Spark's own Delta writer needs the delta-spark jars, which no registry reachable here ships: the
parity test runs wherever OAKVALE_DELTA_JARS points at them (and on Glue), and is skipped here with
that reason. The DuckDB check runs everywhere and reads the delta-rs-committed table independently.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest
from deltalake import DeltaTable

from ingestion.bronze import BronzeJobOptions, run
from tests.bronze.conftest import movie, write_raw

pytestmark = pytest.mark.spark
DELTA_EXTENSION = next(
    Path(duckdb.__file__).parent.parent.glob("duckdb_extension_delta/extensions/*/delta.duckdb_extension")
)


def _land(data_root: Path) -> None:
    write_raw(data_root, "movies", "2026-11-20", "r1-0", [movie(i) for i in range(20)] + ["{bad"])
    write_raw(data_root, "movies", "2026-11-21", "r2-0", [movie(i, box_office_usd=i * 10) for i in range(10)])


def _comparable(table_path: Path) -> tuple:
    table = DeltaTable(str(table_path))
    rows = table.to_pyarrow_table().drop_columns(["_ingested_at", "_source_file"]).to_pylist()
    return table.schema().to_arrow(), table.metadata().partition_columns, sorted(map(repr, rows))


@pytest.mark.skipif(not os.environ.get("OAKVALE_DELTA_JARS"), reason="delta-spark jars not present (set OAKVALE_DELTA_JARS)")
def test_spark_delta_and_delta_rs_write_the_same_table(spark, tmp_path):
    for writer in ("spark-delta", "parquet+delta-rs"):
        _land(tmp_path / writer)
        run(spark, BronzeJobOptions(dataset="movies", data_root=str(tmp_path / writer), writer=writer, reject_threshold=0.5))
    for table in ("movies", "movies_rejects"):
        native = _comparable(tmp_path / "spark-delta" / "lakehouse/bronze" / table)
        offline = _comparable(tmp_path / "parquet+delta-rs" / "lakehouse/bronze" / table)
        assert native == offline


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
