"""The shadow build: execute the Athena SQL, transpiled to DuckDB by sqlglot, over the bronze data.

For each seed and model, in dependency order, the SELECT that dbt sent to Athena in its CREATE
TABLE AS statement (from moto's recorded queries) is transpiled athena -> duckdb and materialized in
a scratch DuckDB whose catalog is named ``awsdatacatalog``, so the three-part names of the Athena
SQL resolve unchanged. Bronze tables are the same Delta tables the local target reads; seeds are
their CSVs read as text (what Athena's OpenCSVSerde gives the seed's staging table) and then the
seed's own CTAS. Every compiled Athena data test is then run the same way.

What this proves: the athena branches of the dispatched macros, as sqlglot understands Trino,
compute what the duckdb branches compute on these rows. What it cannot prove is listed in
docs/athena.md (sqlglot's reading of Trino semantics is itself a model, not Trino).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
from sqlglot import exp
from sqlglot.errors import ErrorLevel, SqlglotError

from tools.athena_check.gate import parse_athena

CATALOG = "awsdatacatalog"
FLOAT_REL_TOL = 1e-9  # doubles (averages, ratios, growth %) may differ in the last bits: summation order
FLOAT_ABS_TOL = 1e-9


class Untranspilable(ValueError):
    """sqlglot could not express an Athena statement in DuckDB."""


def transpile(sql: str) -> str:
    """One Athena SELECT (or CTAS: its query part) as DuckDB SQL; raises Untranspilable with the reason."""
    try:
        trees = parse_athena(sql)
    except SqlglotError as error:
        raise Untranspilable(f"sqlglot cannot parse it as athena: {str(error).splitlines()[0]}") from error
    if len(trees) != 1:
        raise Untranspilable(f"expected one statement, got {len(trees)}")
    tree = trees[0]
    if isinstance(tree, exp.Create):
        tree = tree.expression
    try:
        return tree.sql(dialect="duckdb", unsupported_level=ErrorLevel.RAISE)
    except SqlglotError as error:
        raise Untranspilable(f"sqlglot cannot write it for duckdb: {str(error).splitlines()[0]}") from error


@dataclass
class ShadowNode:
    node_id: str
    schema: str
    name: str
    athena_sql: str  # the SELECT (or CTAS) sent to Athena
    kind: str = "model"  # model | seed
    csv_path: Path | None = None  # seeds: the CSV behind the staging table


@dataclass
class ShadowTest:
    node_id: str
    athena_sql: str
    severity: str = "error"
    fail_calc: str = "count(*)"
    error_if: str = "!= 0"
    warn_if: str = "!= 0"


@dataclass
class ShadowResult:
    built: list[str] = field(default_factory=list)
    untranspilable: dict[str, str] = field(default_factory=dict)  # node -> reason
    failed: dict[str, str] = field(default_factory=dict)  # node -> DuckDB error
    tests_passed: list[str] = field(default_factory=list)
    tests_warned: dict[str, int] = field(default_factory=dict)
    tests_failed: dict[str, str] = field(default_factory=dict)
    replayed: list[tuple[str, str]] = field(default_factory=list)  # (statement, kind) executed by replay()


class ShadowBuild:
    def __init__(self, bronze_root: Path, bronze_schema: str = "oakvale_bronze",
                 bronze_tables: tuple[str, ...] = ("movies", "reviews", "movies_rejects", "reviews_rejects")):
        self.con = duckdb.connect()
        self.con.execute(f"LOAD '{_delta_extension()}'")
        self.con.execute("SET TimeZone = 'UTC'")  # Athena sessions run in UTC
        self.con.execute(f"ATTACH ':memory:' AS {CATALOG}")
        self.con.execute(f"USE {CATALOG}")
        self._schemas: set[str] = set()
        self.bronze_schema, self.bronze_tables = bronze_schema, bronze_tables
        self.bind_bronze(bronze_root)
        self.result = ShadowResult()

    def bind_bronze(self, bronze_root: Path) -> None:
        """(Re)point the bronze tables at a folder of Delta tables (e.g. after a new day landed)."""
        self._schema(self.bronze_schema)
        for table in self.bronze_tables:
            path = Path(bronze_root) / table
            self.con.execute(f"CREATE OR REPLACE VIEW {CATALOG}.{self.bronze_schema}.{table} AS "
                             f"SELECT * FROM delta_scan('{path.as_posix()}')")

    def _schema(self, name: str) -> None:
        if name not in self._schemas:
            self.con.execute(f'CREATE SCHEMA IF NOT EXISTS {CATALOG}."{name}"')
            self._schemas.add(name)

    # ------------------------------------------------------------------ build
    def build(self, nodes: list[ShadowNode]) -> ShadowResult:
        for node in nodes:
            self._schema(node.schema)
            if node.kind == "seed" and node.csv_path is not None:
                self._stage_seed(node)
            try:
                duck_sql = transpile(node.athena_sql)
            except Untranspilable as error:
                self.result.untranspilable[node.node_id] = str(error)
                continue
            try:
                self.con.execute(f'CREATE OR REPLACE TABLE {CATALOG}."{node.schema}"."{node.name}" AS {duck_sql}')
            except duckdb.Error as error:
                self.result.failed[node.node_id] = f"{type(error).__name__}: {error}"
                continue
            self.result.built.append(node.node_id)
        return self.result

    def replay(self, statements: list[tuple[str, str]]) -> ShadowResult:
        """Execute a recorded Athena statement stream, e.g. an incremental run: temporary CTAS,
        MERGE INTO, ALTER TABLE RENAME, DROP, each transpiled to DuckDB. SELECTs change nothing and
        are skipped; drops dbt-athena does through the Glue API are not statements and leave
        temporary tables behind, which CREATE OR REPLACE absorbs."""
        for number, (label, sql) in enumerate(statements, start=1):
            key = f"{label} (statement {number})"
            try:
                trees = parse_athena(sql)
            except SqlglotError as error:
                self.result.untranspilable[key] = f"sqlglot cannot parse it as athena: {str(error).splitlines()[0]}"
                continue
            for tree in trees:
                if isinstance(tree, (exp.Select, exp.SetOperation)):
                    continue
                try:
                    if isinstance(tree, exp.Create) and tree.expression is not None:
                        table = tree.this
                        self._schema(table.db)
                        duck_sql = (f'CREATE OR REPLACE TABLE {CATALOG}."{table.db}"."{table.name}" AS '
                                    + tree.expression.sql(dialect="duckdb", unsupported_level=ErrorLevel.RAISE))
                    elif isinstance(tree, (exp.Merge, exp.Insert, exp.Alter, exp.Drop, exp.Delete, exp.Update)):
                        duck_sql = tree.sql(dialect="duckdb", unsupported_level=ErrorLevel.RAISE)
                    else:
                        self.result.untranspilable[key] = f"{type(tree).__name__} statements are not replayed"
                        continue
                except SqlglotError as error:
                    self.result.untranspilable[key] = f"sqlglot cannot write it for duckdb: {str(error).splitlines()[0]}"
                    continue
                try:
                    self.con.execute(duck_sql)
                except duckdb.Error as error:
                    self.result.failed[key] = f"{type(error).__name__}: {error}"
                    continue
                self.result.built.append(key)
                self.result.replayed.append((key, type(tree).__name__))
        return self.result

    def _stage_seed(self, node: ShadowNode) -> None:
        """The seed's staging table as Athena sees it: every CSV column a string."""
        self.con.execute(
            f'CREATE OR REPLACE TABLE {CATALOG}."{node.schema}"."{node.name}__dbt_tmp" AS '
            f"SELECT * FROM read_csv('{node.csv_path.as_posix()}', header = true, all_varchar = true)"
        )

    def run_tests(self, tests: list[ShadowTest]) -> ShadowResult:
        for test in tests:
            try:
                duck_sql = transpile(test.athena_sql)
            except Untranspilable as error:
                self.result.untranspilable[test.node_id] = str(error)
                continue
            try:
                failures = self.con.execute(f"SELECT {test.fail_calc} FROM ({duck_sql}) AS dbt_internal_test").fetchone()[0]
            except duckdb.Error as error:
                self.result.tests_failed[test.node_id] = f"{type(error).__name__}: {error}"
                continue
            failures = int(failures or 0)
            if test.severity.lower() == "error" and _threshold(failures, test.error_if):
                self.result.tests_failed[test.node_id] = f"{failures} failing rows"
            elif _threshold(failures, test.warn_if):
                self.result.tests_warned[test.node_id] = failures
            else:
                self.result.tests_passed.append(test.node_id)
        return self.result

    def rows(self, schema: str, name: str) -> tuple[list[str], list[tuple]]:
        cursor = self.con.execute(f'SELECT * FROM {CATALOG}."{schema}"."{name}"')
        return [d[0] for d in cursor.description], cursor.fetchall()


