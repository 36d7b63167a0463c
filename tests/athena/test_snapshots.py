"""Part 2: the SQL each seed and model sends to Athena, committed under tests/athena/snapshots/.

The statements come from moto's recorded queries (not target/run, which holds only each node's
main statement), normalized (no query comment, UUIDs, trailing blanks). A change to a model or a
macro shows here as a diff of its Athena SQL. Regenerate after an intended change:

    make athena-snapshots      (OAKVALE_UPDATE_ATHENA_SNAPSHOTS=1 pytest tests/athena/test_snapshots.py)
"""

from __future__ import annotations

import os

from tools.athena_check import snapshots


def test_athena_sql_matches_the_committed_snapshots(athena):
    captured = snapshots.render_all(athena.captured)
    assert len(captured) >= len(athena.nodes()), "some seeds or models sent nothing"
    if os.environ.get("OAKVALE_UPDATE_ATHENA_SNAPSHOTS") == "1":
        written = snapshots.write(captured)
        print(f"wrote {len(written)} snapshots to {snapshots.SNAPSHOT_DIR}")
        return
    problems = snapshots.differences(captured)
    assert not problems, (
        "Athena SQL differs from tests/athena/snapshots/ (run `make athena-snapshots` if intended):\n\n"
        + "\n\n".join(problems))


def test_normalization_removes_what_changes_between_runs():
    sql = ("location='s3://b/lakehouse/oakvale_silver/silver_movies/4de5fa64-6565-4759-8d46-f7517d5b48d0',  \n\n\n"
           "select 1   ")
    assert snapshots.normalize(sql) == "location='s3://b/lakehouse/oakvale_silver/silver_movies/<uuid>',\n\nselect 1"


def test_a_changed_model_shows_as_a_diff_of_its_athena_sql(athena, tmp_path):
    captured = snapshots.render_all(athena.captured)
    snapshots.write(captured, tmp_path)
    name = "model.silver_movies.sql"
    before = "nullif(trim(title), '') as title"
    assert before in captured[name]
    changed = {**captured, name: captured[name].replace(before, "trim(title) as title")}
    del changed["seed.genre_variants.sql"]
    problems = snapshots.differences(changed, tmp_path)
    diff = next(p for p in problems if name in p)
    assert f"-        {before}," in diff and "+        trim(title) as title," in diff, diff
    assert any(p.startswith("seed.genre_variants.sql: committed, but") for p in problems)
