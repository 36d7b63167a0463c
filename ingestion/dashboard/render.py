"""Run each dashboard query (dashboards/queries/*.sql) on the local warehouse and write one HTML page.

The queries are plain SQL over the gold tables, unqualified, exactly as Athena runs them as named
queries with database oakvale_gold; locally the DuckDB schema is set to the same name.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb
from jinja2 import Environment, FileSystemLoader, StrictUndefined

DASHBOARDS_DIR = Path(__file__).resolve().parents[2] / "dashboards"
_CHART = re.compile(r"^--\s*chart:\s*(\w+)\s*\|\s*(\w+)\s*$", re.MULTILINE)
_TABLE = re.compile(r"\bFROM\s+(\w+)", re.IGNORECASE)
BAR_MAX_WIDTH = 420


@dataclass(frozen=True)
class DashboardQuery:
    name: str
    title: str
    sql: str
    label_column: str
    value_column: str

    @property
    def table(self) -> str:
        return _TABLE.search(self.sql).group(1)


def load_queries(folder: Path = DASHBOARDS_DIR / "queries") -> list[DashboardQuery]:
    queries = []
    for path in sorted(folder.glob("*.sql")):
        text = path.read_text()
        chart = _CHART.search(text)
        if chart is None:
            raise ValueError(f"{path}: missing a '-- chart: <label column> | <value column>' line")
        title = text.splitlines()[0].lstrip("- ").strip()
        queries.append(DashboardQuery(path.stem, title, text, chart.group(1), chart.group(2)))
    return queries


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float | Decimal):
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _bars(columns: list[str], rows: list[tuple], query: DashboardQuery) -> list[dict]:
    label_at, value_at = columns.index(query.label_column), columns.index(query.value_column)
    points = [(str(r[label_at]), float(r[value_at] or 0)) for r in rows[:15]]
    top = max((abs(v) for _, v in points), default=0) or 1
    return [{"label": label, "value": _cell(value), "width": round(BAR_MAX_WIDTH * abs(value) / top, 1)} for label, value in points]


def render_dashboard(warehouse_path: str, out_path: str, *, gold_schema: str = "oakvale_gold") -> Path:
    con = duckdb.connect(warehouse_path, read_only=True)
    try:
        con.execute(f"set schema = '{gold_schema}'")
        panels = []
        for query in load_queries():
            result = con.execute(query.sql)
            columns = [d[0] for d in result.description]
            rows = result.fetchall()
            panels.append(
                {"name": query.name, "title": query.title, "table": query.table, "columns": columns,
                 "rows": rows, "bars": _bars(columns, rows, query)}
            )
    finally:
        con.close()
    env = Environment(loader=FileSystemLoader(DASHBOARDS_DIR), autoescape=True, undefined=StrictUndefined)
    env.filters["cell"] = _cell
    html = env.get_template("template.html.j2").render(
        panels=panels, source=warehouse_path, generated_at=dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    )
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html)
    return out
