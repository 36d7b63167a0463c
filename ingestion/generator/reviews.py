"""The reviews feed: new reviews of existing movies, posted during the ingest date.

`review_id` is a 48-bit bijection of (run key, record index), so ids never repeat within a run
and only collide across runs if two runs' 24-bit keys do (odds about 1 in 16 million per pair).
Popular movies get more reviews: the movie index is drawn with a density that falls with the id.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from ingestion.generator import formats, hashing
from ingestion.generator.dirt import null_or_empty, pick
from ingestion.generator.movies import MAX_MOVIE_ID
from ingestion.generator.records import Chunk, Dataset, RowView
from ingestion.generator.vocab import REVIEW_TAGS, vocabulary

KEYS = ("review_id", "movie_id", "user_id", "rating", "review_ts", "source", "tags")
OPTIONAL = ("user_id", "rating", "tags")
MAX_REVIEWS_PER_RUN = 1 << 24  # the record index fills the low 24 of the id's 48 bits
CRITIC_SHARE = 0.25
USERS = 2_000_000
_ORPHAN_SPAN = 1_000_000  # orphans reference ids just above the universe


class Reviews(Dataset):
    name = "reviews"
    keys = KEYS
    eligible = {
        "orphan_reviews": ("movie_id",),
        "out_of_range": ("rating",),
        "nulls_and_empty": OPTIONAL,
        "numbers_as_strings": ("rating",),
        "date_formats": ("review_ts",),
    }
    other_kinds = frozenset({"unknown_fields", "exact_duplicates", "resent_records", "malformed_json"})

    def __init__(self, count: int, seed: int, date: dt.date, universe: int) -> None:
        super().__init__(count, seed, date, universe)
        if count > MAX_REVIEWS_PER_RUN:
            raise ValueError(f"reviews: at most {MAX_REVIEWS_PER_RUN} per run (split into several dates or seeds)")
        if not 1 <= universe < MAX_MOVIE_ID:
            raise ValueError(f"movie_universe must be 1..{MAX_MOVIE_ID - 1} for reviews (orphans need ids above it)")
        self.orphan_span = min(_ORPHAN_SPAN, MAX_MOVIE_ID - universe)
        self.key = np.uint64(hashing.run_key("reviews", seed, date) << 24)
        self.day = (date - formats.EPOCH).days
        self._tag_cells = np.asarray([self.prefix["tags"] + t for t in vocabulary().tag_combos_json], dtype=object)
        # 30% of reviews have no tag, 40% one, 30% two (vocab.tag_combos is ordered by size).
        n_one = len(REVIEW_TAGS)
        n_two = n_one * (n_one - 1) // 2
        weights = np.array([30.0] + [40.0 / n_one] * n_one + [30.0 / n_two] * n_two)
        self._tag_cum = np.cumsum(weights) / weights.sum()

    def orphan_id(self, u: float) -> int:
        return self.universe + 1 + int(u * self.orphan_span)

    def chunk(self, start: int, stop: int, rng: np.random.Generator) -> Chunk:
        n = stop - start
        counter = self.key | np.arange(start, stop, dtype=np.uint64)
        review_ids = hashing.permute48(counter).tolist()
        movie = 1 + np.minimum((rng.random(n) ** 2 * self.universe).astype(np.int64), self.universe - 1)
        user = rng.integers(1, USERS, n)
        critic = rng.random(n) < CRITIC_SHARE
        noise = rng.standard_normal(n)
        critic_rating = np.round(np.clip(6.4 + 1.7 * noise, 0.0, 10.0), 1)
        audience_rating = np.clip(np.rint((3.6 + 0.9 * noise) * 2) / 2, 0.5, 5.0)
        rating = np.where(critic, critic_rating, audience_rating)
        ts = self.day * 86400 + rng.integers(0, 86400, n)
        tags = np.minimum(np.searchsorted(self._tag_cum, rng.random(n), side="right"), len(self._tag_cells) - 1)
        # The older version: posted 10 min to 3 days before, with another rating on the same scale.
        stale_ts = ts - rng.integers(600, 3 * 86400, n)
        shift = rng.integers(1, 101, n)
        stale_critic = ((np.rint(rating * 10).astype(np.int64) + shift) % 101) / 10
        stale_audience = ((np.rint(rating * 2).astype(np.int64) - 1 + shift % 9 + 1) % 10 + 1) / 2
        stale_rating = np.where(critic, stale_critic, stale_audience)

        rating_list, ts_list = rating.tolist(), ts.tolist()
        source = np.where(critic, "critic", "audience").tolist()
        p = self.prefix
        # Prefixes hoisted out of the comprehensions: a dict lookup per record adds up.
        review_open, movie_open, user_open = p["review_id"] + '"rv', p["movie_id"] + '"tt', p["user_id"] + '"u'
        rating_key = p["rating"]
        columns = [
            [f'{review_open}{r:012x}"' for r in review_ids],
            [f'{movie_open}{m:07d}"' for m in movie.tolist()],
            [f'{user_open}{u:07d}"' for u in user.tolist()],
            [f"{rating_key}{r!r}" for r in rating_list],
            formats.iso_timestamps_json(ts, p["review_ts"]),
            formats.quoted(source, p["source"]),
            self._tag_cells[tags].tolist(),
        ]
        raw = {"rating": rating_list, "review_ts": ts_list, "source": source}
        stale = {"rating": stale_rating.tolist(), "review_ts": stale_ts.tolist()}
        return Chunk(start=start, columns=columns, raw=raw, stale=stale)

    def stale_fragments(self, row: RowView) -> dict[str, str]:
        return {
            "rating": repr(row["rating"]),
            "review_ts": '"' + formats.iso_timestamp(row["review_ts"]) + '"',
        }

    def dirty(self, kind: str, field: str, row: RowView, u: float) -> str:
        if kind == "nulls_and_empty":
            return null_or_empty(u)
        if kind == "orphan_reviews":
            return f'"tt{self.orphan_id(u):07d}"'
        if kind == "out_of_range":
            if row["source"] == "audience":
                return "7"
            return "11" if u < 0.5 else "-1"
        if kind == "numbers_as_strings":
            return formats.rating_string(row["rating"], row["source"])
        if kind == "date_formats":
            return formats.dirty_timestamp(row["review_ts"], pick(u, 2)[0])
        raise ValueError(f"reviews: no dirt {kind} for {field}")
