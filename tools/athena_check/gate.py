"""The dialect and function gate over SQL sent to Athena.

Every statement is parsed twice, by sqlglot (dialect ``athena``) and by sqlfluff (dialect
``athena``), and every function it calls must be in the committed list of Athena engine v3
functions (tests/athena/athena_v3_functions.txt). No grammar rejects an unknown function name, so
the list is what catches a DuckDB-only call such as ``list_transform`` or ``strptime``.

A finding names the dbt node, the statement, the line in the statement and, when the call is
written in the project, the file and line that wrote it (the model itself or a macro).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlglot import exp
from sqlglot.dialects.athena import Athena
from sqlglot.dialects.trino import Trino
from sqlglot.errors import SqlglotError
from sqlglot.parsers.athena import AthenaParser

REPO = Path(__file__).resolve().parents[2]
FUNCTION_LIST = REPO / "tests" / "athena" / "athena_v3_functions.txt"
_NAME_KEY = "oakvale_original_name"


class _TrinoKeepingNames(Trino):
    """Trino as sqlglot parses it, keeping each call's name as written (``len`` stays ``len``)."""

    ORIGINAL_NAME_META_KEY = _NAME_KEY


@dataclass(frozen=True)
class Statement:
    label: str  # where it came from, e.g. "run1 #3" or "compiled test"
    node_id: str | None
    sql: str


@dataclass(frozen=True)
class Finding:
    statement: Statement
    check: str  # sqlglot | sqlfluff | function
    message: str
    line: int | None = None
    origin: str | None = None  # project file:line that wrote the call

    def __str__(self) -> str:
        where = f"statement line {self.line}" if self.line else "statement"
        origin = f", written at {self.origin}" if self.origin else ""
        return f"{self.statement.node_id or '-'} ({self.statement.label}) {self.check}: {self.message} [{where}{origin}]"


def load_function_list(path: Path = FUNCTION_LIST) -> frozenset[str]:
    names = set()
    for raw in path.read_text().splitlines():
        line = raw.split("#", 1)[0].strip().lower()
        if line:
            names.add(line)
    return frozenset(names)


# Properties of CREATE TABLE AS on Athena ("CTAS table properties",
# https://docs.aws.amazon.com/athena/latest/ug/create-table-as.html). A misspelled property is
# not a grammar error for sqlglot or sqlfluff; Athena rejects it.
CTAS_PROPERTIES = frozenset({
    "table_type", "external_location", "is_external", "location", "partitioning", "format",
    "write_compression", "field_delimiter", "partitioned_by", "bucketed_by", "bucket_count",
    "compression_level", "orc_compression", "parquet_compression",
    "optimize_rewrite_min_data_file_size_bytes", "optimize_rewrite_max_data_file_size_bytes",
    "optimize_rewrite_data_file_threshold", "optimize_rewrite_delete_file_threshold",
    "vacuum_min_snapshots_to_keep", "vacuum_max_snapshot_age_seconds", "vacuum_max_metadata_files_to_keep",
    "write_target_data_file_size_bytes",
})
# Iceberg partition transforms Athena accepts in `partitioning` ("Partitioning" in
# https://docs.aws.amazon.com/athena/latest/ug/querying-iceberg-creating-tables.html).
_PARTITION_SPEC = re.compile(
    r"^\s*(?:(?P<plain>\w+)|(?:year|month|day|hour)\(\s*(?P<time>\w+)\s*\)"
    r"|(?:bucket|truncate)\(\s*\d+\s*,\s*(?P<width>\w+)\s*\))\s*$",
    re.IGNORECASE,
)


# ---------------------------------------------------------------------------- parsing
@lru_cache(maxsize=1)
def _athena() -> Athena:
    return Athena()


def parse_athena(sql: str) -> list[exp.Expr]:
    """sqlglot's athena parse, with original function names kept in each call's meta."""
    dialect = _athena()
    parser = AthenaParser(dialect=dialect, trino=_TrinoKeepingNames())
    return [e for e in parser.parse(dialect.tokenize(sql), sql) if e is not None]


@lru_cache(maxsize=1)
def _function_parser_names() -> frozenset[str]:
    from sqlglot.parsers.trino import TrinoParser

    return frozenset(k.upper() for k in TrinoParser.FUNCTION_PARSERS)


def functions_called(tree: exp.Expr) -> list[tuple[str, int | None]]:
    """(name as written, line) for every function call in a parsed statement."""
    calls = []
    for node in tree.find_all(exp.Func):
        name = node.meta.get(_NAME_KEY)
        if name is None and isinstance(node, exp.Anonymous):
            name = node.name
        if name is None:
            # Calls with their own grammar (CAST(x AS t), TRIM(...), EXTRACT(f FROM x), IF(...)):
            # parsed by FUNCTION_PARSERS, named by their expression. Everything else without a name
            # is operator syntax (AND, CASE, ARRAY[...], UNNEST) and calls nothing.
            sql_name = node.sql_name().upper()
            if sql_name not in _function_parser_names():
                continue
            name = sql_name
        calls.append((str(name).lower(), node.meta.get("line")))
    return calls


