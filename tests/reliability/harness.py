"""The reliability harness: a case builds a raw corpus in a fresh data root, runs the bronze job one
or more times (in this process on a shared SparkSession, or in child processes where kills and
concurrency are involved), then audits bronze against the raw files (`tests/reliability/audit.py`).

A case is data (`Case` in `cases.py`): a corpus builder, a script of runs, and what it expects
besides the audit's invariants (nothing lost, nothing doubled, no stray rows, every batch committed
once, the local catalog at the tables' versions).
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tests.reliability.audit import Audit, audit

REPO = Path(__file__).resolve().parents[2]
ENTRY = REPO / "glue_scripts" / "bronze_job.py"
OAKVALE = Path(sys.executable).with_name("oakvale")
JOB_TIMEOUT = 300
KILLED = -signal.SIGKILL  # Popen.returncode of a process killed by SIGKILL
FAILPOINT_EXIT = 137  # the job's failpoints exit with os._exit(137)
# A run that finds its batch committed, or being committed, by another run says so in one line.
LOSER_SAYS = re.compile(r"another run|committed elsewhere|already committed|committed_by_another_run", re.I)


@dataclass
class Step:
    what: str
    exit_code: int | None
    seconds: float
    stdout: str = ""
    stderr: str = ""


@dataclass
class Context:
    """One case's data root, the runs made on it so far, and what went against expectations."""

    root: Path
    spark_factory: Callable[[], object] | None = None
    data_root: str = ""  # local folder (default: root) or s3:// URI
    raw_root: Path | None = None  # default <data_root>/raw
    env: dict[str, str] = field(default_factory=dict)  # for child processes
    storage_options: dict[str, str] | None = None  # for reading s3:// tables in the audit
    delta_log: Callable | None = None  # reads a table's _delta_log on s3
    steps: list[Step] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    notes: dict[str, object] = field(default_factory=dict)  # what a builder tells the checks
    cleanups: list[Callable[[], None]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.data_root = self.data_root or str(self.root)

    @property
    def raw(self) -> Path:
        return self.raw_root or self.root / "raw"

    @property
    def is_s3(self) -> bool:
        return self.data_root.startswith("s3://")

    @property
    def bronze_root(self) -> str:
        return f"{self.data_root}/lakehouse/bronze"

    def expect(self, condition: bool, problem: str) -> bool:
        if not condition:
            self.problems.append(problem)
        return condition

    # ---- runs -------------------------------------------------------------------------------

    def ingest(self, dataset: str = "movies") -> object | None:
        """One bronze run in this process, on the shared SparkSession."""
        from ingestion.bronze import BronzeJobOptions, run

        spark = self.spark_factory()
        started = time.perf_counter()
        options = BronzeJobOptions(
            dataset=dataset,
            data_root=self.data_root,
            raw_root=str(self.raw_root) if self.raw_root else None,
            reject_threshold=1.0,
        )
        try:
            result = run(spark, options)
        except Exception as error:
            first = (str(error).strip().splitlines() or [""])[0][:300]
            self.steps.append(Step(f"ingest {dataset}", 1, time.perf_counter() - started, stderr=str(error)[:5000]))
            said = _last_line(str(error))  # a worker's exception says what broke at its end, not its start
            self.problems.append(f"ingest {dataset} raised {type(error).__name__}: {first[:120]}{said}")
            return None
        self.steps.append(Step(f"ingest {dataset}", 0, time.perf_counter() - started, stdout=json.dumps(result.as_dict())))
        return result

    def _child_env(self, failpoint: str | None) -> dict[str, str]:
        env = {
            **os.environ,
            "OAKVALE_SPARK_MASTER": "local[1]",
            "OAKVALE_SPARK_DRIVER_MEMORY": "1g",
            "PYTHONPATH": str(REPO),
            **self.env,
        }
        env.pop("OAKVALE_FAILPOINT", None)
        if failpoint:
            env["OAKVALE_FAILPOINT"] = failpoint
        return env

    def start_job(self, *, failpoint: str | None = None, dataset: str = "movies") -> subprocess.Popen:
        """The Glue entry script in a child process with its own Spark (and its own process group)."""
        args = [sys.executable, str(ENTRY), "--dataset", dataset, "--data_root", self.data_root, "--reject_threshold", "1.0"]
        if self.raw_root:
            args += ["--raw_root", str(self.raw_root)]
        return subprocess.Popen(
            args,
            env=self._child_env(failpoint),
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            errors="replace",
            start_new_session=True,
        )

    def finish(self, proc: subprocess.Popen, what: str, started: float, *, expect_exit: int | None = 0) -> Step:
        try:
            out, err = proc.communicate(timeout=JOB_TIMEOUT)
        except subprocess.TimeoutExpired:
            kill_tree(proc)
            out, err = proc.communicate()
            self.problems.append(f"{what} hung for {JOB_TIMEOUT}s and was killed")
        step = Step(what, proc.returncode, time.perf_counter() - started, out, err)
        self.steps.append(step)
        if expect_exit is not None and proc.returncode != expect_exit:
            self.problems.append(f"{what} exited {proc.returncode} (expected {expect_exit}){_last_line(err)}")
        return step

    def job(self, *, failpoint: str | None = None, dataset: str = "movies", expect_exit: int = 0) -> Step:
        started = time.perf_counter()
        what = f"job {dataset}" + (f" failpoint={failpoint}" if failpoint else "")
        step = self.finish(self.start_job(failpoint=failpoint, dataset=dataset), what, started, expect_exit=None)
        if failpoint and step.exit_code == 0:
            self.problems.append(f"failpoint {failpoint} never fired: the run went to the end (exit 0)")
        elif step.exit_code != expect_exit:
            self.problems.append(f"{what} exited {step.exit_code} (expected {expect_exit}){_last_line(step.stderr)}")
        return step

    def crash_at(self, failpoint: str, dataset: str = "movies") -> Step:
        """A run that stops dead at a failpoint (the job's os._exit(137), as a SIGKILL would)."""
        return self.job(failpoint=failpoint, dataset=dataset, expect_exit=FAILPOINT_EXIT)

    def concurrent(self, n: int, dataset: str = "movies") -> list[Step]:
        """n runs of one dataset started together; all must exit 0 and all but the committers say so."""
        started = time.perf_counter()
        procs = [self.start_job(dataset=dataset) for _ in range(n)]
        steps = [self.finish(p, f"concurrent run {i + 1}/{n}", started) for i, p in enumerate(procs)]
        statuses = [_status(s.stdout) for s in steps]
        committed = sum(1 for s in statuses if s == "committed")
        self.notes["concurrent_committed"] = committed
        for i, (step, status) in enumerate(zip(steps, statuses)):
            if status == "committed":
                continue
            said = LOSER_SAYS.search(step.stdout + step.stderr) or status == "no_new_files"
            self.expect(bool(said), f"concurrent run {i + 1}/{n} did not commit and did not say why (status {status})")
        return steps

    def kill_during_write(self, dataset: str = "movies") -> Step:
        """SIGKILL the whole process tree (driver, JVM, Python workers) once Spark stages files."""
        started = time.perf_counter()
        proc = self.start_job(dataset=dataset)
        staging = Path(self.bronze_root) / dataset / "_staging"
        deadline = time.time() + JOB_TIMEOUT
        while not staging.exists() and time.time() < deadline and proc.poll() is None:
            time.sleep(0.02)
        self.expect(proc.poll() is None, "the run ended before it staged anything: nothing was killed")
        kill_tree(proc)
        return self.finish(proc, "job killed while Spark writes", started, expect_exit=None)

    def optimize(self, *, failpoint: str | None = None, dataset: str = "movies") -> Step:
        started = time.perf_counter()
        what = "optimize" + (f" failpoint={failpoint}" if failpoint else "")
        args = [str(OAKVALE), "optimize", "--data-root", self.data_root, "--table", dataset, "--table", f"{dataset}_rejects"]
        proc = subprocess.Popen(
            args, env=self._child_env(failpoint), cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, errors="replace", start_new_session=True,
        )  # fmt: skip
        step = self.finish(proc, what, started, expect_exit=None)
        if failpoint and step.exit_code == 0:
            self.problems.append(f"failpoint {failpoint} never fired: optimize went to the end (exit 0)")
        elif failpoint and step.exit_code not in (FAILPOINT_EXIT, KILLED):
            self.problems.append(f"{what} exited {step.exit_code} (expected {FAILPOINT_EXIT}){_last_line(step.stderr)}")
        elif not failpoint and step.exit_code != 0:
            self.problems.append(f"{what} exited {step.exit_code}{_last_line(step.stderr)}")
        return step

    # ---- audit ------------------------------------------------------------------------------

    def audit(self, dataset: str = "movies") -> Audit:
        return audit(
            dataset, self.raw / dataset, self.bronze_root, storage_options=self.storage_options, delta_log=self.delta_log
        )


def kill_tree(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _last_line(text: str) -> str:
    """The line of a child's stderr that says what went wrong (not the last of py4j's INFO noise)."""
    lines = [line for line in (text or "").strip().splitlines() if line.strip() and " INFO " not in line]
    telling = [line for line in lines if re.search(r"error|exception|failed", line, re.I)]
    pick = (telling or lines)[-1:] if lines else []
    return f": {pick[0].strip()[:300]}" if pick else ""


def _status(stdout: str) -> str | None:
    for line in reversed(stdout.strip().splitlines()):
        try:
            doc = json.loads(line)
        except ValueError:
            continue
        if isinstance(doc, dict) and "status" in doc:
            return doc["status"]
    return None


def check_invariants(ctx: Context, result: Audit, *, quarantine: dict[str, str] | None = None) -> None:
    """What every case expects of a dataset: the audit's invariants and the quarantine it names."""
    name = result.dataset
    ctx.expect(result.lost == 0, f"{name}: {result.lost} record(s) lost, e.g. {result.lost_examples}")
    ctx.expect(result.doubled == 0, f"{name}: {result.doubled} record(s) doubled, e.g. {result.doubled_examples}")
    ctx.expect(result.unexpected == 0, f"{name}: {result.unexpected} row(s) of no raw record")
    ctx.expect(result.unnumbered == 0, f"{name}: {result.unnumbered} row(s) without _source_line")
    ctx.expect(not result.invalid_utf8_columns, f"{name}: invalid UTF-8 in {result.invalid_utf8_columns}")
    for error in result.errors:
        ctx.problems.append(f"{name}: {error}")
    for table, versions in result.txn_commits.items():
        twice = {v: n for v, n in versions.items() if n > 1}
        ctx.expect(not twice, f"{table}: batch version(s) committed more than once {twice}")
    wanted = {**(quarantine or {}), **ctx.notes.get("quarantine", {})}  # named by the case, or by its script
    for path in result.unreadable:  # what the audit cannot read whole, the job must quarantine
        wanted.setdefault(Path(path).name, "corrupt_file")
    got = {Path(path).name: reason for path, reason in result.quarantined.items()}
    ctx.expect(got == wanted, f"{name}: quarantine {got or 'empty'}, expected {wanted or 'empty'}")
    if not ctx.is_s3:
        check_catalog(ctx, name)


def check_catalog(ctx: Context, dataset: str) -> None:
    """lakehouse/_catalog.json names each bronze table at its location and current Delta version."""
    from deltalake import DeltaTable

    catalog_path = ctx.root / "lakehouse" / "_catalog.json"
    entries = json.loads(catalog_path.read_text()) if catalog_path.exists() else {}
    for table in (dataset, f"{dataset}_rejects"):
        location = f"{ctx.bronze_root}/{table}"
        if not DeltaTable.is_deltatable(location):
            continue
        version = DeltaTable(location).version()
        entry = entries.get(f"oakvale_bronze.{table}")
        if not ctx.expect(entry is not None, f"catalog: oakvale_bronze.{table} not registered"):
            continue
        ctx.expect(
            entry.get("delta_version") == version and entry.get("location") == location,
            f"catalog: oakvale_bronze.{table} at version {entry.get('delta_version')}, table at {version}",
        )


@dataclass
class Row:
    """One line of `make reliability`'s table."""

    case: str
    raw_lines: int
    bronze_rows: int
    rejects: int
    quarantined: int
    lost: int
    doubled: int
    outcome: str
    seconds: float

    @classmethod
    def of(cls, case: str, ctx: Context, audits: list[Audit], seconds: float, needs: str | None = None) -> Row:
        outcome = "ok" if not ctx.problems else "FAIL: " + "; ".join(ctx.problems)
        if ctx.problems and needs:
            outcome += f" [needs: {needs}]"
        return cls(
            case,
            sum(a.raw_lines for a in audits),
            sum(a.bronze_rows for a in audits),
            sum(a.rejects for a in audits),
            sum(len(a.quarantined) for a in audits),
            sum(a.lost for a in audits),
            sum(a.doubled for a in audits),
            outcome,
            round(seconds, 1),
        )


def count_statuses(steps: list[Step]) -> Counter:
    return Counter(_status(s.stdout) for s in steps)
