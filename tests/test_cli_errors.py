"""Failures a user can cause end in one line on stderr that names the thing, the fix and the run log.

Each case runs the real entry points in a child process (`.venv/bin/oakvale`, the Glue script run
locally) and checks what a user sees: exactly one non-empty line on stderr, the exit code, and a
log file, named in that line, holding the full trace. Spark's and Java's own output go to that log,
never to the console.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.bronze.conftest import movie, write_raw

pytestmark = pytest.mark.spark

REPO = Path(__file__).resolve().parents[1]
OAKVALE = Path(sys.executable).with_name("oakvale")
GLUE_ENTRY = REPO / "glue_scripts" / "bronze_job.py"
LOG_IN_LINE = re.compile(r"\((?:log|full trace): (?P<path>[^()]+\.log)\)$")


def _run(command: list[str], **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("OAKVALE_")}
    return subprocess.run(command, capture_output=True, text=True, timeout=600, env={**environment, **env}, cwd=REPO)


def oakvale(*args: str, **env: str) -> subprocess.CompletedProcess:
    return _run([str(OAKVALE), *args], **env)


def glue_job(*args: str, **env: str) -> subprocess.CompletedProcess:
    return _run([sys.executable, str(GLUE_ENTRY), *args], **env)


def the_one_line(done: subprocess.CompletedProcess) -> str:
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one line on stderr, got {len(lines)}:\n{done.stderr}"
    return lines[0]


def the_log(line: str, data_root: Path) -> str:
    found = LOG_IN_LINE.search(line)
    assert found, f"no log path at the end of {line!r}"
    log = Path(found["path"])
    assert log.is_file(), f"{log} named in the error line does not exist"
    assert log.parent == data_root / "logs"
    return log.read_text(errors="replace")


def test_missing_input_names_the_folder_and_the_fix(tmp_path):
    done = oakvale("ingest", "--data-root", str(tmp_path))

    line = the_one_line(done)
    assert done.returncode == 2
    assert line.startswith(f"oakvale ingest: raw input {tmp_path}/raw/movies does not exist: generate or land data")
    log = the_log(line, tmp_path)
    assert "MissingInputError" in log and "Traceback" in log


def test_unknown_dataset_on_the_glue_entry(tmp_path):
    done = glue_job("--dataset", "films", "--data_root", str(tmp_path))

    line = the_one_line(done)
    assert done.returncode == 2
    assert line.startswith("oakvale bronze-job: unknown dataset 'films'; expected one of ['movies', 'reviews']")
    assert "UnknownDatasetError" in the_log(line, tmp_path)


def test_unknown_dataset_on_the_cli_keeps_argparse_usage(tmp_path):
    done = oakvale("ingest", "--dataset", "films", "--data-root", str(tmp_path))

    assert done.returncode == 2
    assert done.stderr.startswith("usage: oakvale ingest")
    assert done.stderr.strip().splitlines()[-1].startswith("oakvale ingest: error: argument --dataset: invalid choice: 'films'")


def test_reject_threshold_exceeded_names_the_batch_and_the_share(tmp_path):
    write_raw(tmp_path, "movies", "2026-11-20", "r1-0", [movie(1), *(f"not json {i}" for i in range(9))])
    done = oakvale("ingest", "--dataset", "movies", "--data-root", str(tmp_path))

    line = the_one_line(done)
    assert done.returncode == 2
    assert line.startswith("oakvale ingest: movies batch movies-000001: 9 of 10 lines rejected (90.0%) > threshold 5.0%")
    log = the_log(line, tmp_path)
    assert "RejectThresholdExceeded" in log


def test_bad_argument_value_is_one_line(tmp_path):
    done = glue_job("--dataset", "movies", "--data_root", str(tmp_path), "--reject_threshold", "2")

    line = the_one_line(done)
    assert done.returncode == 2
    assert line.startswith("oakvale bronze-job: --reject_threshold: Input should be less than or equal to 1")


@pytest.mark.parametrize("entry", ["cli", "glue"])
def test_a_java_failure_is_one_line_and_the_trace_is_in_the_log(tmp_path, entry):
    # Spark cannot start its Python workers: a real failure inside the JVM, in a task, with a Java trace.
    write_raw(tmp_path, "movies", "2026-11-20", "r1-0", [movie(1), movie(2)])
    broken = {"PYSPARK_PYTHON": str(tmp_path / "no-such-python")}
    if entry == "cli":
        done, command = oakvale("ingest", "--dataset", "movies", "--data-root", str(tmp_path), **broken), "ingest"
    else:
        done, command = glue_job("--dataset", "movies", "--data_root", str(tmp_path), **broken), "bronze-job"

    line = the_one_line(done)
    assert done.returncode == 1
    assert line.startswith(f"oakvale {command}: failed: Py4JJavaError: java.io.IOException: Cannot run program")
    assert "no-such-python" in line and "(full trace: " in line
    log = the_log(line, tmp_path)
    assert "Traceback (most recent call last)" in log  # the Python side
    assert re.search(r"^\s+at org\.apache\.spark\.", log, re.M), "no Java stack trace in the log"
    assert re.search(r" (ERROR|WARN) \S+: ", log), "Spark's own log4j lines did not reach the log"


def test_a_successful_run_keeps_the_console_clean(tmp_path):
    write_raw(tmp_path, "movies", "2026-11-20", "r1-0", [movie(1), movie(2), "{broken"])
    done = oakvale("ingest", "--dataset", "movies", "--data-root", str(tmp_path), "--reject-threshold", "0.5")

    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().splitlines() == ["bronze movies: committed movies-000001 rows=2 rejects=1"]
    logs = list((tmp_path / "logs").glob("ingest-*.log"))
    assert len(logs) == 1 and "movies: committed movies-000001" in logs[0].read_text()


def test_build_before_ingest_names_the_missing_bronze_table(tmp_path):
    done = oakvale("build", "--data-root", str(tmp_path))

    line = the_one_line(done)
    assert done.returncode == 2
    assert line.startswith(f"oakvale build: bronze table movies does not exist at {tmp_path}/lakehouse/bronze/movies: "
                           "run `oakvale ingest` first")
    the_log(line, tmp_path)


BROKEN_PROJECT = {
    "dbt_project.yml": 'name: broken\nversion: "1.0.0"\nconfig-version: 2\nprofile: broken\nmodel-paths: ["models"]\n',
    "profiles.yml": "broken:\n  target: local\n  outputs:\n    local:\n      type: duckdb\n"
                    "      path: \"{{ env_var('OAKVALE_DATA_ROOT') }}/warehouse/broken.duckdb\"\n",
    "models/silver_broken.sql": "select * from no_such_table\n",
}


def test_a_dbt_failure_is_one_line_naming_the_dbt_command_and_the_model(tmp_path):
    project, root = tmp_path / "project", tmp_path / "root"
    for name, text in BROKEN_PROJECT.items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(text)
    for table in ("movies", "movies_rejects", "reviews", "reviews_rejects"):
        (root / "lakehouse" / "bronze" / table / "_delta_log").mkdir(parents=True)
    done = oakvale("build", "--data-root", str(root), OAKVALE_DBT_PROJECT_DIR=str(project))

    line = the_one_line(done)  # dbt's own output is on stdout
    assert done.returncode == 1
    assert line.startswith("oakvale build: dbt build failed with exit code 1 (PASS=0 WARN=0 ERROR=1 ")
    assert " in model silver_broken (models/silver_broken.sql): Catalog Error: Table with name no_such_table" in line
    assert "$ dbt build --target local" in done.stdout and "no_such_table" in done.stdout
    assert "no_such_table" in the_log(line, root)


def test_the_glue_run_logs_to_stderr_and_ends_with_the_one_line(capsys, monkeypatch):
    import logging

    from ingestion import runlog
    from ingestion.bronze.job import MissingInputError

    monkeypatch.setattr(logging.getLogger(), "handlers", [])  # as in a fresh Glue process (pytest adds its own)
    log = runlog.start_glue("bronze-job", "jr_0123", "/aws-glue/jobs/oakvale-role/oakvale-glue")
    try:
        code = runlog.fail(log, MissingInputError("raw input s3://raw/movies does not exist: land data there first"))
    finally:
        runlog.stop(log)
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert "Traceback" not in err[-1] and any("MissingInputError" in line for line in err[:-1])  # CloudWatch gets the trace
    assert err[-1] == ("oakvale bronze-job: raw input s3://raw/movies does not exist: land data there first "
                       "(log: CloudWatch log group /aws-glue/jobs/oakvale-role/oakvale-glue/error, run jr_0123)")


def test_unexpected_errors_are_trimmed_to_their_first_line():
    from ingestion.errors import summary

    assert summary(KeyError("movie_id")) == "KeyError: 'movie_id'"
    long = summary(RuntimeError("x" * 500 + "\nsecond line"))
    assert long.startswith("RuntimeError: xxx") and long.endswith("...") and len(long) <= len("RuntimeError: ") + 200


def test_ctrl_c_during_the_spark_job_is_one_line_and_exit_130(tmp_path):
    import signal
    import time

    write_raw(tmp_path, "movies", "2026-11-20", "r1-0", [movie(i) for i in range(1, 50_000)])
    environment = {k: v for k, v in os.environ.items() if not k.startswith("OAKVALE_")}
    child = subprocess.Popen([str(OAKVALE), "ingest", "--dataset", "movies", "--data-root", str(tmp_path)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment, cwd=REPO)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and child.poll() is None:  # wait until the job is reading the batch
        logs = list((tmp_path / "logs").glob("ingest-*.log"))
        if logs and "bronze writer:" in logs[0].read_text():
            break
        time.sleep(0.2)
    child.send_signal(signal.SIGINT)
    _out, err = child.communicate(timeout=300)

    done = subprocess.CompletedProcess(child.args, child.returncode, _out, err)
    line = the_one_line(done)
    assert done.returncode == 130
    assert line.startswith("oakvale ingest: interrupted; run the command again to finish it (log: ")
    the_log(line, tmp_path)


def test_a_quarantined_file_is_one_warning_line_and_the_java_trace_is_in_the_log(tmp_path):
    import gzip

    write_raw(tmp_path, "movies", "2026-11-20", "r1-0", [movie(i) for i in range(1, 11)])
    truncated = write_raw(tmp_path, "movies", "2026-11-20", "r1-1", [movie(i) for i in range(11, 400)], gz=True)
    truncated.write_bytes(truncated.read_bytes()[: truncated.stat().st_size // 2])
    with pytest.raises(EOFError):
        gzip.decompress(truncated.read_bytes())
    done = oakvale("ingest", "--dataset", "movies", "--data-root", str(tmp_path))

    assert done.returncode == 0, done.stderr
    warning, progress = done.stderr.strip().splitlines()
    assert warning.startswith(f"oakvale ingest: warning: movies-000001: quarantined {truncated} (corrupt_file: ")
    assert progress == "bronze movies: committed movies-000001 rows=10 rejects=0"
    log = (next((tmp_path / "logs").glob("ingest-*.log"))).read_text()
    assert "java.io.EOFException" in log and re.search(r"^\s+at org\.apache\.", log, re.M)
