"""Part files on a local path or S3, written so that readers never see a half-written file.

Local parts stream to a hidden temporary file that is renamed into place (a 1e6-record part is
over 500 MB; holding it in memory twice is not worth it). S3 parts are buffered and written with
`ingestion.storage.write_bytes` in one PUT (S3 objects appear atomically). gzip output uses a
fixed mtime and no file name in the header, so it is byte-identical between runs.
"""

from __future__ import annotations

import gzip
import io
import os
from pathlib import Path
from typing import BinaryIO

from ingestion import storage

GZIP_LEVEL = 6  # zlib's default trade-off; level 9 costs about 3x the time for a few % of size


class PartWriter:
    """Append lines to one part file; `close()` publishes it and returns its size in bytes."""

    def __init__(self, uri: str, compress: bool) -> None:
        self.uri = uri
        self._local = not storage.is_s3(uri)
        self._sink: BinaryIO
        if self._local:
            path = Path(uri)
            path.parent.mkdir(parents=True, exist_ok=True)
            self._tmp = path.with_name(f".{path.name}.tmp")
            self._sink = open(self._tmp, "wb")  # noqa: SIM115 (closed in close())
        else:
            self._sink = io.BytesIO()
        self._gz = gzip.GzipFile(filename="", mode="wb", fileobj=self._sink, mtime=0, compresslevel=GZIP_LEVEL) if compress else None
        self._out: BinaryIO = self._gz if self._gz is not None else self._sink  # type: ignore[assignment]

    def write(self, lines: list[str]) -> None:
        if lines:
            self._out.write(("\n".join(lines) + "\n").encode("utf-8"))

    def close(self) -> int:
        if self._gz is not None:
            self._gz.close()  # flushes the trailer; leaves the sink open
        if self._local:
            self._sink.close()
            os.replace(self._tmp, self.uri)
            return Path(self.uri).stat().st_size
        data = self._sink.getvalue()  # type: ignore[attr-defined]
        storage.write_bytes(self.uri, data)
        return len(data)


def write_empty(uri: str) -> int:
    """A zero-byte file, also for `.json.gz` (not even a gzip header: that is the dirt)."""
    storage.write_bytes(uri, b"")
    return 0
