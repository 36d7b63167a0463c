"""Small, hand-picked bronze Delta tables for the dbt project's tests.

Every dirt kind of docs/data_contract.md has at least one row here, written in the bronze shape
(every source field a string as it arrived, metadata columns, partitioned by ``_ingest_date``).
``EXPECTED`` records what silver must make of them; the tests read it instead of repeating numbers.

Run as a script to write the fixture under a data root:

    python tests/dbt/bronze_fixture.py --data-root .oakvale [--days 1|2] [--clean]
"""

from __future__ import annotations

import argparse
import json
import shutil
from datetime import date, datetime, timezone
from pathlib import Path

import pyarrow as pa
from deltalake import write_deltalake

from ingestion.bronze.schema import REJECT_DETAIL

MOVIE_FIELDS = (
    "movie_id", "title", "genres", "studio", "release_date", "runtime_minutes", "budget_usd",
    "box_office_usd", "mpaa_rating", "original_language", "country", "director", "cast", "updated_at",
)
REVIEW_FIELDS = ("review_id", "movie_id", "user_id", "rating", "review_ts", "source", "tags")
META_FIELDS = ("_rescued_data", "_source_file")
REJECT_FIELDS = ("_raw_line", "_reject_reason", "_source_file")

DAY1 = date(2026, 11, 1)
DAY2 = date(2026, 11, 2)
INGESTED_AT = {
    DAY1: datetime(2026, 11, 1, 6, 0, 0, tzinfo=timezone.utc),
    DAY2: datetime(2026, 11, 2, 6, 0, 0, tzinfo=timezone.utc),
}


def _movie(movie_id, title, genres, studio, release_date, runtime, budget, box_office, mpaa, updated_at,
           *, language="en", country="US", director="Ada Director", cast='["Ann Actor","Bob Actor"]',
           rescued=None):
    return {
        "movie_id": movie_id, "title": title, "genres": genres, "studio": studio,
        "release_date": release_date, "runtime_minutes": runtime, "budget_usd": budget,
        "box_office_usd": box_office, "mpaa_rating": mpaa, "original_language": language,
        "country": country, "director": director, "cast": cast, "updated_at": updated_at,
        "_rescued_data": rescued,
    }


def _review(review_id, movie_id, rating, review_ts, source, tags, *, user_id="u0000001", rescued=None):
    return {
        "review_id": review_id, "movie_id": movie_id, "user_id": user_id, "rating": rating,
        "review_ts": review_ts, "source": source, "tags": tags, "_rescued_data": rescued,
    }


CLEAN_1 = _movie("tt0000001", "The Clean Movie", '["Action","Sci-Fi"]', "Warner Bros.", "2019-03-05",
                 "120", "1000000", "5000000", "PG-13", "2026-11-01T10:00:00Z")

