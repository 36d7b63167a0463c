"""One generator run, end to end: records -> dirt -> part files -> manifest."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ingestion import __version__, storage
from ingestion.errors import OakvaleError
from ingestion.generator import hashing
from ingestion.generator.dirt import DIRT_KINDS, LINE_KINDS, RECORD_KINDS, DirtRates
from ingestion.generator.layout import FilePlan, partition_for, plan_files, run_id_for
from ingestion.generator.manifest import FileEntry, Manifest, RunOptions
from ingestion.generator.movies import Movies
from ingestion.generator.records import Dataset
from ingestion.generator.render import RenderedChunk, render_chunk
from ingestion.generator.reviews import Reviews
from ingestion.generator.writer import PartWriter, remove_stale_parts, write_empty

DATASETS: dict[str, type[Dataset]] = {"movies": Movies, "reviews": Reviews}
DEFAULT_REVIEW_UNIVERSE = 1000
# Records per chunk: a fixed grid over the run (not over parts), so the content of the run does not
# depend on how it is split into files. Large enough to amortise numpy calls, small enough for memory.
CHUNK = 20_000

__all__ = ["DATASETS", "GeneratorError", "generate_dataset", "run_id_for"]


class GeneratorError(OakvaleError, ValueError):
    """Invalid generator options; the message names the fix."""


@dataclass
class _Tally:
    """What was written, per file (indexed by part number) and per (kind, field)."""

    n_files: int
    per_file: list[Counter[str]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)
    fields: Counter[tuple[str, str]] = field(default_factory=Counter)
    dirt_lines: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self.per_file = [Counter() for _ in range(self.n_files)]
        self.lines = [0] * self.n_files
        self.sizes = [0] * self.n_files


def _chunks(ds: Dataset, rates: DirtRates, seed: int, date: dt.date) -> Iterator[RenderedChunk]:
    for index, start in enumerate(range(0, ds.count, CHUNK)):
        stop = min(start + CHUNK, ds.count)
        chunk = ds.chunk(start, stop, hashing.rng(seed, date, ds.name, "values", index))
        yield render_chunk(ds, chunk, rates, hashing.rng(seed, date, ds.name, "dirt", index))


@contextlib.contextmanager
def _progress(enabled: bool, total: int, label: str) -> Iterator[Callable[[int], None]]:
    if not enabled:
        yield lambda n: None
        return
    from rich.progress import Progress  # imported lazily: Lambda never shows a bar

    with Progress() as bar:
        task = bar.add_task(label, total=total)
        yield lambda n: bar.advance(task, n)


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """A run allocates millions of short-lived containers and no cycles: the cyclic GC would only
    spend time (about 15% of a run) walking them."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _write_data(
    ds: Dataset, rates: DirtRates, plans: list[FilePlan], folder: str, gzip: bool, advance: Callable[[int], None]
) -> _Tally:
    """Stream the chunks into the data files, handing each record's lines to the file that owns it."""
    tally = _Tally(len(plans))
    data_files = iter([p for p in plans if not p.empty])
    current = next(data_files)
    with _gc_paused(), ThreadPoolExecutor(max_workers=1, thread_name_prefix="oakvale-writer") as io_thread:
        writer = PartWriter(f"{folder}/{current.name}", gzip, io_thread)
        try:
            for rendered in _chunks(ds, rates, ds.seed, ds.date):
                tally.fields.update(rendered.fields)
                n = len(rendered.starts) - 1
                copies = 1 + rendered.applied["exact_duplicates"].astype(np.int64) + rendered.applied["resent_records"]
                for kind in RECORD_KINDS:
                    tally.dirt_lines[kind] += int((rendered.applied[kind] * copies).sum())
                lo = 0
                while lo < n:  # a chunk may span part boundaries
                    hi = min(n, current.hi - rendered.start)
                    a, b = rendered.line_range(lo, hi)
                    writer.write(rendered.lines[a:b])
                    tally.lines[current.part] += b - a
                    for kind in (*RECORD_KINDS, *LINE_KINDS):
                        tally.per_file[current.part][kind] += int(rendered.applied[kind][lo:hi].sum())
                    lo = hi
                    if rendered.start + lo == current.hi and rendered.start + lo < ds.count:
                        tally.sizes[current.part] = writer.close()
                        current = next(data_files)
                        writer = PartWriter(f"{folder}/{current.name}", gzip, io_thread)
                advance(n)
            tally.sizes[current.part] = writer.close()
        except BaseException:
            writer.abort()
            raise
    for p in plans:
        if p.empty:
            tally.sizes[p.part] = write_empty(f"{folder}/{p.name}")
            tally.per_file[p.part]["empty_file"] = 1
    return tally


