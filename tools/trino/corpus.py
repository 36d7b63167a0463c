"""Run dbt_oakvale's cleaning macros on DuckDB and on Trino over the same inputs (issue 20, part 4).

Each macro call (COLUMNS) is compiled by dbt once per target (`dbt compile --inline`, athena__
branches for the athena target, default__ for local; no connection is opened), then run over a
one-column table of inputs: the local SQL by DuckDB, the athena SQL by the pinned Trino server.
A query that fails on an engine is retried input by input, so a failure becomes that input's
value (`Error('NAME')`) instead of hiding the other rows.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb

from tools.trino.client import TrinoClient, TrinoQueryError

REPO = Path(__file__).resolve().parents[2]
PROJECT = REPO / "dbt_oakvale"
MARKER = "-- @@column "


@dataclass(frozen=True)
class Error:
    """The whole query failed on this input (Trino's error name, or DuckDB's exception class)."""

    name: str


def _dbt_env(data_root: Path, target: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DBT_", "OAKVALE_", "AWS_"))}
    env.update(
        OAKVALE_DATA_ROOT=str(data_root), OAKVALE_DBT_TARGET=target, DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        # compile opens no connection (--no-populate-cache); these only keep boto3 off any real account
        AWS_ACCESS_KEY_ID="corpus", AWS_SECRET_ACCESS_KEY="corpus", AWS_DEFAULT_REGION="us-east-1",
        AWS_ENDPOINT_URL="http://127.0.0.1:9", AWS_MAX_ATTEMPTS="1",
    )  # fmt: skip
    return env


def compile_columns(columns: dict[str, str], target: str, workdir: Path, project: Path = PROJECT) -> dict[str, str]:
    """{name: SQL expression} for `target` ('local' or 'athena'), from {name: jinja expression}."""
    inline = "select\n" + "\n".join(f"{MARKER}{name}\n{expr}" for name, expr in columns.items())
    data_root = workdir / target
    cmd = [
        str(Path(sys.executable).parent / "dbt"), "--quiet", "--no-use-colors", "compile", "--no-populate-cache",
        "--target", target, "--project-dir", str(project), "--profiles-dir", str(project),
        "--target-path", str(data_root / "target"), "--log-path", str(data_root / "logs"),
        "--inline", inline, "--output", "json",
    ]  # fmt: skip
    proc = subprocess.run(cmd, cwd=REPO, env=_dbt_env(data_root, target), capture_output=True, text=True,
                          timeout=300)  # fmt: skip
    if proc.returncode != 0:
        raise RuntimeError(f"dbt compile --target {target} failed:\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}")
    compiled = json.loads(proc.stdout[proc.stdout.index("{"):])["compiled"]
    parts = re.split(rf"^{re.escape(MARKER)}(\S+)\n", compiled, flags=re.MULTILINE)[1:]
    return {name: sql.strip() for name, sql in zip(parts[::2], parts[1::2], strict=True)}


def compile_both(columns: dict[str, str], workdir: Path, project: Path = PROJECT) -> dict[str, dict[str, str]]:
    with ThreadPoolExecutor(2) as pool:
        futures = {t: pool.submit(compile_columns, columns, t, workdir, project) for t in ("local", "athena")}
        return {t: f.result() for t, f in futures.items()}


def _literal(text: str | None) -> str:
    return "cast(null as varchar)" if text is None else "'" + text.replace("'", "''") + "'"


def _as_python(value: object) -> object:
    if isinstance(value, tuple):
        return list(value)
    return value


def run_duckdb(expressions: dict[str, str], inputs: list[str | None]) -> dict[str, list[object]]:
    """{column: [value per input]} on DuckDB (UTC session)."""
    out: dict[str, list[object]] = {}
    with duckdb.connect() as conn:
        conn.execute("set TimeZone = 'UTC'")
        conn.execute("create table corpus (id integer, raw_text varchar)")
        conn.executemany("insert into corpus values (?, ?)", list(enumerate(inputs)))
        for name, expr in expressions.items():
            try:
                rows = conn.execute(f"select id, {expr} from corpus order by id").fetchall()
                out[name] = [_as_python(v) for _, v in rows]
            except duckdb.Error:
                values = []
                for i in range(len(inputs)):
                    try:
                        values.append(_as_python(conn.execute(f"select {expr} from corpus where id = {i}").fetchone()[0]))
                    except duckdb.Error as e:
                        values.append(Error(type(e).__name__))
                out[name] = values
    return out


def run_trino(client: TrinoClient, expressions: dict[str, str], inputs: list[str | None]) -> dict[str, list[object]]:
    """{column: [value per input]} on Trino; the inputs go in as a VALUES list (varchar literals)."""
    def corpus(rows: str) -> str:  # raw_text typed varchar, as bronze's string columns are in Glue
        return f"with corpus as (select id, cast(raw as varchar) as raw_text from (values {rows}) as t (id, raw))"

    everything = corpus(", ".join(f"({i}, {_literal(t)})" for i, t in enumerate(inputs)))
    out: dict[str, list[object]] = {}
    for name, expr in expressions.items():
        try:
            out[name] = [v for _, v in client.query(f"{everything}\nselect id, {expr} from corpus order by id")]
        except TrinoQueryError:
            row_values = []
            for i, text in enumerate(inputs):
                one = corpus(f"({i}, {_literal(text)})")
                try:
                    row_values.append(client.query(f"{one}\nselect {expr} from corpus")[0][0])
                except TrinoQueryError as e:
                    row_values.append(Error(e.name))
            out[name] = row_values
    return out
