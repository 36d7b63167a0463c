"""Compaction keeps every row and the job's exactly-once mark, and leaves one file per partition."""

from __future__ import annotations

import pytest
from deltalake import DeltaTable

from ingestion.bronze import BronzeJobOptions, run
from ingestion.bronze.optimize import optimize_table
from tests.bronze.conftest import movie, write_raw

pytestmark = pytest.mark.spark


def test_optimize_compacts_small_files_and_keeps_the_ledger(spark, data_root):
    options = BronzeJobOptions(dataset="movies", data_root=str(data_root))
    for batch in range(3):
        write_raw(data_root, "movies", "2026-11-20", f"r{batch}", [movie(batch * 10 + i) for i in range(10)])
        run(spark, options)
    path = str(data_root / "lakehouse/bronze/movies")
    before = DeltaTable(path)
    assert len(before.file_uris()) >= 3

    result = optimize_table(path, vacuum_retention_hours=0)  # default keeps 7 days of history

    after = DeltaTable(path)
    assert len(after.file_uris()) == 1
    assert result["vacuumed_files"] >= 3
    assert after.to_pyarrow_table().num_rows == 30
    assert after.transaction_version("oakvale-bronze-movies") == 3
    assert run(spark, options).status == "no_new_files"
