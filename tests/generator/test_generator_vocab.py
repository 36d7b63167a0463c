"""Seed lists match the data contract, and every dirty spelling maps back to exactly one value."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from ingestion.generator import vocab

from .generator_audit import MOVIE_KEYS, REVIEW_KEYS

SEEDS = Path(__file__).resolve().parents[2] / "dbt_oakvale" / "seeds"
CONTRACT_GENRES = (
    "Action Adventure Animation Comedy Crime Documentary Drama Family Fantasy Horror Musical Mystery Romance "
    "Sci-Fi Thriller War Western"
).split()


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def test_canonical_lists_are_the_contracts() -> None:
    assert list(vocab.GENRES) == CONTRACT_GENRES
    assert vocab.MPAA_RATINGS == ("G", "PG", "PG-13", "R", "NC-17", "NR")
    assert len(vocab.GENRE_WEIGHTS) == len(vocab.GENRES) and len(vocab.STUDIO_WEIGHTS) == len(vocab.STUDIOS)
    assert all(tag == tag.lower() for tag in vocab.REVIEW_TAGS)
    assert not set(vocab.UNKNOWN_FIELDS) & (set(MOVIE_KEYS) | set(REVIEW_KEYS))


@pytest.mark.parametrize(
    ("canonical", "variants"),
    [(vocab.GENRES, vocab.GENRE_VARIANTS), (vocab.STUDIOS, vocab.STUDIO_VARIANTS), (vocab.MPAA_RATINGS, vocab.MPAA_VARIANTS)],
)
def test_every_value_has_unambiguous_variants(canonical: tuple[str, ...], variants: dict[str, tuple[str, ...]]) -> None:
    assert set(variants) == set(canonical)
    owner: dict[str, str] = {_key(c): c for c in canonical}
    assert len(owner) == len(canonical)
    for value, spellings in variants.items():
        assert spellings and value not in spellings
        for spelling in spellings:
            assert spelling not in canonical
            assert owner.setdefault(_key(spelling), value) == value, f"{spelling!r} would map to two values"


@pytest.mark.skipif(not SEEDS.is_dir(), reason="dbt project not present")
@pytest.mark.parametrize(
    ("seed", "variants"),
    [("genre_variants", vocab.GENRE_VARIANTS), ("studio_variants", vocab.STUDIO_VARIANTS), ("mpaa_rating_variants", vocab.MPAA_VARIANTS)],
)
def test_dbt_seeds_map_every_generated_spelling_back(seed: str, variants: dict[str, tuple[str, ...]]) -> None:
    """Cross-check with dbt_oakvale/seeds, matched the way silver does (lower case, letters and digits only)."""
    with (SEEDS / f"{seed}.csv").open() as handle:
        mapping = {_key(row["variant"]): row["canonical"] for row in csv.DictReader(handle)}
    unmapped = [(s, c, mapping.get(_key(s))) for c, spellings in variants.items() for s in (c, *spellings) if mapping.get(_key(s)) != c]
    assert not unmapped


def test_vocabulary_is_deterministic() -> None:
    first = vocab.vocabulary()
    vocab.vocabulary.cache_clear()
    try:
        second = vocab.vocabulary()
    finally:
        vocab.vocabulary.cache_clear()
    assert first.titles == second.titles and first.people == second.people
    assert len(set(first.people)) > 20_000 and len(set(first.titles)) > 10_000
    assert abs(first.genre_combo_weights.sum() - 1.0) < 1e-9