MOVIES = {
    DAY1: [
        # clean
        CLEAN_1,
        # numbers_as_strings: money with $ and commas, runtime with a unit
        _movie("tt0000002", "Stringly Typed", '["Comedy"]', "Universal Pictures", "2018-07-01",
               "95 min", "$12,000,000", "$30,500,000", "R", "2026-11-01T10:00:00Z"),
        # resent_records: tt0000002 again in the same file, earlier updated_at, smaller box office
        _movie("tt0000002", "Stringly Typed", '["Comedy"]', "Universal Pictures", "2018-07-01",
               "95", "12000000", "20000000", "R", "2026-11-01T08:00:00Z"),
        # category_variants: genre, studio and MPAA spellings (two genre variants map to one genre)
        _movie("tt0000003", "Variant Spellings", '["science fiction","SCI FI","drama"]', "warner bros",
               "2019-11-20", "101", "2000000", "1000000", "PG13", "2026-11-01T10:00:00Z"),
        # date_formats: MM/DD/YYYY date, 'YYYY-MM-DD HH:MM:SS' timestamp
        _movie("tt0000004", "American Dates", '["Horror"]', "Paramount Pictures", "03/15/2018",
               "88", "500000", "2500000", "pg-13", "2026-11-01 09:30:00"),
        # date_formats: 'DD Mon YYYY' date, epoch-seconds timestamp (2026-11-01T09:00:00Z)
        _movie("tt0000005", "European Dates", '["Drama","Romance"]', "Universal", "05 Mar 2017",
               "130", "3000000", "9000000", "PG 13", "1793523600"),
        # nulls_and_empty: optional fields null or ""
        _movie("tt0000006", "Sparse Record", None, "", "", None, "", None, None,
               "2026-11-01T10:00:00Z", language="", country=None, director="", cast=""),
        # out_of_range: negative runtime and budget; an unknown genre, MPAA and studio; an unparseable date
        _movie("tt0000007", "Out Of Range", '["Cowboy Space Opera","Western"]', "Acme Garage Films",
               "31/31/2020", "-90", "-5000000", "700000", "X-rated", "2026-11-01T10:00:00Z"),
        # unknown_fields: keys outside the schema rescued; more spellings (Warner Brothers, lower-case G)
        _movie("tt0000008", "Rescued Fields", '["Family","animation"]', "Warner Brothers", "2020-12-24",
               "92", "4000000", "16000000", "g", "2026-11-01T10:00:00Z",
               rescued='{"promo_code":"X1","source_system":"legacy"}'),
        # exact_duplicates: the clean line written twice, byte-identical
        CLEAN_1,
        # a record without its key cannot be placed: filtered as missing_movie_id
        _movie("", "No Key", '["Drama"]', "Universal Pictures", "2019-01-01", "90", "1", "2", "R",
               "2026-11-01T10:00:00Z"),
    ],
    DAY2: [
        # re-sent the next day: later updated_at, larger box office (latest wins)
        _movie("tt0000001", "The Clean Movie", '["Action","Sci-Fi"]', "Warner Bros.", "2019-03-05",
               "120", "1000000", "7000000", "PG-13", "2026-11-02T10:00:00Z"),
        _movie("tt0000003", "Variant Spellings", '["Sci-Fi","Drama"]', "Warner Bros.", "2019-11-20",
               "101", "2000000", "1500000", "PG-13", "2026-11-02T10:00:00Z"),
        # resent_records across batches: an older version of tt0000002 arrives a day later and loses
        _movie("tt0000002", "Stringly Typed", '["Comedy"]', "Universal Pictures", "2018-07-01",
               "95", "12000000", "1", "R", "2026-11-01T07:00:00Z"),
        # a new movie released a year after tt0000002's year
        _movie("tt0000009", "Day Two Premiere", '["Comedy","Action"]', "Paramount", "2020-02-14",
               "105", "8000000", "24000000", "PG", "2026-11-02T10:00:00Z"),
    ],
}

