"""`_source_line`: every bronze row and reject points back at its line in the raw file."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from deltalake import DeltaTable, write_deltalake

from ingestion.bronze import run
from ingestion.bronze.schema import dataset_spec
from tests.bronze.conftest import movie, write_raw
from tests.bronze.test_job import bronze, options

pytestmark = pytest.mark.spark


def raw_lines(path: str) -> list[str]:
    body = Path(path).read_bytes()
    return (gzip.decompress(body) if path.endswith(".gz") else body).decode().split("\n")


def assert_points_at_raw_lines(rows: list[dict], rejects: list[dict]) -> None:
    for r in rows:
        assert json.loads(raw_lines(r["_source_file"])[r["_source_line"] - 1])["movie_id"] == r["movie_id"]
    for r in rejects:
        assert raw_lines(r["_source_file"])[r["_source_line"] - 1] == r["_raw_line"]


def test_rows_and_rejects_carry_their_raw_line(spark, data_root):
    first = [movie(i) for i in range(1, 31)]
    write_raw(data_root, "movies", "2026-11-20", "r1-0", first[:10] + ["{cut", ""] + first[10:] + ["[1]"], gz=True)
    write_raw(data_root, "movies", "2026-11-21", "r2-0", ["", movie(31), "nope", movie(32)])
    run(spark, options(data_root, reject_threshold=0.2))

    rows = bronze(data_root, "movies").to_pylist()
    rejects = bronze(data_root, "movies_rejects").to_pylist()
    assert len(rows) == 32 and len(rejects) == 3
    assert_points_at_raw_lines(rows, rejects)
    lines_of = {(r["_source_file"].rsplit("/", 1)[-1], r["_source_line"]) for r in rows + rejects}
    assert len(lines_of) == 35  # no two records share a line
    assert ("r1-0.json.gz", 11) in lines_of and ("r1-0.json.gz", 12) not in lines_of  # the blank line 12


def test_a_split_file_numbers_the_lines_of_its_first_part_only(spark, data_root):
    write_raw(data_root, "movies", "2026-11-20", "big", [movie(i) for i in range(1, 401)])  # about 150 kB
    spark.conf.set("spark.sql.files.maxPartitionBytes", str(32 * 1024))  # Spark splits plain files
    try:
        run(spark, options(data_root))
    finally:
        spark.conf.unset("spark.sql.files.maxPartitionBytes")

    rows = bronze(data_root, "movies").to_pylist()
    numbered = [r for r in rows if r["_source_line"] is not None]
    assert len(rows) == 400  # nothing lost or doubled at the split boundaries
    assert 0 < len(numbered) < 400
    assert sorted(r["_source_line"] for r in numbered) == list(range(1, len(numbered) + 1))
    assert_points_at_raw_lines(numbered, [])


def test_a_table_from_before_the_column_gains_it(spark, data_root):
    spec = dataset_spec("movies")
    old_schema = spec.data_schema().remove(spec.data_schema().get_field_index("_source_line"))
    table_path = str(data_root / "lakehouse" / "bronze" / "movies")
    old_row = {name: None for name in old_schema.names} | {"movie_id": "tt0000099", "_source_file": "/old.json"}
    write_deltalake(table_path, old_schema.empty_table().from_pylist([old_row], schema=old_schema), partition_by=["_ingest_date"])

    write_raw(data_root, "movies", "2026-11-20", "r1-0", [movie(1)])
    run(spark, options(data_root))

    rows = {r["movie_id"]: r for r in bronze(data_root, "movies").to_pylist()}
    assert "_source_line" in DeltaTable(table_path).schema().to_arrow().names
    assert rows["tt0000099"]["_source_line"] is None and rows["tt0000001"]["_source_line"] == 1


def test_lines_end_as_sparks_text_reader_ends_them(spark, data_root):
    folder = data_root / "raw" / "movies" / "ingest_date=2026-11-20"
    folder.mkdir(parents=True)
    (folder / "mixed.json").write_bytes(f"{movie(1)}\r\n{movie(2)}\r{movie(3)}\n\r\n{movie(4)}\r\n".encode())
    run(spark, options(data_root))

    rows = bronze(data_root, "movies").to_pylist()
    # \r\n, a lone \r and \n each end a line; the blank line 4 keeps its number
    assert sorted((r["_source_line"], r["movie_id"]) for r in rows) == [
        (1, "tt0000001"), (2, "tt0000002"), (3, "tt0000003"), (5, "tt0000004"),
    ]
