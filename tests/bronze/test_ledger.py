"""The batch ledger without Spark: planning, replay of an unfinished plan, dedup by name and content."""

from __future__ import annotations

from ingestion.bronze.ledger import Ledger, RawFile, is_raw_data_file, list_raw_files
from tests.bronze.conftest import movie, write_raw


def test_only_data_files_are_raw_input():
    assert is_raw_data_file("s3://b/raw/movies/ingest_date=2026-11-20/run-0.json.gz")
    assert is_raw_data_file("/x/run-0.json")
    assert not is_raw_data_file("/x/run.manifest.json")
    assert not is_raw_data_file("/x/.run-0.json.tmp")
    assert not is_raw_data_file("/x/_SUCCESS")


def test_unfinished_plan_is_replayed_unchanged(tmp_path):
    raw = tmp_path / "raw"
    write_raw(tmp_path, "movies", "2026-11-20", "a", [movie(1)])
    ledger = Ledger(str(tmp_path / "bronze"), "movies")
    first = ledger.next_plan(list_raw_files(str(raw / "movies")), committed_version=0)
    write_raw(tmp_path, "movies", "2026-11-21", "b", [movie(2)])  # arrives after the plan was made

    again = ledger.next_plan(list_raw_files(str(raw / "movies")), committed_version=0)
    assert again == first and len(again.files) == 1
    after_commit = ledger.next_plan(list_raw_files(str(raw / "movies")), committed_version=1)
    assert after_commit.version == 2 and [f.uri.rsplit("/", 1)[-1] for f in after_commit.files] == ["b.json"]


def test_new_files_skip_seen_names_and_seen_content_but_not_empty_files():
    seen = [RawFile("/r/a.json", 10, "h1"), RawFile("/r/e.json", 0, "empty")]
    incoming = [
        RawFile("/r/a.json", 10, "h1"),  # same file again
        RawFile("/r/copy-of-a.json", 10, "h1"),  # same bytes, new name
        RawFile("/r/e2.json", 0, "empty"),  # another empty file is its own file
        RawFile("/r/b.json", 5, "h2"),
        RawFile("/r/b-twice.json", 5, "h2"),  # duplicated inside one delivery
    ]
    assert [f.uri for f in Ledger.new_files(incoming, seen)] == ["/r/e2.json", "/r/b.json"]
