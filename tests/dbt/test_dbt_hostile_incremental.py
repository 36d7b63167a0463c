"""Full refresh equals incremental on a hostile corpus (issue 18, item 5).

Three batches of movies and reviews, each built incrementally (`dbt run`) as it lands, then one
`dbt run --full-refresh` over the same bronze: every silver and gold table must be equal row for
row. The corpus re-sends records the ways a real feed does:

- the issue's case: a movie first sent with an offset (23:30 at -05:00 = 04:30 UTC next day),
  re-sent a day later with an earlier instant written in UTC; the first version must win;
- re-sends with an equal instant (written with different offsets, and twice in one file): the later
  batch, then the later line, wins;
- null, blank and unparseable updated_at (those versions rank last), and a '20260110' that the old
  Athena branch would have failed on;
- a movie whose genres change in its winning version (silver_movie_genres must not keep the old ones);
- reviews with offset timestamps, re-sent with earlier, equal and later instants, and a review that
  lands a batch before its movie.
"""

from __future__ import annotations

import math
from datetime import date

import pytest

from tests.dbt import bronze_fixture as fx
from tests.dbt.conftest import GOLD_TABLES, SILVER_TABLES, DbtProject, assert_ok

pytestmark = pytest.mark.slow

DAYS = (date(2026, 1, 11), date(2026, 1, 12), date(2026, 1, 13))


def _movie(movie_id: str, updated_at: str | None, box_office: str, genres: str = '["Drama"]',
           title: str = "Hostile") -> dict:
    return fx._movie(movie_id, title, genres, "Universal Pictures", "2019-03-05", "100", "1000",
                     box_office, "PG-13", updated_at)


def _review(review_id: str, movie_id: str, review_ts: str | None, rating: str) -> dict:
    return fx._review(review_id, movie_id, rating, review_ts, "critic", '["tense"]')


MOVIES = {
    DAYS[0]: [
        # the case, first version: 2026-01-11 04:30 UTC
        _movie("tt0000101", "2026-01-10T23:30:00-05:00", "10", '["Action","Comedy"]'),
        # equal instants to come
        _movie("tt0000102", "2026-01-10T12:00:00Z", "100"),
        # a valid version, then an unparseable one
        _movie("tt0000103", "2026-01-10T12:00:00Z", "300"),
        # no updated_at first, a valid one later
        _movie("tt0000104", None, "400"),
        # unparseable twice: the later batch wins
        _movie("tt0000105", "garbage", "500"),
        # milliseconds kept, sub-milliseconds dropped: 09:00:00.123 UTC
        _movie("tt0000106", "2026-01-10T10:00:00.1239+01:00", "600"),
        # genres change in the winning version
        _movie("tt0000107", "2026-01-10 08:00:00", "700", '["Action","Comedy","Horror"]'),
    ],
    DAYS[1]: [
        # the case, re-sent a day later with an EARLIER instant (03:00 UTC): loses
        _movie("tt0000101", "2026-01-11T03:00:00Z", "20", '["Drama"]'),
        # the same instant as the first version, written at -05:00: a tie, the later batch wins
        _movie("tt0000102", "2026-01-10T07:00:00-05:00", "200"),
        _movie("tt0000103", "not a date", "333"),
        _movie("tt0000104", "2026-01-11T00:00:00+14:00", "444"),
        _movie("tt0000105", "", "555"),
        _movie("tt0000107", "2026-01-10T09:00:00+01:00", "777", '["Western"]'),
        # a new movie, whose review arrived the day before
        _movie("tt0000108", "2026-01-11T09:00:00-08:00", "800", '["Comedy"]'),
    ],
    DAYS[2]: [
        # equal instant again, twice in one file: the later line wins
        _movie("tt0000102", "2026-01-10T17:00:00+05:00", "201"),
        _movie("tt0000102", "2026-01-10T12:00:00.000Z", "202"),
        # equal to the millisecond (09:00:00.123999 -> .123): the later batch wins
        _movie("tt0000106", "2026-01-10T09:00:00.123999Z", "606"),
        # a number the old Athena branch read as the year 20260110 (and failed the query): null, loses
        _movie("tt0000101", "20260110", "30"),
        _movie("tt0000105", "   ", "5555"),
    ],
}

