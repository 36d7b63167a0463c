"""Named points where a test can make the process die on purpose, as a lost Glue worker would."""

from __future__ import annotations

import logging
import os

log = logging.getLogger(__name__)


def failpoint(name: str) -> None:
    """Exit at once, without cleanup, when OAKVALE_FAILPOINT names this point (crash tests only)."""
    if os.environ.get("OAKVALE_FAILPOINT") == name:
        log.error("failpoint %s: exiting without cleanup", name)
        os._exit(137)
