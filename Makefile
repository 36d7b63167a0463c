# Oakvale: two commands do all set-up on a fresh clone.
#   make demo   the whole lakehouse on the local default (generate -> bronze -> dbt -> docs)
#   make test   every check CI runs
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export OAKVALE_DATA_ROOT ?= $(CURDIR)/.oakvale

# Extra checks appended by mk/*.mk fragments (infra, dbt, athena): `CHECKS += name`.
CHECKS :=

.PHONY: setup demo test pytest bench lock clean
setup: $(STAMP)
	@$(PY) -m ingestion.bronze.jars  # the jar cache lives outside .venv: refetch what went missing (quiet when cached)
	@$(PY) -m tools.trino.server     # so does the pinned Trino server (tests/trino, tests/athena)
$(STAMP): requirements.lock pyproject.toml scripts/bootstrap.sh
	scripts/bootstrap.sh
	touch $(STAMP)

demo: setup
	$(VENV)/bin/oakvale run --data-root "$(OAKVALE_DATA_ROOT)"

pytest: setup
	$(VENV)/bin/pytest

test: setup pytest
	@for c in $(CHECKS); do echo "== make $$c"; $(MAKE) --no-print-directory $$c || exit 1; done

# Speed and memory goals: each benchmark measures a reference engine in the same run and writes
# bench/results/*.json. Big data, minutes to an hour: never part of `make test`.
bench: setup
	$(PY) bench/bench_generator.py --sizes 100000 1000000
	$(PY) bench/bench_bronze.py --sizes 100000 1000000 10000000
	$(PY) bench/bench_dbt.py --movies 1000000 --reviews 10000000

# Re-resolve the pinned stack from requirements.in (needs the registries).
lock: setup
	$(VENV)/bin/uv pip compile --python $(PY) requirements.in -o requirements.lock --no-header

clean:
	rm -rf .oakvale dbt_oakvale/target dbt_oakvale/logs spark-warehouse

-include $(sort $(wildcard mk/*.mk))