REVIEWS = {
    DAYS[0]: [
        _review("rv00000000101", "tt0000107", "2026-01-10T23:30:00-05:00", "8"),
        _review("rv00000000102", "tt0000101", "2026-01-10T10:00:00+05:30", "6"),
        # lands a batch before its movie (tt0000108)
        _review("rv00000000103", "tt0000108", "2026-01-10T10:00:00Z", "7"),
        _review("rv00000000104", "tt0000107", "yesterday", "3"),
    ],
    DAYS[1]: [
        # earlier instant than the first version (04:30 UTC): loses
        _review("rv00000000101", "tt0000107", "2026-01-11T03:00:00Z", "2"),
        # the same instant (04:30 UTC) written in UTC: the later batch wins
        _review("rv00000000102", "tt0000101", "2026-01-10T04:30:00Z", "5"),
    ],
    DAYS[2]: [
        _review("rv00000000104", "tt0000107", "2026-01-12T08:00:00+02:00", "9"),
        _review("rv00000000105", "tt0000104", "2026-01-12T08:00:00-0330", "4"),
    ],
}

# What must win, whichever way silver is built.
WINNERS = {
    "tt0000101": 10, "tt0000102": 202, "tt0000103": 300, "tt0000104": 444, "tt0000105": 5555,
    "tt0000106": 606, "tt0000107": 777, "tt0000108": 800,
}  # fmt: skip
REVIEW_WINNERS = {"rv00000000101": 8.0, "rv00000000102": 5.0, "rv00000000103": 7.0, "rv00000000104": 9.0,
                  "rv00000000105": 4.0}


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict:
    project = DbtProject(tmp_path_factory.mktemp("dbt-hostile") / "data")
    bronze = project.data_root / "lakehouse" / "bronze"
    for batch, day in enumerate(DAYS, start=1):
        fx.append_day(bronze, day, batch, MOVIES.get(day, []), REVIEWS.get(day, []), [], [])
        if batch == 1:
            assert_ok(project.dbt("seed"))
        assert_ok(project.dbt("run"))
    incremental = {name: project.table(name) for name in SILVER_TABLES + GOLD_TABLES}
    assert_ok(project.dbt("run", "--full-refresh"))
    full = {name: project.table(name) for name in SILVER_TABLES + GOLD_TABLES}
    return {"project": project, "incremental": incremental, "full": full}


def _same(a: object, b: object) -> bool:
    """Equal, doubles within 1e-9 (an average may be summed in another order)."""
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


@pytest.mark.parametrize("name", SILVER_TABLES + GOLD_TABLES)
def test_full_refresh_equals_incremental(builds: dict, name: str) -> None:
    incremental, full = builds["incremental"][name], builds["full"][name]
    assert full, f"{name} is empty"
    only_incremental = [row for row in incremental if not any(_same(row, other) for other in full)]
    only_full = [row for row in full if not any(_same(row, other) for other in incremental)]
    assert _same(incremental, full), f"only after incremental: {only_incremental}\nonly after full refresh: {only_full}"


def test_the_latest_instant_wins(builds: dict) -> None:
    project: DbtProject = builds["project"]
    box_office = dict(project.query("select movie_id, box_office_usd from oakvale_silver.silver_movies"))
    assert box_office == WINNERS
    ratings = dict(project.query("select review_id, rating_normalized from oakvale_silver.silver_reviews"))
    assert ratings == REVIEW_WINNERS
    genres = project.query("select genre from oakvale_silver.silver_movie_genres where movie_id = 'tt0000107'")
    assert genres == [("Western",)]
