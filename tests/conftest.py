"""Shared fixtures: one local SparkSession for the whole test run (start-up costs seconds)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def spark():
    from ingestion.bronze.session import local_session

    session = local_session("oakvale-tests")
    yield session
    session.stop()


@pytest.fixture(scope="session")
def trino(tmp_path_factory):
    """One pinned Trino server (tools/trino/server.py) on 127.0.0.1, a free port, a `memory` catalog;
    stopped when the session ends. Its start-up time is in `trino.server.start_seconds`."""
    from tools.trino.client import TrinoClient
    from tools.trino.server import TrinoServer

    server = TrinoServer(tmp_path_factory.mktemp("trino")).start()
    try:
        client = TrinoClient(server.url)
        client.server = server
        yield client
    finally:
        server.stop()
