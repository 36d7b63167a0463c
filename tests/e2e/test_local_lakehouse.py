"""The whole local lakehouse on a fresh data root: generator -> bronze (Spark) -> dbt build -> docs.

Counts must reconcile exactly with what the generator says it wrote (its manifests):
raw lines = bronze rows + rejects; bronze rows = silver rows + rows filtered for a counted reason;
gold aggregates add up to silver.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

import duckdb
import pytest
from deltalake import DeltaTable

from ingestion.bronze import BronzeJobOptions, run
from ingestion.cli import step_build, step_dashboard, step_docs
from ingestion.config import OakvaleSettings
from ingestion.generator import generate_dataset

pytestmark = [pytest.mark.spark, pytest.mark.slow]
DAYS = (dt.date(2026, 11, 20), dt.date(2026, 11, 21))
COUNTS = {"movies": 600, "reviews": 2500}


@pytest.fixture(scope="module")
def lakehouse(spark, tmp_path_factory):
    settings = OakvaleSettings(data_root=str(tmp_path_factory.mktemp("e2e") / "root"))
    manifests = defaultdict(list)
    for day in DAYS:
        for dataset, count in COUNTS.items():
            manifests[dataset].append(
                generate_dataset(dataset, count, 11, day, settings.raw_root, movie_universe=COUNTS["movies"])
            )
    results = {ds: run(spark, BronzeJobOptions(dataset=ds, data_root=settings.data_root)) for ds in COUNTS}
    step_build(settings)
    step_docs(settings)
    step_dashboard(settings)
    return settings, manifests, results


def total(manifests, attribute: str) -> int:
    return sum(getattr(m, attribute) for m in manifests)


def dirt(manifests, kind: str) -> int:
    return sum(m.dirt[kind] for m in manifests)


def warehouse(settings: OakvaleSettings) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(settings.warehouse_path, read_only=True)


@pytest.mark.parametrize("dataset", list(COUNTS))
def test_raw_equals_bronze_plus_rejects(lakehouse, dataset):
    settings, manifests, results = lakehouse
    bronze = DeltaTable(settings.bronze_table_path(dataset)).to_pyarrow_table().num_rows
    rejects = DeltaTable(settings.bronze_table_path(f"{dataset}_rejects")).to_pyarrow_table().num_rows

    assert bronze == results[dataset].rows == total(manifests[dataset], "valid_lines")
    assert rejects == results[dataset].rejects == total(manifests[dataset], "malformed_lines")
    assert bronze + rejects == total(manifests[dataset], "lines_written")


@pytest.mark.parametrize("dataset", list(COUNTS))
def test_bronze_equals_silver_plus_filtered_by_reason(lakehouse, dataset):
    settings, manifests, _ = lakehouse
    con = warehouse(settings)
    row = con.execute(
        "select raw_lines, bronze_rows, silver_rows, filtered_rows, filtered_exact_duplicate, filtered_orphan,"
        " filtered_superseded from oakvale_silver.silver_reconciliation where dataset = ?",
        [dataset],
    ).fetchone()
    raw_lines, bronze_rows, silver_rows, filtered, exact_dups, orphans, superseded = row
    silver_table = {"movies": "silver_movies", "reviews": "silver_reviews"}[dataset]

    assert raw_lines == total(manifests[dataset], "lines_written")
    assert bronze_rows == total(manifests[dataset], "valid_lines")
    assert silver_rows == con.execute(f"select count(*) from oakvale_silver.{silver_table}").fetchone()[0]
    assert silver_rows + filtered == bronze_rows
    assert exact_dups == dirt(manifests[dataset], "exact_duplicates")
    if dataset == "reviews":
        assert orphans == dirt(manifests["reviews"], "orphan_reviews")
        assert superseded == dirt(manifests["reviews"], "resent_records")


def test_gold_adds_up_to_silver(lakehouse):
    settings, _, _ = lakehouse
    con = warehouse(settings)

    def one(sql: str):
        return con.execute(sql).fetchone()[0]

    assert one("select count(*) from oakvale_gold.gold_movie_performance") == one(
        "select count(*) from oakvale_silver.silver_movies"
    )
    assert one("select sum(review_count) from oakvale_gold.gold_movie_performance") == one(
        "select count(*) from oakvale_silver.silver_reviews"
    )
    assert one("select sum(movie_count) from oakvale_gold.gold_genre_summary") == one(
        "select count(*) from oakvale_silver.silver_movie_genres"
    )
    assert one("select sum(review_count) from oakvale_gold.gold_monthly_review_trends") == one(
        "select count(*) from oakvale_silver.silver_reviews"
    )


def test_outputs_live_under_the_data_root(lakehouse):
    settings, _, _ = lakehouse
    root = Path(settings.data_root)
    assert DeltaTable.is_deltatable(str(root / "lakehouse/bronze/movies"))
    assert (root / "warehouse/oakvale.duckdb").is_file()
    assert (root / "docs/index.html").is_file() and (root / "docs/catalog.json").is_file()
    assert "oakvale_bronze.movies" in (root / "lakehouse/_catalog.json").read_text()


def test_dashboard_shows_every_gold_question_with_rows(lakehouse):
    from html.parser import HTMLParser

    from ingestion.dashboard import load_queries

    settings, _, _ = lakehouse

    class Sections(HTMLParser):
        def __init__(self):
            super().__init__()
            self.rows: dict[str, int] = {}

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "section":
                self.rows[attrs["id"]] = int(attrs["data-rows"])

    parser = Sections()
    parser.feed(Path(settings.dashboard_path).read_text())
    assert set(parser.rows) == {q.name for q in load_queries()}
    assert all(count > 0 for count in parser.rows.values()), parser.rows
