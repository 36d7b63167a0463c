"""Register a committed bronze table where its readers look: the Glue Data Catalog or a local registry."""

from ingestion.catalog.base import CatalogTable, TableCatalog, catalog_for

__all__ = ["CatalogTable", "TableCatalog", "catalog_for"]