def _threshold(failures: int, condition: str) -> bool:
    """dbt's error_if / warn_if, e.g. '!= 0', '> 10'."""
    condition = condition.strip()
    for op in ("!=", ">=", "<=", "==", ">", "<", "="):
        if condition.startswith(op):
            value = int(condition[len(op):].strip())
            return {"!=": failures != value, ">=": failures >= value, "<=": failures <= value,
                    "==": failures == value, "=": failures == value, ">": failures > value,
                    "<": failures < value}[op]
    raise ValueError(f"cannot read threshold {condition!r}")


def _delta_extension() -> Path:
    import duckdb_extension_delta

    package = Path(duckdb_extension_delta.__file__).parent
    path = package / "extensions" / f"v{duckdb.__version__}" / "delta.duckdb_extension"
    if not path.exists():
        raise FileNotFoundError(f"no delta extension for duckdb {duckdb.__version__} under {package}")
    return path


# ---------------------------------------------------------------------- comparing tables
def compare_tables(expected: tuple[list[str], list[tuple]], actual: tuple[list[str], list[tuple]]) -> list[str]:
    """Differences between two tables as multisets of rows; doubles within FLOAT_*_TOL."""
    exp_cols, exp_rows = expected
    act_cols, act_rows = actual
    problems = []
    if exp_cols != act_cols:
        problems.append(f"columns differ: local {exp_cols} vs shadow {act_cols}")
        common = [c for c in exp_cols if c in act_cols]
        exp_rows = [tuple(r[exp_cols.index(c)] for c in common) for r in exp_rows]
        act_rows = [tuple(r[act_cols.index(c)] for c in common) for r in act_rows]
        exp_cols = common
    if len(exp_rows) != len(act_rows):
        problems.append(f"row count differs: local {len(exp_rows)} vs shadow {len(act_rows)}")
    left = sorted(exp_rows, key=_sort_key)
    right = sorted(act_rows, key=_sort_key)
    unmatched_right = list(right)
    missing = []
    for row in left:
        for i, candidate in enumerate(unmatched_right):
            if _rows_equal(row, candidate):
                del unmatched_right[i]
                break
        else:
            missing.append(row)
    for row in missing[:5]:
        problems.append(f"only in local: {dict(zip(exp_cols, row))}")
    for row in unmatched_right[:5]:
        problems.append(f"only in shadow: {dict(zip(exp_cols, row))}")
    return problems


