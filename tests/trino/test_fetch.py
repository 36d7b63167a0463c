"""The Trino download: resumed from a partial file, retried, verified before it gets its name,
and never fetched again once cached. A small payload from a server on loopback stands in for the
821 MB tarball."""

from __future__ import annotations

import hashlib
import http.server
import threading

import pytest

from tools.trino import server as trino_server

PAYLOAD = bytes(range(256)) * 4096  # 1 MiB


class _Handler(http.server.BaseHTTPRequestHandler):
    requests: list[str | None] = []
    fail_first = 0

    def do_GET(self):  # noqa: N802 (http.server's name)
        type(self).requests.append(self.headers.get("Range"))
        if type(self).fail_first > 0:
            type(self).fail_first -= 1
            self.send_response(503)
            self.end_headers()
            return
        start = int(self.headers["Range"].split("=")[1].rstrip("-")) if self.headers.get("Range") else 0
        self.send_response(206 if start else 200)
        self.send_header("Content-Length", str(len(PAYLOAD) - start))
        self.end_headers()
        self.wfile.write(PAYLOAD[start:])

    def log_message(self, *args):
        pass


@pytest.fixture
def origin(monkeypatch, tmp_path):
    _Handler.requests, _Handler.fail_first = [], 0
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    monkeypatch.setenv("OAKVALE_TRINO_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(trino_server, "URL", f"http://127.0.0.1:{httpd.server_address[1]}/trino.tar.gz")
    monkeypatch.setattr(trino_server, "SHA256", hashlib.sha256(PAYLOAD).hexdigest())
    monkeypatch.setattr(trino_server.time, "sleep", lambda s: None)
    yield _Handler
    httpd.shutdown()


def test_resumes_a_partial_download_and_caches_it(origin):
    part = trino_server.tarball().with_name(trino_server.tarball().name + ".part")
    part.parent.mkdir(parents=True)
    part.write_bytes(PAYLOAD[:1000])
    origin.fail_first = 2  # two failures, then the rest of the file
    assert trino_server.fetch().read_bytes() == PAYLOAD
    assert origin.requests == ["bytes=1000-"] * 3
    assert not part.exists()
    trino_server.fetch()  # cached: no request
    assert len(origin.requests) == 3


def test_a_wrong_checksum_caches_nothing(origin, monkeypatch):
    monkeypatch.setattr(trino_server, "SHA256", "0" * 64)
    with pytest.raises(trino_server.TrinoSetupError, match="is not the pinned"):
        trino_server.fetch()
    assert list(trino_server.cache_dir().iterdir()) == []


def test_gives_up_after_the_retries_and_keeps_the_partial_file(origin):
    origin.fail_first = 99
    with pytest.raises(trino_server.TrinoSetupError, match="download failed 5 times"):
        trino_server.fetch()
