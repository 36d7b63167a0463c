"""`DataFrame.mapInArrow` without the driver importing pandas.

PySpark 3.5 builds `mapInArrow` on `pandas_udf`, whose version checks import pandas and setuptools
on the driver: more than a second of a cold bronze run here, for a UDF that is Arrow in and Arrow
out and never touches pandas. This builds the same plan (`pythonMapInArrow` over a
SQL_MAP_ARROW_ITER_UDF) directly. `tests/bronze/test_arrow_map.py` checks it against `mapInArrow`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pyarrow as pa
from pyspark.rdd import PythonEvalType
from pyspark.sql import DataFrame
from pyspark.sql.udf import UserDefinedFunction

ArrowMapFunction = Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]]


def map_in_arrow(frame: DataFrame, func: ArrowMapFunction, schema: str) -> DataFrame:
    """What `frame.mapInArrow(func, schema)` returns, planned without pandas on the driver."""
    udf = UserDefinedFunction(func, returnType=schema, evalType=PythonEvalType.SQL_MAP_ARROW_ITER_UDF)
    column = udf(*[frame[name] for name in frame.columns])
    return DataFrame(frame._jdf.pythonMapInArrow(column._jc.expr(), False), frame.sparkSession)
