"""The run manifest: what was written, with exact dirt counts, so downstream tests can reconcile.

It holds no wall-clock time or host detail: the same seed and options give a byte-identical
manifest, like the data. Counting units are spelled out in docs/generator.md.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from ingestion import storage
from ingestion.generator.dirt import DirtRates

MANIFEST_VERSION = 1


class RunOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    count: int
    parts: int
    gzip: bool
    movie_universe: int
    dirt: DirtRates


class FileEntry(BaseModel):
    """One file of the run. `path` is relative to the raw root (`<dataset>/ingest_date=.../<name>`)."""

    model_config = ConfigDict(extra="forbid")

    path: str
    part: int
    records: int = Field(description="records whose own line is in this file")
    lines_written: int = Field(description="all lines: records + duplicates + older versions + malformed")
    valid_lines: int = Field(description="lines that parse as JSON objects (lines_written - malformed_lines)")
    malformed_lines: int
    bytes: int = Field(description="size on storage (compressed size for .gz)")
    empty_file: bool = Field(description="a zero-byte file injected by the empty_file dirt kind")
    dirt: dict[str, int] = Field(description="per kind, same units as Manifest.dirt")


class Manifest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    manifest_version: int = MANIFEST_VERSION
    generator_version: str
    run_id: str
    dataset: str
    ingest_date: str
    seed: int
    options: RunOptions
    raw_root: str
    partition: str = Field(description="folder of the run under the raw root")
    records: int = Field(description="distinct records (= count): one per movie_id / review_id")
    lines_written: int
    valid_lines: int
    malformed_lines: int
    files: list[FileEntry]
    dirt: dict[str, int] = Field(
        description="record kinds: records changed; exact_duplicates, resent_records, malformed_json: "
        "extra lines; empty_file: zero-byte files"
    )
    dirt_lines: dict[str, int] = Field(
        description="valid lines carrying each kind (a duplicate or older version repeats its record's dirt)"
    )
    dirt_fields: dict[str, dict[str, int]] = Field(description="record kinds: records changed, per field")

    def file_uris(self) -> list[str]:
        return [f"{self.raw_root}/{f.path}" for f in self.files]

    @property
    def manifest_path(self) -> str:
        """Relative to the raw root."""
        return f"{self.partition}/{self.run_id}.manifest.json"


def read_manifest(uri: str) -> Manifest:
    """Load a written manifest (local path or s3:// URI), e.g. to reconcile a run downstream."""
    return Manifest.model_validate_json(storage.read_bytes(uri))
