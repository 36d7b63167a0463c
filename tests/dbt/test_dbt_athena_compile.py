"""The athena target compiles offline: `dbt compile --target athena` against moto (standing in for
Glue, which dbt-athena lists while compiling) renders every model with the athena__ branches of the
dialect macros, reads bronze from Glue tables, and configures silver/gold as Iceberg with merge.

What this does not show: that Athena accepts the SQL or computes the same result. The statements
dbt-athena sends (Iceberg CTAS, MERGE) only exist at run time; the moto-backed `dbt run`, the grammar
gate and the shadow build in tests/athena cover those."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
import sqlglot

from tests.dbt.conftest import DbtProject, assert_ok

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def athena_compile(tmp_path_factory: pytest.TempPathFactory) -> dict:
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        project = DbtProject(tmp_path_factory.mktemp("dbt-athena") / "data")
        env = project.env(
            OAKVALE_DBT_TARGET="athena", AWS_ENDPOINT_URL=f"http://127.0.0.1:{port}",
            AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_SESSION_TOKEN="testing",
            AWS_DEFAULT_REGION="us-east-1", AWS_REGION="us-east-1", AWS_MAX_ATTEMPTS="1",
            OAKVALE_ATHENA_S3_STAGING_DIR="s3://oakvale-test-results/dbt/",
            OAKVALE_ATHENA_S3_DATA_DIR="s3://oakvale-test-lakehouse/lakehouse/",
        )  # fmt: skip
        env.pop("AWS_PROFILE", None)
        result = project.dbt("compile", "--target", "athena", env=env)
        assert_ok(result)
        compiled_root = project.target_path / "compiled" / "oakvale" / "models"
        compiled = {p.stem: p.read_text() for p in compiled_root.rglob("*.sql")}
        manifest = json.loads((project.target_path / "manifest.json").read_text())
        return {"compiled": compiled, "manifest": manifest}
    finally:
        server.stop()


MODELS = (
    "silver_movies", "silver_movie_genres", "silver_reviews", "silver_reconciliation",
    "gold_genre_summary", "gold_studio_summary", "gold_release_year_summary", "gold_movie_performance",
    "gold_monthly_review_trends", "gold_top_tags",
)  # fmt: skip


def test_every_model_compiles_for_athena(athena_compile: dict) -> None:
    assert set(MODELS) <= set(athena_compile["compiled"])


@pytest.mark.parametrize("model", MODELS)
def test_compiled_sql_parses_as_athena(athena_compile: dict, model: str) -> None:
    sql = athena_compile["compiled"][model]
    assert "delta_scan" not in sql
    sqlglot.parse_one(sql, read="athena")


def test_sources_are_glue_tables_and_dialect_macros_take_the_athena_branch(athena_compile: dict) -> None:
    movies = athena_compile["compiled"]["silver_movies"]
    reviews = athena_compile["compiled"]["silver_reviews"]
    assert '"awsdatacatalog"."oakvale_bronze"."movies"' in movies
    assert '"awsdatacatalog"."oakvale_bronze"."reviews"' in reviews
    assert "try(date_parse(" in movies and "from_iso8601_timestamp" in movies and "from_unixtime" in movies
    assert "json_parse(" in movies and "try_strptime" not in movies and "json_valid" not in movies
    assert "'g')" not in movies  # Trino regexp_replace replaces every match without a flag
    assert '"awsdatacatalog"."oakvale_silver"."genre_variants"' in movies


def test_iceberg_merge_configuration(athena_compile: dict) -> None:
    nodes = {n["name"]: n for n in athena_compile["manifest"]["nodes"].values() if n["resource_type"] == "model"}
    unique_keys = {"silver_movies": "movie_id", "silver_reviews": "review_id"}
    for name, key in unique_keys.items():
        config = nodes[name]["config"]
        assert config["materialized"] == "incremental"
        assert config["incremental_strategy"] == "merge"
        assert config["table_type"] == "iceberg"
        assert config["unique_key"] == key
        assert nodes[name]["schema"] == "oakvale_silver"
    # rebuilt every run: a merge could not drop a genre a movie's newer version no longer has
    assert nodes["silver_movie_genres"]["config"]["materialized"] == "table"
    for name in MODELS:
        assert nodes[name]["config"]["table_type"] == "iceberg"
        assert nodes[name]["schema"] == ("oakvale_gold" if name.startswith("gold_") else "oakvale_silver")
    assert nodes["silver_reviews"]["config"]["partitioned_by"] == ["month(review_ts)"]
