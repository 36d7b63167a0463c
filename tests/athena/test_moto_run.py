"""Part 1: `dbt run --target athena`, twice, against moto standing in for Athena and Glue.

What this proves: dbt-athena 1.11.1 accepts the project's configuration for the athena target
(profile, Iceberg table configs, partitioning, unique keys, schema names); every seed and model
sends its statements, in dependency order; the tables land in Glue as Iceberg tables at the S3
locations the project configures (s3_data_dir + <database>/<table>/<uuid>, from infra/'s names);
the second run takes the Iceberg MERGE path for every incremental model; the bronze tables the
models read are the ones the bronze job's own catalog code registers.

What this does NOT prove (moto executes no SQL; see docs/athena.md):
  - that Athena accepts any statement (grammar and functions: test_gate.py; computation:
    test_shadow.py; acceptance by the real engine: only the live stage);
  - the result of any query: moto returns empty results, so data tests, row counts and the merge
    itself are not exercised here (the shadow build executes the SQL in DuckDB instead);
  - column types of the Iceberg tables: Glue columns here are written by the test's mirror from
    sqlglot's type inference, not by Athena;
  - IAM permissions, Lake Formation, KMS, workgroup limits (bytes scanned cutoff), S3 consistency,
    Iceberg snapshot/versioning behaviour and Glue table version expiry at real scale.
"""

from __future__ import annotations

import re

from tools.athena_check.session import HOOKS


def test_the_mirror_kept_glue_in_step_with_every_statement(athena):
    assert athena.mirror.errors == [], "\n\n".join(athena.mirror.errors)
    phases = {c.record.phase for c in athena.captured}
    assert {"seed", "run1", "run2"} <= phases
    # every column type came from the statement or the YAML; report the rest
    sources = athena.mirror.type_sources
    assert sources["statement"] > 0
    print(f"Glue column types: {sources}")


def test_the_bronze_tables_are_the_ones_the_bronze_job_registers(athena):
    names = athena.names
    for table in ("movies", "reviews", "movies_rejects", "reviews_rejects"):
        glue = athena.glue_tables[f"{names.databases['bronze']}.{table}"]
        assert glue["Parameters"]["table_type"] == "DELTA"
        assert glue["StorageDescriptor"]["Location"] == f"{names.bronze_root}/{table}/"
        assert [p["Name"] for p in glue["PartitionKeys"]] == ["_ingest_date"]
    # day 2 was registered again with the new Delta version, as the bronze job does after a commit
    assert athena.bronze_versions["day2"]["movies"] == athena.bronze_versions["day1"]["movies"] + 1


def test_every_seed_and_model_sent_its_statements_in_dependency_order(athena):
    """dbt runs 4 threads (the profile's default), so statements of independent models interleave;
    every statement of a model must still come after every statement of its parents."""
    nodes = athena.nodes()
    assert nodes, "the dbt project has no models yet"
    for phase, resource_type in (("seed", "seed"), ("run1", "model"), ("run2", "model")):
        sent = {c.node for c in athena.statements(phase=phase)} - {HOOKS}
        expected = {uid for uid, n in nodes.items() if n["resource_type"] == resource_type}
        assert sent == expected, f"{phase}: missing {sorted(expected - sent)}, unexpected {sorted(sent - expected)}"

        positions: dict[str, list[int]] = {}
        for index, item in enumerate(athena.statements(phase=phase)):
            positions.setdefault(item.node, []).append(index)
        for uid in expected:
            parents = [p for p in nodes[uid].get("depends_on", {}).get("nodes", []) if p in positions]
            for parent in parents:
                assert max(positions[parent]) < min(positions[uid]), (
                    f"{phase}: {uid} sent a statement before its parent {parent} finished")


def test_silver_and_gold_end_as_iceberg_tables_at_the_configured_locations(athena):
    data_dir = athena.names.s3_data_dir  # profile's s3_data_dir, from infra/'s lakehouse bucket
    for uid, node in athena.nodes(("model",)).items():
        name = node.get("alias") or node["name"]
        key = f"{node['schema']}.{name}"
        assert node["schema"] in (athena.names.databases["silver"], athena.names.databases["gold"]), uid
        assert key in athena.glue_tables, f"{uid}: no Glue table {key} after run 2"
        table = athena.glue_tables[key]
        assert table["Parameters"].get("table_type") == "ICEBERG", f"{key}: {table['Parameters']}"
        location = table["StorageDescriptor"]["Location"]
        # s3_data_naming = schema_table_unique: <s3_data_dir><schema>/<table>/<uuid>
        assert re.fullmatch(rf"{re.escape(data_dir)}{node['schema']}/{name}/[0-9a-f-]{{36}}/?", location), (
            f"{key} at {location}")
        assert table["StorageDescriptor"]["Columns"], f"{key} has no columns in Glue"
    leftovers = [k for k in athena.glue_tables if re.search(r"__(dbt_tmp|ha|bkp)$", k)]
    assert leftovers == [], f"temporary tables left in Glue: {leftovers}"


def test_seeds_end_as_iceberg_tables_in_the_lakehouse(athena):
    """The workgroup enforces its settings, so a Hive seed CTAS (no location) lands under the Athena results
    location, which expires after 30 days (infra/README.md); Iceberg seeds get a location under
    s3_data_dir, in the lakehouse bucket."""
    data_dir = athena.names.s3_data_dir
    seeds = athena.nodes(("seed",))
    assert seeds, "no seeds"
    for uid, node in seeds.items():
        name = node.get("alias") or node["name"]
        key = f"{node['schema']}.{name}"
        assert key in athena.glue_tables, f"{uid}: no Glue table {key}"
        table = athena.glue_tables[key]
        assert table["Parameters"].get("table_type") == "ICEBERG", f"{key}: {table['Parameters']}"
        location = table["StorageDescriptor"]["Location"]
        assert re.fullmatch(rf"{re.escape(data_dir)}{node['schema']}/{name}/[0-9a-f-]{{36}}/?", location), (
            f"{key} at {location}")


def test_the_second_run_merged_every_incremental_model(athena):
    incremental = {uid: n for uid, n in athena.nodes(("model",)).items()
                   if n["config"]["materialized"] == "incremental"}
    assert incremental, "no incremental models"
    for uid, node in incremental.items():
        name = node.get("alias") or node["name"]
        target = f'"{node["database"]}"."{node["schema"]}"."{name}"'
        run2 = [c.record.sql for c in athena.statements(phase="run2", node=uid)]
        run1 = [c.record.sql for c in athena.statements(phase="run1", node=uid)]
        assert any(re.match(rf"create table {re.escape(target)}\s", s, re.IGNORECASE) for s in run1), (
            f"{uid}: run 1 did not create {target}")
        merges = [s for s in run2 if re.match(rf"merge into {re.escape(target)} as target\s+using "
                                              rf"{re.escape(target[:-1])}__dbt_tmp\" as src", s, re.IGNORECASE)]
        assert len(merges) == 1, f"{uid}: run 2 did not merge into {target}:\n" + "\n---\n".join(run2)
        unique_key = node["config"]["unique_key"]
        for key in [unique_key] if isinstance(unique_key, str) else unique_key:
            assert f"target.{key} = src.{key}" in merges[0], f"{uid}: merge not on {key}"
        assert not any(re.match(rf"create table {re.escape(target)}\s", s, re.IGNORECASE) for s in run2), (
            f"{uid}: run 2 rebuilt the table instead of merging")
