"""Determinism, the contract's clean forms, and the semantics of each dirt kind in the files."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest

from ingestion.generator import DirtRates, GeneratorError, Manifest, generate_dataset
from ingestion.generator.vocab import GENRES, MPAA_RATINGS, REVIEW_TAGS, STUDIOS

from .generator_audit import DATE, MOVIE_KEYS, REVIEW_KEYS, parse_ts, read_lines


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _records(root: Path, manifest: Manifest) -> list[dict[str, Any]]:
    return [json.loads(line) for f in manifest.files for line in read_lines(root / f.path)]


@pytest.mark.parametrize("gzip", [False, True])
def test_same_seed_and_options_give_identical_bytes(tmp_path: Path, gzip: bool) -> None:
    for name in ("a", "b"):
        for dataset in ("movies", "reviews"):
            generate_dataset(dataset, 1500, 11, DATE, str(tmp_path / name), gzip=gzip, parts=3, dirt=DirtRates(malformed_json=0.01))
    a, b = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert a.keys() == b.keys() and len(a) >= 8
    for name in a:
        if name.endswith(".manifest.json"):  # the manifest names its raw root; nothing else may differ
            ja, jb = json.loads(a[name]), json.loads(b[name])
            assert ja.pop("raw_root") != jb.pop("raw_root")
            assert ja == jb
        else:
            assert a[name] == b[name], name


def test_other_seed_gives_other_data(tmp_path: Path) -> None:
    one = generate_dataset("reviews", 200, 1, DATE, str(tmp_path / "a"))
    two = generate_dataset("reviews", 200, 2, DATE, str(tmp_path / "b"))
    assert read_lines(tmp_path / "a" / one.files[0].path) != read_lines(tmp_path / "b" / two.files[0].path)


def test_splitting_into_parts_does_not_change_the_records(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("ingestion.generator.generate.CHUNK", 1000)  # parts and chunks cross each other
    rates = DirtRates(empty_file=0.0, exact_duplicates=0.05, resent_records=0.05, malformed_json=0.05)
    one = generate_dataset("movies", 4_500, 5, DATE, str(tmp_path / "one"), dirt=rates)
    many = generate_dataset("movies", 4_500, 5, DATE, str(tmp_path / "many"), dirt=rates, parts=7)
    joined = [line for f in many.files for line in read_lines(tmp_path / "many" / f.path)]
    assert joined == read_lines(tmp_path / "one" / one.files[0].path)
    assert [f.records for f in many.files] == [642, 643, 643, 643, 643, 643, 643]
    assert sum(f.lines_written for f in many.files) == one.lines_written


def test_clean_movies_follow_the_contract(raw_root: Path) -> None:
    m = generate_dataset("movies", 2000, 4, DATE, str(raw_root), dirt=DirtRates.none(), movie_universe=3000)
    recs = _records(raw_root, m)
    assert len(recs) == 2000 and m.lines_written == 2000
    assert len({r["movie_id"] for r in recs}) == 2000
    for r in recs:
        assert tuple(r) == MOVIE_KEYS
        assert re.fullmatch(r"tt\d{7}", r["movie_id"]) and 1 <= int(r["movie_id"][2:]) <= 3000
        assert isinstance(r["title"], str) and r["title"]
        assert 1 <= len(r["genres"]) <= 3 and all(g in GENRES for g in r["genres"])
        assert r["studio"] in STUDIOS and r["mpaa_rating"] in MPAA_RATINGS
        dt.date.fromisoformat(r["release_date"])
        assert all(isinstance(r[k], int) and r[k] > 0 for k in ("runtime_minutes", "budget_usd", "box_office_usd"))
        assert re.fullmatch(r"[a-z]{2}", r["original_language"]) and re.fullmatch(r"[A-Z]{2}", r["country"])
        assert isinstance(r["director"], str) and 2 <= len(r["cast"]) <= 5 and len(set(r["cast"])) == len(r["cast"])
        assert re.fullmatch(r"2026-11-23T\d\d:\d\d:\d\dZ", r["updated_at"])


def test_clean_reviews_follow_the_contract(raw_root: Path) -> None:
    m = generate_dataset("reviews", 3000, 4, DATE, str(raw_root), dirt=DirtRates.none(), movie_universe=50)
    recs = _records(raw_root, m)
    assert len({r["review_id"] for r in recs}) == 3000
    sources = {r["source"] for r in recs}
    assert sources == {"critic", "audience"}
    for r in recs:
        assert tuple(r) == REVIEW_KEYS
        assert re.fullmatch(r"rv[0-9a-f]{12}", r["review_id"]) and re.fullmatch(r"u\d{7}", r["user_id"])
        assert 1 <= int(r["movie_id"][2:]) <= 50
        if r["source"] == "critic":
            assert 0 <= r["rating"] <= 10 and round(r["rating"], 1) == r["rating"]
        else:
            assert 0.5 <= r["rating"] <= 5 and r["rating"] * 2 == int(r["rating"] * 2)
        assert re.fullmatch(r"2026-11-23T\d\d:\d\d:\d\dZ", r["review_ts"])
        assert all(t in REVIEW_TAGS for t in r["tags"]) and len(set(r["tags"])) == len(r["tags"])


def test_review_ids_differ_between_runs(tmp_path: Path) -> None:
    ids = set()
    for seed, day in ((1, DATE), (2, DATE), (1, DATE + dt.timedelta(days=1))):
        m = generate_dataset("reviews", 500, seed, day, str(tmp_path), dirt=DirtRates.none())
        ids |= {r["review_id"] for r in _records(tmp_path, m)}
    assert len(ids) == 1500


def test_a_movie_is_the_same_movie_every_day_and_grows(tmp_path: Path) -> None:
    days = [DATE, DATE + dt.timedelta(days=1), DATE + dt.timedelta(days=40)]
    runs = []
    for seed, day in zip((1, 2, 3), days, strict=True):  # a different seed each day, as a scheduler would
        m = generate_dataset("movies", 300, seed, day, str(tmp_path), dirt=DirtRates.none(), movie_universe=300)
        runs.append({r["movie_id"]: r for r in _records(tmp_path, m)})
    assert runs[0].keys() == runs[1].keys() == runs[2].keys()
    static = [k for k in MOVIE_KEYS if k not in ("box_office_usd", "updated_at")]
    for movie_id, first in runs[0].items():
        versions = [first, runs[1][movie_id], runs[2][movie_id]]
        assert all({k: v[k] for k in static} == {k: first[k] for k in static} for v in versions)
        assert versions[0]["box_office_usd"] < versions[1]["box_office_usd"] < versions[2]["box_office_usd"]
        assert versions[0]["updated_at"] < versions[1]["updated_at"] < versions[2]["updated_at"]


def test_resent_records_are_older_versions_after_the_original(raw_root: Path) -> None:
    rates = DirtRates.none().with_rates(resent_records=0.2)
    for dataset, key, order in (("movies", "movie_id", "updated_at"), ("reviews", "review_id", "review_ts")):
        m = generate_dataset(dataset, 500, 9, DATE, str(raw_root), dirt=rates)
        recs = _records(raw_root, m)
        first_seen: dict[str, dict] = {}
        resent = 0
        for r in recs:
            if r[key] not in first_seen:
                first_seen[r[key]] = r
                continue
            resent += 1
            original = first_seen[r[key]]
            assert parse_ts(r[order]) < parse_ts(original[order])
            if dataset == "movies":
                assert r["box_office_usd"] < original["box_office_usd"]
                assert {k: v for k, v in r.items() if k not in ("box_office_usd", "updated_at")} == {
                    k: v for k, v in original.items() if k not in ("box_office_usd", "updated_at")
                }
            else:
                assert r["rating"] != original["rating"] and r["movie_id"] == original["movie_id"]
        assert resent == m.dirt["resent_records"] > 50


def test_exact_duplicates_and_malformed_lines_sit_next_to_their_record(raw_root: Path) -> None:
    rates = DirtRates.none().with_rates(exact_duplicates=0.1, malformed_json=0.1)
    m = generate_dataset("movies", 400, 2, DATE, str(raw_root), dirt=rates)
    lines = read_lines(raw_root / m.files[0].path)
    malformed = dups = 0
    for i, line in enumerate(lines):
        try:
            json.loads(line)
        except json.JSONDecodeError:
            malformed += 1
            nxt = lines[i + 1]
            assert line.startswith("{") and line != nxt
            assert nxt.startswith(line) or nxt.replace(",,", ",") == nxt and line.replace(",,", ",", 1) == nxt
            continue
        if i and lines[i - 1] == line:
            dups += 1
    assert (malformed, dups) == (m.malformed_lines, m.dirt["exact_duplicates"])
    assert malformed > 10 and dups > 10


def test_orphan_reviews_point_outside_the_universe(raw_root: Path) -> None:
    m = generate_dataset("reviews", 2000, 3, DATE, str(raw_root), dirt=DirtRates.none().with_rates(orphan_reviews=0.1), movie_universe=200)
    ids = [int(r["movie_id"][2:]) for r in _records(raw_root, m)]
    orphans = [i for i in ids if i > 200]
    assert len(orphans) == m.dirt["orphan_reviews"] > 100
    assert all(i >= 1 for i in ids) and max(orphans) <= 200 + 1_000_000


def test_empty_file_rate_one_follows_every_part(raw_root: Path) -> None:
    m = generate_dataset("reviews", 30, 1, DATE, str(raw_root), gzip=True, parts=3, dirt=DirtRates.none().with_rates(empty_file=1.0))
    assert [f.empty_file for f in m.files] == [False, True] * 3
    assert [f.part for f in m.files] == list(range(6))
    for f in m.files:
        size = (raw_root / f.path).stat().st_size
        assert (size == 0) == f.empty_file and f.bytes == size
        assert f.records == (0 if f.empty_file else 10)
    assert m.dirt["empty_file"] == 3


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"dataset": "films"}, "unknown dataset"),
        ({"count": 0}, "count must be at least 1"),
        ({"parts": 11}, "parts must be between 1 and count"),
        ({"seed": -1}, "non-negative"),
        ({"movie_universe": 5}, "exceeds movie_universe"),
        ({"movie_universe": 10_000_000}, "movie_universe must be"),
        ({"date": "2026-11-23"}, "datetime.date"),
    ],
)
def test_invalid_options_name_the_fix(raw_root: Path, kwargs: dict, message: str) -> None:
    args = {"dataset": "movies", "count": 10, "seed": 1, "date": DATE, "out": str(raw_root), **kwargs}
    parts = args.pop("parts", 1)
    universe = args.pop("movie_universe", None)
    with pytest.raises(GeneratorError, match=message):
        generate_dataset(**args, parts=parts, movie_universe=universe)
    assert not raw_root.exists()


def test_dirt_rates_are_validated() -> None:
    with pytest.raises(ValueError, match="less than or equal to 1"):
        DirtRates(malformed_json=1.5)
    with pytest.raises(ValueError, match="Extra inputs"):
        DirtRates(malformed=0.1)  # type: ignore[call-arg]
    assert DirtRates().malformed_json == 0.002
    assert 0 < min(DirtRates().model_dump().values())


def test_progress_bar_runs(raw_root: Path) -> None:
    m = generate_dataset("reviews", 100, 1, DATE, str(raw_root), progress=True)
    assert m.records == 100


def test_rerun_replaces_the_runs_files_and_leaves_other_runs(raw_root: Path) -> None:
    rates = DirtRates(empty_file=0.0)
    other = generate_dataset("movies", 30, 99, DATE, str(raw_root), dirt=rates)
    generate_dataset("movies", 30, 1, DATE, str(raw_root), parts=3, dirt=rates)
    again = generate_dataset("movies", 30, 1, DATE, str(raw_root), parts=2, gzip=True, dirt=rates)
    partition = raw_root / again.partition
    names = sorted(p.name for p in partition.iterdir())
    assert names == sorted(
        [f.path.rsplit("/", 1)[1] for f in again.files + other.files]
        + [f"{again.run_id}.manifest.json", f"{other.run_id}.manifest.json"]
    )


def test_identical_bytes_in_another_process_with_another_hash_seed(tmp_path: Path) -> None:
    """Nothing may depend on set order or other per-process state (PYTHONHASHSEED differs)."""
    import os
    import subprocess
    import sys

    code = (
        "import datetime as dt, sys; from ingestion.generator import generate_dataset, DirtRates;"
        "generate_dataset('movies', 400, 5, dt.date(2026, 11, 23), sys.argv[1], gzip=True, parts=2,"
        " dirt=DirtRates(**{k: 0.1 for k in DirtRates.model_fields}))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, "-c", code, str(tmp_path / "child")], check=True, env=env, timeout=120)
    rates = DirtRates(**{k: 0.1 for k in DirtRates.model_fields})
    generate_dataset("movies", 400, 5, DATE, str(tmp_path / "here"), gzip=True, parts=2, dirt=rates)
    child, here = _files(tmp_path / "child"), _files(tmp_path / "here")
    assert child.keys() == here.keys()
    assert all(child[k] == here[k] for k in child if not k.endswith(".manifest.json"))
