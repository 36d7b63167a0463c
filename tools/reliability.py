"""`make reliability`: run issue 18's reliability suite (tests/reliability) and print its table.

    case | raw lines | bronze rows + rejects | quarantined files | lost | doubled | outcome

Extra arguments go to pytest (e.g. `-k concurrent`). The exit code is pytest's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

REPO = Path(__file__).resolve().parents[1]


def run_suite(pytest_args: list[str], report: Path) -> int:
    env = {**os.environ, "OAKVALE_RELIABILITY_REPORT": str(report)}
    command = [sys.executable, "-m", "pytest", "tests/reliability", "-q", "-p", "no:cacheprovider", *pytest_args]
    return subprocess.run(command, cwd=REPO, env=env, check=False).returncode


def table(rows: list[dict]) -> Table:
    out = Table(title="Bronze reliability (issue 18)", show_lines=False)
    for name, justify in (
        ("case", "left"), ("raw lines", "right"), ("bronze rows + rejects", "right"), ("quarantined files", "right"),
        ("lost", "right"), ("doubled", "right"), ("seconds", "right"), ("outcome", "left"),
    ):  # fmt: skip
        out.add_column(name, justify=justify, overflow="fold")
    for r in rows:
        ok = r["outcome"] == "ok"
        out.add_row(
            escape(r["case"]),
            str(r["raw_lines"]),
            f"{r['bronze_rows']} + {r['rejects']}",
            str(r["quarantined"]),
            str(r["lost"]) if r["lost"] == 0 else f"[red]{r['lost']}[/]",
            str(r["doubled"]) if r["doubled"] == 0 else f"[red]{r['doubled']}[/]",
            f"{r['seconds']:.1f}",
            "[green]ok[/]" if ok else f"[red]{escape(r['outcome'])}[/]",
        )
    return out


def main(argv: list[str]) -> int:
    with tempfile.TemporaryDirectory(prefix="oakvale-reliability-") as tmp:
        report = Path(tmp) / "rows.jsonl"
        code = run_suite(argv, report)
        rows = [json.loads(line) for line in report.read_text().splitlines()] if report.exists() else []
    console = Console(width=max(160, Console().width))
    console.print(table(rows))
    failed = sum(1 for r in rows if r["outcome"] != "ok")
    console.print(f"{len(rows)} case(s), {failed} failing; pytest exit code {code}")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
