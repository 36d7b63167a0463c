"""The parse kernel, without Spark: every raw line is a row, a reject with its reason, or blank.

An independent oracle (Python's json module) states the contract line by line; the kernel must
agree with it on edge cases and on the generator's own dirty feed.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pyarrow as pa
import pytest

from ingestion.bronze.parse import BatchStamp, LineParser, parse_lines
from ingestion.bronze.schema import dataset_spec
from ingestion.generator import generate_dataset
from tests.bronze.conftest import movie

STAMP = BatchStamp("movies-000007", dt.datetime(2026, 11, 20, 6, tzinfo=dt.timezone.utc), "2026-11-19")
SOURCE = "file:///data/raw/movies/ingest_date=2026-11-20/r%201.json"


def _lines(values: list[str], source: str = SOURCE) -> pa.Table:
    return pa.table({"value": pa.array(values, pa.string()), "_source_file": pa.array([source] * len(values), pa.string())})


def _as_text(value) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def oracle(line: str, fields: tuple[str, ...]) -> tuple[str, dict | str] | None:
    """('row', values) or ('reject', reason) for one line, None for a blank line."""
    if line.strip(" ") == "":
        return None
    try:
        doc = json.loads(line)  # a key given twice: the last value wins
    except ValueError:
        return "reject", "malformed_json"
    if not isinstance(doc, dict):
        return "reject", "not_a_json_object"
    values = {f: _as_text(doc.get(f)) for f in fields}
    extra = {k: _as_text(v) for k, v in doc.items() if k not in fields}
    values["_rescued_data"] = json.dumps(extra, separators=(",", ":"), ensure_ascii=False) if extra else None
    return "row", values


def _check_against_oracle(values: list[str], spec_name: str = "movies") -> tuple[int, int]:
    spec = dataset_spec(spec_name)
    parsed = parse_lines(_lines(values), spec, STAMP)
    expected = [o for o in (oracle(v, spec.fields) for v in values) if o is not None]
    want_rows = [v for kind, v in expected if kind == "row"]
    want_reasons = [v for kind, v in expected if kind == "reject"]
    got_rows = [{k: r[k] for k in (*spec.fields, "_rescued_data")} for r in parsed.rows.to_pylist()]
    assert got_rows == want_rows  # order kept, values as the contract says
    assert parsed.rejects.column("_reject_reason").to_pylist() == want_reasons
    return parsed.rows.num_rows, parsed.rejects.num_rows


def test_edge_cases_match_the_contract():
    values = [
        movie(1),
        movie(2, runtime_minutes="120 min", title=None, budget_usd=7.5, cast=[], country={"iso": "US"}),
        '  {"movie_id": "tt0000003", "title": "caf\\u00e9 \\"q\\""}  ',  # leading spaces, escapes
        "",
        "   ",
        movie(4, promo_code="X1", source_system={"id": 7}),
        '{"movie_id": "tt0000005", "title": "a", "title": "b", "x": 1, "x": [2]}',
        "[1, 2]",
        "null",
        '"just a string"',
        '{"movie_id": "tt9", "tit',
        "not json at all",
        "{}",
    ]
    assert _check_against_oracle(values) == (6, 5)


def test_every_reject_keeps_its_raw_line_and_every_row_its_metadata():
    parsed = parse_lines(_lines([movie(1), "{broken", "[1]"]), dataset_spec("movies"), STAMP)
    reject = parsed.rejects.to_pylist()
    assert [(r["_raw_line"], r["_reject_reason"]) for r in reject] == [("{broken", "malformed_json"), ("[1]", "not_a_json_object")]
    row = parsed.rows.to_pylist()[0]
    # The file's plain path (Spark gives URL-encoded file: URIs) and the date of its ingest_date= folder.
    assert row["_source_file"] == "/data/raw/movies/ingest_date=2026-11-20/r 1.json"
    assert row["_ingest_date"] == dt.date(2026, 11, 20)
    assert (row["_batch_id"], row["_ingested_at"]) == ("movies-000007", STAMP.ingested_at)
    assert parsed.rows.schema.equals(dataset_spec("movies").data_schema())
    assert parsed.rejects.schema.equals(dataset_spec("movies").rejects_schema())


def test_a_file_outside_an_ingest_date_folder_takes_the_batch_date():
    parsed = parse_lines(_lines([movie(1)], source="s3://landing/movies/drop.json"), dataset_spec("movies"), STAMP)
    assert parsed.rows.column("_ingest_date").to_pylist() == [dt.date(2026, 11, 19)]


def test_an_empty_batch_gives_empty_tables():
    parsed = parse_lines(_lines([]), dataset_spec("reviews"), STAMP)
    assert (parsed.rows.num_rows, parsed.rejects.num_rows) == (0, 0)


@pytest.mark.parametrize("dataset", ["movies", "reviews"])
def test_the_generators_dirty_feed_matches_the_oracle(tmp_path: Path, dataset: str):
    generate_dataset(dataset, 3000, 11, dt.date(2026, 11, 20), str(tmp_path), movie_universe=3000)
    values = [
        line
        for path in sorted(tmp_path.rglob("*.json"))
        if not path.name.endswith(".manifest.json")
        for line in path.read_text().splitlines()
    ]
    rows, rejects = _check_against_oracle(values, dataset)
    assert rows > 3000 and rejects > 0  # the feed's own dirt: re-sends, duplicates, malformed lines


def test_batches_of_one_parser_are_independent():
    with LineParser(dataset_spec("movies"), STAMP) as parser:
        first = parser.parse(_lines([movie(1), movie(2, extra=1)]).to_batches()[0])
        second = parser.parse(_lines([movie(3)]))
    assert first.rows.column("_rescued_data").to_pylist() == [None, '{"extra":"1"}']
    assert second.rows.column("movie_id").to_pylist() == ["tt0000003"]


def _part(values: list[str], source: str, block_start: int = 0) -> pa.RecordBatch:
    n = len(values)
    return pa.RecordBatch.from_pydict(
        {"value": values, "_source_file": [source] * n, "_block_start": pa.array([block_start] * n, pa.int64())}
    )


def test_lines_are_numbered_within_their_file_across_batches():
    other = SOURCE.replace("r%201", "r2")
    batches = [
        _part([movie(1), "", "{bad"], SOURCE),  # a blank line is not a record but keeps its number
        pa.concat_batches([_part([movie(2)], SOURCE), _part([movie(3), "[1]"], other)]),
        _part([movie(4)], other),
        _part([movie(5), "{bad too"], SOURCE.replace("r%201", "big"), block_start=1 << 27),  # a split's later part
    ]
    numbered: dict[tuple[str, str], int | None] = {}
    with LineParser(dataset_spec("movies"), STAMP) as parser:
        for batch in batches:
            parsed = parser.parse(batch)
            for r in parsed.rows.to_pylist():
                numbered[(r["_source_file"].rsplit("/", 1)[-1], r["movie_id"])] = r["_source_line"]
            for r in parsed.rejects.to_pylist():
                numbered[(r["_source_file"].rsplit("/", 1)[-1], r["_raw_line"])] = r["_source_line"]

    assert numbered == {
        ("r 1.json", "tt0000001"): 1,
        ("r 1.json", "{bad"): 3,
        ("r 1.json", "tt0000002"): 4,
        ("r2.json", "tt0000003"): 1,
        ("r2.json", "[1]"): 2,
        ("r2.json", "tt0000004"): 3,
        ("big.json", "tt0000005"): None,  # where the part starts, which line it is, is unknown
        ("big.json", "{bad too"): None,
    }


def test_lines_without_block_start_come_from_whole_files():
    parsed = parse_lines(_lines(["", movie(1), "{bad"]), dataset_spec("movies"), STAMP)
    assert parsed.rows.column("_source_line").to_pylist() == [2]
    assert parsed.rejects.column("_source_line").to_pylist() == [3]