def ctas_property_problems(tree: exp.Expr, columns: list[str] | None = None) -> list[str]:
    """Unknown CTAS properties, bad Iceberg partition transforms, partitions on missing columns."""
    if not isinstance(tree, exp.Create) or tree.expression is None:
        return []
    problems = []
    for prop in (tree.args.get("properties") or exp.Properties()).expressions:
        if isinstance(prop, exp.LocationProperty):
            name = "location"  # sqlglot reads both location and external_location into this node
        elif isinstance(prop, exp.FileFormatProperty):
            name = "format"
        elif isinstance(prop, exp.Property):
            name = prop.name.lower()
        else:
            continue
        if name not in CTAS_PROPERTIES:
            problems.append(f"{name} is not an Athena CTAS table property")
        value = prop.args.get("value")
        if name == "partitioning" and isinstance(value, exp.Array):
            for spec in value.expressions:
                match = _PARTITION_SPEC.match(spec.name)
                if not match:
                    problems.append(f"partitioning {spec.name!r} is not an Iceberg partition transform Athena accepts")
                    continue
                column = match.group("plain") or match.group("time") or match.group("width")
                if columns is not None and column.lower() not in {c.lower() for c in columns}:
                    problems.append(f"partitioning {spec.name!r} names {column}, not a column of the table")
    return problems


def sqlglot_check(sql: str) -> tuple[list[exp.Expr], str | None]:
    try:
        return parse_athena(sql), None
    except SqlglotError as error:
        return [], str(error).splitlines()[0]


@lru_cache(maxsize=1)
def _sqlfluff_linter():
    from sqlfluff.core import FluffConfig, Linter

    return Linter(config=FluffConfig(overrides={"dialect": "athena"}))


def sqlfluff_check(sql: str) -> list[tuple[int | None, str]]:
    """Parse errors and unparsable segments from sqlfluff's athena grammar."""
    parsed = _sqlfluff_linter().parse_string(sql.rstrip().rstrip(";") + "\n")
    problems = [(getattr(v, "line_no", None), v.desc()) for v in parsed.violations]
    try:
        tree = parsed.tree
    except AssertionError:  # no parse at all: the violations above say why
        tree = None
    if not problems and tree is None:
        problems.append((None, "sqlfluff could not parse the statement"))
    if tree is not None and not problems:
        for segment in tree.recursive_crawl("unparsable"):
            line = segment.pos_marker.line_no if segment.pos_marker else None
            problems.append((line, f"unparsable: {segment.raw[:80]!r}"))
    return problems


def sqlfluff_many(sqls: list[str], workers: int = 2) -> dict[str, list[tuple[int | None, str]]]:
    """sqlfluff over distinct statements; sqlfluff's parser is slow (~0.1-0.5 s a statement), so
    large batches are split over ``workers`` processes."""
    distinct = sorted(set(sqls))
    if len(distinct) < 40 or workers < 2:
        return {sql: sqlfluff_check(sql) for sql in distinct}
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    chunks = [distinct[i::workers] for i in range(workers)]
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        results = list(pool.map(_sqlfluff_chunk, chunks))
    merged: dict[str, list] = {}
    for chunk, result in zip(chunks, results):
        merged.update(zip(chunk, result))
    return merged


def _sqlfluff_chunk(sqls: list[str]) -> list[list[tuple[int | None, str]]]:
    return [sqlfluff_check(sql) for sql in sqls]


# ---------------------------------------------------------------------------- the gate
@dataclass
class GateReport:
    statements: int
    calls: int
    distinct_functions: set[str]
    findings: list[Finding]

    def format(self) -> str:
        return "\n".join(str(f) for f in self.findings)


def run_gate(statements: list[Statement], allowed: frozenset[str] | None = None,
             project_dir: Path | None = None, sources: dict[str, str] | None = None,
             sqlfluff: bool = True, table_columns: dict[str, list[str]] | None = None) -> GateReport:
    """Check every statement; ``sources`` maps node_id -> its file (relative to project_dir);
    ``table_columns`` maps "database.table" -> columns, to check partition columns exist."""
    allowed = allowed if allowed is not None else load_function_list()
    findings: list[Finding] = []
    calls = 0
    distinct: set[str] = set()
    fluff_cache = sqlfluff_many([s.sql for s in statements]) if sqlfluff else {}
    for statement in statements:
        trees, error = sqlglot_check(statement.sql)
        if error:
            findings.append(Finding(statement, "sqlglot", error))
        for tree in trees:
            if isinstance(tree, exp.Create) and isinstance(tree.this, exp.Table):
                key = f"{tree.this.db}.{re.sub(r'(__dbt_tmp|__ha|__bkp)$', '', tree.this.name)}"
                columns = (table_columns or {}).get(key)
                for problem in ctas_property_problems(tree, columns):
                    findings.append(Finding(statement, "ctas", problem))
            for name, line in functions_called(tree):
                calls += 1
                distinct.add(name)
                if name not in allowed:
                    origin = locate_call(name, statement.node_id, project_dir, sources or {})
                    findings.append(Finding(statement, "function",
                                            f"{name}() is not an Athena engine v3 function", line, origin))
        for line, message in fluff_cache.get(statement.sql, []):
            findings.append(Finding(statement, "sqlfluff", message, line))
    return GateReport(len(statements), calls, distinct, findings)


def locate_call(name: str, node_id: str | None, project_dir: Path | None, sources: dict[str, str]) -> str | None:
    """file:line in the project where ``name(`` is written: the node's own file first, then macros."""
    if project_dir is None:
        return None
    pattern = re.compile(rf"\b{re.escape(name)}\s*\(", re.IGNORECASE)
    candidates: list[Path] = []
    if node_id and node_id in sources:
        candidates.append(project_dir / sources[node_id])
    candidates += sorted((project_dir / "macros").rglob("*.sql"))
    candidates += sorted((project_dir / "tests").rglob("*.sql"))
    for path in candidates:
        if not path.exists():
            continue
        for number, text in enumerate(path.read_text().splitlines(), start=1):
            if pattern.search(text):
                return f"{path.relative_to(project_dir).as_posix()}:{number}"
    return None
