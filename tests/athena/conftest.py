"""One offline Athena session for the whole tests/athena suite (moto + dbt runs take about a minute).

The session copies dbt_oakvale/ into a temporary folder, starts moto on loopback, runs
``dbt seed`` and ``dbt run`` twice for the athena target, compiles the data tests for the athena
target, and builds the local target over the same bronze fixture (tools/athena_check/session.py).
OAKVALE_ATHENA_DBT_PROJECT points it at another copy of the project (e.g. a `git archive` of HEAD).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tools.athena_check.dbt import PROJECT
from tools.athena_check.session import AthenaSession


@pytest.fixture(scope="package")
def athena(tmp_path_factory) -> AthenaSession:
    """Package scope: moto stops and its (process-global) state is emptied once tests/athena is done,
    before other packages' tests that start moto of their own."""
    source = Path(os.environ.get("OAKVALE_ATHENA_DBT_PROJECT", PROJECT))
    session = AthenaSession(tmp_path_factory.mktemp("athena"), source_project=source).start()
    try:
        session.run_all()
        yield session
    finally:
        session.stop()
        print(f"\nathena session timings (s): {session.timings}")
