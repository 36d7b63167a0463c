"""Exactly-once bookkeeping: which raw files belong to which batch, and which batches committed.

A batch plan (the list of raw files of batch N) is written before any data. Batch N counts as done
only when the Delta table's own app transaction for the job says version >= N; that mark is written
in the same Delta commit as the data, so data and ledger cannot disagree. A plan whose commit never
happened (a crash) is replayed with the same files, the same batch id and the same timestamp.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone

from ingestion import storage

_PLAN_NAME = re.compile(r"batch-(\d{6})\.json$")
RAW_SUFFIXES = (".json", ".json.gz", ".ndjson", ".ndjson.gz")


@dataclass(frozen=True)
class RawFile:
    uri: str
    size: int
    fingerprint: str  # content hash: a file delivered twice under another name is still one file


@dataclass(frozen=True)
class BatchPlan:
    dataset: str
    version: int
    files: tuple[RawFile, ...]
    ingested_at: datetime

    @property
    def batch_id(self) -> str:
        return f"{self.dataset}-{self.version:06d}"

    def to_json(self) -> str:
        return json.dumps(
            {
                "dataset": self.dataset,
                "version": self.version,
                "ingested_at": self.ingested_at.isoformat(),
                "files": [{"uri": f.uri, "size": f.size, "fingerprint": f.fingerprint} for f in self.files],
            },
            indent=1,
        )

    @classmethod
    def from_json(cls, text: str) -> BatchPlan:
        doc = json.loads(text)
        return cls(
            dataset=doc["dataset"],
            version=doc["version"],
            files=tuple(RawFile(f["uri"], f["size"], f["fingerprint"]) for f in doc["files"]),
            ingested_at=datetime.fromisoformat(doc["ingested_at"]),
        )


def is_raw_data_file(uri: str) -> bool:
    name = uri.rsplit("/", 1)[-1]
    return name.endswith(RAW_SUFFIXES) and not name.endswith(".manifest.json") and not name.startswith((".", "_"))


def list_raw_files(raw_prefix: str) -> list[RawFile]:
    files = (f for f in storage.list_files(raw_prefix) if is_raw_data_file(f.uri))
    return [RawFile(f.uri, f.size, storage.fingerprint(f)) for f in files]


class Ledger:
    """Batch plans of one dataset, stored beside the bronze tables."""

    def __init__(self, bronze_root: str, dataset: str):
        self.dataset = dataset
        self.root = storage.join(bronze_root, "_ledger", dataset)

    def _plan_uri(self, version: int) -> str:
        return storage.join(self.root, f"batch-{version:06d}.json")

    def plans(self) -> list[BatchPlan]:
        found = [f.uri for f in storage.list_files(self.root) if _PLAN_NAME.search(f.uri)]
        return [BatchPlan.from_json(storage.read_bytes(uri).decode()) for uri in found]

    def read_plan(self, version: int) -> BatchPlan | None:
        uri = self._plan_uri(version)
        return BatchPlan.from_json(storage.read_bytes(uri).decode()) if storage.file_exists(uri) else None

    def processed_files(self, committed_version: int) -> list[RawFile]:
        return [f for plan in self.plans() if plan.version <= committed_version for f in plan.files]

    @staticmethod
    def new_files(raw_files: list[RawFile], processed: list[RawFile]) -> tuple[RawFile, ...]:
        """Files not seen before, by name and by content. Empty files are matched by name only."""
        seen_uris = {f.uri for f in processed}
        seen_content = {f.fingerprint for f in processed if f.size > 0}
        new = []
        for f in raw_files:
            if f.uri in seen_uris or (f.size > 0 and f.fingerprint in seen_content):
                continue
            new.append(f)
            seen_uris.add(f.uri)
            if f.size > 0:
                seen_content.add(f.fingerprint)
        return tuple(new)

    def next_plan(self, raw_files: list[RawFile], committed_version: int) -> BatchPlan | None:
        """The batch to run now: an unfinished plan if one exists, else the files not yet processed.

        Concurrent runs agree on one plan: it is created only if absent, and a run that loses that
        race takes the winner's plan, so both stage the same files and the commit admits one of them.
        """
        pending = self.read_plan(committed_version + 1)
        if pending is not None:
            return pending
        new = self.new_files(raw_files, self.processed_files(committed_version))
        if not new:
            return None
        plan = BatchPlan(self.dataset, committed_version + 1, new, datetime.now(timezone.utc))
        if storage.write_bytes_if_absent(self._plan_uri(plan.version), plan.to_json().encode()):
            return plan
        return self.read_plan(plan.version)

    def discard(self, plan: BatchPlan) -> None:
        """Forget a plan that was aborted before commit (e.g. too many rejects)."""
        storage.remove_file(self._plan_uri(plan.version))