def _sort_key(row: tuple):
    return tuple(_key(v) for v in row)


def _key(value):
    if value is None:
        return (0, "")
    if isinstance(value, bool):
        return (1, str(value))
    if isinstance(value, (int, float, Decimal)):
        return (2, f"{float(value):.6e}")
    return (3, repr(value))


def _rows_equal(a: tuple, b: tuple) -> bool:
    return len(a) == len(b) and all(_values_equal(x, y) for x, y in zip(a, b))


def _values_equal(x, y) -> bool:
    if x is None or y is None:
        return x is None and y is None
    if isinstance(x, bool) or isinstance(y, bool):
        return x == y
    if isinstance(x, (int, float, Decimal)) and isinstance(y, (int, float, Decimal)):
        if isinstance(x, float) or isinstance(y, float):
            return math.isclose(float(x), float(y), rel_tol=FLOAT_REL_TOL, abs_tol=FLOAT_ABS_TOL)
        return x == y
    if isinstance(x, (list, tuple)) and isinstance(y, (list, tuple)):
        return len(x) == len(y) and all(_values_equal(p, q) for p, q in zip(x, y))
    if isinstance(x, datetime) and isinstance(y, datetime):
        return x.replace(tzinfo=None) == y.replace(tzinfo=None) and (x.tzinfo is None) == (y.tzinfo is None)
    if isinstance(x, date) and isinstance(y, date):
        return x == y
    return x == y
