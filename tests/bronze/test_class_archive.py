"""The local JVM maps the class archive when one was built, and starts without it otherwise."""

from __future__ import annotations

from ingestion.bronze import class_archive, session


def test_the_archive_is_passed_to_the_jvm_only_when_it_exists(tmp_path, monkeypatch):
    archive = tmp_path / "classes.jsa"
    monkeypatch.setattr(class_archive, "ARCHIVE", archive)
    assert "SharedArchiveFile" not in session._driver_java_options()
    archive.write_bytes(b"built by make setup")
    assert f"-XX:SharedArchiveFile={archive}" in session._driver_java_options().split()