R1 = _review("rv00000000000a", "tt0000001", "8.5", "2026-10-10T12:00:00Z", "critic", '["gripping","twist"]')
REVIEWS = {
    DAY1: [
        # clean critic and audience reviews
        R1,
        _review("rv00000000000b", "tt0000001", "4.5", "2026-10-11T12:00:00Z", "audience", '["fun"]',
                user_id="u0000002"),
        # numbers_as_strings: "4/5" (audience) and "8/10" (critic)
        _review("rv00000000000c", "tt0000002", "4/5", "2026-10-12T12:00:00Z", "audience", '["funny","fun"]'),
        _review("rv00000000000d", "tt0000003", "8/10", "2026-10-13T12:00:00Z", "critic", '["visual"]'),
        # date_formats: 'YYYY-MM-DD HH:MM:SS' and epoch seconds (2026-09-20T00:00:00Z)
        _review("rv00000000000e", "tt0000004", "6", "2026-10-14 08:00:00", "critic", '["scary"]'),
        _review("rv00000000000f", "tt0000005", "3.5", "1789862400", "audience", '["romantic"]'),
        # nulls_and_empty: empty tags and user_id
        _review("rv000000000010", "tt0000006", "2", "2026-10-15T12:00:00Z", "audience", "", user_id=""),
        # exact_duplicates: R1 twice
        R1,
        # resent_records: rv...b re-sent with a changed rating and a later review_ts (latest wins)
        _review("rv00000000000b", "tt0000001", "3.5", "2026-10-11T13:00:00Z", "audience", '["fun"]',
                user_id="u0000002"),
        # orphan_reviews: a movie outside the universe
        _review("rv000000000011", "tt9999999", "7", "2026-10-16T12:00:00Z", "critic", '["lost"]'),
        # out_of_range: audience 7, critic 11 and -1 (rating nulled and flagged, review kept)
        _review("rv000000000012", "tt0000007", "7", "2026-10-17T12:00:00Z", "audience", '["weird"]'),
        _review("rv000000000013", "tt0000007", "11", "2026-10-17T13:00:00Z", "critic", '["weird"]'),
        _review("rv000000000014", "tt0000008", "-1", "2026-10-18T12:00:00Z", "critic", '["family"]'),
        # unknown_fields: rescued keys; source in another case
        _review("rv000000000015", "tt0000008", "5", "2026-10-19T12:00:00Z", "Audience", '["Family","cozy"]',
                rescued='{"promo_code":"Z9"}'),
        # a review without its key: filtered as missing_review_id
        _review("", "tt0000001", "5", "2026-10-19T12:00:00Z", "audience", '["fun"]'),
    ],
    DAY2: [
        _review("rv000000000016", "tt0000009", "9.0", "2026-11-01T12:00:00Z", "critic", '["gripping","fun"]'),
        _review("rv000000000017", "tt0000001", "5", "2026-11-01T15:00:00Z", "audience", '["twist"]'),
        # resent across batches: rv...c again with a changed rating (the later batch wins)
        _review("rv00000000000c", "tt0000002", "2/5", "2026-10-12T12:00:00Z", "audience", '["funny"]'),
        # resent_records across batches: an older version of rv...a (earlier review_ts) loses
        _review("rv00000000000a", "tt0000001", "1", "2026-10-09T12:00:00Z", "critic", '["gripping"]'),
        # another orphan
        _review("rv000000000018", "tt8888888", "3", "2026-11-01T16:00:00Z", "audience", "[]"),
    ],
}

MOVIE_REJECTS = {
    DAY1: [('{"movie_id": "tt00000', "malformed_json")],
    DAY2: [('["not","an","object"]', "not_a_json_object")],
}
REVIEW_REJECTS = {
    DAY1: [('{"review_id": "rv0000000000ff", "rating": ', "malformed_json")],
    DAY2: [],
}

# What silver must make of the fixture, per number of days written.
EXPECTED = {
    1: {
        "bronze_movies": 11, "silver_movies": 8, "movies_superseded": 1, "movies_duplicate": 1,
        "movies_missing_key": 1, "movie_rejects": 1,
        "bronze_reviews": 15, "silver_reviews": 11, "reviews_superseded": 1, "reviews_duplicate": 1,
        "reviews_orphan": 1, "reviews_missing_key": 1, "review_rejects": 1,
    },
    2: {
        "bronze_movies": 15, "silver_movies": 9, "movies_superseded": 4, "movies_duplicate": 1,
        "movies_missing_key": 1, "movie_rejects": 2,
        "bronze_reviews": 20, "silver_reviews": 13, "reviews_superseded": 3, "reviews_duplicate": 1,
        "reviews_orphan": 2, "reviews_missing_key": 1, "review_rejects": 1,
    },
}


def ingested_at(day: date) -> datetime:
    """When a day's batch was ingested: INGESTED_AT, else 06:00 UTC that day."""
    return INGESTED_AT.get(day) or datetime(day.year, day.month, day.day, 6, 0, 0, tzinfo=timezone.utc)


def _source_file(dataset: str, day: date) -> str:
    return f"file:///fixture/raw/{dataset}/ingest_date={day.isoformat()}/fixture-{dataset}-0000.json"


