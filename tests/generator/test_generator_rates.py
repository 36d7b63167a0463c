"""Each dirt kind appears at its configured rate (binomial tolerance), and only where it applies."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from ingestion.generator import DIRT_KINDS, DirtRates, generate_dataset

from .generator_audit import DATE

N = 20_000
RATE = 0.05
NOT_APPLICABLE = {"movies": {"orphan_reviews"}, "reviews": {"category_variants"}}


@pytest.mark.parametrize("dataset", ["movies", "reviews"])
def test_each_kind_at_its_rate(raw_root: Path, dataset: str) -> None:
    rates = DirtRates(**{kind: RATE for kind in DIRT_KINDS}).with_rates(empty_file=0.0)
    m = generate_dataset(dataset, N, 123, DATE, str(raw_root), dirt=rates, movie_universe=N)
    sigma = math.sqrt(N * RATE * (1 - RATE))
    for kind in DIRT_KINDS:
        got = m.dirt[kind]
        if kind in NOT_APPLICABLE[dataset] or kind == "empty_file":
            assert got == 0, kind
            continue
        # A kind drops a record when earlier kinds already took all its fields (a few % at most).
        assert N * RATE * 0.92 - 5 * sigma <= got <= N * RATE + 5 * sigma, (kind, got)


@pytest.mark.parametrize("rate", [0.1, 0.4])
def test_each_rate_scales_independently(raw_root: Path, rate: float) -> None:
    """Raising one rate changes that kind only: the draws of the others do not move."""
    base = generate_dataset("reviews", 5000, 1, DATE, str(raw_root / "base"))
    more = generate_dataset("reviews", 5000, 1, DATE, str(raw_root / "more"), dirt=DirtRates(exact_duplicates=rate))
    assert more.dirt["exact_duplicates"] > base.dirt["exact_duplicates"]
    assert abs(more.dirt["exact_duplicates"] - 5000 * rate) < 5 * math.sqrt(5000 * rate * (1 - rate))
    for kind in ("malformed_json", "resent_records", "out_of_range", "orphan_reviews"):
        assert more.dirt[kind] == base.dirt[kind], kind


def test_empty_file_rate_per_part(raw_root: Path) -> None:
    m = generate_dataset("reviews", 400, 2, DATE, str(raw_root), parts=400, dirt=DirtRates.none().with_rates(empty_file=0.25))
    assert 100 - 5 * math.sqrt(400 * 0.25 * 0.75) <= m.dirt["empty_file"] <= 100 + 5 * math.sqrt(400 * 0.25 * 0.75)
    assert len(m.files) == 400 + m.dirt["empty_file"]


def test_zero_rates_give_no_dirt(raw_root: Path) -> None:
    m = generate_dataset("movies", 3000, 2, DATE, str(raw_root), parts=5, dirt=DirtRates.none())
    assert set(m.dirt.values()) == {0} and set(m.dirt_lines.values()) == {0} and m.dirt_fields == {}
    assert m.lines_written == m.valid_lines == 3000


def test_default_malformed_rate_stays_far_below_the_reject_threshold(raw_root: Path) -> None:
    m = generate_dataset("movies", 10_000, 1, DATE, str(raw_root))
    assert m.malformed_lines / m.lines_written < 0.01
