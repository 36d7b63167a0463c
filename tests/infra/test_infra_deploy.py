"""infra/deploy.sh: --dry-run prints every step and runs nothing; a real run calls the tools in order.

AWS, Terraform, Docker and pip are replaced by recording stubs on PATH, so nothing leaves the machine.
"""

from __future__ import annotations

import importlib.util
import os
import re
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "infra" / "deploy.sh"

STUB = """#!/usr/bin/env bash
echo "{name} $*" >> "$STUB_LOG"
{body}
"""

STUB_BODIES = {
    "terraform": 'case "$*" in *"output -raw dbt_runner_repository_url"*) echo "123456789012.dkr.ecr.eu-west-1.amazonaws.com/oakvale-prod-dbt-runner";; esac',
    "aws": 'case "$*" in *get-login-password*) echo token;; *describe-images*) exit 1;; esac',
    "docker": 'case "$*" in login*) cat >/dev/null;; esac',
    # pip is faked (no registry); everything else goes to the real interpreter
    "python": f"""case "$1 $2 $3" in
  "-m pip wheel") out=""; prev=""; for a in "$@"; do [ "$prev" = "-w" ] && out=$a; prev=$a; done
                  mkdir -p "$out" && echo wheel > "$out/oakvale_ingestion-0.1.0-py3-none-any.whl";;
  "-m pip install") out=""; req=""; prev=""
                    for a in "$@"; do [ "$prev" = "--target" ] && out=$a; [ "$prev" = "-r" ] && req=$a; prev=$a; done
                    mkdir -p "$out/ingestion/generator" && echo "" > "$out/ingestion/__init__.py"
                    echo "def lambda_handler(event, context): return {{}}" > "$out/ingestion/generator/__init__.py"
                    # a pure-Python dist-info per pinned requirement, as pip --target leaves them
                    [ -z "$req" ] || grep -E '^[A-Za-z0-9][A-Za-z0-9_.-]*==' "$req" | while IFS='=' read -r name _ version; do
                      d="$out/$(echo "$name" | tr '-' '_')-$version.dist-info"; mkdir -p "$d"
                      printf 'Wheel-Version: 1.0\\nTag: py3-none-any\\n' > "$d/WHEEL"
                    done;;
  *) exec {sys.executable} "$@";;
esac""",
}


# The build host deploy.sh sees (FAKE_UNAME_S / FAKE_UNAME_M; default: the Lambda's own platform). Not
# logged: asking for the host is not calling a tool.
UNAME_STUB = """#!/usr/bin/env bash
case "$1" in -m) echo "${FAKE_UNAME_M:-x86_64}";; *) echo "${FAKE_UNAME_S:-Linux}";; esac
"""


