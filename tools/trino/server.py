"""A pinned Trino server for tests: fetched once into a cache outside the repo, started on loopback.

Version: Trino 476, ``io.trino:trino-server:476`` (tar.gz) from Maven Central. 435, the last release
on Java 17, is not served by the registry this project reaches (it lists 352, 356, 368, 470 and
476 only; 435's files answer 404). 476 is the newest served, the nearest to Athena engine v3 (which
tracks recent Trino) and needs Java 24+: it runs on the Temurin 25 JDK that this kind of machine
has beside Java 17 (`/usr/lib/jvm/temurin-25-jdk-amd64`). ``OAKVALE_TRINO_JAVA_HOME`` names another.

Pinned by SHA-256 (and the SHA-1 Maven Central publishes, checked when the pin was made). The
tarball (821 MB) is kept in ``$XDG_CACHE_HOME/oakvale/trino`` (else ``~/.cache/oakvale/trino``;
``OAKVALE_TRINO_CACHE`` overrides); a download resumes where it stopped and is retried; the file
gets its final name only after its hash matched. Only ``lib/`` and the plugins the tests use are
extracted (about 100 MB for ``memory``; ``iceberg`` adds 95 MB), beside the tarball.

    python -m tools.trino.server            # fetch and extract what is missing (make setup runs it)
    python -m tools.trino.server --start    # start one on a free port and print its URL (Ctrl-C stops)
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

VERSION = "476"
URL = f"https://repo1.maven.org/maven2/io/trino/trino-server/{VERSION}/trino-server-{VERSION}.tar.gz"
SHA256 = "cfd5accde17e8ebd251eeeb78aed1f490e77bb3a164d95a0f454bf8a7c1cbd3f"
SHA1 = "c9b38be4017ebd2f7095455aaac772fb40247ebe"  # Maven Central's trino-server-476.tar.gz.sha1
MIN_JAVA = 24  # Trino 476's own check (io.trino.server.TrinoSystemRequirements)
PLUGINS = ("memory",)  # extracted from the tarball; the server loads only these


class TrinoSetupError(RuntimeError):
    pass


def cache_dir() -> Path:
    if os.environ.get("OAKVALE_TRINO_CACHE"):
        return Path(os.environ["OAKVALE_TRINO_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "oakvale" / "trino"


def tarball() -> Path:
    return cache_dir() / f"trino-server-{VERSION}.tar.gz"


def home() -> Path:
    """The extracted server: lib/ and plugin/<name>/ for PLUGINS."""
    return cache_dir() / f"trino-server-{VERSION}"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def fetch(attempts: int = 5) -> Path:
    """The verified tarball in the cache, downloaded (resumed, retried) if missing."""
    target = tarball()
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(target.name + ".part")
    print(f"oakvale: fetching io.trino:trino-server:{VERSION} (821 MB) into {target.parent}", file=sys.stderr)
    for attempt in range(1, attempts + 1):
        have = part.stat().st_size if part.exists() else 0
        request = urllib.request.Request(URL, headers={"Range": f"bytes={have}-"} if have else {})
        try:
            with urllib.request.urlopen(request, timeout=120) as response, part.open("ab" if have else "wb") as out:
                if have and response.status != 206:  # the server ignored the range: start over
                    out.truncate(0)
                shutil.copyfileobj(response, out, 1 << 20)
            break
        except (urllib.error.URLError, OSError) as e:
            if attempt == attempts:
                raise TrinoSetupError(f"{URL}: download failed {attempts} times ({e}); run make setup again "
                                      f"to resume ({part} is kept)") from e
            print(f"oakvale: trino download interrupted ({e}); retry {attempt}/{attempts - 1}", file=sys.stderr)
            time.sleep(min(30, 2**attempt))
    got = _sha256(part)
    if got != SHA256:
        part.unlink()
        raise TrinoSetupError(f"{URL}: SHA-256 {got} is not the pinned {SHA256}; nothing was cached. Check the pin "
                              f"in tools/trino/server.py against Maven Central's .sha1 ({SHA1}) before changing it.")
    os.replace(part, target)  # only a verified file gets the final name
    return target


def extract(plugins: tuple[str, ...] = PLUGINS) -> Path:
    """lib/ and the named plugins, extracted beside the tarball (each once; a marker says it is complete)."""
    root = home()
    wanted = ["lib", *(f"plugin/{p}" for p in plugins)]
    missing = [w for w in wanted if not (root / w / ".complete").is_file()]
    if not missing:
        return root
    source = fetch()
    prefix = f"trino-server-{VERSION}/"  # the archive's top folder is home()'s name
    root.mkdir(parents=True, exist_ok=True)
    for part in missing:
        shutil.rmtree(root / part, ignore_errors=True)
    with tarfile.open(source, "r:gz") as tar:
        # plugins share jars with lib/ and each other as hard links; tarfile extracts a link whose
        # target was not selected from the target's own member
        members = [m for m in tar.getmembers() if (m.isfile() or m.isdir() or m.islnk())
                   and any(m.name == prefix + w or m.name.startswith(prefix + w + "/") for w in missing)]
        tar.extractall(root.parent, members=members, filter="data")
    for part in missing:
        if not (root / part).is_dir():
            raise TrinoSetupError(f"{source} has no {part}/: is the pin right?")
        (root / part / ".complete").touch()
    return root


def java_home() -> Path:
    """A JDK new enough for Trino VERSION: OAKVALE_TRINO_JAVA_HOME, else the newest under /usr/lib/jvm."""
    candidates = [Path(os.environ["OAKVALE_TRINO_JAVA_HOME"])] if os.environ.get("OAKVALE_TRINO_JAVA_HOME") else \
        sorted(Path("/usr/lib/jvm").glob("*"), reverse=True) if Path("/usr/lib/jvm").is_dir() else []
    for jdk in candidates:
        java = jdk / "bin" / "java"
        if not java.is_file():
            continue
        out = subprocess.run([str(java), "-version"], capture_output=True, text=True).stderr
        match = re.search(r'version "(\d+)', out)
        if match and int(match.group(1)) >= MIN_JAVA:
            return jdk
    raise TrinoSetupError(f"Trino {VERSION} needs Java {MIN_JAVA}+ and none was found under /usr/lib/jvm "
                          f"(this kind of machine has temurin-25-jdk-amd64 there); set OAKVALE_TRINO_JAVA_HOME "
                          f"to a JDK {MIN_JAVA}+")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class TrinoServer:
    """One Trino coordinator (also the worker) on 127.0.0.1, configured in `workdir`.

    catalogs: {name: {property: value}}; default one `memory` catalog."""

    workdir: Path
    catalogs: dict[str, dict[str, str]] = field(default_factory=lambda: {"memory": {"connector.name": "memory"}})
    heap: str = "1G"
    port: int = 0
    process: subprocess.Popen | None = None
    start_seconds: float = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _write_config(self) -> Path:
        etc = self.workdir / "etc"
        (etc / "catalog").mkdir(parents=True, exist_ok=True)
        (etc / "node.properties").write_text(
            f"node.environment=oakvale_test\nnode.id={uuid.uuid4()}\nnode.data-dir={self.workdir / 'data'}\n"
            "node.bind-ip=127.0.0.1\nnode.internal-address=127.0.0.1\n")  # loopback only
        (etc / "config.properties").write_text("\n".join([
            "coordinator=true",
            "node-scheduler.include-coordinator=true",
            f"http-server.http.port={self.port}",
            f"discovery.uri={self.url}",
            "query.max-memory=300MB",
            "query.max-memory-per-node=300MB",
            "task.concurrency=2",  # 2 cores, shared
            "",
        ]))  # fmt: skip
        (etc / "jvm.config").write_text("\n".join([
            "-server", f"-Xmx{self.heap}", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:+EnableDynamicAgentLoading",
            "--enable-native-access=ALL-UNNAMED",
            "-Djdk.attach.allowAttachSelf=true", "-Dfile.encoding=UTF-8", "-Duser.timezone=UTC",
            "",
        ]))  # fmt: skip
        (etc / "log.properties").write_text("io.trino=WARN\nio.airlift=WARN\n")
        for name, props in self.catalogs.items():
            (etc / "catalog" / f"{name}.properties").write_text("".join(f"{k}={v}\n" for k, v in props.items()))
        return etc

    def start(self, timeout: float = 180) -> TrinoServer:
        root = extract()
        java = java_home() / "bin" / "java"
        self.port = self.port or free_port()
        etc = self._write_config()
        jvm = [line for line in (etc / "jvm.config").read_text().splitlines() if line]
        cmd = [
            str(java), *jvm, f"-Dconfig={etc / 'config.properties'}", f"-Dlog.levels-file={etc / 'log.properties'}",
            f"-Dcatalog.config-dir={etc / 'catalog'}", f"-Dplugin.dir={root / 'plugin'}",
            *(f"-D{line}" for line in (etc / "node.properties").read_text().splitlines() if line),
            "-cp", str(root / "lib" / "*"), "io.trino.server.TrinoServer",
        ]  # fmt: skip
        log = (self.workdir / "server.log").open("wb")
        started = time.perf_counter()
        self.process = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=self.workdir)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise TrinoSetupError(f"Trino exited with {self.process.returncode} while starting: "
                                      f"{self.log_tail()}")
            if self._ready():
                self.start_seconds = round(time.perf_counter() - started, 1)
                return self
            time.sleep(0.5)
        self.stop()
        raise TrinoSetupError(f"Trino did not start within {timeout} s: {self.log_tail()}")

    def _ready(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/v1/info", timeout=2) as response:
                import json

                return json.load(response).get("starting") is False
        except (urllib.error.URLError, OSError, ValueError):
            return False

    def log_tail(self, lines: int = 40) -> str:
        path = self.workdir / "server.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else "(no log)"

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


def main(argv: list[str]) -> int:
    try:
        extract()
        java_home()
        if "--start" in argv:
            server = TrinoServer(Path(tempfile.mkdtemp(prefix="oakvale-trino-"))).start()
            print(f"Trino {VERSION} at {server.url} (started in {server.start_seconds} s; Ctrl-C stops)")
            try:
                server.process.wait()
            except KeyboardInterrupt:
                server.stop()
    except TrinoSetupError as e:
        print(f"oakvale: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
