"""Shared fixtures: one local SparkSession for the whole test run (start-up costs seconds)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def spark():
    from ingestion.bronze.session import local_session

    session = local_session("oakvale-tests")
    yield session
    session.stop()
