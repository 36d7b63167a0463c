"""The dashboard queries: each names its chart columns and reads exactly one gold table."""

from __future__ import annotations

import pytest

from ingestion.dashboard.render import load_queries

GOLD_TABLES = {
    "gold_genre_summary", "gold_studio_summary", "gold_release_year_summary",
    "gold_movie_performance", "gold_monthly_review_trends", "gold_top_tags",
}


def test_every_gold_table_has_a_dashboard_query():
    assert {q.table for q in load_queries()} == GOLD_TABLES


def test_a_query_without_chart_columns_is_rejected(tmp_path):
    (tmp_path / "broken.sql").write_text("-- A title\nSELECT 1 FROM gold_top_tags\n")
    with pytest.raises(ValueError, match="missing a '-- chart:"):
        load_queries(tmp_path)
