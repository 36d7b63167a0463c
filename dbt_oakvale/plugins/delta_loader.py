"""dbt-duckdb plugin: read bronze Delta tables offline.

``extensions: [delta]`` in a profile downloads the extension and fails without internet, and
importing ``duckdb_extension_delta`` registers nothing (the wheel only ships the extension file).
This plugin LOADs that file on every connection, and creates the warehouse folder, which DuckDB does
not do, before dbt-duckdb opens the database file.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import duckdb
from dbt.adapters.duckdb.plugins import BasePlugin


class DeltaExtensionNotFound(RuntimeError):
    """The duckdb-extension-delta wheel is missing or does not match the duckdb version."""


def delta_extension_path() -> Path:
    """The ``delta.duckdb_extension`` shipped in the duckdb-extension-delta wheel for this duckdb."""
    import duckdb_extension_delta

    package = Path(duckdb_extension_delta.__file__).parent
    candidate = package / "extensions" / f"v{duckdb.__version__}" / "delta.duckdb_extension"
    if candidate.exists():
        return candidate
    found = sorted(package.glob("extensions/*/delta.duckdb_extension"))
    raise DeltaExtensionNotFound(
        f"no delta extension for duckdb {duckdb.__version__} in {package} (found {[str(p) for p in found]}); "
        "install duckdb-extension-delta with the same version as duckdb"
    )


class Plugin(BasePlugin):
    def initialize(self, plugin_config: dict[str, Any]) -> None:
        self._extension = delta_extension_path()
        path = getattr(self.creds, "path", None) if self.creds is not None else None
        if path and path != ":memory:" and not path.startswith(("md:", "motherduck:")):
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)

    def configure_connection(self, conn: duckdb.DuckDBPyConnection) -> None:
        conn.execute(f"LOAD '{self._extension}'")
        # Bronze `_ingested_at` is a UTC instant; cast to a plain timestamp it must stay UTC.
        conn.execute("SET TimeZone = 'UTC'")
