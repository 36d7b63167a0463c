"""What every catalog takes: a committed Delta table's name, location, schema and version."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import pyarrow as pa


@dataclass(frozen=True)
class CatalogTable:
    database: str
    name: str
    location: str
    schema: pa.Schema
    partition_columns: tuple[str, ...]
    delta_version: int
    description: str = ""


class TableCatalog(Protocol):
    def register(self, table: CatalogTable) -> None: ...


def catalog_for(kind: str, *, data_root: str, region: str | None = None) -> TableCatalog | None:
    """`glue` on AWS, `local` for the embedded default, `none` to skip registration."""
    if kind == "glue":
        from ingestion.catalog.glue import GlueCatalog

        return GlueCatalog(region=region)
    if kind == "local":
        from ingestion.catalog.local import LocalCatalog

        return LocalCatalog(data_root)
    if kind == "none":
        return None
    raise ValueError(f"unknown catalog {kind!r}: use glue, local or none")
