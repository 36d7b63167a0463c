"""The Glue mirror on its own (no dbt): each statement kind changes moto's Glue as Athena would."""

from __future__ import annotations

import logging

import pytest

from tools.athena_check.mirror import AthenaMirror, header_node_id, strip_header
from tools.athena_check.stack import MotoStack


@pytest.fixture(scope="module")
def glue():
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    # reset=False: the suite's session stack may be running in this process (moto's state is global)
    with MotoStack(reset=False) as stack:
        client = stack.client("glue")
        client.create_database(DatabaseInput={"Name": "src"})
        client.create_database(DatabaseInput={"Name": "dst"})
        client.create_table(DatabaseName="src", TableInput={
            "Name": "t", "TableType": "EXTERNAL_TABLE", "Parameters": {"table_type": "DELTA"},
            "StorageDescriptor": {"Columns": [{"Name": "id", "Type": "string"}, {"Name": "n", "Type": "string"},
                                              {"Name": "ts", "Type": "timestamp"}], "Location": "s3://b/t/"},
        })
        yield client
        for database in ("src", "dst"):
            for table in client.get_tables(DatabaseName=database)["TableList"]:
                client.delete_table(DatabaseName=database, Name=table["Name"])
            client.delete_database(Name=database)


@pytest.fixture
def mirror(glue):
    return AthenaMirror(lambda: glue)


def columns(glue, db, name):
    return [(c["Name"], c["Type"]) for c in glue.get_table(DatabaseName=db, Name=name)["Table"]["StorageDescriptor"]["Columns"]]


def test_ctas_iceberg_creates_a_typed_iceberg_table(glue, mirror):
    mirror.mirror("""create table "awsdatacatalog"."dst"."x" with (table_type='iceberg', is_external=false,
        location='s3://b/dst/x/1', partitioning=ARRAY['bucket(4, id)'], format='parquet') as
        with s as (select * from "awsdatacatalog"."src"."t")
        select id, try(cast(n as integer)) as n_int, try(cast(json_parse(n) as array(varchar))) as parts,
               cast(ts as timestamp(6)) as ts, n is null as missing from s""", None)
    table = glue.get_table(DatabaseName="dst", Name="x")["Table"]
    assert table["Parameters"]["table_type"] == "ICEBERG"
    assert table["StorageDescriptor"]["Location"] == "s3://b/dst/x/1"
    assert columns(glue, "dst", "x") == [("id", "string"), ("n_int", "int"), ("parts", "array<string>"),
                                         ("ts", "timestamp"), ("missing", "boolean")]


def test_rename_drop_and_external_table(glue, mirror):
    mirror.mirror("create external table `dst`.`seed__tmp` (`a` string, `b` string) row format serde "
                  "'org.apache.hadoop.hive.serde2.OpenCSVSerde' location 's3://b/seed' "
                  "tblproperties ('skip.header.line.count'='1')", None)
    assert columns(glue, "dst", "seed__tmp") == [("a", "string"), ("b", "string")]
    mirror.mirror("alter table `dst`.`seed__tmp` rename to `dst`.`seed`", None)
    assert columns(glue, "dst", "seed") == [("a", "string"), ("b", "string")]
    with pytest.raises(glue.exceptions.EntityNotFoundException):
        glue.get_table(DatabaseName="dst", Name="seed__tmp")
    mirror.mirror("drop table if exists `dst`.`seed`", None)
    mirror.mirror("drop table if exists `dst`.`seed`", None)  # IF EXISTS: no error the second time
    with pytest.raises(glue.exceptions.EntityNotFoundException):
        glue.get_table(DatabaseName="dst", Name="seed")


def test_views_and_statements_without_catalog_effect(glue, mirror):
    mirror.mirror('create or replace view "awsdatacatalog"."dst"."v" as select id from "awsdatacatalog"."src"."t"', None)
    mirror.mirror('create or replace view "awsdatacatalog"."dst"."v" as select id, n from "awsdatacatalog"."src"."t"', None)
    view = glue.get_table(DatabaseName="dst", Name="v")["Table"]
    assert view["TableType"] == "VIRTUAL_VIEW" and columns(glue, "dst", "v") == [("id", "string"), ("n", "string")]
    before = glue.get_tables(DatabaseName="dst")["TableList"]
    assert mirror.mirror('merge into "dst"."v" as target using "src"."t" as src on (target.id = src.id) '
                         "when not matched then insert (id) values (src.id)", None) == ""
    assert mirror.mirror("select 1", None) == ""
    assert len(glue.get_tables(DatabaseName="dst")["TableList"]) == len(before)


def test_a_statement_the_mirror_cannot_follow_is_an_error_not_a_silence(glue, mirror):
    mirror.on_query('-- /* {"node_id": "model.oakvale.broken"} */\ncreate table "dst"."y" as select * from nowhere',
                    None, "wg", "q1")
    assert mirror.errors and "model.oakvale.broken" in mirror.errors[0]


def test_query_comment_parsing():
    query = '-- /* {"app": "dbt", "node_id": "model.oakvale.silver_movies"} */\nselect 1'
    assert header_node_id(query) == "model.oakvale.silver_movies"
    assert strip_header(query) == "select 1"
    assert header_node_id("alter table `a`.`b` rename to `a`.`c`") is None
