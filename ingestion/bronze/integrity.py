"""Which planned raw files cannot be read whole: the files a batch quarantines instead of failing.

Spark's text reader fails the whole batch on one truncated gzip or one file that vanished after
planning, and a replay of the same plan fails the same way. When a batch's read fails, the job asks
this module which files are to blame, quarantines them (one reject row each, with the reason) and
stages the rest. The check runs only after a failure, so a clean batch pays nothing for it.
"""

from __future__ import annotations

import gzip
import zlib
from dataclasses import dataclass

from ingestion import storage

CORRUPT_FILE = "corrupt_file"  # the bytes are there but do not decompress to the end
MISSING_FILE = "missing_file"  # planned, then gone before the read
UNREADABLE_FILE = "unreadable_file"  # there, but the read fails (permissions, I/O)
FILE_REASONS = (CORRUPT_FILE, MISSING_FILE, UNREADABLE_FILE)

_CHUNK = 1 << 20


@dataclass(frozen=True)
class QuarantinedFile:
    uri: str
    reason: str
    detail: str


def check_file(uri: str) -> QuarantinedFile | None:
    """None if the whole file can be read (and decompressed), else why not."""
    try:
        with storage.open_read(uri) as handle:
            stream = gzip.GzipFile(fileobj=handle, mode="rb") if uri.endswith(".gz") else handle
            while stream.read(_CHUNK):
                pass
    except (EOFError, zlib.error, gzip.BadGzipFile) as error:
        return QuarantinedFile(uri, CORRUPT_FILE, f"{type(error).__name__}: {error}")
    except FileNotFoundError as error:
        return QuarantinedFile(uri, MISSING_FILE, f"{type(error).__name__}: {error}")
    except OSError as error:
        return QuarantinedFile(uri, UNREADABLE_FILE, f"{type(error).__name__}: {error}")
    return None


def find_unreadable(spark, uris: list[str]) -> list[QuarantinedFile]:
    """check_file over many files, in parallel Spark tasks (the files may be large and on S3)."""
    if not uris:
        return []
    slices = min(len(uris), spark.sparkContext.defaultParallelism)
    found = spark.sparkContext.parallelize(uris, slices).map(check_file).collect()
    return [f for f in found if f is not None]
