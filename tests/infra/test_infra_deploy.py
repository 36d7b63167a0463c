"""infra/deploy.sh: --dry-run prints every step and runs nothing; a real run calls the tools in order.

AWS, Terraform, Docker and pip are replaced by recording stubs on PATH, so nothing leaves the machine.
"""

from __future__ import annotations

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
  "-m pip install") out=""; prev=""; for a in "$@"; do [ "$prev" = "--target" ] && out=$a; prev=$a; done
                    mkdir -p "$out/ingestion/generator" && echo "" > "$out/ingestion/__init__.py"
                    echo "def lambda_handler(event, context): return {{}}" > "$out/ingestion/generator/__init__.py";;
  *) exec {sys.executable} "$@";;
esac""",
}


@pytest.fixture
def stubs(tmp_path: Path) -> dict[str, str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, body in STUB_BODIES.items():
        path = bin_dir / name
        path.write_text(STUB.format(name=name, body=body))
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
    assert "docker build -f" in out and "docker push" in out and "ecr get-login-password" in out
    assert calls(stubs) == [], "a dry run must not call terraform, aws, docker or pip"
    assert not dist.exists(), "a dry run must not build anything"


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
