from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

GOOD_MOVIE = {
    "movie_id": "tt0000001",
    "title": "The Long Night",
    "genres": ["Drama", "Sci-Fi"],
    "studio": "Warner Bros.",
    "release_date": "2019-05-17",
    "runtime_minutes": 120,
    "budget_usd": "$12,000,000",
    "box_office_usd": 55000000,
    "mpaa_rating": "PG-13",
    "original_language": "en",
    "country": "US",
    "director": "Ada Park",
    "cast": ["A", "B"],
    "updated_at": "2026-11-20T10:00:00Z",
}


def movie(i: int, **overrides) -> str:
    return json.dumps({**GOOD_MOVIE, "movie_id": f"tt{i:07d}", **overrides})


def write_raw(data_root: Path, dataset: str, date: str, name: str, lines: list[str], *, gz: bool = False) -> Path:
    folder = data_root / "raw" / dataset / f"ingest_date={date}"
    folder.mkdir(parents=True, exist_ok=True)
    body = ("\n".join(lines) + "\n").encode() if lines else b""
    path = folder / (name + (".json.gz" if gz else ".json"))
    path.write_bytes(gzip.compress(body, mtime=0) if gz else body)
    return path


# Both Delta writers of the bronze job: the Parquet + delta-rs commit (what Glue is deployed with)
# and Spark's own Delta writer (Glue's jars; locally the pinned jars `make setup` caches).
WRITERS = ("parquet+delta-rs", "spark-delta")


@pytest.fixture(params=WRITERS)
def writer(request) -> str:
    return request.param


@pytest.fixture
def data_root(tmp_path: Path) -> Path:
    return tmp_path / "oakvale"