@pytest.fixture
def stubs(tmp_path: Path) -> dict[str, str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    scripts = {name: STUB.format(name=name, body=body) for name, body in STUB_BODIES.items()}
    for name, text in {**scripts, "uname": UNAME_STUB}.items():
        path = bin_dir / name
        path.write_text(text)
        path.chmod(path.stat().st_mode | stat.S_IEXEC)
    log = tmp_path / "calls.log"
    log.touch()
    return {
        **os.environ,
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "PYTHON": str(bin_dir / "python"),
        "STUB_LOG": str(log),
    }


def deploy(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", str(DEPLOY), *args], env=env, capture_output=True, text=True, timeout=120)


def calls(env: dict[str, str]) -> list[str]:
    return Path(env["STUB_LOG"]).read_text().splitlines()


def test_dry_run_prints_every_step_and_runs_nothing(stubs: dict[str, str], tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    result = deploy(stubs, "--dry-run", "--env", "prod", "--region", "eu-west-1", "--image-tag", "abc123", "--dist", str(dist))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for n in range(1, 8):
        assert f"[dry-run] step {n}/7" in out
    assert "-m pip wheel --quiet --no-deps -w" in out
    assert "--platform manylinux2014_x86_64" in out and "lambda/generator.zip" in out
    assert f"-r {REPO}/infra/lambda-requirements.txt" in out
    assert "init -input=false" in out and "workspace select -or-create=true prod" in out
    assert "apply -input=false" in out and "-var environment=prod" in out and "-var aws_region=eu-west-1" in out
    assert f"-var ingestion_wheel_path={dist}/oakvale_ingestion-0.1.0-py3-none-any.whl" in out
    assert "-var dbt_image_tag=abc123" in out
    assert "docker build --platform linux/amd64 -f" in out and "docker push" in out and "ecr get-login-password" in out
    assert calls(stubs) == [], "a dry run must not call terraform, aws, docker or pip"
    assert not dist.exists(), "a dry run must not build anything"


HOSTS = {"linux-x86_64": ("Linux", "x86_64"), "macos-arm64": ("Darwin", "arm64")}


@pytest.mark.parametrize("host", HOSTS, ids=list(HOSTS))
def test_dry_run_builds_for_linux_amd64_on_any_host(stubs: dict[str, str], tmp_path: Path, host: str) -> None:
    """Lambda (x86_64) and CodeBuild (LINUX_CONTAINER) run linux/amd64: the Lambda's wheels and the dbt image
    are built for that platform whatever the build host is, and the package check imports nothing the host
    cannot load (an Apple Silicon laptop cannot import manylinux x86_64 wheels)."""
    system, machine = HOSTS[host]
    env = {**stubs, "FAKE_UNAME_S": system, "FAKE_UNAME_M": machine}
    result = deploy(env, "--dry-run", "--env", "dev", "--image-tag", "abc123", "--dist", str(tmp_path / "dist"))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert f"host {system.lower()}/{machine}, target linux/amd64" in out
    assert "--platform manylinux2014_x86_64 --implementation cp --python-version 3.11 --only-binary=:all:" in out
    assert re.search(r"docker build --platform linux/amd64 -f \S+/infra/docker/dbt-runner/Dockerfile", out)
    package_check = [line for line in out.splitlines() if "checks/lambda_package.py" in line]
    assert package_check and f"--host {system.lower()}/{machine}" in package_check[0], out
    assert "import ingestion" not in out, "the package is not imported by the host's interpreter in deploy.sh itself"
    assert calls(env) == []
    # the same commands on every host: only the host named in the banner and the package check differs
    other = {**stubs, "FAKE_UNAME_S": "Linux", "FAKE_UNAME_M": "x86_64"}
    reference = deploy(other, "--dry-run", "--env", "dev", "--image-tag", "abc123", "--dist", str(tmp_path / "dist")).stdout

    def commands(text: str) -> list[str]:
        return [line for line in text.splitlines() if line.startswith("+") and "lambda_package.py" not in line]

    assert commands(out) == commands(reference)


def test_dry_run_plan_only_stops_before_apply(stubs: dict[str, str], tmp_path: Path) -> None:
    result = deploy(stubs, "--dry-run", "--plan-only", "--dist", str(tmp_path / "dist"))
    assert result.returncode == 0, result.stderr
    assert " plan -input=false" in result.stdout
    assert " apply " not in result.stdout and "docker" not in result.stdout
    assert calls(stubs) == []


def test_rejects_unknown_environment(stubs: dict[str, str]) -> None:
    result = deploy(stubs, "--dry-run", "--env", "staging")
    assert result.returncode != 0 and "dev or prod" in result.stderr


@pytest.mark.skipif(not (REPO / "glue_scripts" / "bronze_job.py").is_file(), reason="glue_scripts/bronze_job.py not present")
def test_real_run_calls_the_tools_in_order(stubs: dict[str, str], tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    result = deploy(stubs, "--env", "prod", "--region", "eu-west-1", "--image-tag", "abc123", "--auto-approve", "--dist", str(dist))
    assert result.returncode == 0, result.stdout + result.stderr
    log = calls(stubs)
    tools = [line.split()[0] for line in log]
    # build (pip via the python stub) -> terraform init/workspace/apply -> image -> outputs
    assert tools.index("python") < tools.index("terraform")
    tf = [line for line in log if line.startswith("terraform")]
    assert [t.split()[2] for t in tf] == ["init", "workspace", "apply", "output", "output"]
    assert "-auto-approve" in tf[2] and f"lambda_zip_path={dist}/lambda/generator.zip" in tf[2]
    docker = [line.split()[1] for line in log if line.startswith("docker")]
    assert docker == ["login", "build", "push"]
    assert any("docker push 123456789012.dkr.ecr.eu-west-1.amazonaws.com/oakvale-prod-dbt-runner:abc123" in line for line in log)
    with zipfile.ZipFile(dist / "lambda" / "generator.zip") as zf:
        assert "ingestion/generator/__init__.py" in zf.namelist()


@pytest.mark.skipif(not (REPO / "glue_scripts" / "bronze_job.py").is_file(), reason="glue_scripts/bronze_job.py not present")
def test_real_run_on_an_arm64_host_builds_for_amd64(stubs: dict[str, str], tmp_path: Path) -> None:
    """On an Apple Silicon host the build completes: the package check skips only the import, and the
    image is built for linux/amd64."""
    env = {**stubs, "FAKE_UNAME_S": "Darwin", "FAKE_UNAME_M": "arm64"}
    result = deploy(env, "--env", "dev", "--image-tag", "abc123", "--auto-approve", "--dist", str(tmp_path / "dist"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "import of ingestion.generator.lambda_handler skipped (host darwin/arm64" in result.stdout
    builds = [line for line in calls(env) if line.startswith("docker build")]
    assert len(builds) == 1 and builds[0].startswith("docker build --platform linux/amd64 -f"), builds


CHECK_SPEC = importlib.util.spec_from_file_location("lambda_package", REPO / "infra" / "checks" / "lambda_package.py")
lambda_package = importlib.util.module_from_spec(CHECK_SPEC)
CHECK_SPEC.loader.exec_module(lambda_package)


def _fake_package(root: Path, tags: str = "cp311-cp311-manylinux_2_17_x86_64", machine: int = 62) -> Path:
    (root / "ingestion" / "generator").mkdir(parents=True)
    (root / "ingestion" / "__init__.py").write_text("")
    (root / "ingestion" / "generator" / "__init__.py").write_text("from ingestion.generator.handler import lambda_handler\n")
    (root / "ingestion" / "generator" / "handler.py").write_text("def lambda_handler(event, context):\n    return {}\n")
    dist = root / "numpy-2.2.6.dist-info"
    dist.mkdir()
    (dist / "WHEEL").write_text("Wheel-Version: 1.0\n" + "".join(f"Tag: {t}\n" for t in tags.split()))
    (root / "numpy").mkdir()
    elf = bytearray(64)
    elf[:6] = b"\x7fELF\x02\x01"
    elf[18:20] = machine.to_bytes(2, "little")
    (root / "numpy" / "_core.cpython-311-x86_64-linux-gnu.so").write_bytes(bytes(elf))
    return root


def test_lambda_package_check_passes_a_linux_x86_64_package(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    build = _fake_package(tmp_path / "build", tags="cp311-cp311-manylinux_2_17_x86_64 cp311-cp311-manylinux2014_x86_64")
    requirements = tmp_path / "req.txt"
    requirements.write_text("numpy==2.2.6\n    # via -r x\n")
    assert lambda_package.main(["--host", "darwin/arm64", "--requirements", str(requirements), str(build)]) == 0
    assert "import of ingestion.generator.lambda_handler skipped (host darwin/arm64" in capsys.readouterr().out


@pytest.mark.parametrize(
    "tags,machine,requirement,expected",
    [
        ("cp311-cp311-macosx_11_0_arm64", 62, "numpy==2.2.6", "wheel tags"),
        ("cp311-cp311-manylinux_2_28_x86_64", 62, "numpy==2.2.6", "wheel tags"),  # glibc newer than AL2's 2.26
        ("cp312-cp312-manylinux_2_17_x86_64", 62, "numpy==2.2.6", "wheel tags"),
        ("cp311-cp311-manylinux_2_17_x86_64", 183, "numpy==2.2.6", "not an x86-64 ELF"),  # aarch64
        ("cp311-cp311-manylinux_2_17_x86_64", 62, "numpy==2.3.0", "numpy==2.3.0 is not in the package"),
    ],
)
def test_lambda_package_check_reports_what_would_not_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], tags: str, machine: int, requirement: str, expected: str
) -> None:
    build = _fake_package(tmp_path / "build", tags=tags, machine=machine)
    requirements = tmp_path / "req.txt"
    requirements.write_text(requirement + "\n")
    assert lambda_package.main(["--host", "linux/x86_64", "--requirements", str(requirements), str(build)]) == 1
    assert expected in capsys.readouterr().err


def test_lambda_package_check_reports_a_missing_handler(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    build = _fake_package(tmp_path / "build")
    (build / "ingestion" / "generator" / "__init__.py").write_text("")
    assert lambda_package.main(["--host", "darwin/arm64", str(build)]) == 1
    assert "neither defines nor imports lambda_handler" in capsys.readouterr().err


def test_lambda_requirements_match_the_lock() -> None:
    """The Lambda package uses the tested versions, except numpy: the python3.11 runtime (Amazon Linux 2,
    glibc 2.26) needs manylinux2014 wheels, which numpy stopped publishing at 2.3."""

    def pins(path: Path) -> dict[str, str]:
        found = {}
        for line in path.read_text().splitlines():
            if "==" in line and not line.lstrip().startswith("#"):
                name, version = line.split("==", 1)
                found[name.strip().lower()] = version.strip()
        return found

    lock = pins(REPO / "requirements.lock")
    lam = pins(REPO / "infra" / "lambda-requirements.txt")
    assert {"numpy", "faker", "pydantic", "pydantic-settings"} <= set(lam)
    assert lam["numpy"].startswith("2.2.")
    assert {k: v for k, v in lam.items() if k != "numpy"} == {k: lock[k] for k in lam if k != "numpy"}


@pytest.mark.slow
@pytest.mark.skipif(os.environ.get("OAKVALE_OFFLINE") == "1", reason="needs the package registry (OAKVALE_OFFLINE=1)")
@pytest.mark.skipif(not (REPO / "glue_scripts" / "bronze_job.py").is_file(), reason="glue_scripts/bronze_job.py not present")
def test_build_only_makes_a_lambda_package_whose_handler_generates_raw_files(tmp_path: Path) -> None:
    """The real build (pip, manylinux2014 wheels for CPython 3.11): the package's own handler, with the
    package's numpy, writes a day of raw files in the documented layout."""
    dist = tmp_path / "dist"
    result = subprocess.run(
        ["bash", str(DEPLOY), "--build-only", "--dist", str(dist)], capture_output=True, text=True, timeout=900
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    # the Glue entry script imports only what the wheel (--extra-py-files) ships
    script = (REPO / "glue_scripts" / "bronze_job.py").read_text()
    imported = re.findall(r"^from (ingestion[\w.]*) import", script, re.M)
    with zipfile.ZipFile(dist / "oakvale_ingestion-0.1.0-py3-none-any.whl") as wheel:
        names = set(wheel.namelist())
    assert imported and all(m.replace(".", "/") + ".py" in names for m in imported), (imported, sorted(names))
    package = tmp_path / "unzipped"
    with zipfile.ZipFile(dist / "lambda" / "generator.zip") as zf:
        zf.extractall(package)
    out = tmp_path / "raw"
    run = subprocess.run(
        [sys.executable, "-c", (
            "import sys, json; sys.path.insert(0, sys.argv[1]); import numpy, ingestion\n"
            "assert ingestion.__file__.startswith(sys.argv[1]) and numpy.__file__.startswith(sys.argv[1])\n"
            "from ingestion.generator import lambda_handler\n"
            "m = lambda_handler({'dataset': 'movies', 'count': '50', 'seed': '7', 'gzip': True,"
            " 'date': '2026-01-02', 'out': sys.argv[2]}, None)\n"
            "print(json.dumps({'dataset': m['dataset'], 'numpy': numpy.__version__}))"
        ), str(package), str(out)],
        capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert '"dataset": "movies"' in run.stdout and '"numpy": "2.2.' in run.stdout
    assert list((out / "movies" / "ingest_date=2026-01-02").glob("*.json.gz"))
