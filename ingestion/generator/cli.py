"""`oakvale generate`: argument parsing only; the work is generate_dataset()."""

from __future__ import annotations

import argparse
import datetime as dt

from ingestion.generator.dirt import DIRT_KINDS, DirtRates
from ingestion.generator.generate import DATASETS, generate_dataset


def _dirt_override(text: str) -> tuple[str, float]:
    kind, sep, rate = text.partition("=")
    if not sep or kind not in DIRT_KINDS:
        raise argparse.ArgumentTypeError(f"expected KIND=RATE with KIND one of {', '.join(DIRT_KINDS)}; got {text!r}")
    try:
        value = float(rate)
    except ValueError:
        raise argparse.ArgumentTypeError(f"rate must be a number in [0, 1], got {rate!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"rate must be in [0, 1], got {value}")
    return kind, value


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"date must be YYYY-MM-DD, got {text!r}") from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add = parser.add_argument
    add("--dataset", required=True, choices=sorted(DATASETS), help="which raw feed to generate")
    add("--count", type=int, required=True,
        help="records before dirt (duplicates, older versions and malformed lines are added on top)")
    add("--seed", type=int, default=0,
        help="random seed; the same seed and options give byte-identical files (default 0)")
    add("--date", type=_date, default=None, help="ingest date YYYY-MM-DD (default: today, UTC)")
    add("--out", default=None,
        help="raw root, a local folder or s3://bucket/prefix (default: <data root>/raw, from OAKVALE_DATA_ROOT)")
    add("--gzip", action="store_true", help="write .json.gz part files instead of plain .json")
    add("--parts", type=int, default=1, help="number of data part files (default 1)")
    add("--movie-universe", type=int, default=None,
        help="movie ids tt0000001..ttM that exist (default: count for movies, 1000 for reviews)")
    add("--dirt", type=_dirt_override, action="append", default=[], metavar="KIND=RATE",
        help=f"override one dirt rate in [0, 1], repeatable; kinds: {', '.join(DIRT_KINDS)}")
    add("--clean", action="store_true", help="start from all dirt rates 0 (then apply any --dirt)")
    add("--progress", action="store_true", help="show a progress bar")  # fmt: skip


def run(args: argparse.Namespace) -> int:
    base = DirtRates.none() if args.clean else DirtRates()
    dirt = base.with_rates(**dict(args.dirt)) if args.dirt else base
    out = args.out
    if out is None:
        from ingestion.config import OakvaleSettings

        out = OakvaleSettings().raw_root
    date = args.date or dt.datetime.now(dt.UTC).date()
    # A GeneratorError (an OakvaleError) ends the command in one line: the caller's runlog.fail prints it.
    manifest = generate_dataset(
        args.dataset, args.count, args.seed, date, out, gzip=args.gzip, parts=args.parts,
        dirt=dirt, movie_universe=args.movie_universe, progress=args.progress,
    )  # fmt: skip
    print(
        f"{manifest.run_id}: {manifest.records} records, {manifest.lines_written} lines "
        f"({manifest.malformed_lines} malformed) in {len(manifest.files)} files under "
        f"{manifest.raw_root}/{manifest.partition}"
    )
    print(f"manifest: {manifest.raw_root}/{manifest.manifest_path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Standalone entry (`python -m ingestion.generator.cli`); the top-level CLI calls run()."""
    from ingestion import runlog
    from ingestion.config import OakvaleSettings

    parser = argparse.ArgumentParser(prog="oakvale generate", description="Generate a raw feed with dirt.")
    add_arguments(parser)
    args = parser.parse_args(argv)
    log = runlog.start("generate", OakvaleSettings().data_root)
    try:
        return run(args)
    except (Exception, KeyboardInterrupt) as error:
        return runlog.fail(log, error)
    finally:
        runlog.stop(log)


if __name__ == "__main__":
    raise SystemExit(main())
