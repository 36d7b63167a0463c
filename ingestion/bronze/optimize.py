"""Small-file care for bronze tables: compact each partition's files, then vacuum unreferenced ones."""

from __future__ import annotations

import logging

from deltalake import DeltaTable

from ingestion.bronze.failpoints import failpoint
from ingestion.bronze.write import delta_storage_options

log = logging.getLogger(__name__)


def optimize_table(table_path: str, *, target_size_mb: int = 128, vacuum_retention_hours: int = 168) -> dict:
    table = DeltaTable(table_path, storage_options=delta_storage_options(table_path))
    metrics = table.optimize.compact(target_size=target_size_mb * 1024 * 1024)
    failpoint("during_optimize")  # compacted, not yet vacuumed: a kill here must lose and double nothing
    # Also removes files staged by runs that crashed before their commit (never referenced by the log).
    removed = table.vacuum(retention_hours=vacuum_retention_hours, dry_run=False, enforce_retention_duration=False)
    log.info("optimized %s: %s; vacuumed %d file(s)", table_path, metrics, len(removed))
    return {"compaction": metrics, "vacuumed_files": len(removed)}
