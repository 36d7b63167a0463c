# dbt_oakvale/: static checks of the dbt project (issue 5). Included by the top Makefile.
#   make dbt-lint    build the project on a small bronze fixture, then
#                    sqlfluff lint (dbt templater, DuckDB dialect; dbt_oakvale/.sqlfluff),
#                    dbt-coverage: docs 100% of columns, tests 100% of model/seed columns
#                    (bronze sources are raw strings and are excluded from test coverage),
#                    dbt-score: project >= 9.0 and every model/source/seed/macro >= 8.0
#                    (thresholds in dbt_oakvale/pyproject.toml)
#   make dbt-build   dbt build on the real data root ($(OAKVALE_DATA_ROOT))
# The behaviour tests (fixture builds, failing cases, full refresh = incremental, athena compile)
# are in tests/dbt and run with the rest of pytest.

DBT_DIR       := dbt_oakvale
DBT_LINT_ROOT ?= $(CURDIR)/.oakvale/dbt-lint
DBT_LINT_ART  := $(DBT_LINT_ROOT)/target
DBT_FLAGS     := --project-dir $(DBT_DIR) --profiles-dir $(DBT_DIR) --target local
DBT_COV_MIN   ?= 1.0

CHECKS += dbt-lint

.PHONY: dbt-lint dbt-lint-fixture dbt-sqlfluff dbt-coverage dbt-score dbt-build

dbt-lint: dbt-lint-fixture dbt-sqlfluff dbt-coverage dbt-score

# A small bronze (tests/dbt/bronze_fixture.py) in its own data root: never the real one.
dbt-lint-fixture: setup
	rm -rf $(DBT_LINT_ROOT)
	$(PY) tests/dbt/bronze_fixture.py --data-root $(DBT_LINT_ROOT) > /dev/null
	OAKVALE_DATA_ROOT=$(DBT_LINT_ROOT) $(VENV)/bin/dbt --quiet build $(DBT_FLAGS) --target-path $(DBT_LINT_ART)
	OAKVALE_DATA_ROOT=$(DBT_LINT_ROOT) $(VENV)/bin/dbt --quiet docs generate $(DBT_FLAGS) --target-path $(DBT_LINT_ART)

dbt-sqlfluff: dbt-lint-fixture
	cd $(DBT_DIR) && OAKVALE_DATA_ROOT=$(DBT_LINT_ROOT) ../$(VENV)/bin/sqlfluff lint models

dbt-coverage: dbt-lint-fixture
	cd $(DBT_DIR) && ../$(VENV)/bin/dbt-coverage compute doc --run-artifacts-dir $(DBT_LINT_ART) \
	  --cov-report $(DBT_LINT_ART)/coverage-doc.json --cov-fail-under $(DBT_COV_MIN)
	cd $(DBT_DIR) && ../$(VENV)/bin/dbt-coverage compute test --run-artifacts-dir $(DBT_LINT_ART) \
	  --cov-report $(DBT_LINT_ART)/coverage-test.json --cov-fail-under $(DBT_COV_MIN) \
	  --model-path-exclusion-filter models/bronze

dbt-score: dbt-lint-fixture
	cd $(DBT_DIR) && ../$(VENV)/bin/dbt-score lint --manifest $(DBT_LINT_ART)/manifest.json --show failing-items

dbt-build: setup
	mkdir -p "$(OAKVALE_DATA_ROOT)/warehouse"
	$(VENV)/bin/dbt build $(DBT_FLAGS)
