"""The reliability cases of issue 18, as data: a name, a corpus, a script of runs, extra checks.

Every case ends with the audit of each dataset it touched (nothing lost, nothing doubled, the
quarantine as expected, every batch committed once, the catalog right) plus its own checks.
Runs that need a kill or concurrency happen in child processes; the rest on the shared session.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import shutil
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tests.bronze.conftest import movie, write_raw
from tests.reliability.audit import Audit
from tests.reliability.harness import Context

DATE = "2026-11-20"
DIRT_KINDS = (
    "numbers_as_strings", "category_variants", "date_formats", "nulls_and_empty", "exact_duplicates",
    "resent_records", "orphan_reviews", "out_of_range", "unknown_fields", "malformed_json", "empty_file",
)  # fmt: skip  (the generator's DIRT_KINDS, spelled out so a new kind must be added here on purpose)


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[Context], None]  # lands the raw corpus
    script: Callable[[Context], None]  # runs the job (and whatever happens around it)
    datasets: tuple[str, ...] = ("movies",)
    quarantine: dict[str, str] = field(default_factory=dict)  # raw file name -> reason, besides unreadable ones
    check: Callable[[Context, dict[str, Audit]], None] | None = None
    subprocess: bool = False  # starts child processes (kills, concurrency, a fresh exit code)
    needs: str | None = None  # the behaviour of issue 18 the case checks, named when it fails


# ---- corpora ---------------------------------------------------------------------------------


def land(ctx: Context, name: str, lines: list[str], *, gz: bool = False, date: str = DATE) -> Path:
    """A raw file of movies under the case's raw root (always a folder named `raw`)."""
    return write_raw(ctx.raw.parent, "movies", date, name, lines, gz=gz)


def small_corpus(ctx: Context, files: int = 3, lines: int = 50) -> None:
    for part in range(files):
        land(ctx, f"r1-{part}", [movie(part * 1000 + i) for i in range(lines)] + ["{not json"], gz=part == 1)


def _raw_dir(ctx: Context, dataset: str = "movies", date: str = DATE) -> Path:
    folder = ctx.raw / dataset / f"ingest_date={date}"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def generated_day(kind: str, gz: bool) -> Callable[[Context], None]:
    def build(ctx: Context) -> None:
        from ingestion.generator import DirtRates, generate_dataset

        rates = DirtRates.none().with_rates(**{kind: 0.6 if kind == "empty_file" else 0.3})
        day = dt.date.fromisoformat(DATE)
        generate_dataset("movies", 300, 7, day, str(ctx.raw), gzip=gz, parts=4, dirt=rates)
        generate_dataset("reviews", 600, 7, day, str(ctx.raw), gzip=gz, parts=4, dirt=rates, movie_universe=300)

    return build


def bom(ctx: Context) -> None:
    folder = _raw_dir(ctx)
    (folder / "bom.json").write_bytes(b"\xef\xbb\xbf" + "\n".join(movie(i) for i in range(20)).encode() + b"\n")
    (folder / "bom.json.gz").write_bytes(
        gzip.compress(b"\xef\xbb\xbf" + "\n".join(movie(100 + i) for i in range(20)).encode() + b"\n", mtime=0)
    )


def line_ends(ctx: Context) -> None:
    folder = _raw_dir(ctx)
    (folder / "crlf.json").write_bytes("\r\n".join(movie(i) for i in range(20)).encode() + b"\r\n")
    (folder / "cr.json").write_bytes("\r".join(movie(100 + i) for i in range(20)).encode() + b"\r")
    mixed = [movie(200).encode(), b"", movie(201).encode(), b"   ", movie(202).encode(), b"", b""]
    ends = [b"\r\n", b"\r", b"\n", b"\r\n", b"\r", b"\n", b"\r\n"]
    (folder / "mixed.json").write_bytes(b"".join(line + end for line, end in zip(mixed, ends)) + movie(203).encode())
    (folder / "crlf.json.gz").write_bytes(
        gzip.compress("\r\n".join(movie(300 + i) for i in range(20)).encode() + b"\r\n", mtime=0)
    )


def nul_byte(ctx: Context) -> None:
    folder = _raw_dir(ctx)
    lines = [movie(i).encode() for i in range(20)]
    lines[3] = movie(3, title="Nul\x00Title").replace("\\u0000", "\x00").encode()  # a raw 0x00 inside a string
    lines[7] = movie(7).encode() + b"\x00"  # after the closing brace
    lines[11] = b"\x00" + movie(11).encode()  # before the opening brace
    (folder / "nul.json").write_bytes(b"\n".join(lines) + b"\n")


def invalid_utf8(ctx: Context) -> None:
    folder = _raw_dir(ctx)
    lines = [movie(i).encode() for i in range(20)]
    lines[5] = movie(5, title="Caf\u00e9 Society").replace("\\u00e9", "\u00e9").encode("latin-1")  # 0xE9 in a string
    assert b"Caf\xe9 Society" in lines[5]
    (folder / "latin1.json").write_bytes(b"\n".join(lines) + b"\n")
    land(ctx, "clean", [movie(100 + i) for i in range(20)])


