"""Errors a user can cause, and the one line a failed run ends with.

An `OakvaleError` is a failure the user can fix (missing input, a bad argument, too many rejects,
...): its message is one line that names the thing and the fix, and the run exits with its
`exit_code`. Any other exception is a bug or an environment failure: the run ends with its type
and the first line of its message, and the full trace goes to the run log (`ingestion.runlog`).
"""

from __future__ import annotations

import re

SUMMARY_LIMIT = 200  # characters of an unexpected error's message that reach the console


class OakvaleError(Exception):
    """A failure the user can cause and fix; the message names the thing and the fix, in one line."""

    exit_code: int = 2


class InvalidArgumentError(OakvaleError):
    """A command-line argument or setting that parsed but is not a valid value."""


class DbtCommandFailed(OakvaleError):
    """A dbt command exited non-zero; `exit_code` is dbt's (1: a model or test failed, 2: dbt itself)."""

    def __init__(self, message: str, exit_code: int):
        super().__init__(message)
        self.exit_code = exit_code or 1


def one_line(text: str) -> str:
    """The text with its lines joined: an OakvaleError's message is meant to be one line already."""
    return " ".join(part.strip() for part in str(text).splitlines() if part.strip())


def _java_summary(error: BaseException) -> str | None:
    """For a Py4JJavaError, the Java exception's own first line, past Spark's task-failure preamble."""
    java = getattr(error, "java_exception", None)
    if java is None:
        return None
    try:
        text = str(java.toString())
    except Exception:  # the JVM may be gone
        return None
    first = text.strip().splitlines()[0] if text.strip() else ""
    # "Job aborted due to stage failure: Task 0 in stage 1.0 failed 1 times, most recent failure:
    # Lost task 0.0 in stage 1.0 (TID 1) (host executor driver): java.io.IOException: ..." -> the cause.
    lost = re.search(r"most recent failure: Lost task .*?\(TID \d+\) \([^)]*\): (.*)", first)
    return lost.group(1) if lost else first


def summary(error: BaseException, limit: int = SUMMARY_LIMIT) -> str:
    """`<type>: <first line of the message>`, trimmed to about `limit` characters."""
    message = _java_summary(error)
    if message is None:
        lines = [line.strip() for line in str(error).splitlines() if line.strip()]
        message = lines[0] if lines else ""
    if len(message) > limit:
        message = message[: limit - 3].rstrip() + "..."
    return f"{type(error).__name__}: {message}" if message else type(error).__name__


def invalid_settings(error, *, flag_prefix: str = "--", underscores: bool = False) -> InvalidArgumentError:
    """A pydantic ValidationError on options or settings as one line naming each bad field."""
    parts = []
    for item in error.errors():
        field = ".".join(str(part) for part in item.get("loc", ())) or "value"
        name = field if underscores else field.replace("_", "-")
        parts.append(f"{flag_prefix}{name}: {item.get('msg', 'invalid')} (got {item.get('input')!r})")
    return InvalidArgumentError("; ".join(parts) or one_line(str(error)))
