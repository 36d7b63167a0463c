"""Helpers for the dbt project's tests: run dbt in a subprocess against a data root of its own."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

REPO = Path(__file__).resolve().parents[2]
PROJECT = REPO / "dbt_oakvale"
BIN = Path(sys.executable).parent
DBT = str(BIN / "dbt")

GOLD_TABLES = (
    "gold_genre_summary", "gold_studio_summary", "gold_release_year_summary",
    "gold_movie_performance", "gold_monthly_review_trends", "gold_top_tags",
)  # fmt: skip
SILVER_TABLES = ("silver_movies", "silver_movie_genres", "silver_reviews", "silver_reconciliation")


@dataclass
class DbtResult:
    returncode: int
    output: str
    results: list[dict]

    def status(self, unique_id_prefix: str) -> dict[str, str]:
        return {r["unique_id"]: r["status"] for r in self.results if r["unique_id"].startswith(unique_id_prefix)}

    def failed(self) -> set[str]:
        return {r["unique_id"] for r in self.results if r["status"] in ("fail", "error")}


@dataclass
class DbtProject:
    """One data root (bronze fixture + DuckDB warehouse) and a project directory to run dbt in."""

    data_root: Path
    project_dir: Path = PROJECT

    @property
    def target_path(self) -> Path:
        return self.data_root / "target"

    @property
    def warehouse(self) -> Path:
        return self.data_root / "warehouse" / "oakvale.duckdb"

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DBT_", "OAKVALE_"))}
        env.update(OAKVALE_DATA_ROOT=str(self.data_root), DBT_SEND_ANONYMOUS_USAGE_STATS="false")
        env.update(extra)
        return env

    def dbt(self, *args: str, target_path: Path | None = None, env: dict[str, str] | None = None) -> DbtResult:
        target = target_path or self.target_path
        cmd = [
            DBT, "--no-use-colors", *args, "--project-dir", str(self.project_dir),
            "--profiles-dir", str(self.project_dir), "--target-path", str(target),
        ]  # fmt: skip
        if args[0] in ("build", "run", "test", "seed", "compile", "docs", "parse"):
            cmd += ["--log-path", str(self.data_root / "logs")]
        proc = subprocess.run(cmd, cwd=REPO, env=env or self.env(), capture_output=True, text=True, timeout=600)
        results_file = target / "run_results.json"
        results = json.loads(results_file.read_text())["results"] if results_file.exists() else []
        if results_file.exists():
            results_file.unlink()  # a later failing run must not be read with this run's results
        return DbtResult(proc.returncode, proc.stdout + proc.stderr, results)

    def query(self, sql: str) -> list[tuple]:
        with duckdb.connect(str(self.warehouse), read_only=True) as conn:
            return conn.execute(sql).fetchall()

    def table(self, name: str) -> list[tuple]:
        schema = "oakvale_gold" if name.startswith("gold_") else "oakvale_silver"
        return self.query(f"select * from {schema}.{name} order by all")

    def reconciliation(self) -> dict[str, dict[str, int]]:
        with duckdb.connect(str(self.warehouse), read_only=True) as conn:
            cur = conn.execute("select * from oakvale_silver.silver_reconciliation")
            names = [d[0] for d in cur.description]
            return {row[0]: dict(zip(names, row, strict=True)) for row in cur.fetchall()}


def assert_ok(result: DbtResult) -> None:
    assert result.returncode == 0, result.output[-4000:]


def copy_project(dest: Path) -> Path:
    """A throw-away copy of dbt_oakvale (for mutation tests), without build artefacts."""
    shutil.copytree(PROJECT, dest, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages", ".user.yml"),
                    symlinks=True)
    return dest


@pytest.fixture
def dbt_project(tmp_path: Path) -> DbtProject:
    return DbtProject(tmp_path / "data")
