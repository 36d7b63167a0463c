"""One offline Athena session: moto stack, two `dbt run --target athena`, compiled tests, local build.

Used by tests/athena/conftest.py (a session fixture) and by ``python -m tools.athena_check``.

Flow (the daily pipeline, shrunk):
  1. bronze day 1 (tests/dbt/bronze_fixture.py) -> registered in moto's Glue by the bronze job's
     catalog code; ``dbt seed`` and ``dbt run`` (first build) against moto
  2. bronze day 2 appended and registered again (new Delta version); ``dbt run`` (incremental)
  3. ``dbt compile`` of the data tests for the athena target (their SQL, for the gate and shadow)
  4. ``dbt seed`` + ``dbt run`` for the local target over both days (the reference for the shadow)
Every Athena statement is recorded by the mirror (mirror.py) with the phase it belongs to.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import shutil
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from tools.athena_check.dbt import PROJECT, REPO, DbtProject, copy_project
from tools.athena_check.mirror import AthenaMirror, QueryRecord
from tools.athena_check.stack import MotoStack, StackNames

PHASES = {"seed": "dbt seed", "run1": "dbt run (first build)", "run2": "dbt run (incremental)"}
HOOKS = "hooks"  # pseudo node for statements sent outside any node (on-run-start)
_SUFFIXES = re.compile(r"(__dbt_tmp|__ha|__bkp)$")


def load_bronze_fixture():
    """tests/dbt/bronze_fixture.py (owned by the dbt project), loaded by path."""
    path = REPO / "tests" / "dbt" / "bronze_fixture.py"
    spec = importlib.util.spec_from_file_location("oakvale_bronze_fixture", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass
class Captured:
    record: QueryRecord
    node: str  # unique_id of the seed/model that sent it, or HOOKS


@dataclass
class AthenaSession:
    work_dir: Path
    source_project: Path = PROJECT
    names: StackNames = field(default_factory=StackNames)
    threads: int = 4  # the profile's default for athena: models run in parallel, as in production
    stack: MotoStack | None = None
    mirror: AthenaMirror | None = None
    project: DbtProject | None = None
    data_root: Path | None = None  # bronze for the athena runs: day 1, then day 2 appended
    local_data_root: Path | None = None  # bronze (both days) and warehouse of the local build
    manifest: dict = field(default_factory=dict)
    captured: list[Captured] = field(default_factory=list)
    glue_tables: dict[str, dict] = field(default_factory=dict)  # "db.table" -> Glue table after run 2
    test_sql: dict[str, str] = field(default_factory=dict)  # test unique_id -> compiled athena SQL
    timings: dict[str, float] = field(default_factory=dict)
    bronze_versions: dict[str, dict[str, int]] = field(default_factory=dict)

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> "AthenaSession":
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self.work_dir.mkdir(parents=True, exist_ok=True)
        self.project = DbtProject(copy_project(self.work_dir / "project", self.source_project), self.work_dir)
        self.data_root = self.work_dir / "data"
        self.stack = MotoStack(self.names).start()
        self.mirror = AthenaMirror(lambda: self.stack.client("glue"), yaml_types=self._yaml_types)
        self.stack.create_infra()
        return self

    def stop(self) -> None:
        if self.mirror is not None:
            self.mirror.uninstall()
        if self.stack is not None:
            self.stack.stop()

    def athena_env(self) -> dict[str, str]:
        return {**self.stack.aws_env(), **self.names.dbt_env(), "OAKVALE_DBT_THREADS": str(self.threads),
                "OAKVALE_DATA_ROOT": str(self.data_root)}

    def local_env(self) -> dict[str, str]:
        return {"OAKVALE_DBT_TARGET": "local", "OAKVALE_DATA_ROOT": str(self.local_data_root), "OAKVALE_DBT_THREADS": "2",
                "OAKVALE_DUCKDB_MEMORY_LIMIT": "1GB"}

    def _timed(self, label: str, fn, *args, **kwargs):
        started = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            self.timings[label] = round(time.perf_counter() - started, 1)

    # ------------------------------------------------------------------ the runs
    def run_all(self, local: bool = True, tests: bool = True) -> "AthenaSession":
        fixture = load_bronze_fixture()
        local_build = None
        if local:  # the reference build runs in its own process while the athena runs go on here
            self.local_data_root = self.work_dir / "data-local"
            fixture.write_bronze_fixture(self.local_data_root, days=2)
            self._local_started = time.perf_counter()
            local_build = self.project.start(["build", "--resource-type", "seed", "--resource-type", "model"],
                                             self.local_env(), "local")
        try:
            with self.mirror.installed():
                self._athena_runs(fixture, tests)
        finally:
            if local_build is not None:
                self.project.finish(local_build, "local")
                self.timings["local build (parallel)"] = round(time.perf_counter() - self._local_started, 1)
        self.captured = attribute(self.mirror.records, self.manifest)
        return self

    def _athena_runs(self, fixture, tests: bool) -> None:
        """Seed, first build, day 2, incremental run, compiled tests: all against moto."""
        bronze = fixture.write_bronze_fixture(self.data_root, days=1)
        self.bronze_versions["day1"] = self.stack.register_bronze(bronze)
        env = self.athena_env()
        parsed = self._timed("dbt parse", self.project.invoke, ["parse", "--target", "athena"], env, "athena").result
        self.manifest = self.project.manifest("athena")
        self._athena("seed", ["seed"], env, parsed)
        self._athena("run1", ["run"], env, parsed)
        shutil.copytree(bronze, self.bronze_day1)  # what run 1 saw, for the incremental replay
        day2 = fixture.DAY2
        fixture.append_day(bronze, day2, 2, fixture.MOVIES[day2], fixture.REVIEWS[day2],
                           fixture.MOVIE_REJECTS.get(day2, []), fixture.REVIEW_REJECTS.get(day2, []))
        self.bronze_versions["day2"] = self.stack.register_bronze(bronze)
        self._athena("run2", ["run"], env, parsed)
        self.glue_tables = self._glue_snapshot()
        if tests:
            self.compile_tests(parsed)

    def _athena(self, phase: str, args: list[str], env: dict[str, str], parsed=None) -> None:
        self.mirror.phase = phase
        try:
            self._timed(PHASES[phase], self.project.invoke, [*args, "--target", "athena"], env, "athena", parsed)
        finally:
            self.mirror.phase = ""

    def compile_tests(self, parsed=None, select: str = "resource_type:test") -> dict[str, str]:
        self.mirror.phase = "compile"
        try:
            result = self._timed("dbt compile (tests)", self.project.invoke,
                                 ["compile", "--target", "athena", "--select", select], self.athena_env(), "athena",
                                 parsed)
        finally:
            self.mirror.phase = ""
        self.test_sql = {
            r.node.unique_id: r.node.compiled_code for r in result.result.results
            if r.node.resource_type == "test" and getattr(r.node, "compiled_code", None)
        }
        return self.test_sql

    def _glue_snapshot(self) -> dict[str, dict]:
        glue = self.stack.client("glue")
        tables = {}
        for database in self.names.databases.values():
            for page in glue.get_paginator("get_tables").paginate(DatabaseName=database):
                for table in page["TableList"]:
                    tables[f"{database}.{table['Name']}"] = table
        return tables

    def _yaml_types(self, database: str, table: str) -> dict[str, str]:
        """Column data_type declared in a model's YAML (fallback for types sqlglot cannot infer)."""
        path = self.project.target_path("athena") / "manifest.json" if self.project else None
        if not path or not path.exists():
            return {}
        manifest = json.loads(path.read_text())
        for node in manifest["nodes"].values():
            if node.get("schema") == database and (node.get("alias") or node.get("name")) == table:
                return {c: v.get("data_type") for c, v in node.get("columns", {}).items() if v.get("data_type")}
        return {}

    # ------------------------------------------------------------------ views on the capture
    def statements(self, phase: str | None = None, node: str | None = None) -> list[Captured]:
        return [c for c in self.captured
                if (phase is None or c.record.phase == phase) and (node is None or c.node == node)]

    def nodes(self, resource_types: tuple[str, ...] = ("model", "seed")) -> dict[str, dict]:
        return {uid: n for uid, n in self.manifest["nodes"].items() if n["resource_type"] in resource_types}

    @property
    def bronze_day1(self) -> Path:
        return self.work_dir / "bronze-day1"

    def local_warehouse(self) -> Path:
        return self.local_data_root / "warehouse" / "oakvale.duckdb"


