"""Explicit bronze schemas: the source fields of each dataset plus the metadata columns.

Every source field is a string: bronze keeps values as they arrived (see docs/data_contract.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from ingestion.errors import OakvaleError

PARTITION_COLUMN = "_ingest_date"

MOVIE_FIELDS = (
    "movie_id",
    "title",
    "genres",
    "studio",
    "release_date",
    "runtime_minutes",
    "budget_usd",
    "box_office_usd",
    "mpaa_rating",
    "original_language",
    "country",
    "director",
    "cast",
    "updated_at",
)
REVIEW_FIELDS = ("review_id", "movie_id", "user_id", "rating", "review_ts", "source", "tags")

# Metadata shared by data and rejects tables, in column order, with their Arrow types.
BATCH_METADATA = (
    ("_source_file", pa.string()),
    ("_source_line", pa.int64()),  # 1-based; null where Spark split a large plain file (docs/data_contract.md)
    ("_ingest_date", pa.date32()),
    ("_ingested_at", pa.timestamp("us", tz="UTC")),
    ("_batch_id", pa.string()),
)

# What a reject carries besides its line: set only for the reasons that need it (docs/data_contract.md).
REJECT_DETAIL = (
    ("_reject_detail", pa.string()),  # the reader's error, for a quarantined file
    ("_raw_bytes", pa.binary()),  # the line's exact bytes, for a line that is not valid UTF-8
    ("_file_size", pa.int64()),  # bytes of a quarantined file
)


@dataclass(frozen=True)
class DatasetSpec:
    name: str
    fields: tuple[str, ...]

    @property
    def table(self) -> str:
        return self.name

    @property
    def rejects_table(self) -> str:
        return f"{self.name}_rejects"

    def data_schema(self) -> pa.Schema:
        columns = [pa.field(f, pa.string()) for f in self.fields]
        columns.append(pa.field("_rescued_data", pa.string()))
        columns += [pa.field(name, type_) for name, type_ in BATCH_METADATA]
        return pa.schema(columns)

    @staticmethod
    def rejects_schema() -> pa.Schema:
        columns = [pa.field("_raw_line", pa.string()), pa.field("_reject_reason", pa.string())]
        columns += [pa.field(name, type_) for name, type_ in BATCH_METADATA]
        # Last, so tables written before they existed gain them by additive schema evolution.
        columns += [pa.field(name, type_) for name, type_ in REJECT_DETAIL]
        return pa.schema(columns)


DATASETS: dict[str, DatasetSpec] = {
    "movies": DatasetSpec("movies", MOVIE_FIELDS),
    "reviews": DatasetSpec("reviews", REVIEW_FIELDS),
}


class UnknownDatasetError(OakvaleError, ValueError):
    pass


def dataset_spec(name: str) -> DatasetSpec:
    try:
        return DATASETS[name]
    except KeyError:
        raise UnknownDatasetError(f"unknown dataset {name!r}; expected one of {sorted(DATASETS)}") from None
