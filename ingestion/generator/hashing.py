"""Deterministic randomness: counter-based hashes and seeded generators.

Static movie attributes must be a pure function of the movie id (the same id looks the same on
every date and under every run seed), so they come from a stateless hash of (id, salt) rather
than from a stateful RNG. Everything that may differ per run comes from generators keyed on
(seed, date, dataset, purpose), so changing one dirt rate never reshuffles the clean records.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import numpy as np

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MASK48 = np.uint64((1 << 48) - 1)


def _mix64(x: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser: a bijection on uint64 with good avalanche (arrays wrap silently)."""
    x = (x ^ (x >> np.uint64(30))) * _M1
    x = (x ^ (x >> np.uint64(27))) * _M2
    return x ^ (x >> np.uint64(31))


def _salt(name: str) -> np.uint64:
    # A stable 64-bit value per attribute name (Python's hash() is randomised per process).
    return np.uint64(int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "little"))


def hash_ids(ids: np.ndarray, salt: str) -> np.ndarray:
    """uint64 hash of each id for one named attribute."""
    x = ids.astype(np.uint64) * _GOLDEN + _salt(salt)
    return _mix64(_mix64(x))


def uniform(ids: np.ndarray, salt: str) -> np.ndarray:
    """A float in [0, 1) per id, fixed forever for (id, salt)."""
    return (hash_ids(ids, salt) >> np.uint64(11)).astype(np.float64) * (1.0 / (1 << 53))


def index(ids: np.ndarray, salt: str, n: int) -> np.ndarray:
    """An int in [0, n) per id (modulo bias is below 1e-12 for the sizes used here)."""
    return (hash_ids(ids, salt) % np.uint64(n)).astype(np.int64)


def normal(ids: np.ndarray, salt: str) -> np.ndarray:
    """A standard normal per id (Box-Muller over two hashed uniforms)."""
    u1 = 1.0 - uniform(ids, salt + ":a")  # (0, 1]: log stays finite
    u2 = uniform(ids, salt + ":b")
    return np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)


def choose(ids: np.ndarray, salt: str, weights: np.ndarray) -> np.ndarray:
    """A weighted index per id."""
    cum = np.cumsum(weights, dtype=np.float64)
    return np.minimum(np.searchsorted(cum / cum[-1], uniform(ids, salt), side="right"), len(weights) - 1)


def permute48(x: np.ndarray) -> np.ndarray:
    """A bijection on 48-bit integers, so distinct counters give distinct, random-looking ids."""
    x = x & _MASK48
    x = (x * np.uint64(0x5DEECE66D)) & _MASK48
    x ^= x >> np.uint64(24)
    x = (x * np.uint64(0xD1B54A32D19B)) & _MASK48
    x ^= x >> np.uint64(21)
    return x


def run_key(dataset: str, seed: int, date: dt.date, bits: int = 24) -> int:
    """A stable small integer for one run, used to keep generated ids apart between runs."""
    digest = hashlib.blake2b(f"{dataset}|{seed}|{date.isoformat()}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little") & ((1 << bits) - 1)


_PURPOSES = {
    "sample": 1,
    "values": 2,
    "dirt": 3,
    "files": 4,
}
_DATASET_CODES = {"movies": 1, "reviews": 2}


def rng(seed: int, date: dt.date, dataset: str, purpose: str, chunk: int = 0) -> np.random.Generator:
    """A numpy generator for one (run, purpose, chunk); independent streams via SeedSequence."""
    entropy = [seed, date.toordinal(), _DATASET_CODES[dataset], _PURPOSES[purpose], chunk]
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(entropy)))
