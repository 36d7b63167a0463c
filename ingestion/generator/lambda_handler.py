"""AWS Lambda entry point: one event, one generator run, the manifest as the result."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

from ingestion.generator.dirt import DirtRates
from ingestion.generator.generate import GeneratorError, generate_dataset

RAW_URI_ENV = "OAKVALE_RAW_URI"


def _default_out() -> str:
    uri = os.environ.get(RAW_URI_ENV)
    if uri:
        return uri
    from ingestion.config import OakvaleSettings  # falls back to OAKVALE_DATA_ROOT + /raw

    return OakvaleSettings().raw_root


def _flag(value: object) -> bool:
    """Step Functions templates may pass booleans as strings; bool("false") would be True."""
    if isinstance(value, str):
        if value.strip().lower() in ("true", "1", "yes"):
            return True
        if value.strip().lower() in ("false", "0", "no", ""):
            return False
        raise GeneratorError(f"gzip must be true or false, got {value!r}")
    return bool(value)


def lambda_handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    """Event keys: dataset, count, seed (required); date (YYYY-MM-DD, default today UTC), out
    (default env OAKVALE_RAW_URI), gzip, parts, movie_universe, dirt ({kind: rate}, over the defaults).
    Numbers and booleans may arrive as strings (Step Functions templates). Returns the manifest as a
    JSON-ready dict."""
    missing = [key for key in ("dataset", "count", "seed") if key not in event]
    if missing:
        raise GeneratorError(f"event is missing {missing}; expected e.g. {{'dataset': 'movies', 'count': 1000, 'seed': 1}}")
    date = dt.date.fromisoformat(event["date"]) if event.get("date") else dt.datetime.now(dt.UTC).date()
    dirt = DirtRates(**event["dirt"]) if event.get("dirt") else None
    manifest = generate_dataset(
        event["dataset"],
        int(event["count"]),
        int(event["seed"]),
        date,
        event.get("out") or _default_out(),
        gzip=_flag(event.get("gzip", False)),
        parts=int(event.get("parts", 1)),
        dirt=dirt,
        movie_universe=int(event["movie_universe"]) if event.get("movie_universe") is not None else None,
    )
    return manifest.model_dump(mode="json")
