"""The run log of one command, and the one line a failed command ends with.

Locally every command (`oakvale ...`, the Glue script run by hand) writes Python's logging, full
tracebacks and, through `local_session(log_file=...)`, Spark's JVM log to
`<data_root>/logs/<command>-<UTC timestamp>-<pid>.log` (or `$OAKVALE_LOG_DIR`; a temporary folder
when the data root is on S3). The console gets the command's own progress lines and, when it
fails, exactly one line: `oakvale <command>: <message> (log: <path>)` for an error the user can fix
(`OakvaleError`), `oakvale <command>: failed: <type>: <first line> (full trace: <path>)` for
anything else. On Glue logging stays on stdout/stderr, where CloudWatch collects it; the one line
then names the CloudWatch log group.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import signal
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from ingestion.errors import OakvaleError, one_line, summary

LOG_DIR_ENV = "OAKVALE_LOG_DIR"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
GLUE_LOG_PREFIX = "/aws-glue/jobs"  # Glue's default; infra/ passes its own with --custom-logGroup-prefix

# Chatty libraries: their DEBUG lines would bury the run's own.
_QUIET = {"py4j": logging.WARNING, "botocore": logging.INFO, "urllib3": logging.INFO, "s3transfer": logging.INFO}


@dataclass
class RunLog:
    command: str
    path: Path | None  # the local log file; None on Glue
    where: str  # what the failure line points at: the path, or CloudWatch
    handlers: list[logging.Handler] = field(default_factory=list)
    root_level: int = logging.WARNING  # the root logger's level before this run, restored by stop()


def log_dir(data_root: str | None) -> Path:
    """`$OAKVALE_LOG_DIR`, else `<data_root>/logs` for a local data root, else a temporary folder."""
    if os.environ.get(LOG_DIR_ENV):
        return Path(os.environ[LOG_DIR_ENV]).expanduser().resolve()
    if data_root and not data_root.startswith("s3://"):
        return Path(data_root).expanduser().resolve() / "logs"
    return Path(tempfile.gettempdir()) / "oakvale-logs"


def _log_file(command: str, data_root: str | None) -> Path:
    name = f"{command}-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%SZ}-{os.getpid()}.log"
    for folder in (log_dir(data_root), Path(tempfile.gettempdir()) / "oakvale-logs"):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / name).touch()
            return folder / name
        except OSError:
            continue  # a read-only data root still gets a log, in the temporary folder
    raise OakvaleError(f"cannot create a log file in {log_dir(data_root)}: set {LOG_DIR_ENV} to a writable folder")


_interrupted = threading.Event()


def watch_interrupts() -> None:
    """Mark the run interrupted on Ctrl-C, then run the handler that was there (PySpark's cancels
    Spark's jobs, and what reaches `fail` is then a py4j error, not KeyboardInterrupt)."""
    if threading.current_thread() is not threading.main_thread():
        return
    previous = signal.getsignal(signal.SIGINT)

    def handler(signum, frame):
        _interrupted.set()
        if callable(previous):
            previous(signum, frame)
        else:
            raise KeyboardInterrupt

    signal.signal(signal.SIGINT, handler)


class _OwnWarnings(logging.Filter):
    """Without --verbose the console shows only Oakvale's own warnings; libraries go to the file."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.name == "ingestion" or record.name.startswith("ingestion.")


class _ShortLine(logging.Formatter):
    """`oakvale <command>: warning: <message>`, the form of the failure line (the trace stays in the file)."""

    def __init__(self, command: str):
        super().__init__()
        self.command = command

    def format(self, record: logging.LogRecord) -> str:
        return f"oakvale {self.command}: {record.levelname.lower()}: {one_line(record.getMessage())}"


def _configure(handlers: list[logging.Handler], ingestion_level: int = logging.DEBUG) -> int:
    """Attach this run's handlers to the root logger; returns the root level to restore."""
    root = logging.getLogger()
    for handler in list(root.handlers):  # an earlier run in this process that did not stop
        if getattr(handler, "oakvale_run", False):
            root.removeHandler(handler)
    previous = root.level
    root.setLevel(logging.INFO)
    for handler in handlers:
        handler.oakvale_run = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    logging.getLogger("ingestion").setLevel(ingestion_level)
    for name, level in _QUIET.items():
        logging.getLogger(name).setLevel(level)
    logging.captureWarnings(True)
    return previous


def start(command: str, data_root: str | None, *, verbose: bool = False) -> RunLog:
    """A local run: everything to the log file; the console gets warnings (all INFO with `verbose`)."""
    path = _log_file(command, data_root)
    to_file = logging.FileHandler(path, encoding="utf-8")
    to_file.setFormatter(logging.Formatter(FORMAT))
    to_console = logging.StreamHandler(sys.stderr)
    to_console.setLevel(logging.INFO if verbose else logging.WARNING)
    if verbose:
        to_console.setFormatter(logging.Formatter(FORMAT))
    else:  # one short line per warning, in the form of the failure line
        to_console.setFormatter(_ShortLine(command))
        to_console.addFilter(_OwnWarnings())
    previous = _configure([to_file, to_console])
    _interrupted.clear()
    watch_interrupts()
    logging.getLogger(__name__).info("oakvale %s, pid %d: %s", command, os.getpid(), " ".join(sys.argv))
    return RunLog(command, path, str(path), [to_file, to_console], previous)


def start_glue(command: str, job_run_id: str | None = None, log_group_prefix: str | None = None) -> RunLog:
    """On Glue: logging at INFO on stderr, as Glue's CloudWatch integration expects (Glue's own
    root handlers, when it set some up, are kept instead, as logging.basicConfig would)."""
    handlers: list[logging.Handler] = []
    if not logging.getLogger().handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(FORMAT))
        handlers.append(handler)
    previous = _configure(handlers, logging.INFO)
    where = f"CloudWatch log group {(log_group_prefix or GLUE_LOG_PREFIX).rstrip('/')}/error"
    return RunLog(command, None, f"{where}, run {job_run_id}" if job_run_id else where, handlers, previous)


