"""One offline Athena session for the whole tests/athena suite (moto + dbt runs take about a minute).

The session copies dbt_oakvale/ into a temporary folder, starts moto on loopback, runs
``dbt seed`` and ``dbt run`` twice for the athena target, compiles the data tests for the athena
target, and builds the local target over the same bronze fixture (tools/athena_check/session.py).
"""

from __future__ import annotations

import pytest

from tools.athena_check.session import AthenaSession


@pytest.fixture(scope="session")
def athena(tmp_path_factory) -> AthenaSession:
    session = AthenaSession(tmp_path_factory.mktemp("athena")).start()
    try:
        session.run_all()
        yield session
    finally:
        session.stop()
        print(f"\nathena session timings (s): {session.timings}")
