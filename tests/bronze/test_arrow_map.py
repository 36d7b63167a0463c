"""map_in_arrow: the plan of DataFrame.mapInArrow, without pandas on the driver."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pyarrow as pa
import pytest

from ingestion.bronze.arrow_map import map_in_arrow

pytestmark = pytest.mark.spark


def describe_batches(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    for batch in batches:
        ids = batch.column("id")
        yield pa.RecordBatch.from_pydict({"rows": [batch.num_rows], "first": [ids[0].as_py()], "text": [f"{ids[0]}"]})


def test_same_rows_as_map_in_arrow(spark):
    frame = spark.range(0, 1000, 1, 3)
    schema = "rows long, first long, text string"
    ours = map_in_arrow(frame, describe_batches, schema)
    assert ours.schema == frame.mapInArrow(describe_batches, schema).schema
    assert sorted(ours.collect()) == sorted(frame.mapInArrow(describe_batches, schema).collect())
    assert sum(r.rows for r in ours.collect()) == 1000


def test_the_driver_never_imports_pandas():
    code = """
import sys
import pyarrow as pa
from ingestion.bronze.arrow_map import map_in_arrow
from ingestion.bronze.session import local_session
spark = local_session("arrow-map-test")
rows = map_in_arrow(spark.range(10), lambda batches: (b for b in batches), "id long").count()
spark.stop()
assert rows == 10, rows
print("pandas" in sys.modules)
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "False"
