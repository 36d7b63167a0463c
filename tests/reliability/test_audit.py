"""The audit's own rules, without Spark: line ends, blank lines, content twice, quarantine, doubles."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pyarrow as pa
from deltalake import write_deltalake

from tests.reliability.audit import audit, normalise, split_lines


def test_lines_end_as_spark_ends_them():
    assert split_lines(b"") == []
    assert split_lines(b"a\nb") == [b"a", b"b"]
    assert split_lines(b"a\r\nb\r\n") == [b"a", b"b"]
    assert split_lines(b"a\rb\r") == [b"a", b"b"]
    assert split_lines(b"a\n\nb\n\n") == [b"a", b"", b"b", b""]
    assert split_lines(b"a\r\r\nb") == [b"a", b"", b"b"]


def test_file_uris_are_normalised():
    assert normalise("file:///tmp/a%20b.json") == "/tmp/a b.json"
    assert normalise("file:/tmp/a.json") == "/tmp/a.json"
    assert normalise("/tmp/a.json") == "/tmp/a.json"


def _table(rows: list[tuple[str, int | None, str | None]], rejects: bool) -> pa.Table:
    columns = {"_source_file": [r[0] for r in rows], "_source_line": pa.array([r[1] for r in rows], pa.int64())}
    if rejects:
        columns["_reject_reason"] = [r[2] for r in rows]
        columns["_raw_line"] = pa.array([None] * len(rows), pa.string())
    return pa.table(columns)


def test_audit_counts_lost_doubled_and_quarantine(tmp_path: Path):
    raw = tmp_path / "raw" / "movies" / "ingest_date=2026-11-20"
    raw.mkdir(parents=True)
    (raw / "a.json").write_bytes(b'{"x":1}\r\n  \r\n{"x":2}\r{"x":3}\n')  # records on lines 1, 3, 4
    shutil.copyfile(raw / "a.json", raw / "a-copy.json")  # same content: counted once
    whole = gzip.compress(b'{"x":1}\n' * 1000)
    (raw / "bad.json.gz").write_bytes(whole[: len(whole) // 2])
    (raw / "x.manifest.json").write_bytes(b"{}")
    (raw / "locked.json").write_bytes(b'{"y":1}\n{"y":2}\n')  # readable here, quarantined by the job
    a, copy, bad = str(raw / "a.json"), f"file://{raw / 'a-copy.json'}", str(raw / "bad.json.gz")
    bronze = tmp_path / "lakehouse" / "bronze"
    write_deltalake(str(bronze / "movies"), _table([(a, 1, None), (copy, 1, None), (a, 4, None)], False))
    write_deltalake(
        str(bronze / "movies_rejects"),
        _table([(bad, None, "corrupt_file"), (a, 2, "malformed_json"), (str(raw / "locked.json"), None, "unreadable_file")], True),
    )

    result = audit("movies", tmp_path / "raw" / "movies", str(bronze))
    assert result.raw_lines == 3  # a quarantined file's lines are not expected
    assert (result.bronze_rows, result.rejects) == (3, 1)
    assert result.lost == 1 and [n for _, n in result.lost_examples] == [3]
    assert result.doubled == 1  # line 1 of the same content, once under each name
    assert result.unexpected == 1  # line 2 is blank: no record
    assert result.quarantined == {bad: "corrupt_file", str(raw / "locked.json"): "unreadable_file"}
    assert result.unreadable == [bad]
