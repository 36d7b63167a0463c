"""Run one dbt command: its output to stdout and the run log; a failure as one line naming what failed."""

from __future__ import annotations

import logging
import re
import subprocess
import sys
from collections.abc import Mapping, Sequence

from ingestion.errors import DbtCommandFailed

log = logging.getLogger(__name__)

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_TIME = re.compile(r"^\d\d:\d\d:\d\d\s+")
# dbt's lines that name what failed: "Failure in test ...", "Runtime Error in model ...", ...
_NODE = re.compile(r"^(?:Failure|(?:Runtime|Database|Compilation|Parsing|Dependency) Error) in .+$")
DETAIL_LIMIT = 200


class DbtFailureReader:
    """Reads dbt's output line by line and keeps the first failing node, its first error line and the tally."""

    def __init__(self) -> None:
        self.node: str | None = None
        self.detail: str | None = None
        self.tally: str | None = None
        self._looking = 0  # lines left to look for the node's error line in

    def feed(self, line: str) -> None:
        """Take one line of dbt's output (colours already removed)."""
        text = _TIME.sub("", line.strip()).strip()
        if text.startswith("Done. PASS="):
            self.tally = text[len("Done. "):]
        elif self.node is None and (_NODE.match(text) or text == "Encountered an error:"):
            self.node, self._looking = text.rstrip(":"), 6
        elif self._looking and text:
            self._looking -= 1
            if not (_NODE.match(text) or text.endswith("error:")):  # dbt restates the node before the error
                self.detail, self._looking = text, 0

    def message(self, command: str, exit_code: int) -> str:
        what = self.node or "see dbt's output"
        if self.detail:
            detail = self.detail if len(self.detail) <= DETAIL_LIMIT else self.detail[: DETAIL_LIMIT - 3] + "..."
            what = f"{what}: {detail}"
        tally = f" ({self.tally})" if self.tally else ""
        return f"dbt {command} failed with exit code {exit_code}{tally}: {what}; fix it and re-run"


def run_dbt(argv: Sequence[str], env: Mapping[str, str]) -> None:
    """Run dbt (`argv[0]` is its executable); raise DbtCommandFailed naming the first failure."""
    log.info("$ %s", " ".join(argv))
    reader = DbtFailureReader()
    with subprocess.Popen(list(argv), env=dict(env), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          errors="replace") as process:
        for line in process.stdout:
            sys.stdout.write(line)
            sys.stdout.flush()
            plain = _ANSI.sub("", line).rstrip()
            log.debug("%s", plain)
            reader.feed(plain)
    if process.returncode != 0:
        raise DbtCommandFailed(reader.message(argv[1], process.returncode), process.returncode)
