"""The JVM jars local Spark adds to run as Glue does: Delta Lake's Spark writer and S3 (s3a).

Pinned by version and SHA-256 (each checked, when pinned, against the SHA-1 Maven Central
publishes), downloaded once by `make setup` into a cache outside the repository
(`$XDG_CACHE_HOME/oakvale/jars`, else `~/.cache/oakvale/jars`; `OAKVALE_JAR_CACHE` overrides) and
reused by every later run. A file reaches its final name only after its hash matched, so a jar in
the cache is a verified jar.

- Delta 3.3.0: the Delta Lake of AWS Glue 5.0, the `glue_version` infra/glue.tf deploys (Glue 5.1
  ships Delta 3.3.2). Built against Spark 3.5.3; runs on the locked pyspark 3.5.9 (same 3.5 line).
  The `delta-spark` Python package (3.3.3 in the lock) is Python only and not used to find jars.
- hadoop-aws 3.3.4: the Hadoop PySpark 3.5 is built on (its `hadoop-client-*-3.3.4` jars), with
  the AWS SDK bundle 1.12.262 that hadoop-aws 3.3.4's parent POM names (`aws-java-sdk.version`).

    python -m ingestion.bronze.jars          # fetch what is missing (make setup runs it)
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path

MAVEN_CENTRAL = "https://repo1.maven.org/maven2"


@dataclass(frozen=True)
class Jar:
    group: str
    artifact: str
    version: str
    sha256: str

    @property
    def file_name(self) -> str:
        return f"{self.artifact}-{self.version}.jar"

    @property
    def url(self) -> str:
        return f"{MAVEN_CENTRAL}/{self.group.replace('.', '/')}/{self.artifact}/{self.version}/{self.file_name}"


DELTA = (
    Jar("io.delta", "delta-spark_2.12", "3.3.0", "c6e93686b24e067d9645aa5f04b06fdfa938f18336f713b7f138994f9890ec9e"),
    Jar("io.delta", "delta-storage", "3.3.0", "951ce7e89468d1657aaf27067a5b9163a4bcccae3dd7d23d711f50bcd3365bb5"),
)
S3A = (
    Jar("org.apache.hadoop", "hadoop-aws", "3.3.4", "53f9ae03c681a30a50aa17524bd9790ab596b28481858e54efd989a826ed3a4a"),
    Jar("com.amazonaws", "aws-java-sdk-bundle", "1.12.262", "873fe7cf495126619997bec21c44de5d992544aea7e632fdc77adb1a0915bae5"),
)
ALL = DELTA + S3A


def cache_dir() -> Path:
    if os.environ.get("OAKVALE_JAR_CACHE"):
        return Path(os.environ["OAKVALE_JAR_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "oakvale" / "jars"


def cached(jars: tuple[Jar, ...]) -> list[Path] | None:
    """The cached files of `jars`, or None if any of them is missing."""
    paths = [cache_dir() / jar.file_name for jar in jars]
    return paths if all(p.is_file() for p in paths) else None


class JarChecksumError(RuntimeError):
    pass


def fetch(jar: Jar) -> Path:
    """Download one jar into the cache unless it is there; verify its SHA-256 before naming it."""
    target = cache_dir() / jar.file_name
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with tempfile.NamedTemporaryFile(dir=target.parent, prefix=f".{jar.file_name}.", delete=False) as out:
        try:
            with urllib.request.urlopen(jar.url, timeout=60) as response:
                for chunk in iter(lambda: response.read(1 << 20), b""):
                    digest.update(chunk)
                    out.write(chunk)
            out.flush()
            if digest.hexdigest() != jar.sha256:
                raise JarChecksumError(
                    f"{jar.url}: SHA-256 {digest.hexdigest()} is not the pinned {jar.sha256}; nothing was cached. "
                    f"Check the pin in ingestion/bronze/jars.py against Maven Central's .sha1 before changing it."
                )
            os.chmod(out.name, 0o644)
            os.replace(out.name, target)  # only a verified file gets the final name
        finally:
            if os.path.exists(out.name):
                os.unlink(out.name)
    return target


def fetch_all() -> list[Path]:
    """Every pinned jar, fetched if missing (and said so); quiet when the cache has them all."""
    paths = []
    for jar in ALL:
        if not (cache_dir() / jar.file_name).is_file():
            print(f"oakvale: fetching {jar.group}:{jar.artifact}:{jar.version} into {cache_dir()}", file=sys.stderr)
        paths.append(fetch(jar))
    return paths


if __name__ == "__main__":
    fetch_all()
