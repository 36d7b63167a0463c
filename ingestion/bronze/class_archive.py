"""A JVM class-data archive (AppCDS) for local Spark: a local run starts seconds sooner.

A fresh JVM spends seconds loading and verifying Spark's classes from its jars, for the session
and again for the first query. Java 17 can dump the classes a run loaded into an archive and map
it on later starts. `make setup` builds the archive once per virtual environment by running a
tiny bronze job; `local_session` uses it when it exists. The JVM checks that the archive matches
its classpath and ignores it (with a warning) when it does not, so a stale archive costs nothing
but the speed-up. Glue manages its own JVM: this is for the local default only.

    python -m ingestion.bronze.class_archive      # (re)build it
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ARCHIVE = Path(os.environ.get("OAKVALE_SPARK_CLASS_ARCHIVE", Path(sys.prefix) / "oakvale-spark-classes.jsa"))


def java_options() -> list[str]:
    return [f"-XX:SharedArchiveFile={ARCHIVE}"] if ARCHIVE.is_file() else []


_WARMUP = """
import json, pathlib, sys
from ingestion.bronze import BronzeJobOptions, run
from ingestion.bronze.session import local_session
root = pathlib.Path(sys.argv[1])
folder = root / "raw" / "movies" / "ingest_date=2026-01-01"
folder.mkdir(parents=True)
(folder / "warmup.json").write_text(json.dumps({"movie_id": "tt0000001", "extra": 1}) + "\\n{bad\\n")
spark = local_session("oakvale-class-archive")
run(spark, BronzeJobOptions(dataset="movies", data_root=str(root), reject_threshold=1.0))
spark.stop()
"""


def build() -> Path:
    """Run a tiny bronze job in a child JVM that dumps its classes at exit; install the archive."""
    ARCHIVE.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        dumped = Path(work) / "classes.jsa"
        env = {**os.environ, "OAKVALE_SPARK_JAVA_OPTIONS": f"-XX:ArchiveClassesAtExit={dumped}"}
        env["OAKVALE_SPARK_CLASS_ARCHIVE"] = str(Path(work) / "none.jsa")  # build from jars, not an old archive
        subprocess.run([sys.executable, "-c", _WARMUP, str(Path(work) / "data")], env=env, check=True, capture_output=True)
        if not dumped.is_file():
            raise RuntimeError("the JVM wrote no class archive (needs Java 13 or later)")
        os.replace(dumped, ARCHIVE)  # readers see the old archive or the new one, never half of one
    return ARCHIVE


if __name__ == "__main__":
    print(f"spark class archive: {build()}")
