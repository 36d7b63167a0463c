"""The pinned Trino server starts on loopback, answers SQL and reports errors by name."""

from __future__ import annotations

import pytest

from tools.trino.client import TrinoQueryError
from tools.trino.server import VERSION


def test_server_is_the_pinned_version_on_loopback(trino):
    assert trino.query("select version()") == [(VERSION,)]
    assert trino.url.startswith("http://127.0.0.1:")
    print(f"Trino {VERSION} started in {trino.server.start_seconds} s")


def test_memory_catalog_and_errors(trino):
    trino.execute("create table memory.default.smoke as select 1 as x")
    assert trino.query("select x from memory.default.smoke") == [(1,)]
    trino.execute("drop table memory.default.smoke")
    with pytest.raises(TrinoQueryError, match="DIVISION_BY_ZERO"):
        trino.query("select 1 / 0")
