"""Bronze job benchmark: local Spark bronze vs DuckDB doing the same honest good/bad split.

For each size, the generator lands gzip NDJSON movies (0.2% malformed lines by default), then:
  * spark:  glue_scripts/bronze_job.py in a child process (Parquet + delta-rs commit), wall time and
            peak RSS of the whole process tree (Python driver, JVM, Python workers); `job` is the part
            of it spent in the bronze run (session ready -> tables committed), as the job reports it;
  * duckdb: the reference: lines read as text, json_valid() splits good from bad, good rows parsed
            with the same 14 string fields, both written to Parquet.
Reports rows/s, MB/s (uncompressed NDJSON) and the Spark/DuckDB time ratio. Results go to
bench/results/bronze.json. Usage: python bench/bench_bronze.py [--sizes 100000 1000000 10000000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import duckdb
import psutil

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from ingestion.bronze import class_archive  # noqa: E402
from ingestion.bronze.schema import MOVIE_FIELDS  # noqa: E402
from ingestion.generator import generate_dataset  # noqa: E402

DATE = dt.date(2026, 11, 20)


def land_raw(root: Path, count: int) -> tuple[Path, int, int]:
    raw = root / "raw"
    if not (raw / "movies").exists():
        # A movie is sent once per run and ids are tt + 7 digits: above 1e6 records, land several
        # days of 1e6 (each day re-sends the same movies, as the real feed does).
        per_day = min(count, 1_000_000)
        for day in range(count // per_day):
            parts = max(1, per_day // 250_000)  # Spark reads one gzip file per task: split big inputs
            generate_dataset("movies", per_day, 7, DATE + dt.timedelta(days=day), str(raw), gzip=True, parts=parts)
    files = sorted((raw / "movies").rglob("*.json.gz"))
    plain = 0
    for f in files:
        with gzip.open(f, "rb") as handle:
            while chunk := handle.read(1 << 24):
                plain += len(chunk)
    return raw, sum(f.stat().st_size for f in files), plain


class PeakRss:
    """Samples the RSS of a process and all its children (the JVM) every 100 ms."""

    def __init__(self, pid: int):
        self.process = psutil.Process(pid)
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                procs = [self.process, *self.process.children(recursive=True)]
                self.peak = max(self.peak, sum(p.memory_info().rss for p in procs if p.is_running()))
            except psutil.Error:
                pass
            time.sleep(0.1)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def spark_startup_seconds() -> float:
    code = "from ingestion.bronze.session import local_session as s; s().stop()"
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, cwd=REPO)
    return time.perf_counter() - start


def run_spark(root: Path) -> dict:
    shutil.rmtree(root / "lakehouse", ignore_errors=True)
    command = [sys.executable, str(REPO / "glue_scripts" / "bronze_job.py"), "--dataset", "movies", "--data_root", str(root)]
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    meter = PeakRss(child.pid)
    out, err = child.communicate()
    seconds = time.perf_counter() - start
    peak = meter.stop()
    if child.returncode != 0:
        raise RuntimeError(f"bronze job failed:\n{err[-3000:]}")
    result = json.loads(out.strip().splitlines()[-1])
    return {"seconds": seconds, "job_seconds": result["seconds"], "peak_rss_bytes": peak, "rows": result["rows"],
            "rejects": result["rejects"]}


def run_duckdb(raw: Path, out_dir: Path) -> dict:
    out_dir.mkdir(parents=True, exist_ok=True)
    fields = ", ".join(f'"{f}": "VARCHAR"' for f in MOVIE_FIELDS)
    # DuckDB cannot open a zero-byte .gz (the generator's empty_file dirt); they hold no lines anyway.
    files = [str(f) for f in sorted((raw / "movies").rglob("*.json.gz")) if f.stat().st_size > 0]
    pattern = "[" + ", ".join(f"'{f}'" for f in files) + "]"
    con = duckdb.connect()
    start = time.perf_counter()
    con.execute(
        f"""create temp table lines as
        select line, filename from read_csv({pattern}, columns={{'line': 'VARCHAR'}}, header=false,
            delim='\\x01', quote='', escape='', auto_detect=false, filename=true)
        where trim(line) <> ''"""
    )
    con.execute(
        f"""copy (select unnest(json_transform(line, '{{{fields}}}')), filename from lines
                  where json_valid(line) and starts_with(ltrim(line), '{{'))
            to '{out_dir}/good.parquet' (format parquet)"""
    )
    con.execute(
        f"""copy (select line as _raw_line, filename from lines
                  where not (json_valid(line) and starts_with(ltrim(line), '{{')))
            to '{out_dir}/bad.parquet' (format parquet)"""
    )
    seconds = time.perf_counter() - start
    good = con.execute(f"select count(*) from '{out_dir}/good.parquet'").fetchone()[0]
    bad = con.execute(f"select count(*) from '{out_dir}/bad.parquet'").fetchone()[0]
    return {"seconds": seconds, "rows": good, "rejects": bad}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "oakvale-bench-bronze")
    args = parser.parse_args()

    startup = spark_startup_seconds()
    results = {"machine": {"cpus": os.cpu_count(), "memory_gib": round(psutil.virtual_memory().total / 2**30, 1)},
               "spark_startup_seconds": round(startup, 2), "spark_class_archive": class_archive.ARCHIVE.is_file(),
               "runs": []}
    print(f"spark session start-up: {startup:.1f}s (included in 'spark', the whole process; 'job' is the bronze run"
          " itself, from a ready session to the committed tables: what a Glue run adds to its warm JVM)")
    print(f"{'records':>10} {'engine':>7} {'seconds':>8} {'rows/s':>10} {'MB/s':>7} {'peak RSS':>9} {'ratio':>6}")
    for size in args.sizes:
        root = args.workdir / f"n{size}"
        raw, gz_bytes, plain_bytes = land_raw(root, size)
        spark = run_spark(root)
        print(f"{size:>10} spark job done in {spark['seconds']:.1f}s", flush=True)
        reference = run_duckdb(raw, root / "duckdb_out")
        assert (spark["rows"], spark["rejects"]) == (reference["rows"], reference["rejects"]), (spark, reference)
        ratio = spark["seconds"] / reference["seconds"]
        job_ratio = spark["job_seconds"] / reference["seconds"]
        lines = spark["rows"] + spark["rejects"]
        spark_job = {"seconds": spark["job_seconds"]}
        for name, r in (("spark", spark), ("job", spark_job), ("duckdb", reference)):
            rss = f"{r['peak_rss_bytes'] / 2**30:.2f}G" if "peak_rss_bytes" in r else "-"
            print(f"{size:>10} {name:>7} {r['seconds']:>8.1f} {lines / r['seconds']:>10.0f} "
                  f"{plain_bytes / 1e6 / r['seconds']:>7.1f} {rss:>9} {r['seconds'] / reference['seconds']:>6.2f}")
        results["runs"].append({"records": size, "lines": lines, "raw_gzip_bytes": gz_bytes, "raw_bytes": plain_bytes,
                                "spark": spark, "duckdb": reference, "spark_over_duckdb": round(ratio, 2),
                                "job_over_duckdb": round(job_ratio, 2)})
    out = REPO / "bench" / "results" / "bronze.json"
    out.write_text(json.dumps(results, indent=1))
    print(f"written {out}")


if __name__ == "__main__":
    main()
