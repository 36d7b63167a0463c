"""An independent reading of generated files: finds every dirt kind by looking at the data only.

The tests compare what this finds with the manifest, so a manifest that drifts from the files
fails. Nothing here imports the generator's dirt logic; it only knows the data contract.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingestion.generator.vocab import GENRES, MPAA_RATINGS, STUDIOS

MOVIE_KEYS = (
    "movie_id", "title", "genres", "studio", "release_date", "runtime_minutes", "budget_usd",
    "box_office_usd", "mpaa_rating", "original_language", "country", "director", "cast", "updated_at",
)  # fmt: skip
MOVIE_OPTIONAL = tuple(k for k in MOVIE_KEYS if k not in ("movie_id", "title", "updated_at"))
REVIEW_KEYS = ("review_id", "movie_id", "user_id", "rating", "review_ts", "source", "tags")
REVIEW_OPTIONAL = ("user_id", "rating", "tags")
DATE = dt.date(2026, 11, 23)  # the ingest date most tests use
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_TS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


def load_manifest(root: Path, manifest: Any) -> dict[str, Any]:
    """The manifest as written next to the data (not the returned object)."""
    return json.loads((root / manifest.manifest_path).read_text())


def read_lines(path: Path) -> list[str]:
    data = path.read_bytes()
    if path.name.endswith(".gz") and data:
        data = gzip.decompress(data)
    text = data.decode("utf-8")
    assert text == "" or text.endswith("\n"), f"{path} does not end with a newline"
    return text.splitlines()


def parse_ts(value: Any) -> int:
    """Seconds since epoch from any timestamp form the contract allows as dirt."""
    if isinstance(value, int):
        return value
    if ISO_TS.match(value):
        return int(dt.datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC).timestamp())
    return int(dt.datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=dt.UTC).timestamp())


def _empty(v: Any) -> bool:
    return v is None or v == ""


def movie_dirt(rec: dict[str, Any]) -> dict[str, set[str]]:
    """Dirt kind -> fields it shows in one movie record."""
    found: dict[str, set[str]] = {}

    def add(kind: str, name: str) -> None:
        found.setdefault(kind, set()).add(name)

    for name in MOVIE_OPTIONAL:
        if _empty(rec[name]):
            add("nulls_and_empty", name)
    for name in ("runtime_minutes", "budget_usd", "box_office_usd"):
        value = rec[name]
        if isinstance(value, str) and value:
            add("numbers_as_strings", name)
        elif isinstance(value, int) and value < 0:
            add("out_of_range", name)
    if isinstance(rec["genres"], list) and any(g not in GENRES for g in rec["genres"]):
        add("category_variants", "genres")
    if not _empty(rec["studio"]) and rec["studio"] not in STUDIOS:
        add("category_variants", "studio")
    if not _empty(rec["mpaa_rating"]) and rec["mpaa_rating"] not in MPAA_RATINGS:
        add("category_variants", "mpaa_rating")
    if not _empty(rec["release_date"]) and not ISO_DATE.match(rec["release_date"]):
        add("date_formats", "release_date")
    if not (isinstance(rec["updated_at"], str) and ISO_TS.match(rec["updated_at"])):
        add("date_formats", "updated_at")
    if set(rec) - set(MOVIE_KEYS):
        add("unknown_fields", "*")
    return found


def review_dirt(rec: dict[str, Any], universe: int) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}

    def add(kind: str, name: str) -> None:
        found.setdefault(kind, set()).add(name)

    for name in REVIEW_OPTIONAL:
        if _empty(rec[name]):
            add("nulls_and_empty", name)
    if int(rec["movie_id"][2:]) > universe:
        add("orphan_reviews", "movie_id")
    rating = rec["rating"]
    if isinstance(rating, str) and rating:
        add("numbers_as_strings", "rating")
    elif isinstance(rating, (int, float)):
        low, high = (0.0, 10.0) if rec["source"] == "critic" else (0.5, 5.0)
        if not low <= rating <= high:
            add("out_of_range", "rating")
    if not (isinstance(rec["review_ts"], str) and ISO_TS.match(rec["review_ts"])):
        add("date_formats", "review_ts")
    if set(rec) - set(REVIEW_KEYS):
        add("unknown_fields", "*")
    return found


@dataclass
class FileAudit:
    lines: int = 0
    malformed: int = 0
    records: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # key -> versions in file order


@dataclass
class Audit:
    files: dict[str, FileAudit]
    dirt: Counter[str]  # record kinds per record (latest version); line kinds per extra line
    dirt_lines: Counter[str]
    dirt_fields: dict[str, Counter[str]]
    empty_files: int


def audit(root: Path, manifest: dict[str, Any]) -> Audit:
    dataset = manifest["dataset"]
    universe = manifest["options"]["movie_universe"]
    key = "movie_id" if dataset == "movies" else "review_id"
    order = "updated_at" if dataset == "movies" else "review_ts"
    files: dict[str, FileAudit] = {}
    dirt: Counter[str] = Counter()
    dirt_lines: Counter[str] = Counter()
    dirt_fields: dict[str, Counter[str]] = {}
    empty_files = 0
    for entry in manifest["files"]:
        path = root / entry["path"]
        fa = FileAudit()
        if path.stat().st_size == 0:
            empty_files += 1
        seen_lines: Counter[str] = Counter()
        for line in read_lines(path):
            fa.lines += 1
            try:
                rec = json.loads(line)
            except json.JSONDecodeError:
                fa.malformed += 1
                assert line.startswith("{"), "malformed lines keep the leading brace"
                continue
            assert isinstance(rec, dict)
            seen_lines[line] += 1
            fa.records.setdefault(rec[key], []).append(rec)
            found = movie_dirt(rec) if dataset == "movies" else review_dirt(rec, universe)
            for kind in found:
                dirt_lines[kind] += 1
        dirt["exact_duplicates"] += sum(n - 1 for n in seen_lines.values())
        dirt["malformed_json"] += fa.malformed
        for versions in fa.records.values():
            distinct = {json.dumps(v, sort_keys=True) for v in versions}
            dirt["resent_records"] += len(distinct) - 1
            latest = max(versions, key=lambda v: parse_ts(v[order]))
            found = movie_dirt(latest) if dataset == "movies" else review_dirt(latest, universe)
            for kind, names in found.items():
                dirt[kind] += 1
                if kind != "unknown_fields":
                    dirt_fields.setdefault(kind, Counter()).update(names)
        files[entry["path"]] = fa
    dirt_lines["exact_duplicates"] = dirt["exact_duplicates"]
    dirt_lines["resent_records"] = dirt["resent_records"]
    dirt["empty_file"] = empty_files
    return Audit(files, dirt, dirt_lines, dirt_fields, empty_files)
