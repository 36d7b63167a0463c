"""Part 3: the dialect and function gate.

Every statement dbt sent to Athena (moto's recorded queries for dbt seed and both dbt runs) and
every data test compiled for the athena target is parsed by sqlglot (`athena`) and sqlfluff
(`athena`), and every function it calls must be in tests/athena/athena_v3_functions.txt (Trino's
function list + Athena's own, sources named in the file). No grammar rejects an unknown function,
so a DuckDB-only call would pass both parsers: the list is what stops it.
"""

from __future__ import annotations

import re
import time

import pytest

from tools.athena_check.checks import gate_statements, node_sources
from tools.athena_check.dbt import DbtProject, copy_project
from tools.athena_check.gate import FUNCTION_LIST, Statement, load_function_list, run_gate

SILVER_MODEL = "models/silver/silver_movies.sql"
# a CTE put first in the model's WITH: valid Trino syntax, but list_transform is DuckDB's name
# (Trino's is transform) and string_split is DuckDB's (Trino's is split)
DUCKDB_ONLY_CTE = "duckdb_only as (select list_transform(string_split('a,b', ','), g -> trim(g)) as parts),\n"


@pytest.fixture(scope="module")
def gate_report(athena):
    started = time.perf_counter()
    statements = gate_statements(athena)
    columns = {key: [c["Name"] for c in t["StorageDescriptor"]["Columns"] + t.get("PartitionKeys", [])]
               for key, t in athena.glue_tables.items()}
    report = run_gate(statements, project_dir=athena.project.project_dir, sources=node_sources(athena.manifest),
                      table_columns=columns)
    athena.timings["gate"] = round(time.perf_counter() - started, 1)
    return report


def test_every_statement_and_data_test_passes_the_gate(athena, gate_report):
    tests = len(athena.test_sql)
    assert tests > 0, "no data tests were compiled for the athena target"
    assert gate_report.statements > tests
    print(f"gate: {gate_report.statements} statements ({tests} data tests), {gate_report.calls} calls of "
          f"{len(gate_report.distinct_functions)} functions: {sorted(gate_report.distinct_functions)}")
    assert gate_report.findings == [], "\n" + gate_report.format()


def test_the_function_list_names_its_sources():
    header = "\n".join(line for line in FUNCTION_LIST.read_text().splitlines() if line.startswith("#"))
    assert "trino.io/docs" in header and "docs.aws.amazon.com/athena" in header
    assert re.search(r"commit\W+[0-9a-f]{40}", header), "the Trino source must name its version"
    names = load_function_list()
    assert {"date_parse", "regexp_like", "json_parse", "try", "cardinality", "from_iso8601_timestamp"} <= names
    assert not names & {"list_transform", "strptime", "regexp_matches", "len", "json_valid", "regexp_full_match"}


DUCKDB_ONLY_CALLS = [
    "strptime(x, '%Y')", "try_strptime(x, '%Y')", "regexp_matches(x, 'a')", "regexp_full_match(x, 'a')",
    "len(x)", "json_valid(x)", "list_transform(x, y -> y)", "make_timestamp(1)", "generate_subscripts(x, 1)",
    "string_split(x, ',')", "epoch_ms(1)", "list_contains(x, 1)", "array_length(x)", "strftime(x, '%Y')",
    "ifnull(x, 1)", "datediff(x, x)", "unnest(x)",
]
TRINO_CALLS = [
    "date_parse(x, '%Y')", "regexp_like(x, 'a')", "cardinality(x)", "json_parse(x)", "try(cast(x as integer))",
    "date_diff('day', x, x)", "from_iso8601_timestamp(x)", "transform(x, y -> y)", "split(x, ',')",
    "element_at(x, 1)", "format_datetime(x, 'yyyy')", "if(x, 1, 2)",
]


@pytest.mark.parametrize("call", DUCKDB_ONLY_CALLS, ids=lambda c: c.split("(")[0])
def test_duckdb_only_calls_are_rejected(call):
    report = run_gate([Statement("hand-written", "model.x.y", f"select {call} as c from t")], sqlfluff=False)
    assert [f.message for f in report.findings] == [f"{call.split('(')[0]}() is not an Athena engine v3 function"]


