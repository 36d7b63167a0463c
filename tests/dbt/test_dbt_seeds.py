"""The category seeds map every spelling the generator can send (ingestion/generator/vocab.py) to
its canonical value, matched the way silver matches them (category_key: lower case, letters and
digits only), and no key maps to two canonical values."""

from __future__ import annotations

import csv
import re

import pytest

from tests.dbt.conftest import PROJECT

vocab = pytest.importorskip("ingestion.generator.vocab")


def category_key(value: str) -> str:
    """Python twin of macros/cleaning.sql category_key."""
    return re.sub(r"[^a-z0-9]", "", value.strip().lower())


def seed_map(name: str) -> dict[str, str]:
    mapping: dict[str, str] = {}
    with (PROJECT / "seeds" / f"{name}.csv").open(newline="") as f:
        for row in csv.DictReader(f):
            key = category_key(row["variant"])
            assert mapping.setdefault(key, row["canonical"]) == row["canonical"], f"{name}: {key} is ambiguous"
    return mapping


@pytest.mark.parametrize(
    ("seed", "canonical", "variants"),
    [
        ("genre_variants", vocab.GENRES, vocab.GENRE_VARIANTS),
        ("studio_variants", vocab.STUDIOS, vocab.STUDIO_VARIANTS),
        ("mpaa_rating_variants", vocab.MPAA_RATINGS, vocab.MPAA_VARIANTS),
    ],
)
def test_seed_maps_every_generator_spelling(seed: str, canonical, variants) -> None:
    mapping = seed_map(seed)
    for value in canonical:
        assert mapping.get(category_key(value)) == value, f"{seed}: canonical {value!r} missing"
        for variant in variants.get(value, ()):
            assert mapping.get(category_key(variant)) == value, f"{seed}: {variant!r} does not map to {value!r}"


def test_fixture_symlinks_point_at_the_seeds() -> None:
    for name in ("genre_variants", "studio_variants", "mpaa_rating_variants"):
        fixture = PROJECT / "tests" / "fixtures" / f"{name}.csv"
        assert fixture.resolve() == (PROJECT / "seeds" / f"{name}.csv").resolve()
