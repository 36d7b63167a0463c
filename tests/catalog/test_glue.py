"""Bronze tables registered in the Glue Data Catalog as native Delta tables (against moto)."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws

from ingestion.bronze.schema import PARTITION_COLUMN, dataset_spec
from ingestion.catalog import CatalogTable
from ingestion.catalog.glue import GlueCatalog, hive_type
from ingestion.catalog.local import LocalCatalog


@pytest.fixture
def glue(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        yield boto3.client("glue", region_name="us-east-1")


def table(version: int = 0) -> CatalogTable:
    spec = dataset_spec("movies")
    return CatalogTable(
        "oakvale_bronze", "movies", "s3://lake/lakehouse/bronze/movies", spec.data_schema(), (PARTITION_COLUMN,), version
    )


def test_register_creates_a_delta_table_athena_can_read(glue):
    GlueCatalog(client=glue).register(table())

    got = glue.get_table(DatabaseName="oakvale_bronze", Name="movies")["Table"]
    assert got["Parameters"]["table_type"] == "DELTA"
    assert got["TableType"] == "EXTERNAL_TABLE"
    assert got["StorageDescriptor"]["Location"] == "s3://lake/lakehouse/bronze/movies/"
    columns = {c["Name"]: c["Type"] for c in got["StorageDescriptor"]["Columns"]}
    assert columns["movie_id"] == "string" and columns["_ingested_at"] == "timestamp"
    assert [p["Name"] for p in got["PartitionKeys"]] == ["_ingest_date"]
    assert got["PartitionKeys"][0]["Type"] == "date"


def test_register_again_updates_in_place(glue):
    catalog = GlueCatalog(client=glue)
    catalog.register(table(0))
    catalog.register(table(3))
    tables = glue.get_tables(DatabaseName="oakvale_bronze")["TableList"]
    assert len(tables) == 1
    assert tables[0]["Parameters"]["oakvale.delta_version"] == "3"


def test_a_create_race_lost_to_a_concurrent_run_becomes_an_update(glue):
    catalog = GlueCatalog(client=glue)
    catalog.ensure_database("oakvale_bronze")
    real_create_table = glue.create_table

    def another_run_creates_it_first(**kwargs):
        glue.create_table = real_create_table
        real_create_table(DatabaseName="oakvale_bronze", TableInput={**kwargs["TableInput"], "Description": "other run"})
        return real_create_table(**kwargs)  # AlreadyExistsException, as Glue answers the loser

    glue.create_table = another_run_creates_it_first
    catalog.register(table(2))
    got = glue.get_table(DatabaseName="oakvale_bronze", Name="movies")["Table"]
    assert got["Parameters"]["oakvale.delta_version"] == "2"


def test_an_older_registration_never_moves_the_table_back(glue):
    catalog = GlueCatalog(client=glue)
    catalog.register(table(5))
    catalog.register(table(4))  # a slower concurrent run registering what it saw
    assert glue.get_table(DatabaseName="oakvale_bronze", Name="movies")["Table"]["Parameters"]["oakvale.delta_version"] == "5"


def test_unmapped_type_is_an_error():
    import pyarrow as pa

    with pytest.raises(ValueError, match="no Glue type mapping"):
        hive_type(pa.list_(pa.int8()))


def test_local_catalog_records_location_and_version(tmp_path):
    catalog = LocalCatalog(str(tmp_path))
    catalog.register(table(2))
    entry = catalog.tables()["oakvale_bronze.movies"]
    assert entry["delta_version"] == 2 and entry["format"] == "delta"
    assert entry["partition_columns"] == ["_ingest_date"]
