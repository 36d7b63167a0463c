"""Generator benchmark: records/s for one process writing raw NDJSON, as the issue asks (1e6 movies <= 30 s).

For each size and dataset, one generate_dataset() call writes into a fresh temporary raw root
(deleted afterwards), with the default dirt rates. Reported per run: wall and CPU seconds,
records/s and lines/s (wall), MB written, peak RSS of this process, and the load average before
and after (the machine is shared: wall time above CPU time means other work competed for the
cores). The vocabulary (Faker pools, built once per process) is timed separately; it is a fixed
start-up cost of about 1 s. Results go to bench/results/generator.json.

Usage: python bench/bench_generator.py [--sizes 100000 1000000] [--datasets movies reviews] [--gzip]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from ingestion.generator import generate_dataset  # noqa: E402
from ingestion.generator.vocab import vocabulary  # noqa: E402

DATE = dt.date(2026, 11, 23)
SEED = 1


class PeakRss:
    """Samples this process's RSS every 50 ms while a run is going."""

    def __init__(self) -> None:
        self.process = psutil.Process()
        self.peak = self.process.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, self.process.memory_info().rss)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def run_one(dataset: str, count: int, gzip: bool, parts: int) -> dict[str, object]:
    root = Path(tempfile.mkdtemp(prefix="oakvale-bench-gen-"))
    try:
        load_before = os.getloadavg()[0]
        cpu0, wall0 = time.process_time(), time.perf_counter()
        with PeakRss() as rss:
            manifest = generate_dataset(dataset, count, SEED, DATE, str(root / "raw"), gzip=gzip, parts=parts)
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        size = sum(f.bytes for f in manifest.files)
        return {
            "dataset": dataset,
            "records": count,
            "lines": manifest.lines_written,
            "gzip": gzip,
            "parts": parts,
            "wall_s": round(wall, 2),
            "cpu_s": round(cpu, 2),
            "records_per_s": round(count / wall),
            "lines_per_s": round(manifest.lines_written / wall),
            "mb_written": round(size / 1e6, 1),
            "peak_rss_mb": round(rss.peak / 1e6),
            "load_avg_1m_before": round(load_before, 2),
            "load_avg_1m_after": round(os.getloadavg()[0], 2),
        }
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000], help="record counts to time")
    parser.add_argument("--datasets", nargs="+", default=["movies"], choices=["movies", "reviews"], help="datasets to time")
    parser.add_argument("--gzip", action="store_true", help="write .json.gz parts (compression runs on a second thread)")
    parser.add_argument("--parts", type=int, default=1, help="part files per run")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "generator.json", help="results JSON")
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    vocabulary()
    vocab_s = time.perf_counter() - t0
    print(f"vocabulary (once per process): {vocab_s:.2f} s")
    runs = []
    for dataset in args.datasets:
        for size in args.sizes:
            result = run_one(dataset, size, args.gzip, args.parts)
            runs.append(result)
            print(
                f"{dataset:8s} {size:>10,d} records  {result['wall_s']:>6.2f} s wall  {result['cpu_s']:>6.2f} s cpu  "
                f"{result['records_per_s']:>9,d} records/s  {result['mb_written']:>7.1f} MB  "
                f"rss {result['peak_rss_mb']} MB  load {result['load_avg_1m_before']}->{result['load_avg_1m_after']}"
            )
    report = {
        "benchmark": "generator",
        "measured_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "vocabulary_s": round(vocab_s, 2),
        "runs": runs,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"results: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