def attribute(records: list[QueryRecord], manifest: dict) -> list[Captured]:
    """Give every recorded statement the node that sent it.

    dbt puts the node id in a query comment, except on ALTER and DROP (dbt-athena sends those bare):
    those belong to the node whose relation they name (suffixes __ha, __bkp, __dbt_tmp removed), or
    else to the node of the statement before them. Statements before any node are HOOKS.
    """
    relations = {}
    for uid, node in manifest["nodes"].items():
        if node["resource_type"] in ("model", "seed"):
            relations[(node["schema"], node.get("alias") or node["name"])] = uid
    captured = []
    current: dict[str, str] = {}
    for record in records:
        node = record.node_id
        if node and not node.startswith(("model.", "seed.")):
            node = None  # operations (hooks) carry their own ids
        if node is None:
            match = re.match(r"^\s*(alter|drop)\s+(table|view)\s+(if\s+exists\s+)?`?(\w+)`?\.`?(\w+)`?",
                             record.sql, re.IGNORECASE)
            if match:
                node = relations.get((match.group(4), _SUFFIXES.sub("", match.group(5))))
        if node is None:
            node = current.get(record.phase, HOOKS) if not _is_hook(record) else HOOKS
        current[record.phase] = node if node != HOOKS else current.get(record.phase, HOOKS)
        captured.append(Captured(record, node))
    return captured


def _is_hook(record: QueryRecord) -> bool:
    return (record.node_id or "").startswith("operation.") or record.sql.strip().lower() == "select 1"
