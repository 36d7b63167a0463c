#!/usr/bin/env bash
# Creates .venv and installs the pinned stack. Idempotent; called by `make setup`.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v java >/dev/null 2>&1; then
  echo "ERROR: Java 17 is required by Spark and was not found on PATH." >&2
  echo "Install it with: sudo apt-get update && sudo apt-get install -y openjdk-17-jre-headless" >&2
  exit 1
fi
java_major=$(java -version 2>&1 | sed -nE 's/.*version "([0-9]+).*/\1/p' | head -n1)
if [ "${java_major:-0}" -lt 17 ]; then
  echo "ERROR: Java ${java_major} found; Spark 3.5 here needs Java 17." >&2
  echo "Install it with: sudo apt-get update && sudo apt-get install -y openjdk-17-jre-headless" >&2
  exit 1
fi

PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
"$PYTHON" -c 'import sys; assert sys.version_info[:2] == (3, 11), f"Python 3.11 required, found {sys.version}"'

[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check uv==0.13.8
.venv/bin/uv pip install --quiet --python .venv/bin/python -r requirements.lock
.venv/bin/uv pip install --quiet --python .venv/bin/python --no-deps -e .
# Pinned Delta Lake and hadoop-aws jars for local Spark, into a cache outside the repo (ingestion/bronze/jars.py).
.venv/bin/python -m ingestion.bronze.jars
# Pinned Trino server (tests run the Athena SQL on it), into a cache outside the repo (tools/trino/server.py).
.venv/bin/python -m tools.trino.server
# A JVM class archive makes every later local Spark start seconds faster; optional, so never fatal.
.venv/bin/python -m ingestion.bronze.class_archive || echo "oakvale: no Spark class archive (local Spark starts slower)" >&2
echo "oakvale: environment ready in .venv"
