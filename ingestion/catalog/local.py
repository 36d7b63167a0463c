"""The local catalog: a small JSON registry of bronze tables beside the lakehouse.

The local dbt target reads bronze straight from the Delta folders (delta_scan); this registry is
what `oakvale tables` lists and what tools look at to find a table, its schema and its version.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
from collections.abc import Iterator
from pathlib import Path

from ingestion import storage
from ingestion.catalog.base import CatalogTable


class LocalCatalog:
    def __init__(self, data_root: str):
        self.path = storage.join(data_root, "lakehouse", "_catalog.json")

    def tables(self) -> dict[str, dict]:
        if not storage.exists(self.path):
            return {}
        return json.loads(storage.read_bytes(self.path))

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Concurrent runs (movies and reviews at once) update the file one at a time, or one's entry is lost."""
        if storage.is_s3(self.path):
            yield
            return
        lock = Path(self.path).with_name("._catalog.lock")
        lock.parent.mkdir(parents=True, exist_ok=True)
        with open(lock, "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            yield

    def register(self, table: CatalogTable) -> None:
        with self._locked():
            self._register(table)

    def _register(self, table: CatalogTable) -> None:
        entries = self.tables()
        entries[f"{table.database}.{table.name}"] = {
            "location": table.location,
            "format": "delta",
            "delta_version": table.delta_version,
            "partition_columns": list(table.partition_columns),
            "columns": {f.name: str(f.type) for f in table.schema},
            "description": table.description,
        }
        storage.write_bytes(self.path, json.dumps(entries, indent=1, sort_keys=True).encode())
