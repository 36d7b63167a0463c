"""Run dbt as a subprocess (one invocation = one process, like a user's shell) and read its artifacts."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PROJECT = REPO / "dbt_oakvale"


class DbtFailed(RuntimeError):
    """A dbt command exited non-zero; the message holds the command and the tail of its output."""


@dataclass
class DbtProject:
    """One dbt project directory with its own target/ and logs/ paths (never the shared ones)."""

    project_dir: Path
    work_dir: Path  # holds target-<name>/ and logs/

    def target_path(self, name: str) -> Path:
        return self.work_dir / f"target-{name}"

    def run(self, args: list[str], env: dict[str, str], target_name: str, check: bool = True,
            timeout: float = 600) -> subprocess.CompletedProcess:
        dbt = Path(sys.executable).with_name("dbt")
        command = [str(dbt), *self.command(args, target_name)]
        result = subprocess.run(command, env=self._env(env), cwd=str(self.work_dir), capture_output=True, text=True,
                                timeout=timeout)
        if check and result.returncode != 0:
            tail = "\n".join((result.stdout + result.stderr).splitlines()[-60:])
            raise DbtFailed(f"{' '.join(command[1:3])} exited {result.returncode}:\n{tail}")
        return result

    def command(self, args: list[str], target_name: str) -> list[str]:
        return [
            *args,
            "--project-dir", str(self.project_dir),
            "--profiles-dir", str(self.project_dir),
            "--target-path", str(self.target_path(target_name)),
            "--log-path", str(self.work_dir / "logs"),
        ]

    def start(self, args: list[str], env: dict[str, str], target_name: str) -> subprocess.Popen:
        """The same as run(), in the background: wait with finish()."""
        dbt = Path(sys.executable).with_name("dbt")
        log = open(self.work_dir / f"dbt-{target_name}.out", "w")
        return subprocess.Popen([str(dbt), *self.command(args, target_name)], env=self._env(env),
                                cwd=str(self.work_dir), stdout=log, stderr=subprocess.STDOUT, text=True)

    def finish(self, process: subprocess.Popen, target_name: str, timeout: float = 600) -> None:
        code = process.wait(timeout=timeout)
        if code != 0:
            tail = "\n".join((self.work_dir / f"dbt-{target_name}.out").read_text().splitlines()[-60:])
            raise DbtFailed(f"dbt ({target_name}) exited {code}:\n{tail}")

    def _env(self, env: dict[str, str]) -> dict[str, str]:
        full_env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "OAKVALE_", "DBT_"))}
        full_env.update({"DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DO_NOT_TRACK": "1",
                         "OAKVALE_DBT_PLUGIN_DIR": str(self.project_dir / "plugins")})
        full_env.update(env)
        return full_env

    def invoke(self, args: list[str], env: dict[str, str], target_name: str, manifest=None):
        """dbt in this process (dbtRunner): no interpreter start-up, and a parsed manifest can be reused.

        ``env`` is applied to os.environ for the call only (dbt reads env_var() from it). Returns
        the dbtRunnerResult; raises DbtFailed with each failing node's message.
        """
        from dbt.cli.main import dbtRunner

        full_env = self._env(env)
        saved = dict(os.environ)
        os.environ.clear()
        os.environ.update(full_env)
        try:
            result = dbtRunner(manifest=manifest).invoke(["--quiet", *self.command(args, target_name)])
        finally:
            os.environ.clear()
            os.environ.update(saved)
        if not result.success:
            messages = []
            if result.exception is not None:
                messages.append(f"{type(result.exception).__name__}: {result.exception}")
            for node_result in getattr(result.result, "results", None) or []:
                if str(getattr(node_result, "status", "")).lower() in ("error", "fail", "runtime error"):
                    messages.append(f"{node_result.node.unique_id}: {node_result.message}")
            raise DbtFailed(f"dbt {' '.join(args)} failed:\n" + "\n".join(messages))
        return result

    def manifest(self, target_name: str) -> dict:
        return json.loads((self.target_path(target_name) / "manifest.json").read_text())


def copy_project(dest: Path, source: Path = PROJECT) -> Path:
    """A private copy of the dbt project, without target/, logs/ or dbt_packages/."""
    shutil.copytree(source, dest, ignore=shutil.ignore_patterns("target", "target-*", "logs", "dbt_packages",
                                                                ".user.yml", "__pycache__"))
    return dest
