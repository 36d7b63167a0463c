"""`oakvale`: the lakehouse from the command line. Thin over the modules; each step is one function.

Every command logs to `<data_root>/logs/<command>-<UTC timestamp>-<pid>.log` (Spark's JVM log and
dbt's output included); a failure ends with one line on stderr naming the thing, the fix and that
log (`ingestion.runlog`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path

from pydantic import ValidationError
from rich.console import Console

from ingestion import runlog
from ingestion.config import DATASETS, OakvaleSettings
from ingestion.dbt_run import run_dbt
from ingestion.errors import InvalidArgumentError, OakvaleError, one_line

console = Console(stderr=True)
stdout = Console()  # dbt's output goes to stdout: the command line that starts it goes there too
DBT_PROJECT_DIR = Path(os.environ.get("OAKVALE_DBT_PROJECT_DIR", Path(__file__).resolve().parents[1] / "dbt_oakvale"))


def _settings(args: argparse.Namespace) -> OakvaleSettings:
    overrides = {"data_root": args.data_root} if getattr(args, "data_root", None) else {}
    try:
        return OakvaleSettings(**overrides)
    except ValidationError as error:
        bad = []
        for item in error.errors():
            name = str(item["loc"][0]) if item.get("loc") else "setting"
            source = "--data-root" if name == "data_root" and overrides else f"OAKVALE_{name.upper()}"
            bad.append(f"{source}: {item.get('msg', 'invalid')} (got {item.get('input')!r})")
        raise InvalidArgumentError("; ".join(bad)) from error


# ---- steps -------------------------------------------------------------------------------------


def step_generate(settings: OakvaleSettings, *, movies: int, reviews: int, seed: int, date: dt.date, days: int) -> None:
    from ingestion.generator import generate_dataset

    for offset in range(days):
        day = date - dt.timedelta(days=days - 1 - offset)
        for dataset, count in (("movies", movies), ("reviews", reviews)):
            manifest = generate_dataset(
                dataset, count, seed, day, settings.raw_root, movie_universe=movies, progress=True
            )
            console.print(f"[green]generated[/] {dataset} {day}: {manifest.lines_written} lines")


def step_ingest(settings: OakvaleSettings, *, datasets: list[str], writer: str, reject_threshold: float | None,
                log_file: Path | None = None) -> list[dict]:
    from ingestion.bronze.session import local_session

    with console.status("starting Spark"):
        spark = local_session(log_file=log_file)
    runlog.watch_interrupts()  # after PySpark's own handler: Ctrl-C ends in the "interrupted" line
    try:
        return _ingest_all(spark, settings, datasets=datasets, writer=writer, reject_threshold=reject_threshold)
    finally:
        spark.stop()  # a JVM left running at interpreter exit can abort the process


def _ingest_all(spark, settings: OakvaleSettings, *, datasets: list[str], writer: str, reject_threshold: float | None) -> list[dict]:
    from ingestion.bronze import BronzeJobOptions, run

    results = []
    for dataset in datasets:
        options = BronzeJobOptions(
            dataset=dataset,
            data_root=settings.data_root,
            writer=writer,
            reject_threshold=settings.reject_threshold if reject_threshold is None else reject_threshold,
            bronze_database=settings.bronze_database,
        )
        with console.status(f"bronze job: {dataset}"):
            result = run(spark, options)
        console.print(f"[green]bronze[/] {dataset}: {result.status} {result.batch_id or ''} rows={result.rows} rejects={result.rejects}")
        results.append(result.as_dict())
    return results


def _dbt(settings: OakvaleSettings, *command: str) -> None:
    """dbt's output goes to stdout and the run log; a failure ends the command in one line (DbtCommandFailed)."""
    Path(settings.data_root, "warehouse").mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "OAKVALE_DATA_ROOT": settings.data_root}
    dbt = Path(sys.executable).with_name("dbt")
    full = [str(dbt), *command, "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)]
    stdout.print(f"[blue]$[/] dbt {' '.join(full[1:])}", soft_wrap=True)
    run_dbt(full, env)


def _require_bronze(settings: OakvaleSettings) -> None:
    """dbt reads the bronze tables: without them it fails on every model; say what to run instead."""
    if settings.is_s3:
        return
    for table in (t for d in DATASETS for t in (d, f"{d}_rejects")):
        if not Path(settings.bronze_table_path(table), "_delta_log").is_dir():
            raise OakvaleError(f"bronze table {table} does not exist at {settings.bronze_table_path(table)}: "
                               "run `oakvale ingest` first")


def step_build(settings: OakvaleSettings, *, full_refresh: bool = False) -> None:
    _require_bronze(settings)
    extra = ["--full-refresh"] if full_refresh else []
    _dbt(settings, "build", "--target", "local", "--target-path", f"{settings.data_root}/dbt_target", *extra)


def step_docs(settings: OakvaleSettings) -> None:
    _dbt(settings, "docs", "generate", "--target", "local", "--target-path", settings.docs_path)
    console.print(f"[green]docs[/] {settings.docs_path}/index.html")
    console.print(
        f"serve them: OAKVALE_DATA_ROOT={settings.data_root} .venv/bin/dbt docs serve --project-dir dbt_oakvale "
        f"--profiles-dir dbt_oakvale --target-path {settings.docs_path}", soft_wrap=True
    )


def step_dashboard(settings: OakvaleSettings) -> None:
    from ingestion.dashboard import render_dashboard

    out = render_dashboard(settings.warehouse_path, settings.dashboard_path, gold_schema=settings.gold_database)
    console.print(f"[green]dashboard[/] {out}")


# ---- command line ------------------------------------------------------------------------------


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-root", help="local folder or s3:// URI (default: $OAKVALE_DATA_ROOT or ./.oakvale)")


def _add_ingest_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--writer", default="auto", choices=["auto", "spark-delta", "parquet+delta-rs"],
                        help="Delta writer; auto is parquet+delta-rs (the commit the Glue job uses), spark-delta is Spark's own")
    parser.add_argument("--reject-threshold", type=_share, help="max share of rejected lines per run (default 0.05)")


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a share between 0 and 1, got {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a share between 0 and 1, got {text!r}")
    return value


def _add_generate_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--movies", type=int, default=2000, help="movies per day (also the movie universe)")
    parser.add_argument("--reviews", type=int, default=10000, help="reviews per day")
    parser.add_argument("--seed", type=int, default=42, help="random seed; the same seed gives the same files")
    parser.add_argument("--date", type=dt.date.fromisoformat, default=dt.datetime.now(dt.timezone.utc).date(),
                        help="last ingest date, YYYY-MM-DD (default: today, UTC)")
    parser.add_argument("--days", type=int, default=2, help="days of data ending at --date (re-sends need 2+)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="oakvale", description="Oakvale lakehouse: generate -> bronze -> dbt")
    parser.add_argument("-v", "--verbose", action="store_true", help="log at INFO level")
    steps = parser.add_subparsers(dest="command", required=True)

    generate = steps.add_parser("generate", help="write raw movie/review NDJSON with realistic dirt")
    from ingestion.generator.cli import add_arguments as add_generator_arguments

    add_generator_arguments(generate)

    ingest = steps.add_parser("ingest", help="run the bronze job (local Spark) for each dataset")
    _add_common(ingest)
    _add_ingest_options(ingest)
    ingest.add_argument("--dataset", choices=DATASETS, action="append", help="dataset (repeatable; default all)")

    build = steps.add_parser("build", help="dbt build on the local target (silver and gold)")
    _add_common(build)
    build.add_argument("--full-refresh", action="store_true", help="rebuild incremental models from scratch")

    docs = steps.add_parser("docs", help="dbt docs generate into <data root>/docs")
    _add_common(docs)

    dashboard = steps.add_parser("dashboard", help="render the dashboard queries on local gold to HTML")
    _add_common(dashboard)

    run_all = steps.add_parser("run", help="every step: generate, ingest, build, docs, dashboard")
    _add_common(run_all)
    _add_generate_options(run_all)
    _add_ingest_options(run_all)

    optimize = steps.add_parser("optimize", help="compact bronze tables and vacuum unreferenced files")
    _add_common(optimize)
    optimize.add_argument("--table", action="append", help="bronze table (repeatable; default all)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse (argparse errors exit 2 with usage), then run the command; a failure ends in one line."""
    args = build_parser().parse_args(argv)
    try:
        settings = _settings(args)
    except OakvaleError as error:  # before the data root is known: nothing to log yet
        print(f"oakvale {args.command}: {one_line(str(error))}", file=sys.stderr)
        return error.exit_code
    run_log = runlog.start(args.command, settings.data_root, verbose=args.verbose)
    try:
        return _run(args, settings, run_log.path)
    except (Exception, KeyboardInterrupt) as error:
        return runlog.fail(run_log, error)
    finally:
        runlog.stop(run_log)


def _run(args: argparse.Namespace, settings: OakvaleSettings, log_file: Path | None) -> int:
    if args.command == "generate":
        from ingestion.generator.cli import run as run_generator

        return run_generator(args)
    if args.command == "ingest":
        step_ingest(settings, datasets=args.dataset or list(DATASETS), writer=args.writer,
                    reject_threshold=args.reject_threshold, log_file=log_file)
    elif args.command == "build":
        step_build(settings, full_refresh=args.full_refresh)
    elif args.command == "docs":
        step_docs(settings)
    elif args.command == "dashboard":
        step_dashboard(settings)
    elif args.command == "optimize":
        from ingestion import storage
        from ingestion.bronze.optimize import optimize_table

        tables = args.table or [t for d in DATASETS for t in (d, f"{d}_rejects")]
        for table in tables:
            if not storage.exists(f"{settings.bronze_table_path(table)}/_delta_log"):
                raise OakvaleError(f"bronze table {table} does not exist at {settings.bronze_table_path(table)}: "
                                   "run `oakvale ingest` first, or name an existing table with --table")
            console.print(f"[green]optimize[/] {table}: {json.dumps(optimize_table(settings.bronze_table_path(table)))}")
    elif args.command == "run":
        step_generate(settings, movies=args.movies, reviews=args.reviews, seed=args.seed, date=args.date, days=args.days)
        step_ingest(settings, datasets=list(DATASETS), writer=args.writer, reject_threshold=args.reject_threshold,
                    log_file=log_file)
        step_build(settings)
        step_docs(settings)
        step_dashboard(settings)
        console.print(f"[bold green]done[/]: data root {settings.data_root}")
        console.print(f"  raw:     {settings.raw_root}\n  bronze:  {settings.bronze_root}\n"
                      f"  silver/gold: {settings.warehouse_path}\n  docs:    {settings.docs_path}/index.html\n"
                      f"  dashboard: {settings.dashboard_path}\n  log:       {log_file}", soft_wrap=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
