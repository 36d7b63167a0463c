"""An audit of bronze against the raw zone, independent of the job's own counters.

Expected records are read from the raw files here, with Python's own gzip, splitting lines the way
Spark's text reader does (`\\n`, `\\r\\n` and a lone `\\r` each end a line; a line of only
whitespace is blank, not a record). A file whose exact bytes were already delivered under another
name counts once: records are keyed by (content hash, line number), so the same content landed
twice and ingested twice shows up as doubled, whichever names it came under. A file that cannot be
read whole (a truncated gzip) has no expected lines; it is expected in the quarantine instead.

Observed records are (_source_file, _source_line) over the bronze rows and the line-level rejects;
file-level rejects (`corrupt_file`, `missing_file`, `unreadable_file`) are the quarantine.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

import pyarrow as pa
from deltalake import DeltaTable
from deltalake.exceptions import TableNotFoundError

FILE_REASONS = ("corrupt_file", "missing_file", "unreadable_file")
RAW_SUFFIXES = (".json", ".json.gz", ".ndjson", ".ndjson.gz")
_LINE_END = re.compile(rb"\r\n|\r|\n")


def is_raw_data_file(path: Path) -> bool:
    name = path.name
    return name.endswith(RAW_SUFFIXES) and not name.endswith(".manifest.json") and not name.startswith((".", "_"))


def split_lines(data: bytes) -> list[bytes]:
    """Lines as Spark's text reader (Hadoop's LineReader) ends them; a final terminator opens no line."""
    if not data:
        return []
    lines = _LINE_END.split(data)
    if lines and lines[-1] == b"" and _LINE_END.search(data[-2:]):
        lines.pop()
    return lines


def is_blank(line: bytes) -> bool:
    return line.strip() == b""


def normalise(uri: str | None) -> str | None:
    """One spelling of a local file: Spark may give `file:/x`, `file:///x` or percent-escapes."""
    if uri is None:
        return None
    if uri.startswith("file:"):
        uri = unquote(uri[len("file:") :])
        uri = "/" + uri.lstrip("/")
    return uri


@dataclass
class RawFile:
    path: str
    size: int
    digest: str | None  # None: cannot be read whole
    records: list[int]  # 1-based numbers of the non-blank lines
    error: str | None = None


def read_raw_file(path: Path) -> RawFile:
    data = path.read_bytes()
    if path.name.endswith(".gz") and data:
        try:
            data = gzip.decompress(data)
        except (EOFError, zlib.error, gzip.BadGzipFile) as error:
            return RawFile(str(path), path.stat().st_size, None, [], f"{type(error).__name__}: {error}")
    lines = split_lines(data)
    records = [i for i, line in enumerate(lines, start=1) if not is_blank(line)]
    return RawFile(str(path), path.stat().st_size, hashlib.sha256(data).hexdigest(), records)


def raw_files(raw_dataset_dir: Path) -> list[RawFile]:
    if not raw_dataset_dir.exists():
        return []
    paths = sorted(p for p in raw_dataset_dir.rglob("*") if p.is_file() and is_raw_data_file(p))
    return [read_raw_file(p) for p in paths]


@dataclass
class Audit:
    dataset: str
    raw_lines: int = 0  # expected records (non-blank lines of readable files, each content once)
    bronze_rows: int = 0
    rejects: int = 0  # line-level rejects
    quarantined: dict[str, str] = field(default_factory=dict)  # file -> reason
    unreadable: list[str] = field(default_factory=list)  # raw files the audit itself cannot read whole
    lost: int = 0
    doubled: int = 0  # (file, line) observed more than once
    unexpected: int = 0  # observed (file, line) that is no record of any raw file
    unnumbered: int = 0  # observed rows with a null _source_line
    reject_reasons: Counter = field(default_factory=Counter)
    invalid_utf8_columns: list[str] = field(default_factory=list)
    txn_commits: dict[str, Counter] = field(default_factory=dict)  # table -> {batch version: commits}
    errors: list[str] = field(default_factory=list)
    lost_examples: list[tuple[str, int]] = field(default_factory=list)
    doubled_examples: list[tuple[str, int]] = field(default_factory=list)

    @property
    def observed_total(self) -> int:
        return self.bronze_rows + self.rejects


def _read_table(uri: str, storage_options: dict | None) -> pa.Table | None:
    # Not DeltaTable.is_deltatable: on moto (deltalake 1.6.6) it hung for a path with no table.
    if not uri.startswith("s3://") and not (Path(uri) / "_delta_log").is_dir():
        return None
    try:
        return DeltaTable(uri, storage_options=storage_options).to_pyarrow_table()
    except TableNotFoundError:
        return None


def _invalid_utf8_columns(table: pa.Table, name: str) -> list[str]:
    bad = []
    for column_name in table.column_names:
        column = table.column(column_name)
        if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
            continue
        try:
            for chunk in column.chunks:
                chunk.validate(full=True)
        except pa.ArrowInvalid:
            bad.append(f"{name}.{column_name}")
    return bad


def txn_commits(log_entries: list[tuple[str, bytes]], app_id: str) -> Counter:
    """How many commits of a Delta log carry each version of one app transaction."""
    found: Counter = Counter()
    for name, body in log_entries:
        if not re.search(r"/?\d{20}\.json$", name):
            continue
        for line in body.decode().splitlines():
            if not line.strip():
                continue
            action = json.loads(line)
            txn = action.get("txn")
            if txn and txn.get("appId") == app_id:
                found[txn["version"]] += 1
    return found


def local_log(table_dir: Path) -> list[tuple[str, bytes]]:
    log = table_dir / "_delta_log"
    return [(p.name, p.read_bytes()) for p in sorted(log.glob("*.json"))] if log.exists() else []


def audit(
    dataset: str,
    raw_dataset_dir: Path,
    bronze_root: str,
    *,
    storage_options: dict | None = None,
    delta_log=None,
) -> Audit:
    """Compare one dataset's bronze tables (local folder or s3:// URI) with its raw files."""
    result = Audit(dataset)
    files = raw_files(raw_dataset_dir)
    content_of = {f.path: f.digest for f in files if f.digest is not None}  # raw file -> content key
    result.unreadable = [f.path for f in files if f.digest is None]

    seen: list[tuple[str | None, int | None]] = []  # (source, line) of every row and line-level reject
    for table_name in (dataset, f"{dataset}_rejects"):
        uri = f"{bronze_root.rstrip('/')}/{table_name}"
        try:
            table = _read_table(uri, storage_options)
        except Exception as error:  # an unreadable table is a finding, not a crash of the audit
            result.errors.append(f"cannot read {table_name}: {type(error).__name__}: {' '.join(str(error).split())[:600]}")
            continue
        if table is None:
            continue
        result.invalid_utf8_columns += _invalid_utf8_columns(table, table_name)
        sources = [normalise(s) for s in table.column("_source_file").to_pylist()]
        lines = table.column("_source_line").to_pylist() if "_source_line" in table.column_names else [None] * len(sources)
        reasons = (
            table.column("_reject_reason").to_pylist() if table_name.endswith("_rejects") else [None] * len(sources)
        )
        for source, line, reason in zip(sources, lines, reasons):
            if reason in FILE_REASONS:
                result.quarantined[source] = reason
                continue
            if reason is None:
                result.bronze_rows += 1
            else:
                result.rejects += 1
                result.reject_reasons[reason] += 1
            seen.append((source, line))
        reader = delta_log or (lambda u: local_log(Path(u)))
        try:
            result.txn_commits[table_name] = txn_commits(reader(uri), f"oakvale-bronze-{dataset}")
        except Exception as error:
            result.errors.append(f"cannot read the Delta log of {table_name}: {error}")

    # A quarantined file's lines are not expected (whether it belonged there is the case's check).
    expected = {
        (f.digest, line)
        for f in files
        if f.digest is not None and f.path not in result.quarantined
        for line in f.records
    }
    result.raw_lines = len(expected)
    observed: Counter = Counter()
    for source, line in seen:
        if line is None:
            result.unnumbered += 1
        else:
            observed[(content_of.get(source, f"unknown:{source}"), line)] += 1

    names = {digest: path for path, digest in reversed(content_of.items())}
    missing = sorted(expected - observed.keys())
    result.lost = len(missing)
    result.lost_examples = [(Path(names.get(d, d)).name, n) for d, n in missing[:3]]
    twice = sorted(k for k, count in observed.items() if count > 1)
    result.doubled = sum(observed[k] - 1 for k in twice)
    result.doubled_examples = [(Path(names.get(d, d)).name, n) for d, n in twice[:3]]
    result.unexpected = sum(count for k, count in observed.items() if k not in expected)
    return result
