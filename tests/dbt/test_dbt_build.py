"""The dbt project builds on the bronze fixture, reconciles, and an incremental build over two
batches gives the same silver and gold as a full refresh over the same data."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.dbt.bronze_fixture import DAY1, DAY2, EXPECTED, MOVIE_REJECTS, MOVIES, REVIEW_REJECTS, REVIEWS, append_day
from tests.dbt.conftest import GOLD_TABLES, SILVER_TABLES, DbtProject, assert_ok

pytestmark = pytest.mark.slow


def _reconciled(project: DbtProject, days: int) -> None:
    expected = EXPECTED[days]
    rec = project.reconciliation()
    movies, reviews = rec["movies"], rec["reviews"]
    assert movies["bronze_rows"] == expected["bronze_movies"]
    assert movies["silver_rows"] == expected["silver_movies"]
    assert movies["filtered_superseded"] == expected["movies_superseded"]
    assert movies["filtered_exact_duplicate"] == expected["movies_duplicate"]
    assert movies["filtered_missing_key"] == expected["movies_missing_key"]
    assert movies["rejected_lines"] == expected["movie_rejects"]
    assert reviews["bronze_rows"] == expected["bronze_reviews"]
    assert reviews["silver_rows"] == expected["silver_reviews"]
    assert reviews["filtered_superseded"] == expected["reviews_superseded"]
    assert reviews["filtered_exact_duplicate"] == expected["reviews_duplicate"]
    assert reviews["filtered_orphan"] == expected["reviews_orphan"]
    assert reviews["filtered_missing_key"] == expected["reviews_missing_key"]
    assert reviews["rejected_lines"] == expected["review_rejects"]
    for row in rec.values():
        assert row["bronze_rows"] == row["silver_rows"] + row["filtered_rows"]
        assert row["raw_lines"] == row["bronze_rows"] + row["rejected_lines"]


@pytest.fixture(scope="module")
def incremental_then_full(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Day 1 built, day 2 appended and built incrementally, then a full refresh of the same data."""
    project = DbtProject(tmp_path_factory.mktemp("dbt-incremental") / "data")
    bronze = project.data_root / "lakehouse" / "bronze"
    append_day(bronze, DAY1, 1, MOVIES[DAY1], REVIEWS[DAY1], MOVIE_REJECTS[DAY1], REVIEW_REJECTS[DAY1])
    first = project.dbt("build")
    assert_ok(first)
    day1 = {"reconciliation": project.reconciliation(), "silver_movies": project.table("silver_movies")}
    _reconciled(project, 1)

    append_day(bronze, DAY2, 2, MOVIES[DAY2], REVIEWS[DAY2], MOVIE_REJECTS[DAY2], REVIEW_REJECTS[DAY2])
    incremental = project.dbt("build")
    assert_ok(incremental)
    incremental_sql = {
        kind: {p.stem: p.read_text() for p in (project.target_path / kind / "oakvale" / "models" / "silver").glob("*.sql")}
        for kind in ("run", "compiled")
    }
    after_incremental = {name: project.table(name) for name in GOLD_TABLES + SILVER_TABLES}
    _reconciled(project, 2)

    full = project.dbt("run", "--full-refresh")
    assert_ok(full)
    after_full = {name: project.table(name) for name in GOLD_TABLES + SILVER_TABLES}
    return {
        "project": project, "day1": day1, "first": first, "incremental": incremental, "full": full,
        "after_incremental": after_incremental, "after_full": after_full, "incremental_sql": incremental_sql,
    }  # fmt: skip


def test_first_build_passes_every_test_and_reconciles(incremental_then_full: dict) -> None:
    first = incremental_then_full["first"]
    kinds = {r["unique_id"].split(".")[0] for r in first.results}
    assert {"model", "seed", "test", "unit_test"} <= kinds
    assert not first.failed()
    tests = [r for r in first.results if r["unique_id"].startswith(("test.", "unit_test."))]
    assert len(tests) > 150  # schema tests on every model + unit tests
    assert all(r["status"] == "pass" for r in tests), [r["unique_id"] for r in tests if r["status"] != "pass"]


def test_second_batch_is_merged_incrementally(incremental_then_full: dict) -> None:
    """The second run is incremental: the silver models merge rather than rebuild."""
    incremental = incremental_then_full["incremental"]
    silver = {r["unique_id"] for r in incremental.results if r["unique_id"].startswith("model.oakvale.silver_")}
    assert silver, incremental.output[-2000:]
    sql = incremental_then_full["incremental_sql"]
    for model in ("silver_movies", "silver_reviews"):
        assert "merge into" in sql["run"][model].lower(), model
        assert "_ingested_at > (select max(_ingested_at) from" in sql["compiled"][model], model
    # the genre bridge is rebuilt, so a genre a newer version dropped does not linger
    assert "merge into" not in sql["run"]["silver_movie_genres"].lower()
    assert "existing_version" in sql["compiled"]["silver_movies"]
    assert "existing_version" in sql["compiled"]["silver_reviews"]


def test_latest_version_wins_across_batches(incremental_then_full: dict) -> None:
    project: DbtProject = incremental_then_full["project"]
    box_office = dict(project.query("select movie_id, box_office_usd from oakvale_silver.silver_movies"))
    assert box_office["tt0000001"] == 7_000_000  # re-sent on day 2 with a later updated_at
    assert box_office["tt0000002"] == 30_500_000  # an older version arriving on day 2 does not win
    ratings = dict(project.query("select review_id, rating_normalized from oakvale_silver.silver_reviews"))
    assert ratings["rv00000000000a"] == 8.5  # older review_ts on day 2 loses
    assert ratings["rv00000000000c"] == 4.0  # "2/5" re-sent on day 2 with the same review_ts wins


@pytest.mark.parametrize("name", GOLD_TABLES + SILVER_TABLES)
def test_full_refresh_equals_incremental(incremental_then_full: dict, name: str) -> None:
    incremental = incremental_then_full["after_incremental"][name]
    full = incremental_then_full["after_full"][name]
    assert incremental, f"{name} is empty"
    assert incremental == full


def test_docs_generate_on_local(incremental_then_full: dict, tmp_path: Path) -> None:
    project: DbtProject = incremental_then_full["project"]
    docs = project.data_root / "docs"
    result = project.dbt("docs", "generate", target_path=docs)
    assert_ok(result)
    assert (docs / "index.html").exists()
    import json

    catalog = json.loads((docs / "catalog.json").read_text())
    manifest = json.loads((docs / "manifest.json").read_text())
    models = {k: v for k, v in manifest["nodes"].items() if k.startswith("model.oakvale.")}
    assert set(GOLD_TABLES) <= {m["name"] for m in models.values()}
    for unique_id, node in models.items():
        assert node["description"], unique_id
        assert unique_id in catalog["nodes"], unique_id
        for column in catalog["nodes"][unique_id]["columns"]:
            assert node["columns"].get(column, {}).get("description"), f"{unique_id}.{column} undocumented"
    assert "doc.oakvale.__overview__" in manifest["docs"]
    assert {e["name"] for e in manifest["exposures"].values()} >= {"box_office_dashboard", "audience_dashboard"}
