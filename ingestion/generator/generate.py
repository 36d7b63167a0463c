"""One generator run, end to end: records -> dirt -> part files -> manifest."""

from __future__ import annotations

import contextlib
import gc
import datetime as dt
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ingestion import __version__, storage
from ingestion.generator import hashing
from ingestion.generator.dirt import DIRT_KINDS, LINE_KINDS, RECORD_KINDS, DirtRates
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


class GeneratorError(ValueError):
    """Invalid generator options; the message names the fix."""


def run_id_for(dataset: str, seed: int, date: dt.date) -> str:
    """Deterministic from (dataset, seed, date), as the contract requires; readable on purpose."""
    return f"{dataset}-{date:%Y%m%d}-s{seed}"


@dataclass
class _FilePlan:
    part: int
    name: str
    lo: int  # first record
    hi: int  # one past the last record
    empty: bool


def _plan_files(
    run_id: str, count: int, parts: int, rates: DirtRates, rng: np.random.Generator, ext: str
) -> list[_FilePlan]:
    """Records split as evenly as possible over `parts` files; each may be followed by an empty file."""
    empty_after = rng.random(parts) < rates.empty_file
    plans: list[_FilePlan] = []
    for k in range(parts):
        lo, hi = count * k // parts, count * (k + 1) // parts
        plans.append(_FilePlan(len(plans), "", lo, hi, False))
        if empty_after[k]:
            plans.append(_FilePlan(len(plans), "", hi, hi, True))
    for p in plans:
        p.name = f"{run_id}-{p.part:05d}.json{ext}"
    return plans


def _chunks(ds: Dataset, rates: DirtRates, seed: int, date: dt.date) -> Iterator[RenderedChunk]:
    for index, start in enumerate(range(0, ds.count, CHUNK)):
        stop = min(start + CHUNK, ds.count)
        chunk = ds.chunk(start, stop, hashing.rng(seed, date, ds.name, "values", index))
        yield render_chunk(ds, chunk, rates, hashing.rng(seed, date, ds.name, "dirt", index))