def fail(run: RunLog, error: BaseException) -> int:
    """Log the full trace, print the one line, and return the exit code."""
    # The trace goes to the log file only (the console gets the one line); on Glue, to stderr as usual.
    to_file = [h for h in run.handlers if isinstance(h, logging.FileHandler)]
    record_log = logging.getLogger("ingestion.runlog.failure")
    record_log.handlers = to_file
    record_log.propagate = not to_file
    if isinstance(error, OakvaleError):
        message = one_line(str(error))
        record_log.error("oakvale %s: %s", run.command, message, exc_info=error)
        line, code = f"oakvale {run.command}: {message} (log: {run.where})", error.exit_code
    elif isinstance(error, KeyboardInterrupt) or _interrupted.is_set():
        record_log.error("oakvale %s: interrupted", run.command, exc_info=error)
        line, code = f"oakvale {run.command}: interrupted; run the command again to finish it (log: {run.where})", 130
    else:
        record_log.error("oakvale %s: failed", run.command, exc_info=error)
        line, code = f"oakvale {run.command}: failed: {summary(error)} (full trace: {run.where})", 1
    for handler in run.handlers:
        handler.flush()
    sys.stdout.flush()
    print(line, file=sys.stderr, flush=True)
    return code


def stop(run: RunLog) -> None:
    """Detach and close this run's handlers (the file stays; the JVM may still append at exit)."""
    root = logging.getLogger()
    for handler in run.handlers:
        root.removeHandler(handler)
        handler.close()
    root.setLevel(run.root_level)
    logging.captureWarnings(False)
    failure_log = logging.getLogger("ingestion.runlog.failure")
    failure_log.handlers, failure_log.propagate = [], True
