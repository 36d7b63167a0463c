"""Local paths and s3:// URIs behind one small interface.

Everything Oakvale reads or writes goes through these functions, so the same code runs on a laptop
and on AWS. S3 calls use boto3, which honours AWS_ENDPOINT_URL (moto in tests).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlparse


def is_s3(uri: str) -> bool:
    return uri.startswith("s3://")


def split_s3(uri: str) -> tuple[str, str]:
    parsed = urlparse(uri)
    return parsed.netloc, parsed.path.lstrip("/")


def join(base: str, *parts: str) -> str:
    return "/".join([base.rstrip("/"), *(p.strip("/") for p in parts)])


def _s3():
    import boto3  # imported lazily: local runs never need it

    return boto3.client("s3")


_NOT_FOUND = ("404", "NoSuchKey", "NotFound")  # how S3 (and moto) name a missing key


def _s3_error_code(error) -> str | None:
    return error.response.get("Error", {}).get("Code")


@dataclass(frozen=True)
class FileInfo:
    uri: str
    size: int
    etag: str | None = None  # S3's content hash; None for local files


def list_files(prefix: str) -> Iterator[FileInfo]:
    """Every file under a prefix, recursively, sorted by URI."""
    if is_s3(prefix):
        bucket, key = split_s3(prefix)
        key = key.rstrip("/") + "/" if key else ""
        paginator = _s3().get_paginator("list_objects_v2")
        found = []
        for page in paginator.paginate(Bucket=bucket, Prefix=key):
            for obj in page.get("Contents", []):
                found.append(FileInfo(f"s3://{bucket}/{obj['Key']}", obj["Size"], obj.get("ETag", "").strip('"')))
        yield from sorted(found, key=lambda f: f.uri)
        return
    root = Path(prefix)
    if not root.exists():
        return
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        yield FileInfo(str(path), path.stat().st_size)


def fingerprint(info: FileInfo) -> str:
    """A content hash: S3's ETag, or the MD5 of a local file (the same thing for single-part uploads)."""
    if info.etag:
        return info.etag
    digest = hashlib.md5(usedforsecurity=False)
    with open(info.uri, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def exists(uri: str) -> bool:
    if is_s3(uri):
        bucket, key = split_s3(uri)
        resp = _s3().list_objects_v2(Bucket=bucket, Prefix=key.rstrip("/"), MaxKeys=1)
        return resp.get("KeyCount", 0) > 0
    return Path(uri).exists()


def file_exists(uri: str) -> bool:
    """Whether exactly this file exists (not merely some key starting with it, as `exists` allows)."""
    if is_s3(uri):
        from botocore.exceptions import ClientError

        bucket, key = split_s3(uri)
        try:
            _s3().head_object(Bucket=bucket, Key=key)
        except ClientError as error:
            if _s3_error_code(error) in _NOT_FOUND:
                return False
            raise
        return True
    return Path(uri).is_file()


def write_bytes(uri: str, data: bytes) -> None:
    if is_s3(uri):
        bucket, key = split_s3(uri)
        _s3().put_object(Bucket=bucket, Key=key, Body=data)
        return
    path = Path(uri)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)  # readers never see a half-written file


def write_bytes_if_absent(uri: str, data: bytes) -> bool:
    """Create a file only if nothing is there yet; False if another writer got there first.

    The create is atomic on both stores (S3: a conditional PUT with If-None-Match; local: a hard link
    of a complete temporary file), so of several concurrent writers exactly one wins.
    """
    if is_s3(uri):
        from botocore.exceptions import ClientError

        bucket, key = split_s3(uri)
        try:
            _s3().put_object(Bucket=bucket, Key=key, Body=data, IfNoneMatch="*")
        except ClientError as error:
            # 412: the object exists; 409: a concurrent conditional write to the same key is in flight.
            if _s3_error_code(error) in ("PreconditionFailed", "ConditionalRequestConflict"):
                return False
            raise
        return True
    path = Path(uri)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    try:
        os.link(tmp, path)
    except FileExistsError:
        return False
    finally:
        tmp.unlink(missing_ok=True)
    return True


def upload_file(local_path: str, uri: str) -> None:
    """Put a local file at a URI: a multipart upload to S3, or a rename into place locally."""
    if is_s3(uri):
        bucket, key = split_s3(uri)
        _s3().upload_file(local_path, bucket, key)
        return
    Path(uri).parent.mkdir(parents=True, exist_ok=True)
    shutil.move(local_path, uri)


def read_bytes(uri: str) -> bytes:
    if is_s3(uri):
        bucket, key = split_s3(uri)
        return _s3().get_object(Bucket=bucket, Key=key)["Body"].read()
    return Path(uri).read_bytes()


def open_read(uri: str) -> BinaryIO:
    """A file opened for streaming reads. A missing file raises FileNotFoundError on both stores."""
    if is_s3(uri):
        from botocore.exceptions import ClientError

        bucket, key = split_s3(uri)
        try:
            body = _s3().get_object(Bucket=bucket, Key=key)["Body"]
        except ClientError as error:
            if _s3_error_code(error) in _NOT_FOUND:
                raise FileNotFoundError(uri) from None
            raise
        return contextlib.closing(body)  # type: ignore[return-value]
    return open(uri, "rb")


def move(src: str, dst: str) -> None:
    """Move one file. Local: an atomic rename. S3: copy then delete (S3 has no rename)."""
    if is_s3(src):
        sb, sk = split_s3(src)
        db, dk = split_s3(dst)
        client = _s3()
        client.copy({"Bucket": sb, "Key": sk}, db, dk)
        client.delete_object(Bucket=sb, Key=sk)
        return
    Path(dst).parent.mkdir(parents=True, exist_ok=True)
    os.replace(src, dst)


def remove_file(uri: str) -> None:
    if is_s3(uri):
        bucket, key = split_s3(uri)
        _s3().delete_object(Bucket=bucket, Key=key)
        return
    Path(uri).unlink(missing_ok=True)


def remove_tree(prefix: str) -> None:
    if is_s3(prefix):
        bucket, key = split_s3(prefix)
        client = _s3()
        keys = [split_s3(f.uri)[1] for f in list_files(prefix)]
        for start in range(0, len(keys), 1000):
            chunk = keys[start : start + 1000]
            client.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in chunk]})
        return
    shutil.rmtree(prefix, ignore_errors=True)
