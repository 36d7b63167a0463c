"""The differential corpus (issue 20, part 4): every macro of dbt_oakvale/macros/cleaning.sql, and
the engine functions and operators silver and gold use directly, run over the same edge inputs on
DuckDB (the local target's SQL) and on Trino 476 (the athena target's SQL, tools/trino/).

Production is Athena, so Trino's answer is the one that counts: a disagreement is either removed
(the macro's default__ branch made to give Trino's answer) or kept on purpose, listed in KEPT with
both values and the reason, and documented in docs/athena.md ("Where DuckDB and Athena differ").
The test fails on any disagreement not in KEPT, and on any KEPT entry that no longer differs as
pinned. No input may fail a query on either engine (a failed query in production stops the build).
"""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest

from tools.trino.corpus import PROJECT, Error, compile_both, compile_columns, run_duckdb, run_trino

# ---- what runs: one column per macro call (jinja, compiled per target by dbt)
MACROS = {
    "trim_blanks": "{{ oakvale.trim_blanks('raw_text') }}",
    "blank_to_null": "{{ oakvale.blank_to_null('raw_text') }}",
    "regexp_replace_all": "{{ oakvale.regexp_replace_all('raw_text', '[^a-z0-9]', '') }}",
    "regexp_replace_all_group": "{{ oakvale.regexp_replace_all('raw_text', '([0-9]+)', '<\\\\1$>') }}",
    "regexp_group": "{{ oakvale.regexp_group('raw_text', '([0-9]+)-([0-9]+)', 2) }}",
    "category_key": "{{ oakvale.category_key('raw_text') }}",
    "parse_number_integer": "{{ oakvale.parse_number('raw_text', 'integer') }}",
    "parse_number_bigint": "{{ oakvale.parse_number('raw_text', 'bigint') }}",
    "parse_number_double": "{{ oakvale.parse_number('raw_text', 'double') }}",
    "parse_money": "{{ oakvale.parse_money('raw_text') }}",
    "iso8601_text": "{{ oakvale.iso8601_text('raw_text') }}",
    "calendar_date_text": "{{ oakvale.calendar_date_text('raw_text') }}",
    "safe_to_date": "{{ oakvale.safe_to_date('raw_text') }}",
    "safe_to_timestamp": "{{ oakvale.safe_to_timestamp('raw_text') }}",
    "json_string_array": "{{ oakvale.json_string_array('raw_text') }}",
    "array_length": "{{ oakvale.array_length(oakvale.json_string_array('raw_text')) }}",
}
# Functions and operators the models call directly, same text on both targets.
DIRECT = {
    "lower": "lower(raw_text)",  # silver: original_language, review_source
    "upper": "upper(raw_text)",  # silver: country
    "integer_division": "length(raw_text) / 2",  # the models divide only doubles (cast first)
    "double_to_bigint": "cast(length(raw_text) / 2e0 as bigint)",  # the models round() first
    "round_half": "round(length(raw_text) / 2e0 - 1)",
}
# Macros that return a regular expression, not SQL over a value: exercised through the ones above.
PATTERN_MACROS = {"_blanks", "iso8601_pattern", "calendar_date_pattern", "epoch_seconds_pattern", "_number_text"}

WHITESPACE = ["\t", "\n", "\r", "\x0b", "\x0c", "\x1c", "\x1f", " ", "\u00a0", "\u1680", "\u2000", "\u2007",
              "\u200a", "\u200b", "\u2028", "\u202f", "\u205f", "\u3000", "\ufeff", "\x85"]  # fmt: skip
