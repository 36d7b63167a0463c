"""The Glue Data Catalog: bronze tables as native Delta tables that Athena engine v3 queries directly.

Athena reads a Delta table's schema and files from its transaction log; Glue needs the location and
`table_type=DELTA`. Columns are written too (as Athena itself syncs them) so the catalog, Lake
Formation and dbt docs show the real schema.
"""

from __future__ import annotations

import logging

import boto3
import pyarrow as pa

from ingestion.catalog.base import CatalogTable

log = logging.getLogger(__name__)

_HIVE_TYPES = {
    pa.string(): "string",
    pa.large_string(): "string",
    pa.binary(): "binary",
    pa.date32(): "date",
    pa.int64(): "bigint",
    pa.int32(): "int",
    pa.float64(): "double",
    pa.bool_(): "boolean",
}


def hive_type(arrow_type: pa.DataType) -> str:
    if pa.types.is_timestamp(arrow_type):
        return "timestamp"
    try:
        return _HIVE_TYPES[arrow_type]
    except KeyError:
        raise ValueError(f"no Glue type mapping for Arrow type {arrow_type}") from None


def table_input(table: CatalogTable) -> dict:
    columns = [
        {"Name": f.name, "Type": hive_type(f.type)} for f in table.schema if f.name not in table.partition_columns
    ]
    partitions = [{"Name": name, "Type": hive_type(table.schema.field(name).type)} for name in table.partition_columns]
    return {
        "Name": table.name,
        "Description": table.description,
        "TableType": "EXTERNAL_TABLE",
        "Parameters": {
            "table_type": "DELTA",
            "EXTERNAL": "TRUE",
            "classification": "delta",
            "oakvale.delta_version": str(table.delta_version),
        },
        "PartitionKeys": partitions,
        "StorageDescriptor": {
            "Columns": columns,
            "Location": table.location.rstrip("/") + "/",
            "SerdeInfo": {"Parameters": {"path": table.location.rstrip("/") + "/"}},
        },
    }


class GlueCatalog:
    def __init__(self, region: str | None = None, client=None):
        self._glue = client or boto3.client("glue", region_name=region)

    def ensure_database(self, name: str) -> None:
        try:
            self._glue.get_database(Name=name)
        except self._glue.exceptions.EntityNotFoundException:
            try:
                self._glue.create_database(DatabaseInput={"Name": name})
            except self._glue.exceptions.AlreadyExistsException:
                pass  # a concurrent run created it first

    def register(self, table: CatalogTable) -> None:
        """Create or update the table. Idempotent and safe when runs register at once: a lost create
        race becomes an update, and an entry never moves back to an older Delta version."""
        self.ensure_database(table.database)
        spec = table_input(table)
        for _attempt in range(3):
            try:
                current = self._glue.get_table(DatabaseName=table.database, Name=table.name)["Table"]
            except self._glue.exceptions.EntityNotFoundException:
                try:
                    self._glue.create_table(DatabaseName=table.database, TableInput=spec)
                    log.info("glue: created %s.%s at %s", table.database, table.name, table.location)
                    return
                except self._glue.exceptions.AlreadyExistsException:
                    continue  # created by a concurrent run: update it instead
            registered = int(current.get("Parameters", {}).get("oakvale.delta_version", "-1"))
            if registered > table.delta_version:
                log.info("glue: %s.%s already at delta version %d", table.database, table.name, registered)
                return
            self._glue.update_table(DatabaseName=table.database, TableInput=spec)
            log.info("glue: updated %s.%s (delta version %s)", table.database, table.name, table.delta_version)
            return