def _data_table(rows: list[dict], fields: tuple[str, ...], dataset: str, day: date, batch: int) -> pa.Table:
    columns: dict[str, list] = {name: [row.get(name) for row in rows] for name in fields + ("_rescued_data",)}
    columns["_source_file"] = [_source_file(dataset, day)] * len(rows)
    columns["_source_line"] = list(range(1, len(rows) + 1))
    return _with_meta(columns, len(rows), dataset, day, batch, fields + META_FIELDS)


def _reject_table(rejects: list[tuple[str, str]], dataset: str, day: date, batch: int) -> pa.Table:
    columns = {
        "_raw_line": [line for line, _ in rejects],
        "_reject_reason": [reason for _, reason in rejects],
        "_source_file": [_source_file(dataset, day)] * len(rejects),
        "_source_line": [None] * len(rejects),  # the fixture's file holds its rows only
    }
    table = _with_meta(columns, len(rejects), dataset, day, batch, REJECT_FIELDS)
    for name, type_ in REJECT_DETAIL:  # as the bronze job writes them: null for line rejects
        table = table.append_column(pa.field(name, type_), pa.nulls(len(rejects), type_))
    return table


def _with_meta(columns: dict, n: int, dataset: str, day: date, batch: int, string_fields) -> pa.Table:
    fields = [pa.field(name, pa.string()) for name in string_fields]
    fields += [pa.field("_source_line", pa.int64())]
    fields += [
        pa.field("_ingest_date", pa.date32()),
        pa.field("_ingested_at", pa.timestamp("us", tz="UTC")),
        pa.field("_batch_id", pa.string()),
    ]
    columns["_ingest_date"] = [day] * n
    columns["_ingested_at"] = [ingested_at(day)] * n
    columns["_batch_id"] = [f"{dataset}-{batch:06d}"] * n
    schema = pa.schema(fields)
    return pa.table({f.name: columns[f.name] for f in fields}, schema=schema)


def write_bronze_fixture(data_root: str | Path, days: int = 2, *, clean: bool = True,
                         movies: dict | None = None, reviews: dict | None = None) -> Path:
    """Write the fixture's first ``days`` days as bronze Delta tables under ``data_root``.

    ``movies``/``reviews`` replace the default rows (same {date: [row, ...]} shape), which is how a
    test feeds broken data. Returns the bronze root.
    """
    bronze = Path(data_root) / "lakehouse" / "bronze"
    if clean and bronze.exists():
        shutil.rmtree(bronze)
    movies = MOVIES if movies is None else movies
    reviews = REVIEWS if reviews is None else reviews
    for batch, day in enumerate(sorted(set(movies) | set(reviews))[:days], start=1):
        append_day(bronze, day, batch, movies.get(day, []), reviews.get(day, []),
                   MOVIE_REJECTS.get(day, []), REVIEW_REJECTS.get(day, []))
    return bronze


def append_day(bronze: Path, day: date, batch: int, movie_rows, review_rows, movie_rejects, review_rejects) -> None:
    """Append one ingest day (one batch) to each of the four bronze tables."""
    tables = {
        "movies": _data_table(movie_rows, MOVIE_FIELDS, "movies", day, batch),
        "reviews": _data_table(review_rows, REVIEW_FIELDS, "reviews", day, batch),
        "movies_rejects": _reject_table(movie_rejects, "movies", day, batch),
        "reviews_rejects": _reject_table(review_rejects, "reviews", day, batch),
    }
    for name, table in tables.items():
        path = bronze / name
        if table.num_rows == 0 and (path / "_delta_log").exists():
            continue
        write_deltalake(str(path), table, mode="append", partition_by=["_ingest_date"])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-root", required=True)
    parser.add_argument("--days", type=int, default=2, choices=(1, 2))
    args = parser.parse_args(argv)
    bronze = write_bronze_fixture(args.data_root, args.days)
    print(json.dumps({"bronze": str(bronze), "days": args.days, "expected": EXPECTED[args.days]}))


if __name__ == "__main__":
    main()
