"""Silver parses what Athena parses (issue 18, item 5).

``safe_to_timestamp`` and ``safe_to_date`` (dbt_oakvale/macros/cleaning.sql) run over a table of
hostile strings. Every case names the UTC value both targets must give (None: null on both), and,
where the contract departs from what the Athena branch computed before it, what that was and why.

Two checks:
- the local (DuckDB) branch, compiled by dbt and run in DuckDB, gives ``expected`` for every case;
- the claims about Athena are checked against the parser Athena calls: tests/dbt/athena_oracle/
  AthenaParse.java models the old athena__ branches with Joda-Time (pyspark's jar) and Trino's own
  rules around it. It needs ``java``; the test skips without it.

What this does not prove: that the new athena__ branch gives ``expected`` on Athena. Its SQL is
compiled (tests/athena snapshots, grammar and function gates) but never run on Trino here; it
feeds from_iso8601_timestamp / date_parse only canonical text built from the same pattern the
local branch uses, which the oracle parses to the same values (``test_canonical_text_parses_alike``).
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from tests.dbt.conftest import DbtProject, assert_ok

pytestmark = pytest.mark.slow

SAME = "same"  # the Athena branch gave `expected` before the contract too


@dataclass(frozen=True)
class Case:
    text: str
    expected: datetime | date | None
    athena: object = SAME  # what the pre-contract Athena branch gave: SAME, None, "error" or a value
    why: str = ""


def ts(text: str) -> datetime:
    return datetime.fromisoformat(text)


NOON = ts("2026-01-10 23:30:00")
# The case: 23:30 at -05:00 is 04:30 UTC the next day.
OFFSET_CASE = ts("2026-01-11 04:30:00")

TIMESTAMPS = [
    # ---- offsets: ±HH:MM, ±HHMM, ±HH, Z (any case), up to ±14:00
    Case("2026-01-10T23:30:00-05:00", OFFSET_CASE),
    Case("2026-01-10T23:30:00-0500", OFFSET_CASE),
    Case("2026-01-10T23:30:00-05", OFFSET_CASE),
    Case("2026-01-10T23:30:00+05:30", ts("2026-01-10 18:00:00")),
    Case("2026-01-10T23:30:00+00:00", NOON),
    Case("2026-01-10T23:30:00-00:30", ts("2026-01-11 00:00:00")),
    Case("2026-01-10T23:30:00Z", NOON),
    Case("2026-01-10t23:30:00z", NOON),
    Case("2026-01-10T00:15:00+14:00", ts("2026-01-09 10:15:00")),
    Case("2026-01-10T23:30:00-14:00", ts("2026-01-11 13:30:00")),
    Case("2026-12-31T23:30:00-01:00", ts("2027-01-01 00:30:00")),
    # ---- fractional seconds: '.' or ',', 1-9 digits; Athena keeps milliseconds, truncated
    Case("2026-01-10T23:30:00.5Z", ts("2026-01-10 23:30:00.500")),
    Case("2026-01-10T23:30:00,25+01:00", ts("2026-01-10 22:30:00.250")),
    Case("2026-01-10T23:30:00.1239Z", ts("2026-01-10 23:30:00.123")),
    Case("2026-01-10T23:30:00.123456789Z", ts("2026-01-10 23:30:00.123")),
    Case("2026-01-10T23:59:59.999999-00:30", ts("2026-01-11 00:29:59.999")),
    Case("2026-01-10T23:30:00.1234567891Z", None, why="10 fraction digits: Joda reads 9"),
    # ---- date only, hour only, no seconds, one-digit fields, no offset (= UTC)
    Case("2026-01-10", ts("2026-01-10 00:00:00")),
    Case("2026-01-10T23", ts("2026-01-10 23:00:00")),
    Case("2026-01-10T23:30", NOON),
    Case("2026-01-10T23:30+01:00", ts("2026-01-10 22:30:00")),
    Case("2026-1-5T9:5:3Z", ts("2026-01-05 09:05:03")),
    Case("2024-02-29T12:00:00Z", ts("2024-02-29 12:00:00")),
    Case("0001-01-01T00:00:00Z", ts("0001-01-01 00:00:00")),
    Case("9999-12-31T23:59:59.999Z", ts("9999-12-31 23:59:59.999")),
    # ---- a space for the T (the old date_parse form, and now with fraction and offset too)
    Case("2026-01-10 23:30:00", NOON),
    Case("2026-1-5 9:5:3", ts("2026-01-05 09:05:03")),
    Case("2026-01-10 23:30:00.5-05:00", ts("2026-01-11 04:30:00.500"), athena=None,
         why="a space stands for T: the old branch took a space only in exactly 'YYYY-MM-DD HH:MM:SS'"),
    Case("2026-01-10 23:30", NOON, athena=None, why="a space stands for T"),
    # ---- ASCII blanks around the value (space, tab, CR, LF) are ignored
    Case(" \t2026-01-10T23:30:00Z\r\n", NOON),
    Case("2026-01-10T23:30:00Z\n", NOON),
    # ---- epoch seconds, 9 to 11 digits
    Case("1793523600", ts("2026-11-01 09:00:00")),
    Case(" 1793523600 ", ts("2026-11-01 09:00:00")),
    Case("100000000", ts("1973-03-03 09:46:40")),
    # ---- rejected by Athena's parser too: null on both
    Case("2026-02-30T10:00:00Z", None),
    Case("2025-02-29", None),
    Case("2026-13-01", None),
    Case("2026-01-10T24:00:00Z", None),
    Case("2026-01-10T23:59:60Z", None),
    Case("2026-01-10T23:60:00Z", None),
    Case("2026-01-10T23:30:00+24:00", None),
    Case("2026-01-10T23:30:00+05:60", None),
    Case("2026-01-10T23:30:00+5", None),
    Case("2026-01-10T23:30:00+05:", None),
    Case("2026-01-10T23:30:00+053", None),
    Case("2026-01-10T23:30:00.Z", None),
    Case("2026-01-10Z", None),
    Case("2026-01-10+05:00", None),
    Case("2026-01-10T23:30:00 -05:00", None),
    Case("2026-01-10  23:30:00", None),
    Case("2026-01-10T23:30:00-05:00[America/New_York]", None),
    Case("2026-01-10T23:30:00 EST", None),
    Case("2026/01/10 23:30:00", None),
    Case("10/01/2026 23:30", None),
    Case("20260110T233000Z", None),
    Case("yesterday", None),
    Case("", None),
    Case("   ", None),
    Case("\u00a02026-01-10T23:30:00Z", None),  # NBSP: not whitespace to Athena's trim
    Case("2026-01-10T23:30:00Z\u00a0", None),
    Case("２０２６-01-10", None),  # full-width digits
    Case("12345678901234", None),
    # ---- accepted by Athena's parser, rejected by the contract on both targets
    Case("2026", None, athena=ts("2026-01-01 00:00:00"), why="a year alone is no timestamp"),
    Case("2026-01", None, athena=ts("2026-01-01 00:00:00"), why="year-month alone"),
    Case("2026-010", None, athena=ts("2026-01-10 00:00:00"), why="ISO ordinal date"),
    Case("2026-W02-6", None, athena=ts("2026-01-10 00:00:00"), why="ISO week date"),
    Case("T10:00", None, athena=ts("1970-01-01 10:00:00"), why="a time without a date"),
    Case("2026-01-10T", None, athena=ts("2026-01-10 00:00:00"), why="T without a time"),
    Case("2026-01-10TZ", None, athena=ts("2026-01-10 00:00:00"), why="T without a time"),
    Case("2026-01-10T10.5", None, athena=ts("2026-01-10 10:30:00"), why="fraction of an hour"),
    Case("2026-01-10T10:30.5", None, athena=ts("2026-01-10 10:30:30"), why="fraction of a minute"),
    Case("-1", None, athena="year -1", why="read as the year -1 (2 BC)"),
    Case("+2026-01-10", None, athena=ts("2026-01-10 00:00:00"), why="signed year"),
    Case("26-01-10", None, athena=ts("0026-01-10 00:00:00"), why="two-digit year read as 26 AD"),
    Case("26-01-10 10:00:00", None, athena=ts("0026-01-10 10:00:00"), why="two-digit year read as 26 AD"),
    Case("0000-01-01", None, athena="year 0", why="year 0 (1 BC): outside the contract's 0001-9999"),
    Case("20260110", None, athena="error",
         why="read as the year 20260110: the Athena query failed (millis overflow, not caught by try)"),
    Case("99999", None, athena="error", why="five-digit year: the Athena query failed (millis overflow)"),
    Case("2026-01-10T10:00:00+15:00", None, athena="error",
         why="offset beyond ±14:00: Trino has no zone key for it, the Athena query failed"),
    Case("2026-01-10T10:00:00+14:01", None, athena="error", why="offset beyond ±14:00: the query failed"),
    Case("2026-01-10T10:00:00+05:30:15", None, athena="error",
         why="offset with seconds: Trino has no zone key for it, the Athena query failed"),
    Case("2026-01-10T10:00:00+05:30:15.5", None, athena="error", why="offset with seconds: the query failed"),
    Case("\u20002026-01-10T10:00:00Z", None, athena=ts("2026-01-10 10:00:00"),
         why="only ASCII blanks are ignored (Athena's trim drops U+2000, DuckDB's trim does not drop tab)"),
]

DATES = [
    Case("2019-03-05", date(2019, 3, 5)),
    Case("2019-3-5", date(2019, 3, 5)),
    Case("2020-02-29", date(2020, 2, 29)),
    Case(" 2019-03-05\t", date(2019, 3, 5)),
    Case("03/15/2018", date(2018, 3, 15)),
    Case("3/5/2018", date(2018, 3, 5)),
    Case("05 Mar 2017", date(2017, 3, 5)),
    Case("5 mar 2017", date(2017, 3, 5)),
    Case("05 MAR 2017", date(2017, 3, 5)),
    Case("05 March 2017", date(2017, 3, 5)),
    Case("05 march 2017", date(2017, 3, 5)),
    Case("31 Dec 1999", date(1999, 12, 31)),
    Case("01 Sep 2001", date(2001, 9, 1)),
    Case("0001-01-01", date(1, 1, 1)),
    # rejected by Athena's parser too
    Case("2019-02-29", None),
    Case("13/01/2018", None),
    Case("31 Feb 2017", None),
    Case("05 Sept 2017", None),
    Case("05 mArch 2017", None),
    Case("05  Mar 2017", None),
    Case("2019-03-05T00:00:00Z", None),
    Case("20190305", None),
    Case("2019/03/05", None),
    Case("soon", None),
    Case("", None),
    Case("\u00a02019-03-05", None),
    # accepted by Athena's parser, rejected by the contract on both targets
    Case("26-03-05", None, athena=date(26, 3, 5), why="two-digit year read as 26 AD"),
    Case("03/15/18", None, athena=date(18, 3, 15), why="two-digit year read as 18 AD"),
    Case("05 Mar 17", None, athena=date(17, 3, 5), why="two-digit year read as 17 AD"),
    Case("+2019-03-05", None, athena=date(2019, 3, 5), why="signed year"),
    Case("-2019-03-05", None, athena="year -2019", why="signed year"),
    Case("0000-01-01", None, athena="year 0", why="year 0: outside 0001-9999"),
]


# Compiled for the local target; the *_text macros are the same SQL on both targets.
COLUMNS = {
    "timestamp": "{{ oakvale.safe_to_timestamp('raw_text') }}",
    "date": "{{ oakvale.safe_to_date('raw_text') }}",
    "iso8601_text": "{{ oakvale.iso8601_text('raw_text') }}",
    "calendar_date_text": "{{ oakvale.calendar_date_text('raw_text') }}",
}


@pytest.fixture(scope="module")
def local_results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, object]]:
    """{column: {text: value}} with the macros run by DuckDB over every hostile text."""
    project = DbtProject(tmp_path_factory.mktemp("dbt-timestamps") / "data")
    sql = "select raw_text, " + ", ".join(f"{sql} as {name}" for name, sql in COLUMNS.items()) + " from hostile"
    out = project.dbt("--quiet", "compile", "--inline", sql, "--output", "json")
    assert_ok(out)
    compiled = json.loads(out.output[out.output.index("{"):])["compiled"]
    texts = sorted({c.text for c in TIMESTAMPS + DATES})
    with duckdb.connect() as conn:
        conn.execute("create table hostile (raw_text varchar)")
        conn.executemany("insert into hostile values (?)", [[t] for t in texts])
        rows = conn.execute(compiled).fetchall()
    return {name: {row[0]: row[i] for row in rows} for i, name in enumerate(COLUMNS, start=1)}


@pytest.mark.parametrize("case", TIMESTAMPS, ids=lambda c: repr(c.text))
def test_local_timestamp(case: Case, local_results: dict) -> None:
    assert local_results["timestamp"][case.text] == case.expected


@pytest.mark.parametrize("case", DATES, ids=lambda c: repr(c.text))
def test_local_date(case: Case, local_results: dict) -> None:
    assert local_results["date"][case.text] == case.expected


# ---- the claims about Athena, checked against Joda-Time as Trino calls it

ORACLE = Path(__file__).parent / "athena_oracle" / "AthenaParse.java"


def _joda_jar() -> Path | None:
    import pyspark

    jars = sorted((Path(pyspark.__file__).parent / "jars").glob("joda-time-*.jar"))
    return jars[-1] if jars else None


def _oracle(mode: str, texts: list[str]) -> list[str]:
    java, jar = shutil.which("java"), _joda_jar()
    if not java or not jar:
        pytest.skip("needs java and pyspark's joda-time jar")
    stdin = "".join(base64.b64encode(t.encode()).decode() + "\n" for t in texts)
    proc = subprocess.run([java, "-cp", str(jar), str(ORACLE), mode], input=stdin, capture_output=True,
                          text=True, timeout=120, check=True)
    return proc.stdout.splitlines()


def _as_oracle(value: object, mode: str) -> str:
    if value is None:
        return "NULL"
    if value == "error":
        return "ERROR"
    if isinstance(value, str):  # years Python cannot hold (0, BC): the oracle's text starts with them
        return "VALUE " + {"year 0": "0000-01-01", "year -1": "-0001-01-01", "year -2019": "-2019-03-05"}[value]
    if mode == "date":
        return f"VALUE {value.isoformat()}T00:00:00.000Z"
    return f"VALUE {value.isoformat(timespec='milliseconds')}Z"


@pytest.mark.parametrize("mode,cases", [("timestamp", TIMESTAMPS), ("date", DATES)])
def test_athena_claims_match_its_parser(mode: str, cases: list[Case]) -> None:
    """Each case's `athena` (SAME: `expected`) is what the old athena__ branch computed."""
    got = _oracle(mode, [c.text for c in cases])
    wrong = []
    for case, out in zip(cases, got, strict=True):
        claim = _as_oracle(case.expected if case.athena == SAME else case.athena, mode)
        if not out.startswith(claim):
            wrong.append((case.text, claim, out))
    assert not wrong


EPOCH = re.compile(r"[ \t\r\n]*[0-9]{9,11}[ \t\r\n]*")


@pytest.mark.parametrize("mode,column,cases", [
    ("iso", "iso8601_text", [c for c in TIMESTAMPS if not EPOCH.fullmatch(c.text)]),
    ("ymd", "calendar_date_text", DATES),
])  # fmt: skip
def test_canonical_text_parses_alike(mode: str, column: str, cases: list[Case], local_results: dict) -> None:
    """The new Athena branch hands its parser only the canonical text (computed by SQL that is the
    same on both targets, here run by DuckDB). Joda, as Trino calls it, must read that text as the
    expected value, null where the contract says null, and never fail the query."""
    texts = [local_results[column][c.text] for c in cases]
    got = _oracle(mode, [t for t in texts if t is not None])
    parsed = iter(got)
    wrong = []
    for case, text in zip(cases, texts, strict=True):
        out = "NULL" if text is None else next(parsed)
        if out != _as_oracle(case.expected, "date" if mode == "ymd" else "timestamp"):
            wrong.append((case.text, text, out))
    assert not wrong


def test_departures_say_why() -> None:
    assert all(case.why for case in TIMESTAMPS + DATES if case.athena != SAME)
