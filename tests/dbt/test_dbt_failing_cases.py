"""Tests that can fail do fail: broken bronze data fails the schema and reconciliation tests, and
broken cleaning logic fails the unit test of its dirt kind."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest
from deltalake import write_deltalake

from tests.dbt import bronze_fixture as fx
from tests.dbt.conftest import DbtProject, assert_ok, copy_project

pytestmark = pytest.mark.slow


def _write_broken_bronze(data_root: Path) -> None:
    bronze = data_root / "lakehouse" / "bronze"
    movies = [
        fx.CLEAN_1,
        # parses, but a release year no film can have: the range tests must catch it
        fx._movie("tt0000002", "Too Old", '["Drama"]', "Universal Pictures", "01/01/1500", "90", "1", "2", "R",
                  "2026-11-01T10:00:00Z"),
    ]
    reviews = [
        fx.R1,
        # one review_id whose latest version names a movie outside the universe and whose older
        # version names a real one: silver drops it as an orphan, the reconciliation does not
        # count it as one (it has a version with a movie), so bronze != silver + filtered
        fx._review("rv0000000000f1", "tt0000001", "5", "2026-10-01T12:00:00Z", "critic", "[]"),
        fx._review("rv0000000000f1", "tt9999999", "6", "2026-10-02T12:00:00Z", "critic", "[]"),
    ]
    # a reject reason the contract does not know
    fx.append_day(bronze, fx.DAY1, 1, movies, reviews, [("garbage", "encoding_error")], [])
    # a batch without a batch id
    table = fx._data_table([fx.R1 | {"review_id": "rv0000000000f2"}], fx.REVIEW_FIELDS, "reviews", fx.DAY2, 2)
    index = table.schema.get_field_index("_batch_id")
    table = table.set_column(index, table.schema.field(index), pa.nulls(table.num_rows, pa.string()))
    write_deltalake(str(bronze / "reviews"), table, mode="append", partition_by=["_ingest_date"])


EXPECTED_FAILURES = {
    "accepted_range_silver_movies_release_year": "release year 1500 is out of range",
    "accepted_range_silver_movies_release_date": "release date 1500-01-01 is out of range",
    "accepted_range_gold_movie_performance_release_year": "gold carries the bad year on",
    "accepted_range_gold_release_year_summary_release_year": "gold carries the bad year on",
    "expression_is_true_silver_reconciliation_bronze_rows_silver_rows_filtered_rows": "rows lost between bronze and silver",
    "source_accepted_values_bronze_movies_rejects__reject_reason": "unknown reject reason",
    "expression_is_true_silver_reconciliation_rejected_lines_rejected_malformed_json": "a reject reason nobody counts",
    "source_not_null_bronze_reviews__batch_id": "null _batch_id",
    "not_null_silver_reviews__batch_id": "null _batch_id carried into silver",
}


def test_broken_bronze_fails_the_right_tests(dbt_project: DbtProject) -> None:
    _write_broken_bronze(dbt_project.data_root)
    assert_ok(dbt_project.dbt("seed"))
    assert_ok(dbt_project.dbt("run"))
    result = dbt_project.dbt("test", "--exclude", "test_type:unit")
    assert result.returncode != 0
    failed = {uid.split(".")[2] for uid in result.failed()}
    for prefix, why in EXPECTED_FAILURES.items():
        assert any(name.startswith(prefix) for name in failed), f"expected a failure ({why}): {prefix}"
    unexpected = {name for name in failed if not name.startswith(tuple(EXPECTED_FAILURES))}
    assert not unexpected, f"tests failed for reasons this data does not explain: {unexpected}"
    # and the same tests pass on clean data: see test_dbt_build.py


MUTATIONS = {
    # dirt kind: (file, original text, broken text, the unit test that must fail)
    "numbers_as_strings": (
        "macros/cleaning.sql", "'[^0-9.\\\\-]'", "'[^0-9.\\\\-$,]'", "silver_movies_numbers_as_strings",
    ),
    "date_formats": (
        # 'M/D/YYYY' read as 'D/M/YYYY': its month comes from the day's group
        "macros/cleaning.sql", "lpad(coalesce({{ g[2] }}, {{ g[4] }},", "lpad(coalesce({{ g[2] }}, {{ g[5] }},",
        "silver_movies_date_formats",
    ),
    "resent_records": (
        "models/silver/silver_movies.sql", "updated_at desc nulls last", "updated_at asc nulls last",
        "silver_movies_exact_duplicates_and_resent_records",
    ),
    "orphan_reviews": (
        "models/silver/silver_reviews.sql", "inner join movies", "left join movies",
        "silver_reviews_duplicates_resent_orphans",
    ),
    "out_of_range": (
        "models/silver/silver_reviews.sql", "rating_value between 0.5 and 5 and", "rating_value between 0 and 10 and",
        "silver_reviews_out_of_range",
    ),
    "category_variants": (
        "models/silver/silver_movies.sql", "{{ oakvale.category_key('not_superseded.studio_raw') }}",
        "lower(not_superseded.studio_raw)", "silver_movies_category_variants",
    ),
}


@pytest.fixture(scope="module")
def mutation_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("dbt-mutations") / "data"
    fx.write_bronze_fixture(root, days=1)
    return root


@pytest.mark.parametrize("kind", sorted(MUTATIONS))
def test_broken_cleaning_fails_its_unit_test(kind: str, mutation_root: Path, tmp_path: Path) -> None:
    path, original, broken, unit_test = MUTATIONS[kind]
    project_dir = copy_project(tmp_path / "dbt_oakvale")
    source = project_dir / path
    text = source.read_text()
    assert original in text, f"mutation for {kind} no longer applies to {path}"
    source.write_text(text.replace(original, broken))
    project = DbtProject(mutation_root, project_dir=project_dir)
    model = unit_test.split("_")[0] + "_" + unit_test.split("_")[1]
    result = project.dbt("build", "--select", f"+{model}", "--exclude", "test_type:data",
                         target_path=tmp_path / "target")
    assert result.returncode != 0
    failed = {uid.split(".")[-1] for uid in result.failed()}
    assert unit_test in failed, result.output[-3000:]
