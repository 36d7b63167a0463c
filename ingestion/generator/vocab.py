"""Seed lists (the contract's canonical values), their dirty spellings, and Faker-drawn vocabularies.

Faker costs tens of microseconds per call, so it runs once per process to draw pools of first
names, last names and cities; titles and people are then combined from those pools by index.
The pools come from a fixed seed, not the run seed: a movie id must map to the same title and
people under every run seed (only a Faker upgrade changes them, and the Faker pin prevents that).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations

import numpy as np
from faker import Faker

VOCAB_SEED = 20240601
FAKER_LOCALES = ("en_US", "en_GB", "fr_FR", "de_DE", "es_ES", "it_IT")
# Faker 40's it_IT city() differs between processes (it depends on PYTHONHASHSEED), so cities come
# from the other locales only; tests/generator checks determinism across hash seeds.
CITY_LOCALES = ("en_US", "en_GB", "fr_FR", "de_DE", "es_ES")

GENRES: tuple[str, ...] = (
    "Action", "Adventure", "Animation", "Comedy", "Crime", "Documentary", "Drama", "Family", "Fantasy",
    "Horror", "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller", "War", "Western",
)  # fmt: skip
# Relative frequency of each genre, in GENRES order (drama and comedy dominate real catalogues).
GENRE_WEIGHTS = np.array([8, 5, 3, 10, 5, 3, 12, 3, 3, 5, 1, 3, 5, 4, 6, 1, 1], dtype=np.float64)

# Every canonical value has at least one variant, so `category_variants` always changes something.
GENRE_VARIANTS: dict[str, tuple[str, ...]] = {
    "Action": ("action", "ACTION"),
    "Adventure": ("adventure", "Adventures"),
    "Animation": ("animation", "Animated"),
    "Comedy": ("comedy", "COMEDY", "Comedies"),
    "Crime": ("crime", "Crime Film"),
    "Documentary": ("documentary", "Doc", "Docs"),
    "Drama": ("drama", "DRAMA", "Dramas"),
    "Family": ("family", "Family Film"),
    "Fantasy": ("fantasy", "FANTASY"),
    "Horror": ("horror", "HORROR"),
    "Musical": ("musical", "Music", "Musicals"),
    "Mystery": ("mystery", "Mysteries"),
    "Romance": ("romance", "Romantic"),
    "Sci-Fi": ("science fiction", "SCI FI", "sci-fi", "SciFi", "Science-Fiction"),
    "Thriller": ("thriller", "THRILLER", "Thrillers"),
    "War": ("war", "War Film"),
    "Western": ("western", "Westerns"),
}

STUDIOS: tuple[str, ...] = (
    "Warner Bros.", "Universal Pictures", "Paramount Pictures", "Walt Disney Pictures", "Columbia Pictures",
    "20th Century Studios", "Lionsgate", "A24", "Metro-Goldwyn-Mayer", "Focus Features",
    "Blumhouse Productions", "DreamWorks Pictures", "New Line Cinema", "Legendary Pictures", "Neon",
    "Studio Ghibli", "Pixar Animation Studios", "Miramax", "Summit Entertainment", "Amblin Entertainment",
)  # fmt: skip
STUDIO_WEIGHTS = np.array([10, 10, 9, 8, 8, 7, 6, 4, 5, 4, 3, 4, 4, 3, 2, 1, 2, 3, 2, 2], dtype=np.float64)
STUDIO_VARIANTS: dict[str, tuple[str, ...]] = {
    "Warner Bros.": ("warner bros", "Warner Brothers", "WARNER BROS.", "Warner Bros"),
    "Universal Pictures": ("universal", "Universal Studios", "UNIVERSAL PICTURES"),
    "Paramount Pictures": ("paramount", "Paramount"),
    "Walt Disney Pictures": ("Disney", "disney pictures", "Walt Disney"),
    "Columbia Pictures": ("columbia", "Columbia"),
    "20th Century Studios": ("20th Century Fox", "twentieth century studios", "20th century"),
    "Lionsgate": ("Lions Gate", "lionsgate films", "LIONSGATE"),
    "A24": ("a24", "A 24", "A24 Films"),
    "Metro-Goldwyn-Mayer": ("MGM", "metro goldwyn mayer", "M.G.M."),
    "Focus Features": ("focus features", "Focus"),
    "Blumhouse Productions": ("Blumhouse", "blumhouse"),
    "DreamWorks Pictures": ("Dreamworks", "dreamworks pictures", "DreamWorks SKG"),
    "New Line Cinema": ("new line", "NewLine Cinema"),
    "Legendary Pictures": ("Legendary", "legendary pictures"),
    "Neon": ("NEON", "neon"),
    "Studio Ghibli": ("ghibli", "Studio ghibli"),
    "Pixar Animation Studios": ("Pixar", "pixar"),
    "Miramax": ("miramax", "Miramax Films"),
    "Summit Entertainment": ("summit", "Summit"),
    "Amblin Entertainment": ("Amblin", "amblin"),
}

MPAA_RATINGS: tuple[str, ...] = ("G", "PG", "PG-13", "R", "NC-17", "NR")
MPAA_WEIGHTS = np.array([5, 15, 30, 35, 2, 13], dtype=np.float64)
MPAA_VARIANTS: dict[str, tuple[str, ...]] = {
    "G": ("g", "Rated G"),
    "PG": ("pg", "Rated PG", "P.G."),
    "PG-13": ("PG13", "pg-13", "PG 13"),
    "R": ("r", "Rated R"),
    "NC-17": ("NC17", "nc-17", "NC 17"),
    "NR": ("Not Rated", "Unrated", "nr"),
}

# Production country (ISO 3166 alpha-2) -> original language (ISO 639-1) and weight.
COUNTRIES: tuple[tuple[str, str, float], ...] = (
    ("US", "en", 50), ("GB", "en", 8), ("CA", "en", 3), ("AU", "en", 2), ("FR", "fr", 7), ("DE", "de", 4),
    ("ES", "es", 4), ("IT", "it", 4), ("JP", "ja", 5), ("KR", "ko", 4), ("IN", "hi", 5), ("CN", "zh", 4),
    ("BR", "pt", 2), ("SE", "sv", 1), ("DK", "da", 1), ("MX", "es", 2),
)  # fmt: skip
# A share of films is shot in a language other than the country's main one (mostly English).
OTHER_LANGUAGE_SHARE = 0.08

REVIEW_TAGS: tuple[str, ...] = (
    "must-see", "overrated", "underrated", "slow-burn", "feel-good", "plot-twist", "great-acting",
    "visually-stunning", "too-long", "family-friendly", "classic", "scary", "funny", "emotional",
    "boring", "soundtrack", "rewatchable", "cliffhanger",
)  # fmt: skip

# Extra keys a sloppy feed adds (`unknown_fields`); none collides with a contract field.
UNKNOWN_FIELDS: tuple[str, ...] = ("promo_code", "source_system", "ingest_hint", "legacy_id", "feed_version")

MONTH_ABBR: tuple[str, ...] = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

_ADJECTIVES = (
    "Silent", "Broken", "Golden", "Last", "Hidden", "Crimson", "Lost", "Eternal", "Midnight", "Savage",
    "Frozen", "Burning", "Quiet", "Wild", "Dark", "Bright", "Forgotten", "Final", "Secret", "Electric",
    "Hollow", "Iron", "Velvet", "Restless", "Distant", "Stolen", "Wicked", "Fading", "Infinite", "Lonely",
    "Shattered", "Sacred", "Crooked", "Scarlet", "Silver", "Endless", "Fearless", "Little", "Cold", "Sweet",
)  # fmt: skip
_NOUNS = (
    "River", "Kingdom", "Shadow", "Promise", "Horizon", "Storm", "Garden", "Empire", "Road", "Heart",
    "Night", "Summer", "Winter", "Ghost", "Machine", "City", "Ocean", "Mirror", "Flame", "Secret",
    "Frontier", "Harbor", "Crown", "Echo", "Signal", "Hunter", "Witness", "Stranger", "Orchard", "Island",
    "Lighthouse", "Circus", "Protocol", "Tide", "Legacy", "Voyage", "Engine", "Symphony", "Canyon", "Empress",
)  # fmt: skip
_SEQUELS = (" 2", " 3", " II", ": Part Two", ": The Return", ": Reckoning", ": Origins")


@dataclass(frozen=True)
class Vocabulary:
    """Pools sampled by index. `*_json` hold each entry already JSON-encoded (encoded once, not per record)."""

    titles: tuple[str, ...]
    titles_json: tuple[str, ...]
    people: tuple[str, ...]
    people_json: tuple[str, ...]
    genre_combos: tuple[tuple[str, ...], ...]
    genre_combos_json: tuple[str, ...]
    genre_combo_weights: np.ndarray
    tag_combos: tuple[tuple[str, ...], ...]
    tag_combos_json: tuple[str, ...]


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))  # reused: json.dumps(**kw) builds one per call


def dumps(value: object) -> str:
    """The one JSON encoding used for every fragment: compact, UTF-8 kept as is."""
    return _ENCODER.encode(value)


def _titles(r: random.Random, cities: list[str], first: list[str], n: int) -> list[str]:
    patterns = (
        lambda: f"The {r.choice(_ADJECTIVES)} {r.choice(_NOUNS)}",
        lambda: f"{r.choice(_ADJECTIVES)} {r.choice(_NOUNS)}",
        lambda: f"{r.choice(_NOUNS)} of the {r.choice(_NOUNS)}",
        lambda: f"{r.choice(first)}'s {r.choice(_NOUNS)}",
        lambda: f"{r.choice(cities)} {r.choice(_NOUNS)}",
        lambda: f"The {r.choice(_NOUNS)} from {r.choice(cities)}",
        lambda: f"A {r.choice(_NOUNS)} in {r.choice(cities)}",
        lambda: f"{r.choice(first)} and the {r.choice(_ADJECTIVES)} {r.choice(_NOUNS)}",
    )
    titles = []
    for _ in range(n):
        title = r.choice(patterns)()
        if r.random() < 0.08:
            title += r.choice(_SEQUELS)
        titles.append(title)
    return titles


@lru_cache(maxsize=1)
def vocabulary(n_titles: int = 40_000, n_people: int = 30_000) -> Vocabulary:
    """Build the pools once per process (about 1 s, mostly Faker set-up); Lambda warm starts reuse them."""
    # One seeded Faker per locale, in a fixed order: the pools do not depend on how a multi-locale
    # Faker spreads its calls.
    first: set[str] = set()
    last: set[str] = set()
    city_set: set[str] = set()
    for locale in FAKER_LOCALES:
        fake = Faker(locale)
        fake.seed_instance(VOCAB_SEED)
        first.update(fake.first_name() for _ in range(500))
        last.update(fake.last_name() for _ in range(500))
        if locale in CITY_LOCALES:
            city_set.update(fake.city() for _ in range(160))
    first_names, last_names, cities = sorted(first), sorted(last), sorted(city_set)
    r = random.Random(VOCAB_SEED)
    people = [f"{r.choice(first_names)} {r.choice(last_names)}" for _ in range(n_people)]
    titles = _titles(r, cities, first_names, n_titles)

    combos: list[tuple[str, ...]] = []
    weights: list[float] = []
    size_share = {1: 0.35, 2: 0.45, 3: 0.20}  # share of films with 1, 2 or 3 genres
    for k, share in size_share.items():
        group = list(combinations(range(len(GENRES)), k))
        w = np.array([np.prod(GENRE_WEIGHTS[list(c)]) for c in group])
        combos += [tuple(GENRES[i] for i in c) for c in group]
        weights += list(share * w / w.sum())
    tag_combos = [()] + [(t,) for t in REVIEW_TAGS] + list(combinations(REVIEW_TAGS, 2))
    return Vocabulary(
        titles=tuple(titles),
        titles_json=tuple(dumps(t) for t in titles),
        people=tuple(people),
        people_json=tuple(dumps(p) for p in people),
        genre_combos=tuple(combos),
        genre_combos_json=tuple(dumps(list(c)) for c in combos),
        genre_combo_weights=np.array(weights),
        tag_combos=tuple(tag_combos),
        tag_combos_json=tuple(dumps(list(c)) for c in tag_combos),
    )