def _manifest(
    ds: Dataset, run_id: str, root: str, partition: str, plans: list[FilePlan], tally: _Tally, options: RunOptions
) -> Manifest:
    files = [
        FileEntry(
            path=f"{partition}/{p.name}",
            part=p.part,
            records=p.hi - p.lo,
            lines_written=tally.lines[p.part],
            valid_lines=tally.lines[p.part] - tally.per_file[p.part]["malformed_json"],
            malformed_lines=tally.per_file[p.part]["malformed_json"],
            bytes=tally.sizes[p.part],
            empty_file=p.empty,
            dirt={kind: tally.per_file[p.part][kind] for kind in DIRT_KINDS},
        )
        for p in plans
    ]
    totals = {kind: sum(f.dirt[kind] for f in files) for kind in DIRT_KINDS}
    # Valid lines showing each kind: record kinds repeat on copies; the extra-line kinds are their lines.
    line_totals = dict(tally.dirt_lines)
    for kind in ("exact_duplicates", "resent_records"):
        line_totals[kind] = totals[kind]
    field_counts: dict[str, dict[str, int]] = {}
    for (kind, name), n in sorted(tally.fields.items(), key=lambda kv: (DIRT_KINDS.index(kv[0][0]), ds.position[kv[0][1]])):
        field_counts.setdefault(kind, {})[name] = n  # kinds in contract order, fields in schema order
    return Manifest(
        generator_version=__version__,
        run_id=run_id,
        dataset=ds.name,
        ingest_date=ds.date.isoformat(),
        seed=ds.seed,
        options=options,
        raw_root=root,
        partition=partition,
        records=ds.count,
        lines_written=sum(f.lines_written for f in files),
        valid_lines=sum(f.valid_lines for f in files),
        malformed_lines=totals["malformed_json"],
        files=files,
        dirt=totals,
        dirt_lines={kind: line_totals[kind] for kind in DIRT_KINDS if kind in line_totals},
        dirt_fields=field_counts,
    )


def generate_dataset(
    dataset: str,
    count: int,
    seed: int,
    date: dt.date,
    out: str,
    *,
    gzip: bool = False,
    parts: int = 1,
    dirt: DirtRates | None = None,
    movie_universe: int | None = None,
    progress: bool = False,
) -> Manifest:
    """Write `count` records of `dataset` for ingest date `date` under the raw root `out`.

    Files: out/<dataset>/ingest_date=<date>/<run_id>-<part>.json[.gz], then <run_id>.manifest.json
    (written last, so a manifest means the run's files are complete). Part files of an earlier run
    with the same run_id that this run does not rewrite are deleted. See docs/generator.md.
    """
    if dataset not in DATASETS:
        raise GeneratorError(f"unknown dataset {dataset!r}: choose one of {sorted(DATASETS)}")
    if count < 1:
        raise GeneratorError(f"count must be at least 1, got {count}")
    if not 1 <= parts <= count:
        raise GeneratorError(f"parts must be between 1 and count ({count}), got {parts}")
    if seed < 0:
        raise GeneratorError(f"seed must be a non-negative integer, got {seed}")
    if isinstance(date, dt.datetime) or not isinstance(date, dt.date):
        raise GeneratorError(f"date must be a datetime.date, got {date!r}")
    rates = dirt if dirt is not None else DirtRates()
    if movie_universe is None:
        movie_universe = count if dataset == "movies" else DEFAULT_REVIEW_UNIVERSE
    try:
        ds = DATASETS[dataset](count, seed, date, movie_universe)
    except ValueError as exc:
        raise GeneratorError(str(exc)) from exc

    # Local roots are made absolute so the manifest names files the way bronze's _source_file does.
    root = out.rstrip("/") if storage.is_s3(out) else str(Path(out).resolve())
    run_id, partition = run_id_for(dataset, seed, date), partition_for(dataset, date)
    plans = plan_files(run_id, count, parts, rates.empty_file, hashing.rng(seed, date, dataset, "files"), gzip)
    with _progress(progress, count, f"{dataset} {date}") as advance:
        tally = _write_data(ds, rates, plans, f"{root}/{partition}", gzip, advance)
    remove_stale_parts(f"{root}/{partition}", run_id, keep={p.name for p in plans})

    options = RunOptions(count=count, parts=parts, gzip=gzip, movie_universe=movie_universe, dirt=rates)
    manifest = _manifest(ds, run_id, root, partition, plans, tally, options)
    storage.write_bytes(f"{root}/{manifest.manifest_path}", (manifest.model_dump_json(indent=2) + "\n").encode())
    return manifest
