"""Clean and dirty renderings of single values, as JSON fragments (text ready to splice into a line).

Clean columns are rendered in bulk with numpy; these helpers cover the per-value work, which only
runs for the few records that carry dirt.
"""

from __future__ import annotations

import datetime as dt
import time

import numpy as np

from ingestion.generator.vocab import MONTH_ABBR, dumps

EPOCH = dt.date(1970, 1, 1)


def quoted(values: list[str], prefix: str = "") -> list[str]:
    """JSON fragments (or cells, with a key prefix) for strings that need no escaping (ISO dates, codes)."""
    opening = prefix + '"'
    return [opening + v + '"' for v in values]


def iso_dates(days: np.ndarray) -> list[str]:
    """Days since 1970-01-01 -> `YYYY-MM-DD` strings, vectorised."""
    return np.datetime_as_string(days.astype("datetime64[D]")).tolist()


def iso_timestamps_json(seconds: np.ndarray, prefix: str = "") -> list[str]:
    """Epoch seconds -> JSON strings `"YYYY-MM-DDTHH:MM:SSZ"` (quotes included, after an optional key prefix)."""
    opening = prefix + '"'
    return [opening + s + 'Z"' for s in np.datetime_as_string(seconds.astype("datetime64[s]")).tolist()]


def iso_timestamp(seconds: int) -> str:
    """One epoch second -> `YYYY-MM-DDTHH:MM:SSZ` (the per-value twin of iso_timestamps)."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def money_string(value: int) -> str:
    return dumps(f"${value:,}")  # "$12,000,000"


def runtime_string(value: int) -> str:
    return dumps(f"{value} min")  # "120 min"


def rating_string(value: float, source: str) -> str:
    scale = 10 if source == "critic" else 5
    return dumps(f"{value:g}/{scale}")  # "8.5/10", "4/5"


def dirty_date(days: int, variant: int) -> str:
    """variant 0: `MM/DD/YYYY`; 1: `DD Mon YYYY`."""
    d = EPOCH + dt.timedelta(days=days)
    if variant == 0:
        return dumps(f"{d.month:02d}/{d.day:02d}/{d.year:04d}")
    return dumps(f"{d.day:02d} {MONTH_ABBR[d.month - 1]} {d.year:04d}")


def dirty_timestamp(seconds: int, variant: int) -> str:
    """variant 0: `YYYY-MM-DD HH:MM:SS` (no zone); 1: epoch seconds as a JSON integer."""
    if variant == 0:
        t = dt.datetime(1970, 1, 1) + dt.timedelta(seconds=seconds)
        return dumps(t.strftime("%Y-%m-%d %H:%M:%S"))
    return str(seconds)
