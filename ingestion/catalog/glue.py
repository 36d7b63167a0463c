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
            self._glue.create_database(DatabaseInput={"Name": name})

    def register(self, table: CatalogTable) -> None:
        self.ensure_database(table.database)
        spec = table_input(table)
        try:
            self._glue.update_table(DatabaseName=table.database, TableInput=spec)
            log.info("glue: updated %s.%s (delta version %s)", table.database, table.name, table.delta_version)
        except self._glue.exceptions.EntityNotFoundException:
            self._glue.create_table(DatabaseName=table.database, TableInput=spec)
            log.info("glue: created %s.%s at %s", table.database, table.name, table.location)