def _progress(enabled: bool, total: int, label: str):  # type: ignore[no-untyped-def]
    if not enabled:
        return contextlib.nullcontext(None)
    from rich.progress import Progress  # imported lazily: Lambda never shows a bar

    class _Bar:
        def __enter__(self):  # type: ignore[no-untyped-def]
            self.progress = Progress(transient=False)
            self.progress.__enter__()
            self.task = self.progress.add_task(label, total=total)
            return self

        def advance(self, n: int) -> None:
            self.progress.advance(self.task, n)

        def __exit__(self, *exc):  # type: ignore[no-untyped-def]
            return self.progress.__exit__(*exc)

    return _Bar()


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
    if movie_universe is not None:
        universe = movie_universe
    else:
        universe = count if dataset == "movies" else DEFAULT_REVIEW_UNIVERSE
    try:
        ds = DATASETS[dataset](count, seed, date, universe)
    except ValueError as exc:
        raise GeneratorError(str(exc)) from exc

    # Local roots are made absolute so the manifest names files the way bronze's _source_file does.
    root = out.rstrip("/") if storage.is_s3(out) else str(Path(out).resolve())
    run_id = run_id_for(dataset, seed, date)
    partition = f"{dataset}/ingest_date={date.isoformat()}"
    plans = _plan_files(run_id, count, parts, rates, hashing.rng(seed, date, dataset, "files"), ".gz" if gzip else "")
    data_files = [p for p in plans if not p.empty]

    per_file: list[Counter[str]] = [Counter() for _ in plans]
    lines_per_file = [0] * len(plans)
    sizes = [0] * len(plans)
    fields: Counter[tuple[str, str]] = Counter()
    dirt_lines: Counter[str] = Counter()
    gc_was_enabled = gc.isenabled()
    # The run allocates millions of short-lived containers and no cycles: the cyclic GC would
    # only spend time (about 15% of a run) walking them.
    gc.disable()
    io_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="oakvale-writer")
    file_iter = iter(data_files)
    current = next(file_iter)
    writer = PartWriter(f"{root}/{partition}/{current.name}", gzip, io_thread)
    try:
        with _progress(progress, count, f"{dataset} {date}") as bar:
            for rendered in _chunks(ds, rates, seed, date):
                fields.update(rendered.fields)
                n = len(rendered.starts) - 1
                rep = 1 + rendered.applied["exact_duplicates"].astype(np.int64) + rendered.applied["resent_records"]
                for kind in RECORD_KINDS:
                    dirt_lines[kind] += int((rendered.applied[kind] * rep).sum())
                # Hand the chunk's records to the files that own them (a chunk may span part boundaries).
                lo = 0
                while lo < n:
                    hi = min(n, current.hi - rendered.start)
                    a, b = rendered.line_range(lo, hi)
                    writer.write(rendered.lines[a:b])
                    lines_per_file[current.part] += b - a
                    for kind in (*RECORD_KINDS, *LINE_KINDS):
                        per_file[current.part][kind] += int(rendered.applied[kind][lo:hi].sum())
                    lo = hi
                    if rendered.start + lo == current.hi and current is not data_files[-1]:
                        sizes[current.part] = writer.close()
                        current = next(file_iter)
                        writer = PartWriter(f"{root}/{partition}/{current.name}", gzip, io_thread)
                if bar is not None:
                    bar.advance(n)
        sizes[current.part] = writer.close()
    except BaseException:
        writer.abort()
        raise
    finally:
        io_thread.shutdown(wait=True)
        if gc_was_enabled:
            gc.enable()
    for p in plans:
        if p.empty:
            sizes[p.part] = write_empty(f"{root}/{partition}/{p.name}")
            per_file[p.part]["empty_file"] = 1

    remove_stale_parts(f"{root}/{partition}", run_id, keep={p.name for p in plans})

    files = []
    for p in plans:
        counts = per_file[p.part]
        mal = counts["malformed_json"]
        files.append(
            FileEntry(
                path=f"{partition}/{p.name}",
                part=p.part,
                records=p.hi - p.lo,
                lines_written=lines_per_file[p.part],
                valid_lines=lines_per_file[p.part] - mal,
                malformed_lines=mal,
                bytes=sizes[p.part],
                empty_file=p.empty,
                dirt={kind: counts[kind] for kind in DIRT_KINDS},
            )
        )
    totals = {kind: sum(f.dirt[kind] for f in files) for kind in DIRT_KINDS}
    line_totals = {kind: dirt_lines[kind] for kind in RECORD_KINDS}
    line_totals.update({kind: totals[kind] for kind in ("exact_duplicates", "resent_records")})
    field_counts: dict[str, dict[str, int]] = {}
    by_kind_then_field = sorted(fields.items(), key=lambda kv: (DIRT_KINDS.index(kv[0][0]), ds.position[kv[0][1]]))
    for (kind, name), n_records in by_kind_then_field:
        field_counts.setdefault(kind, {})[name] = n_records
    manifest = Manifest(
        generator_version=__version__,
        run_id=run_id,
        dataset=dataset,
        ingest_date=date.isoformat(),
        seed=seed,
        options=RunOptions(count=count, parts=parts, gzip=gzip, movie_universe=universe, dirt=rates),
        raw_root=root,
        partition=partition,
        records=count,
        lines_written=sum(f.lines_written for f in files),
        valid_lines=sum(f.valid_lines for f in files),
        malformed_lines=totals["malformed_json"],
        files=files,
        dirt=totals,
        dirt_lines={kind: line_totals.get(kind, 0) for kind in DIRT_KINDS if kind in line_totals},
        dirt_fields=field_counts,
    )
    storage.write_bytes(f"{root}/{manifest.manifest_path}", (manifest.model_dump_json(indent=2) + "\n").encode())
    return manifest
