"""Shared fixtures for the generator tests: small runs only (the machine is shared)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

DATE = dt.date(2026, 11, 23)


@pytest.fixture
def raw_root(tmp_path: Path) -> Path:
    return tmp_path / "raw"


def load_manifest(root: Path, manifest: Any) -> dict[str, Any]:
    """The manifest as written next to the data (not the returned object)."""
    return json.loads((root / manifest.manifest_path).read_text())