def long_line(ctx: Context) -> None:
    folder = _raw_dir(ctx)
    lines = [movie(i) for i in range(10)]
    lines[4] = movie(4, title="x" * (20 * 1024 * 1024))
    (folder / "long.json").write_bytes(("\n".join(lines) + "\n").encode())


def truncated_gzip(ctx: Context) -> None:
    folder = _raw_dir(ctx)
    land(ctx, "good-0", [movie(i) for i in range(50)])
    land(ctx, "good-1", [movie(100 + i) for i in range(50)], gz=True)
    whole = gzip.compress(("\n".join(movie(200 + i) for i in range(500)) + "\n").encode(), mtime=0)
    (folder / "truncated.json.gz").write_bytes(whole[: len(whole) // 2])


def zero_byte(ctx: Context) -> None:
    folder = _raw_dir(ctx)
    land(ctx, "good", [movie(i) for i in range(30)])
    (folder / "empty.json").write_bytes(b"")
    (folder / "empty.json.gz").write_bytes(b"")  # not even a gzip header, as the generator's empty_file


def twice_delivered(ctx: Context) -> None:
    path = land(ctx, "delivery", [movie(i) for i in range(40)])
    shutil.copyfile(path, path.with_name("delivery-copy.json"))


# ---- scripts ---------------------------------------------------------------------------------


def ingest_each(ctx: Context, datasets: tuple[str, ...] = ("movies",)) -> None:
    for dataset in datasets:
        ctx.ingest(dataset)


def deliver_again_then_ingest(ctx: Context) -> None:
    ctx.ingest()
    later = _raw_dir(ctx, date="2026-11-21")
    shutil.copyfile(_raw_dir(ctx) / "delivery.json", later / "delivery-resent.json")
    ctx.ingest()


def delete_a_planned_file(ctx: Context) -> None:
    ctx.crash_at("after_plan")
    plan_path = ctx.root / "lakehouse" / "bronze" / "_ledger" / "movies" / "batch-000001.json"
    if not ctx.expect(plan_path.exists(), "no plan written for batch 1"):
        return
    planned = [f["uri"] for f in json.loads(plan_path.read_text())["files"]]
    victim = Path(sorted(planned)[-1])
    ctx.notes["deleted"] = victim.name
    ctx.notes["quarantine"] = {victim.name: "missing_file"}
    victim.unlink()
    ctx.ingest()  # the re-run needs no process of its own: the shared session is quicker


def crash_then_rerun(failpoint: str) -> Callable[[Context], None]:
    def script(ctx: Context) -> None:
        ctx.crash_at(failpoint)
        ctx.ingest()

    return script


def kill_while_writing(ctx: Context) -> None:
    ctx.kill_during_write()
    ctx.ingest()


def kill_during_optimize(ctx: Context) -> None:
    ctx.ingest()
    land(ctx, "r2-0", [movie(5000 + i) for i in range(50)] + ["{bad"], date="2026-11-21")
    ctx.ingest()
    ctx.optimize(failpoint="during_optimize")
    ctx.optimize()
    ctx.ingest()  # nothing new: the run only (re)registers the tables


def run_together(n: int) -> Callable[[Context], None]:
    def script(ctx: Context) -> None:
        ctx.concurrent(n)

    return script


# ---- S3 on moto ------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def on_moto(ctx: Context) -> None:
    """A moto S3 in this process; raw stays on local disk (--raw_root), bronze goes to s3://."""
    import boto3
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    ctx.cleanups.append(server.stop)
    endpoint = f"http://127.0.0.1:{port}"
    credentials = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    ctx.env = {
        **credentials,
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "AWS_ALLOW_HTTP": "true",
    }
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", **_boto_credentials())
    client.create_bucket(Bucket="oakvale-rel")
    ctx.raw_root = ctx.root / "raw"
    ctx.data_root = "s3://oakvale-rel/oakvale"
    ctx.storage_options = {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ALLOW_HTTP": "true",
        "aws_conditional_put": "etag",
        "AWS_REGION": "us-east-1",
        **credentials,
    }

    def delta_log(uri: str) -> list[tuple[str, bytes]]:
        prefix = uri.removeprefix("s3://oakvale-rel/").rstrip("/") + "/_delta_log/"
        found = []
        for page in client.get_paginator("list_objects_v2").paginate(Bucket="oakvale-rel", Prefix=prefix):
            for obj in page.get("Contents", []):
                if obj["Key"].endswith(".json"):
                    found.append((obj["Key"], client.get_object(Bucket="oakvale-rel", Key=obj["Key"])["Body"].read()))
        return found

    ctx.delta_log = delta_log
    small_corpus(ctx)


def _boto_credentials() -> dict[str, str]:
    return {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


# ---- checks ----------------------------------------------------------------------------------


def no_rejects(ctx: Context, audits: dict[str, Audit]) -> None:
    for name, a in audits.items():
        ctx.expect(a.rejects == 0, f"{name}: {a.rejects} line(s) rejected {dict(a.reject_reasons)}, expected rows only")


def bom_not_in_values(ctx: Context, audits: dict[str, Audit]) -> None:
    """The byte-order mark is not part of the first record: its movie_id is clean, nothing rescued."""
    no_rejects(ctx, audits)
    from deltalake import DeltaTable

    rows = DeltaTable(f"{ctx.bronze_root}/movies").to_pyarrow_table().to_pylist()
    first = [r for r in rows if r["_source_line"] == 1]
    ctx.expect(len(first) == 2, f"{len(first)} first lines landed as rows, expected 2")
    for r in first:
        ctx.expect(
            r["movie_id"] in ("tt0000000", "tt0000100") and r["_rescued_data"] is None,
            f"first line of {Path(r['_source_file']).name}: movie_id {r['movie_id']!r}, rescued {r['_rescued_data']!r}",
        )


def one_invalid_utf8_reject(ctx: Context, audits: dict[str, Audit]) -> None:
    reasons = dict(audits["movies"].reject_reasons)
    ctx.expect(reasons == {"invalid_utf8": 1}, f"rejects {reasons or 'none'}, expected one invalid_utf8")


def malformed_rejected(ctx: Context, audits: dict[str, Audit]) -> None:
    for name, a in audits.items():
        ctx.expect(a.reject_reasons.get("malformed_json", 0) > 0, f"{name}: no malformed_json rejects")


def others_committed(ctx: Context, audits: dict[str, Audit]) -> None:
    ctx.expect(audits["movies"].bronze_rows > 0, "nothing of the readable files was committed")


def missing_file_quarantined(ctx: Context, audits: dict[str, Audit]) -> None:
    deleted = ctx.notes.get("deleted")
    got = {Path(p).name: r for p, r in audits["movies"].quarantined.items()}
    if deleted:
        ctx.expect(got.get(deleted) == "missing_file", f"the deleted {deleted} is not quarantined as missing_file")
    others_committed(ctx, audits)


def one_committer(ctx: Context, audits: dict[str, Audit]) -> None:
    ctx.expect(ctx.notes.get("concurrent_committed") == 1, f"{ctx.notes.get('concurrent_committed')} runs said committed")


def _dirt_case(i: int, kind: str) -> Case:
    return Case(
        f"dirt:{kind}",
        generated_day(kind, gz=i % 2 == 0),
        lambda ctx: ingest_each(ctx, ("movies", "reviews")),
        datasets=("movies", "reviews"),
        check=malformed_rejected if kind == "malformed_json" else None,
    )


NEW_FAILPOINTS = {"after_plan": "failpoint after_plan", "after_data_commit": "failpoint after_data_commit"}

CASES: tuple[Case, ...] = (
    *(_dirt_case(i, kind) for i, kind in enumerate(DIRT_KINDS)),
    Case("bom", bom, ingest_each, check=bom_not_in_values),
    Case("crlf_and_lone_cr", line_ends, ingest_each, check=no_rejects),
    Case("nul_byte_in_line", nul_byte, ingest_each),
    Case("invalid_utf8", invalid_utf8, ingest_each, check=one_invalid_utf8_reject, needs="invalid_utf8"),
    Case("line_20mb", long_line, ingest_each, check=no_rejects, needs="_source_line on files Spark splits"),
    Case("truncated_gzip", truncated_gzip, lambda ctx: ctx.job(), check=others_committed, subprocess=True,
         needs="corrupt_file quarantine"),
    Case("zero_byte_file", zero_byte, ingest_each),
    Case("delivered_twice", twice_delivered, deliver_again_then_ingest),
    Case("planned_file_deleted", small_corpus, delete_a_planned_file, check=missing_file_quarantined,
         subprocess=True, needs="failpoint after_plan, missing_file quarantine"),
    *(Case(f"concurrent_{n}", small_corpus, run_together(n), check=one_committer, subprocess=True,
           needs="exactly once under concurrency") for n in (2, 3, 4)),
    *(Case(f"kill_{fp}", small_corpus, crash_then_rerun(fp), subprocess=True, needs=NEW_FAILPOINTS.get(fp))
      for fp in ("after_plan", "after_stage", "after_rejects_commit", "after_data_commit")),
    Case("kill_during_spark_write", small_corpus, kill_while_writing, subprocess=True),
    Case("kill_during_optimize", small_corpus, kill_during_optimize, subprocess=True, needs="failpoint during_optimize"),
    Case("s3_two_writers", on_moto, run_together(2), check=one_committer, subprocess=True,
         needs="S3 conditional put"),
)  # fmt: skip