INPUTS: list[str | None] = [
    None, "", " ", *WHITESPACE, *(f"{w}x{w}" for w in WHITESPACE), "\t \u00a0", "a\tb",
    # numbers: integers from text, money with cents, half rounding, overflow
    "88.0", " 12 ", "1e5", "12.5", "12.4", "2.5", "-2.5", "0.5", "-0.5", "1.5", "3.5", ".5", "5.", "-0", "+7",
    "007", "1,5", "1-2", "..", "-", "1.2.3", "0x1F", "1_000", "120 min", "-90", "8.5", "８８", "٣",
    "$12,000,000", "$1,234.56", "$1,234.50", "$99.99", "$0.50", "-$2.50", "USD 1,000.49",
    "2147483647", "2147483648", "99999999999", "9223372036854775807", "9223372036854775808", "1e400",
    # timestamps: fractions past milliseconds, date only, offsets, epoch, blanks around
    "2026-01-10T23:30:00.123456Z", "2026-01-10T23:30:00.1239Z", "2026-01-10T23:59:59.9999999-00:30",
    "2026-01-10", "2026-01-10T23:30:00-05:00", "2026-01-10T23:30:00+0530", "2026-01-10 23:30:00",
    "1793523600", "\t2026-01-10T23:30:00Z\n", "\u00a02026-01-10", "2026-01-10T10:00:00+15:00",
    # dates: two-digit years, month names in any case
    "26-01-10", "03/15/18", "03/15/2018", "05 Mar 2017", "05 MAR 2017", "05 mar 2017", "05 March 2017",
    "05 mArch 2017", "05 Sept 2017", "2019-3-5", "2019-02-29", "2020-02-29", "0000-01-01",
    # JSON arrays: nested, trailing comma, non-string elements, lenient syntax
    '["a","b"]', '["Drama",["Thriller"]]', '["Action","Drama",]', '["x",{"a":1}]', "[]", "[1,2]",
    '["a",null]', "[true]", "[1.50]", "[NaN]", "[Infinity]", '{"a":1}', '{"a":1,}', '"a"', "null",
    '[ "x" ]', '["é"]', '["\\u00e9"]', '["a,]"]', '["nan"]', '["a"]\n', '["x"]junk', "['a']", "[,]",
    '["a" /* c */]', '["\ta\t"]',
    # non-ASCII case
    "ÉCLAIR", "éclair", "abc", "abcde", "a12b", "Straße", "İstanbul", "ΣΑΣ", "ǅ", "Ⅻ", "ﬁ", "PG-13", "Sci Fi", "pg\u00a013",
]

# ---- the disagreements kept on purpose: (column, input) -> (Trino's value, DuckDB's value, why)
WHY_UPPER = ("upper() maps 'ß' to 'ẞ' (U+1E9E) on DuckDB and keeps it on Trino; silver upper-cases only "
             "country, an ISO code, so no row is affected")  # fmt: skip
WHY_DIV = ("integer / truncates on Trino and gives a double on DuckDB; the models divide doubles only "
           "(cast(... as double) or a double operand)")  # fmt: skip
WHY_CAST = ("a fractional double cast to bigint rounds half up on Trino and half to even on DuckDB; the "
            "models round() first (parse_money)")  # fmt: skip
WHY_JSON_NUMBER = ("a JSON number cast to varchar: Trino writes a double as '1.5E0', DuckDB as '1.5'; genres, "
                   "cast and tags are string arrays, numbers in them are dirt either way")  # fmt: skip


KEPT: dict[tuple[str, str], tuple[object, object, str]] = {
    ("upper", "Straße"): ("STRAßE", "STRAẞE", WHY_UPPER),
    ("json_string_array", "[1.50]"): (["1.5E0"], ["1.5"], WHY_JSON_NUMBER),
}


