"""The movies feed: static attributes fixed per movie id, box office and updated_at per date.

A movie's title, genres, studio, release date, people, ... are hashed from its id alone, so every
date (and every run seed) sends the same movie. What changes with the ingest date is `updated_at`
(a time on that date, so later dates are always later) and `box_office_usd`, which is strictly
increasing in the date: a share of the final gross that approaches 1 after release, plus a small
daily long-tail amount (at least 1 USD/day, which makes the growth strict even for old films).
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import numpy as np

from ingestion.generator import formats, hashing
from ingestion.generator.dirt import null_or_empty, pick
from ingestion.generator.records import Chunk, Dataset, RowView, key_prefixes
from ingestion.generator.vocab import (
    COUNTRIES,
    GENRE_VARIANTS,
    MPAA_RATINGS,
    MPAA_VARIANTS,
    MPAA_WEIGHTS,
    OTHER_LANGUAGE_SHARE,
    STUDIO_VARIANTS,
    STUDIO_WEIGHTS,
    STUDIOS,
    dumps,
    vocabulary,
)

MAX_MOVIE_ID = 9_999_999  # `tt` + 7 digits
KEYS = (
    "movie_id", "title", "genres", "studio", "release_date", "runtime_minutes", "budget_usd",
    "box_office_usd", "mpaa_rating", "original_language", "country", "director", "cast", "updated_at",
)  # fmt: skip
# Everything but the key, the title and the field that orders versions may arrive null or "".
OPTIONAL = tuple(k for k in KEYS if k not in ("movie_id", "title", "updated_at"))

_RELEASE_FIRST = (dt.date(1970, 1, 1) - formats.EPOCH).days
_RELEASE_LAST = (dt.date(2025, 12, 31) - formats.EPOCH).days
_LONG_TAIL_ORIGIN = (dt.date(1900, 1, 1) - formats.EPOCH).days  # negative: days since 1970
_GROSS_DAYS = 60.0  # e-folding time of a release's gross, in days
_MAX_STALE_DAYS = 30  # a re-sent older version is 1..30 days old

_PREFIX = key_prefixes(KEYS)
_COUNTRY_CODES = [c for c, _, _ in COUNTRIES]
_COUNTRY_LANGS = [lang for _, lang, _ in COUNTRIES]
_COUNTRY_WEIGHTS = np.array([w for _, _, w in COUNTRIES], dtype=np.float64)


def static_attributes(ids: np.ndarray) -> dict[str, np.ndarray]:
    """Everything about a movie that never changes, as a pure function of its numeric id."""
    vocab = vocabulary()
    n_people = len(vocab.people)
    budget = np.exp(np.log(2.0e7) + 1.1 * hashing.normal(ids, "budget"))
    budget = (np.clip(budget, 1.0e5, 3.5e8) // 1000 * 1000).astype(np.int64)
    multiple = np.exp(np.log(1.5) + 0.9 * hashing.normal(ids, "gross"))
    gross = np.maximum(budget * multiple, 1000.0)
    country = hashing.choose(ids, "country", _COUNTRY_WEIGHTS)
    cast_step = 1 + hashing.index(ids, "cast_step", n_people // 5 - 1)  # k * step < n: distinct names
    cast_first = hashing.index(ids, "cast", n_people)
    cast = (cast_first[:, None] + np.arange(5)[None, :] * cast_step[:, None]) % n_people
    # Recent years are denser, as in real catalogues.
    span = _RELEASE_LAST - _RELEASE_FIRST
    release = _RELEASE_FIRST + (np.sqrt(hashing.uniform(ids, "release")) * span).astype(np.int64)
    return {
        "title": hashing.index(ids, "title", len(vocab.titles)),
        "genres": hashing.choose(ids, "genres", vocab.genre_combo_weights),
        "studio": hashing.choose(ids, "studio", STUDIO_WEIGHTS),
        "release_days": release,
        "runtime": np.clip(np.rint(106 + 18 * hashing.normal(ids, "runtime")), 62, 240).astype(np.int64),
        "budget": budget,
        "gross": gross,
        "tail_per_day": np.maximum(1, (gross // 2_000_000)).astype(np.int64),
        "mpaa": hashing.choose(ids, "mpaa", MPAA_WEIGHTS),
        "country": country,
        "other_language": (hashing.uniform(ids, "language") < OTHER_LANGUAGE_SHARE).astype(np.int64),
        "director": hashing.index(ids, "director", n_people),
        "cast": cast,
        "cast_size": 2 + hashing.index(ids, "cast_size", 4),
    }


def box_office(static: dict[str, np.ndarray], day: np.ndarray | int) -> np.ndarray:
    """Cumulative gross as of `day` (days since 1970): strictly increasing in `day`."""
    since_release = np.maximum(0, day - static["release_days"])
    share = 1.0 - np.exp(-since_release / _GROSS_DAYS)
    return (static["gross"] * share).astype(np.int64) + static["tail_per_day"] * (day - _LONG_TAIL_ORIGIN)


def _cast_cells(cast: np.ndarray, size: np.ndarray) -> list[str]:
    """`,"cast":[...]` cells with the first `size` names per row. The pieces go into an object matrix
    (C-level fancy indexing), which is joined once and split: about 4x faster than a join per row."""
    tables = _tables()
    n, width = cast.shape
    pieces = np.empty((n, width + 2), dtype=object)
    pieces[:, 0] = tables["cast_first"][cast[:, 0]]
    for j in range(1, width):
        pieces[:, j] = np.where(size > j, tables["cast_next"][cast[:, j]], "")
    pieces[:, width] = "]\n"  # names are JSON-encoded, so a raw newline cannot occur inside
    pieces[:, width + 1] = ""
    return "".join(pieces.ravel().tolist()).split("\n")[:-1]


@lru_cache(maxsize=1)
def _tables() -> dict[str, np.ndarray]:
    """Cells of every categorical value (key prefix included), as object arrays: a fancy index and
    tolist() per column is several times faster than a list comprehension over the vocabulary."""
    v = vocabulary()

    def cells(key: str, fragments: list[str] | tuple[str, ...]) -> np.ndarray:
        return np.asarray([_PREFIX[key] + f for f in fragments], dtype=object)

    # language by (country, shot in another language): index country * 2 + other
    language = [
        dumps(("fr" if lang == "en" else "en") if other else lang) for lang in _COUNTRY_LANGS for other in (0, 1)
    ]
    return {
        "title": cells("title", v.titles_json),
        "genres": cells("genres", v.genre_combos_json),
        "studio": cells("studio", [dumps(s) for s in STUDIOS]),
        "mpaa": cells("mpaa_rating", [dumps(m) for m in MPAA_RATINGS]),
        "language": cells("original_language", language),
        "country": cells("country", [dumps(c) for c in _COUNTRY_CODES]),
        "director": cells("director", v.people_json),
        "cast_first": cells("cast", ["[" + name for name in v.people_json]),
        "cast_next": np.asarray(["," + name for name in v.people_json], dtype=object),
    }


class Movies(Dataset):
    name = "movies"
    keys = KEYS
    eligible = {
        "out_of_range": ("runtime_minutes", "budget_usd"),
        "nulls_and_empty": OPTIONAL,
        "numbers_as_strings": ("runtime_minutes", "budget_usd", "box_office_usd"),
        "category_variants": ("genres", "studio", "mpaa_rating"),
        "date_formats": ("release_date", "updated_at"),
    }
    other_kinds = frozenset({"unknown_fields", "exact_duplicates", "resent_records", "malformed_json"})

    def __init__(self, count: int, seed: int, date: dt.date, universe: int) -> None:
        super().__init__(count, seed, date, universe)
        if not 1 <= universe <= MAX_MOVIE_ID:
            raise ValueError(f"movie_universe must be 1..{MAX_MOVIE_ID} (ids are tt + 7 digits), got {universe}")
        if count > universe:
            raise ValueError(
                f"count {count} exceeds movie_universe {universe}: each movie is sent once per run; "
                "raise movie_universe or lower count"
            )
        # Which movies are sent today: all of them (in a seeded order) or a seeded sample.
        sampler = hashing.rng(seed, date, "movies", "sample")
        if count == universe:
            self.ids = sampler.permutation(universe) + 1
        else:
            self.ids = sampler.choice(universe, size=count, replace=False) + 1
        self.day = (date - formats.EPOCH).days
        self._vocab = vocabulary()

    def chunk(self, start: int, stop: int, rng: np.random.Generator) -> Chunk:
        ids = self.ids[start:stop]
        n = len(ids)
        st = static_attributes(ids)
        updated = self.day * 86400 + rng.integers(0, 86400, n)
        box = box_office(st, self.day)
        stale_day = self.day - rng.integers(1, _MAX_STALE_DAYS + 1, n)
        stale_updated = stale_day * 86400 + rng.integers(0, 86400, n)
        stale_box = box_office(st, stale_day)

        tables = _tables()
        runtime, budget, box_list = st["runtime"].tolist(), st["budget"].tolist(), box.tolist()
        p = _PREFIX
        # Prefixes hoisted out of the comprehensions: a dict lookup per record adds up.
        id_open = p["movie_id"] + '"tt'
        runtime_key, budget_key, box_key = p["runtime_minutes"], p["budget_usd"], p["box_office_usd"]
        columns = [
            [f'{id_open}{i:07d}"' for i in ids.tolist()],
            tables["title"][st["title"]].tolist(),
            tables["genres"][st["genres"]].tolist(),
            tables["studio"][st["studio"]].tolist(),
            formats.iso_date_cells(st["release_days"], p["release_date"], _RELEASE_FIRST, _RELEASE_LAST),
            [f"{runtime_key}{v}" for v in runtime],
            [f"{budget_key}{v}" for v in budget],
            [f"{box_key}{v}" for v in box_list],
            tables["mpaa"][st["mpaa"]].tolist(),
            tables["language"][st["country"] * 2 + st["other_language"]].tolist(),
            tables["country"][st["country"]].tolist(),
            tables["director"][st["director"]].tolist(),
            _cast_cells(st["cast"], st["cast_size"]),
            formats.iso_timestamps_json(updated, p["updated_at"]),
        ]
        # Only the fields dirt renders from a value need raw values (index fields stay indices).
        raw = {
            "runtime_minutes": runtime,
            "budget_usd": budget,
            "box_office_usd": box_list,
            "genres": st["genres"].tolist(),
            "studio": st["studio"].tolist(),
            "mpaa_rating": st["mpaa"].tolist(),
            "release_date": st["release_days"].tolist(),
            "updated_at": updated.tolist(),
        }
        stale = {"box_office_usd": stale_box.tolist(), "updated_at": stale_updated.tolist()}
        return Chunk(start=start, columns=columns, raw=raw, stale=stale)

    def stale_fragments(self, row: RowView) -> dict[str, str]:
        return {
            "box_office_usd": str(row["box_office_usd"]),
            "updated_at": '"' + formats.iso_timestamp(row["updated_at"]) + '"',
        }

    def dirty(self, kind: str, field: str, row: RowView, u: float) -> str:
        if kind == "nulls_and_empty":
            return null_or_empty(u)
        value = row[field]
        if kind == "out_of_range":
            return str(-value)  # both eligible fields are positive integers
        if kind == "numbers_as_strings":
            return formats.runtime_string(value) if field == "runtime_minutes" else formats.money_string(value)
        if kind == "category_variants":
            if field == "genres":
                combo = list(self._vocab.genre_combos[value])
                i, u2 = pick(u, len(combo))
                variants = GENRE_VARIANTS[combo[i]]
                combo[i] = variants[pick(u2, len(variants))[0]]
                return dumps(combo)
            canonical = STUDIOS[value] if field == "studio" else MPAA_RATINGS[value]
            variants = STUDIO_VARIANTS[canonical] if field == "studio" else MPAA_VARIANTS[canonical]
            return dumps(variants[pick(u, len(variants))[0]])
        if kind == "date_formats":
            if field == "release_date":
                return formats.dirty_date(value, pick(u, 2)[0])
            return formats.dirty_timestamp(value, pick(u, 2)[0])
        raise ValueError(f"movies: no dirt {kind} for {field}")
