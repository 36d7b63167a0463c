"""The pinned JVM jars: a jar is cached only when its SHA-256 matches the pin, and local sessions
are configured from the cache (no Spark started here)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from ingestion.bronze import jars, session


@pytest.fixture
def repository(tmp_path, monkeypatch) -> Path:
    """A stand-in for Maven Central (a file:// tree) and an empty cache."""
    repo = tmp_path / "maven"
    monkeypatch.setattr(jars, "MAVEN_CENTRAL", repo.as_uri())
    monkeypatch.setenv("OAKVALE_JAR_CACHE", str(tmp_path / "cache"))
    return repo


def _publish(repo: Path, jar: jars.Jar, body: bytes) -> None:
    path = repo / jar.group.replace(".", "/") / jar.artifact / jar.version / jar.file_name
    path.parent.mkdir(parents=True)
    path.write_bytes(body)


def test_a_jar_matching_its_pin_is_cached_and_reused(repository):
    body = b"PK jar bytes"
    jar = jars.Jar("org.example", "thing", "1.0", hashlib.sha256(body).hexdigest())
    _publish(repository, jar, body)

    path = jars.fetch(jar)
    assert path == jars.cache_dir() / "thing-1.0.jar" and path.read_bytes() == body
    assert path.stat().st_mode & 0o644 == 0o644  # readable by the Spark JVM whoever runs it
    (repository / "org/example/thing/1.0/thing-1.0.jar").unlink()
    assert jars.fetch(jar) == path  # reused: no second download
    assert jars.cached((jar,)) == [path]


def test_a_jar_not_matching_its_pin_is_refused_and_nothing_is_cached(repository):
    jar = jars.Jar("org.example", "thing", "1.0", hashlib.sha256(b"expected").hexdigest())
    _publish(repository, jar, b"tampered")
    with pytest.raises(jars.JarChecksumError, match="is not the pinned"):
        jars.fetch(jar)
    assert not any(jars.cache_dir().iterdir())
    assert jars.cached((jar,)) is None


def test_every_pin_is_a_sha256():
    for jar in jars.ALL:
        assert len(jar.sha256) == 64 and int(jar.sha256, 16) >= 0


def test_local_sessions_take_the_cached_jars_and_the_override(tmp_path, monkeypatch):
    monkeypatch.setenv("OAKVALE_JAR_CACHE", str(tmp_path))
    monkeypatch.delenv("OAKVALE_DELTA_JARS", raising=False)
    assert session.delta_jars() == [] and session.s3_conf() == {}  # nothing cached: plain Spark
    for jar in jars.ALL:
        (tmp_path / jar.file_name).write_bytes(b"")
    assert session.delta_jars() == [str(tmp_path / j.file_name) for j in jars.DELTA]
    monkeypatch.setenv("OAKVALE_DELTA_JARS", "/opt/a.jar,/opt/b.jar")
    assert session.delta_jars() == ["/opt/a.jar", "/opt/b.jar"]
    monkeypatch.setenv("OAKVALE_DELTA_JARS", "")
    assert session.delta_jars() == []


def test_s3_in_a_local_session_is_s3a_at_the_configured_endpoint(tmp_path, monkeypatch):
    monkeypatch.setenv("OAKVALE_JAR_CACHE", str(tmp_path))
    for jar in jars.S3A:
        (tmp_path / jar.file_name).write_bytes(b"")
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    conf = session.s3_conf()
    assert conf["spark.hadoop.fs.s3.impl"] == "org.apache.hadoop.fs.s3a.S3AFileSystem"
    assert "spark.hadoop.fs.s3a.endpoint" not in conf  # real S3 by default
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:5000")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    conf = session.s3_conf()
    assert conf["spark.hadoop.fs.s3a.endpoint"] == "http://127.0.0.1:5000"
    assert conf["spark.hadoop.fs.s3a.path.style.access"] == "true"
    assert conf["spark.hadoop.fs.s3a.connection.ssl.enabled"] == "false"
    assert conf["spark.hadoop.fs.s3a.endpoint.region"] == "eu-west-1"
    assert conf["spark.jars"].split(",") == [str(tmp_path / j.file_name) for j in jars.S3A]
