"""Source freshness on _ingested_at: stale bronze fails, a batch ingested now passes."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tests.dbt import bronze_fixture as fx
from tests.dbt.conftest import DbtProject

pytestmark = pytest.mark.slow


def _freshness(project: DbtProject) -> dict[str, str]:
    target = project.data_root / "freshness"
    project.dbt("source", "freshness", target_path=target)
    results = json.loads((target / "sources.json").read_text())["results"]
    return {r["unique_id"].split(".")[-1]: r["status"] for r in results}


def test_freshness_fails_on_stale_bronze_and_passes_after_a_new_batch(
    dbt_project: DbtProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    bronze = fx.write_bronze_fixture(dbt_project.data_root, days=1)
    assert set(_freshness(dbt_project).values()) == {"error"}  # the fixture's batch is weeks old

    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    monkeypatch.setitem(fx.INGESTED_AT, now.date(), now)
    fx.append_day(bronze, now.date(), 2, [fx.CLEAN_1], [fx.R1], [("{", "malformed_json")], [("{", "malformed_json")])
    assert _freshness(dbt_project) == dict.fromkeys(("movies", "reviews", "movies_rejects", "reviews_rejects"), "pass")
