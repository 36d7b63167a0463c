"""dbt benchmark: `dbt build --target local` on synthetic bronze, then an incremental build after +1%.

Bronze-shaped Delta tables (every source field a string, metadata columns, partitioned by
_ingest_date) are synthesised with DuckDB and written with deltalake, with about 1% of the values
dirty (money and runtime strings, category variants, US dates, out-of-range ratings, orphans,
exact duplicates). Then:
  * full:        dbt build (seeds, unit tests, models, every data test) on day 1;
  * incremental: day 2 appended (+1%: that share of movies re-sent with a later updated_at and
                 +1% new reviews), dbt build again (silver merges only the new batch).
Per-node timings come from run_results.json. Results go to bench/results/dbt.json.
Usage: python bench/bench_dbt.py [--movies 1000000] [--reviews 10000000] [--increment 0.01] [--threads 2]
Goals (issue 5): full <= 60 s at 1e6 movies / 1e7 reviews; incremental <= 10% of full.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
from deltalake import write_deltalake

REPO = Path(__file__).resolve().parents[1]
PROJECT = REPO / "dbt_oakvale"
DBT = str(Path(sys.executable).with_name("dbt"))
DAY1, DAY2 = dt.date(2026, 11, 20), dt.date(2026, 11, 21)

GENRES = "['Action','Comedy','Drama','Horror','Sci-Fi','Thriller','Romance','Family']"
GENRE_VARIANTS = "['science fiction','SCI FI','comedy','DRAMA','Romantic']"
STUDIOS = "['Warner Bros.','Universal Pictures','Paramount Pictures','Walt Disney Pictures','A24','Lionsgate']"
STUDIO_VARIANTS = "['warner bros','Warner Brothers','universal','Disney','a24']"
MPAA = "['G','PG','PG-13','R','NC-17','NR']"
MPAA_VARIANTS = "['PG13','pg-13','PG 13','Rated R','nr']"
TAGS = "['must-see','overrated','slow-burn','feel-good','plot-twist','great-acting','scary','funny']"


# Bench bronze is generated in SQL, with no raw files behind it: _source_line is null throughout.
def movies_sql(first: int, count: int, day: dt.date, batch: int, universe: int) -> str:
    """Movies first..first+count-1 (1-based ids); ~1% of each dirty field; 0.1% exact duplicates."""
    day_s = day.isoformat()
    return f"""
    with ids as (select range as i from range({first}, {first + count})),
    rows as (
      select
        'tt' || lpad(cast(i as varchar), 7, '0') as movie_id,
        'Movie ' || i as title,
        case when i % 97 = 0 then '["' || {GENRE_VARIANTS}[1 + i % 5] || '"]'
             else '["' || {GENRES}[1 + i % 8] || '","' || {GENRES}[1 + (i // 8) % 8] || '"]' end as genres,
        case when i % 89 = 0 then {STUDIO_VARIANTS}[1 + i % 5] else {STUDIOS}[1 + i % 6] end as studio,
        case when i % 83 = 0 then strftime(date '1990-01-01' + cast(i % 12000 as integer), '%m/%d/%Y')
             else cast(date '1990-01-01' + cast(i % 12000 as integer) as varchar) end as release_date,
        case when i % 79 = 0 then cast(80 + i % 90 as varchar) || ' min'
             when i % 997 = 0 then '-' || cast(80 + i % 90 as varchar)
             else cast(80 + i % 90 as varchar) end as runtime_minutes,
        case when i % 73 = 0 then '$' || format('{{:,}}', 1000000 * (1 + i % 200))
             else cast(1000000 * (1 + i % 200) as varchar) end as budget_usd,
        cast(3000000 * (1 + i % 300) + {batch} * 1000 as varchar) as box_office_usd,
        case when i % 71 = 0 then {MPAA_VARIANTS}[1 + i % 5] else {MPAA}[1 + i % 6] end as mpaa_rating,
        'en' as original_language, 'US' as country, 'Director ' || (i % 5000) as director,
        '["Actor ' || (i % 7000) || '","Actor ' || (i % 7001) || '"]' as "cast",
        '{day_s}T' || lpad(cast(i % 24 as varchar), 2, '0') || ':00:00Z' as updated_at,
        case when i % 101 = 0 then '{{"promo_code":"X"}}' end as _rescued_data
      from ids
    )
    select *, 'file:///bench/raw/movies/{day_s}.json' as _source_file, cast(null as bigint) as _source_line,
           date '{day_s}' as _ingest_date,
           timestamptz '{day_s} 06:00:00+00' as _ingested_at, 'movies-{batch:06d}' as _batch_id
    from rows
    union all
    select *, 'file:///bench/raw/movies/{day_s}.json', null, date '{day_s}', timestamptz '{day_s} 06:00:00+00',
           'movies-{batch:06d}'
    from rows where cast(substr(movie_id, 3) as bigint) % 1000 = 0
    """


def reviews_sql(first: int, count: int, day: dt.date, batch: int, universe: int) -> str:
    day_s = day.isoformat()
    return f"""
    with ids as (select range as i from range({first}, {first + count})),
    rows as (
      select
        'rv' || lpad(printf('%x', i), 12, '0') as review_id,
        case when i % 211 = 0 then 'tt' || lpad(cast({universe} + 1 + i % 1000 as varchar), 7, '0')
             else 'tt' || lpad(cast(1 + hash(i) % {universe} as varchar), 7, '0') end as movie_id,
        'u' || lpad(cast(i % 2000000 as varchar), 7, '0') as user_id,
        case when i % 4 = 0 then
                 case when i % 113 = 0 then '11' when i % 67 = 0 then cast(i % 100 / 10.0 as varchar) || '/10'
                      else cast(i % 100 / 10.0 as varchar) end
             else case when i % 113 = 1 then '7' when i % 67 = 1 then cast(1 + i % 5 as varchar) || '/5'
                       else cast(0.5 + (i % 10) / 2.0 as varchar) end end as rating,
        case when i % 61 = 0 then cast(epoch(timestamp '2026-01-01' + to_seconds(i % 27000000)) as bigint)::varchar
             else strftime(timestamp '2026-01-01' + to_seconds(i % 27000000), '%Y-%m-%dT%H:%M:%SZ') end as review_ts,
        case when i % 4 = 0 then 'critic' else 'audience' end as source,
        case when i % 3 = 0 then '[]' else '["' || {TAGS}[1 + i % 8] || '"]' end as tags,
        cast(null as varchar) as _rescued_data
      from ids
    )
    select *, 'file:///bench/raw/reviews/{day_s}.json' as _source_file, cast(null as bigint) as _source_line,
           date '{day_s}' as _ingest_date,
           timestamptz '{day_s} 06:00:00+00' as _ingested_at, 'reviews-{batch:06d}' as _batch_id
    from rows
    union all
    select *, 'file:///bench/raw/reviews/{day_s}.json', null, date '{day_s}', timestamptz '{day_s} 06:00:00+00',
           'reviews-{batch:06d}'
    from rows where hash(review_id) % 1000 = 0
    """


def rejects_sql(dataset: str, day: dt.date, batch: int, count: int) -> str:
    day_s = day.isoformat()
    return f"""
    select '{{"broken' || range as _raw_line, 'malformed_json' as _reject_reason,
           'file:///bench/raw/{dataset}/{day_s}.json' as _source_file, cast(null as bigint) as _source_line,
           date '{day_s}' as _ingest_date,
           timestamptz '{day_s} 06:00:00+00' as _ingested_at, '{dataset}-{batch:06d}' as _batch_id
    from range({count})
    """


def write(conn: duckdb.DuckDBPyConnection, path: Path, sql: str) -> int:
    reader = conn.execute(sql).to_arrow_reader(500_000)
    write_deltalake(str(path), reader, mode="append", partition_by=["_ingest_date"])
    return conn.execute(f"select count(*) from ({sql})").fetchone()[0]


def land(bronze: Path, movies: tuple[int, int], reviews: tuple[int, int], day: dt.date, batch: int,
         universe: int) -> dict[str, int]:
    conn = duckdb.connect()
    conn.execute("set TimeZone = 'UTC'")
    rows = {
        "movies": write(conn, bronze / "movies", movies_sql(*movies, day, batch, universe)),
        "reviews": write(conn, bronze / "reviews", reviews_sql(*reviews, day, batch, universe)),
        "movies_rejects": write(conn, bronze / "movies_rejects", rejects_sql("movies", day, batch, 10)),
        "reviews_rejects": write(conn, bronze / "reviews_rejects", rejects_sql("reviews", day, batch, 10)),
    }
    conn.close()
    return rows


def dbt_build(data_root: Path, threads: int, *extra: str) -> dict:
    target = data_root / "target"
    env = {**os.environ, "OAKVALE_DATA_ROOT": str(data_root), "OAKVALE_DBT_THREADS": str(threads)}
    cmd = [DBT, "--no-use-colors", "build", *extra, "--project-dir", str(PROJECT), "--profiles-dir", str(PROJECT),
           "--target", "local", "--target-path", str(target), "--log-path", str(data_root / "logs")]
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    results = json.loads((target / "run_results.json").read_text())
    nodes = sorted(((r["unique_id"], round(r["execution_time"], 2)) for r in results["results"]),
                   key=lambda x: -x[1])
    failed = [r["unique_id"] for r in results["results"] if r["status"] in ("fail", "error")]
    by_kind: dict[str, float] = {}
    for uid, t in nodes:
        by_kind[uid.split(".")[0]] = round(by_kind.get(uid.split(".")[0], 0.0) + t, 2)
    return {
        "seconds": round(seconds, 2), "dbt_elapsed": round(results["elapsed_time"], 2), "returncode": proc.returncode,
        "failed": failed, "node_seconds_by_type": by_kind, "slowest_nodes": nodes[:8],
    }  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--movies", type=int, default=1_000_000)
    parser.add_argument("--reviews", type=int, default=10_000_000)
    parser.add_argument("--increment", type=float, default=0.01)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "dbt.json")
    parser.add_argument("--keep", action="store_true", help="keep the data root")
    args = parser.parse_args(argv)

    root = Path(tempfile.mkdtemp(prefix="oakvale-bench-dbt-"))
    bronze = root / "lakehouse" / "bronze"
    try:
        start = time.perf_counter()
        day1 = land(bronze, (1, args.movies), (1, args.reviews), DAY1, 1, args.movies)
        land_day1 = time.perf_counter() - start
        full = dbt_build(root, args.threads)

        resent = max(1, int(args.movies * args.increment))
        new_reviews = max(1, int(args.reviews * args.increment))
        start = time.perf_counter()
        day2 = land(bronze, (1, resent), (args.reviews + 1, new_reviews), DAY2, 2, args.movies)
        land_day2 = time.perf_counter() - start
        incremental = dbt_build(root, args.threads)

        with duckdb.connect(str(root / "warehouse" / "oakvale.duckdb"), read_only=True) as conn:
            rec = conn.execute("select dataset, bronze_rows, silver_rows, filtered_rows from "
                               "oakvale_silver.silver_reconciliation order by 1").fetchall()
        report = {
            "machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                        "load_average_at_end": os.getloadavg()},
            "scale": {"movies": args.movies, "reviews": args.reviews, "increment": args.increment,
                      "threads": args.threads},
            "bronze_rows": {"day1": day1, "day2": day2},
            "land_seconds": {"day1": round(land_day1, 2), "day2": round(land_day2, 2)},
            "full_build": full,
            "incremental_build": incremental,
            "incremental_over_full": round(incremental["seconds"] / full["seconds"], 3),
            "goals": {"full_le_60s": full["seconds"] <= 60,
                      "incremental_le_10pct": incremental["seconds"] <= 0.1 * full["seconds"]},
            "reconciliation": rec,
        }
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, indent=1) + "\n")
        print(json.dumps({k: report[k] for k in ("scale", "land_seconds", "incremental_over_full", "goals")}))
        print(f"full {full['seconds']} s, incremental {incremental['seconds']} s -> {args.out}")
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
