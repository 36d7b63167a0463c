"""Part files on a local path or S3, written so that readers never see a half-written file.

Local parts stream to a hidden temporary file that is renamed into place (a 1e6-record part is
over 500 MB; holding it in memory twice is not worth it). S3 parts are buffered and written with
`ingestion.storage.write_bytes` in one PUT (S3 objects appear atomically). gzip output uses a
fixed mtime and no file name in the header, so it is byte-identical between runs.

Compression and file writes run on one background thread: zlib and file I/O release the GIL, so
they overlap with record generation on the second core, and a single worker keeps the order.
"""

from __future__ import annotations

import gzip
import io
import os
import re
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import IO

from ingestion import storage

# zlib level 1: about 3x faster than the default 6 on this data for files about 20% larger; the
# generator's job is volume, and bronze reads either the same way.
GZIP_LEVEL = 1


class PartWriter:
    """Append lines to one part file; `close()` publishes it and returns its size in bytes."""

    def __init__(self, uri: str, compress: bool, io_thread: ThreadPoolExecutor) -> None:
        self.uri = uri
        self._io = io_thread
        self._pending: Future[object] | None = None
        self._local = not storage.is_s3(uri)
        self._buffer: io.BytesIO | None = None  # S3 only
        self._sink: IO[bytes]
        if self._local:
            path = Path(uri)
            path.parent.mkdir(parents=True, exist_ok=True)
            self._tmp = path.with_name(f".{path.name}.tmp")
            self._sink = open(self._tmp, "wb")  # noqa: SIM115 (closed in close()/abort())
        else:
            self._buffer = io.BytesIO()
            self._sink = self._buffer
        self._gz = (
            gzip.GzipFile(filename="", mode="wb", fileobj=self._sink, mtime=0, compresslevel=GZIP_LEVEL)
            if compress
            else None
        )
        self._out: IO[bytes] = self._gz if self._gz is not None else self._sink

    def _wait(self) -> None:
        if self._pending is not None:
            self._pending.result()  # re-raises a failed write here, on the caller's thread
            self._pending = None

    def write(self, lines: list[str]) -> None:
        if not lines:
            return
        data = ("\n".join(lines) + "\n").encode("utf-8")
        self._wait()  # at most one chunk in flight: bounded memory
        self._pending = self._io.submit(self._out.write, data)

    def close(self) -> int:
        self._wait()
        if self._gz is not None:
            self._gz.close()  # writes the trailer; leaves the sink open
        if self._local:
            self._sink.close()
            os.replace(self._tmp, self.uri)
            return Path(self.uri).stat().st_size
        assert self._buffer is not None
        data = self._buffer.getvalue()
        storage.write_bytes(self.uri, data)
        return len(data)

    def abort(self) -> None:
        """Drop a part after an error: no temporary file is left behind."""
        try:
            self._wait()
        except Exception:  # noqa: BLE001 (the original error is being raised already)
            pass
        self._sink.close()
        if self._local:
            self._tmp.unlink(missing_ok=True)


def remove_stale_parts(partition_uri: str, run_id: str, keep: set[str]) -> list[str]:
    """Delete this run's part files that a previous run wrote and this one did not (fewer parts, or
    plain vs gzip), so a partition never holds two versions of a run. Other runs are left alone."""
    pattern = re.compile(re.escape(run_id) + r"-\d{5}\.json(\.gz)?")
    stale = [
        info.uri
        for info in storage.list_files(partition_uri)
        if info.uri.rsplit("/", 1)[-1] not in keep and pattern.fullmatch(info.uri.rsplit("/", 1)[-1])
    ]
    for uri in stale:
        if storage.is_s3(uri):
            import boto3  # as in ingestion.storage: only S3 runs need it

            bucket, key = storage.split_s3(uri)
            boto3.client("s3").delete_object(Bucket=bucket, Key=key)
        else:
            Path(uri).unlink(missing_ok=True)
    return stale


def write_empty(uri: str) -> int:
    """A zero-byte file, also for `.json.gz` (not even a gzip header: that is the dirt)."""
    storage.write_bytes(uri, b"")
    return 0