@pytest.mark.parametrize("call", TRINO_CALLS, ids=lambda c: c.split("(")[0])
def test_trino_calls_pass(call):
    report = run_gate([Statement("hand-written", "model.x.y", f"select {call} as c from t")], sqlfluff=False)
    assert report.findings == [], report.format()


def test_a_grammar_error_fails_the_gate():
    report = run_gate([Statement("hand-written", "model.x.y", "select (a from t")])
    assert {f.check for f in report.findings} >= {"sqlglot", "sqlfluff"}


def test_a_misspelled_ctas_property_or_partition_transform_fails_the_gate():
    """No grammar rejects `formt=` or `months(x)`; Athena does. Checked against Athena's documented
    CTAS properties and Iceberg partition transforms (tools/athena_check/gate.py)."""
    sql = ("create table \"awsdatacatalog\".\"oakvale_silver\".\"t\" with (table_type='iceberg', is_external=false, "
           "location='s3://b/t', partitioning=ARRAY['months(review_ts)', 'bucket(16, review_id)', 'day(nope)'], "
           "formt='parquet') as select review_ts, review_id from \"awsdatacatalog\".\"oakvale_bronze\".\"reviews\"")
    report = run_gate([Statement("hand-written", "model.oakvale.t", sql)], sqlfluff=False,
                      table_columns={"oakvale_silver.t": ["review_ts", "review_id"]})
    problems = sorted(f.message for f in report.findings if f.check == "ctas")
    assert problems == [
        "formt is not an Athena CTAS table property",
        "partitioning 'day(nope)' names nope, not a column of the table",
        "partitioning 'months(review_ts)' is not an Iceberg partition transform Athena accepts",
    ], report.format()


def test_a_duckdb_only_function_in_a_silver_model_fails_the_gate(athena, tmp_path):
    """A DuckDB-only call in a temporary copy of silver_movies: dbt sends it (moto accepts anything),
    both grammars parse it, and the gate fails naming the model, the function and the line."""
    project_dir = copy_project(tmp_path / "project", athena.project.project_dir)
    model = project_dir / SILVER_MODEL
    lines = model.read_text().splitlines(keepends=True)
    with_lines = [i for i, text in enumerate(lines) if re.fullmatch(r"\s*with\s*", text)]
    assert with_lines, f"{SILVER_MODEL} has no `with` line to put a CTE after; update this test"
    lines.insert(with_lines[0] + 1, DUCKDB_ONLY_CTE)
    model.write_text("".join(lines))
    line = with_lines[0] + 2

    copy = DbtProject(project_dir, tmp_path)
    athena.mirror.phase = "negative-gate"
    try:
        with athena.mirror.installed():
            copy.invoke(["run", "--target", "athena", "--select", "silver_movies"], athena.athena_env(), "athena")
    finally:
        athena.mirror.phase = ""
    sent = [r for r in athena.mirror.records if r.phase == "negative-gate" and r.node_id == "model.oakvale.silver_movies"]
    assert any("list_transform" in r.sql for r in sent), "the edited model's SQL was not sent"

    report = run_gate([Statement("negative-gate", r.node_id, r.sql) for r in sent], project_dir=project_dir,
                      sources={"model.oakvale.silver_movies": SILVER_MODEL})
    functions = [f for f in report.findings if f.check == "function"]
    message = report.format()
    assert functions, f"the gate passed a DuckDB-only function:\n{message}"
    named = {re.match(r"(\w+)\(\)", f.message).group(1) for f in functions}
    assert {"list_transform", "string_split"} <= named, message
    finding = next(f for f in functions if f.message.startswith("list_transform("))
    assert finding.statement.node_id == "model.oakvale.silver_movies"
    assert finding.origin == f"{SILVER_MODEL}:{line}", message
    assert finding.line is not None
    print(message)
