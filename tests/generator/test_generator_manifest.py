"""The manifest says exactly what is in the files: every count is re-derived from the data."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingestion.generator import DIRT_KINDS, DirtRates, generate_dataset, read_manifest

from .generator_audit import DATE, audit, load_manifest

# High rates so every kind shows up many times in a small run.
HEAVY = DirtRates(
    numbers_as_strings=0.08, category_variants=0.08, date_formats=0.08, nulls_and_empty=0.08,
    exact_duplicates=0.05, resent_records=0.05, orphan_reviews=0.05, out_of_range=0.05,
    unknown_fields=0.05, malformed_json=0.03, empty_file=0.5,
)  # fmt: skip


@pytest.mark.parametrize("dataset", ["movies", "reviews"])
@pytest.mark.parametrize("gzip", [False, True])
def test_manifest_counts_match_files(raw_root: Path, dataset: str, gzip: bool) -> None:
    m = generate_dataset(dataset, 3000, 7, DATE, str(raw_root), gzip=gzip, parts=4, dirt=HEAVY, movie_universe=5000)
    written = load_manifest(raw_root, m)
    assert written == m.model_dump(mode="json")
    found = audit(raw_root, written)

    assert set(written["dirt"]) == set(DIRT_KINDS)
    for kind in DIRT_KINDS:
        assert written["dirt"][kind] == found.dirt[kind], kind
    for kind, n in written["dirt_lines"].items():
        assert n == found.dirt_lines[kind], kind
    assert {k: dict(v) for k, v in found.dirt_fields.items()} == written["dirt_fields"]

    for entry in written["files"]:
        fa = found.files[entry["path"]]
        assert entry["lines_written"] == fa.lines
        assert entry["malformed_lines"] == fa.malformed
        assert entry["valid_lines"] == fa.lines - fa.malformed
        assert entry["records"] == len(fa.records)
        assert entry["bytes"] == (raw_root / entry["path"]).stat().st_size
        assert entry["empty_file"] == (entry["bytes"] == 0)
        assert entry["dirt"]["malformed_json"] == fa.malformed

    assert written["records"] == 3000 == sum(f["records"] for f in written["files"])
    assert written["lines_written"] == sum(f.lines for f in found.files.values())
    assert written["malformed_lines"] == written["dirt"]["malformed_json"] > 0
    assert written["valid_lines"] == written["lines_written"] - written["malformed_lines"]
    # Every extra line is accounted for: count + duplicates + older versions + malformed.
    extra = sum(written["dirt"][k] for k in ("exact_duplicates", "resent_records", "malformed_json"))
    assert written["lines_written"] == 3000 + extra


def test_manifest_fields(raw_root: Path) -> None:
    m = generate_dataset("movies", 50, 3, DATE, str(raw_root), gzip=True, parts=2, dirt=DirtRates.none())
    assert m.run_id == "movies-20261123-s3"
    assert m.manifest_path == "movies/ingest_date=2026-11-23/movies-20261123-s3.manifest.json"
    assert (raw_root / m.manifest_path).is_file()
    assert m.options.model_dump()["dirt"] == DirtRates.none().model_dump()
    assert (m.seed, m.ingest_date, m.options.count, m.options.parts, m.options.gzip) == (3, "2026-11-23", 50, 2, True)
    assert [f.path.rsplit("/", 1)[1] for f in m.files] == ["movies-20261123-s3-00000.json.gz", "movies-20261123-s3-00001.json.gz"]
    assert m.file_uris()[0] == f"{raw_root}/{m.files[0].path}"
    assert m.lines_written == m.valid_lines == 50 and m.malformed_lines == 0
    assert all(v == 0 for v in m.dirt.values())
    assert read_manifest(f"{raw_root}/{m.manifest_path}") == m


def test_relative_local_root_is_made_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    m = generate_dataset("reviews", 5, 1, DATE, "rel/raw/", dirt=DirtRates.none())
    assert m.raw_root == str(tmp_path / "rel" / "raw")
    assert Path(m.file_uris()[0]).is_file()