def _kept_operators(inputs: list[str | None]) -> dict[tuple[str, str], tuple[object, object, str]]:
    """The operator columns differ on every odd length; pinned by formula, not by hand."""
    kept: dict[tuple[str, str], tuple[object, object, str]] = {}
    for text in inputs:
        if text is None:
            continue
        n = len(text)
        kept[("integer_division", text)] = (n // 2, n / 2, WHY_DIV)  # a bigint on Trino, a double on DuckDB
        if (n / 2) % 1 == 0.5 and int(n / 2) % 2 == 0:  # half to even rounds down where half up rounds up
            kept[("double_to_bigint", text)] = (n // 2 + 1, n // 2, WHY_CAST)
    return kept


ALL_KEPT = {**KEPT, **_kept_operators(INPUTS)}


def _differences(trino: dict[str, list], duck: dict[str, list]) -> dict[tuple[str, str], tuple[object, object]]:
    out = {}
    for column in trino:
        for text, t, d in zip(INPUTS, trino[column], duck[column], strict=True):
            if isinstance(t, Error) and isinstance(d, Error):
                continue  # both failed: test_no_input_fails_a_query says so
            if t != d or type(t) is not type(d):
                out[(column, text)] = (t, d)
    return out


@pytest.fixture(scope="module")
def compiled(tmp_path_factory) -> dict[str, dict[str, str]]:
    return compile_both({**MACROS, **DIRECT}, tmp_path_factory.mktemp("corpus"))


@pytest.fixture(scope="module")
def results(trino, compiled) -> dict[str, dict[str, list]]:
    return {"trino": run_trino(trino, compiled["athena"], INPUTS), "duckdb": run_duckdb(compiled["local"], INPUTS)}


def test_every_cleaning_macro_is_in_the_corpus() -> None:
    names = set(re.findall(r"\{%-?\s*macro\s+(\w+)\(", (PROJECT / "macros" / "cleaning.sql").read_text()))
    public = {n for n in names if not n.startswith(("default__", "athena__"))}
    called = {m for call in MACROS.values() for m in re.findall(r"oakvale\.(\w+)\(", call)}
    assert public - PATTERN_MACROS == called, "add the new macro to MACROS (or PATTERN_MACROS, saying why)"


def test_the_targets_compile_different_sql(compiled) -> None:
    """Guards the harness: the athena target really rendered the athena__ branches."""
    assert "json_parse(" in compiled["athena"]["json_string_array"]
    assert "json_valid(" in compiled["local"]["json_string_array"]


def test_duckdb_gives_trinos_answer_except_where_kept(results) -> None:
    diffs = _differences(results["trino"], results["duckdb"])
    unexplained = {k: v for k, v in diffs.items() if k not in ALL_KEPT}
    assert not unexplained, "DuckDB and Trino disagree (column, input): (trino, duckdb):\n" + "\n".join(
        f"  {k!r}: {v!r}" for k, v in sorted(unexplained.items(), key=str))
    stale = {k: (t, d) for k, (t, d, _) in ALL_KEPT.items() if diffs.get(k) != (t, d)}
    assert not stale, f"kept differences no longer as pinned (expected (trino, duckdb)): {stale}; got " + repr(
        {k: diffs.get(k) for k in stale})
    print(f"corpus: {len(INPUTS)} inputs x {len(MACROS) + len(DIRECT)} columns, {len(ALL_KEPT)} kept differences")


def test_no_input_fails_a_query(results) -> None:
    failed = {(engine, column, text): v for engine, columns in results.items() for column, values in columns.items()
              for text, v in zip(INPUTS, values, strict=True) if isinstance(v, Error)}  # fmt: skip
    assert not failed


# What Trino answers, pinned for the cases the issue names (so a change on both engines shows too).
EXPECTED = [
    ("blank_to_null", "\tx\t", "x"),
    ("blank_to_null", "\u00a0x\u00a0", "\u00a0x\u00a0"),
    ("blank_to_null", "\u3000", None),
    ("parse_number_integer", "88.0", None),
    ("parse_number_integer", " 12 ", 12),
    ("parse_number_integer", "1e5", 15),
    ("parse_number_integer", "12.5", None),
    ("parse_number_double", "12.5", 12.5),
    ("parse_money", "$1,234.56", 1235),
    ("parse_money", "$1,234.50", 1235),
    ("parse_money", "-$2.50", -3),
    ("parse_money", "9223372036854775808", None),
    ("regexp_replace_all_group", "a12b", "a<12$>b"),
    ("safe_to_timestamp", "2026-01-10T23:30:00.123456Z", datetime(2026, 1, 10, 23, 30, 0, 123000)),
    ("safe_to_timestamp", "2026-01-10", datetime(2026, 1, 10)),
    ("safe_to_timestamp", "2026-01-10T23:30:00-05:00", datetime(2026, 1, 11, 4, 30)),
    ("safe_to_date", "03/15/18", None),
    ("safe_to_date", "05 MAR 2017", date(2017, 3, 5)),
    ("safe_to_date", "05 mArch 2017", None),
    ("json_string_array", '["Drama",["Thriller"]]', None),
    ("json_string_array", '["Action","Drama",]', None),
    ("json_string_array", '["a,]"]', ["a,]"]),
    ("lower", "ÉCLAIR", "éclair"),
    ("integer_division", "abc", 1),
    ("double_to_bigint", "abcde", 3),
    ("round_half", "abc", 1.0),
]


@pytest.mark.parametrize("column,text,value", EXPECTED, ids=lambda v: repr(v) if isinstance(v, str) else None)
def test_trino_answers(results, column: str, text: str, value: object) -> None:
    if text not in INPUTS:
        pytest.fail(f"{text!r} is not in INPUTS")
    assert results["trino"][column][INPUTS.index(text)] == value


def test_a_macro_broken_back_fails_the_corpus(results, tmp_path) -> None:
    """The test can fail: in a copy of the project, default__parse_number casts '88.0' as DuckDB
    does by itself (as it did before the corpus); the local SQL then disagrees with Trino."""
    from tests.dbt.conftest import copy_project

    project = copy_project(tmp_path / "project")
    macros = project / "macros" / "cleaning.sql"
    text = macros.read_text()
    broken = re.sub(r"try_cast\(nullif\(regexp_extract\(\{\{ oakvale\._number_text\(expr\) \}\}, '\^-\?\[0-9\]\+\$'\), ''\)",
                    "try_cast({{ oakvale._number_text(expr) }}", text)  # fmt: skip
    assert broken != text
    macros.write_text(broken)
    columns = {"parse_number_integer": MACROS["parse_number_integer"]}
    local = compile_columns(columns, "local", tmp_path / "dbt", project=project)
    duck = run_duckdb(local, INPUTS)
    diffs = _differences({"parse_number_integer": results["trino"]["parse_number_integer"]}, duck)
    assert diffs[("parse_number_integer", "88.0")] == (None, 88)
    assert diffs[("parse_number_integer", "12.5")] == (None, 13)
