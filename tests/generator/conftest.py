"""Shared fixtures for the generator tests: small runs only (the machine is shared)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def raw_root(tmp_path: Path) -> Path:
    return tmp_path / "raw"
