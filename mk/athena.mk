# tests/athena: offline checks of the SQL dbt_oakvale sends to Athena engine v3 (issue 13).
# Included by the top Makefile; see docs/athena.md.
#   make athena-check      parts 1-4: dbt run --target athena twice on moto, SQL snapshots,
#                          dialect + function gate, DuckDB shadow build (about 2-5 minutes)
#   make athena-snapshots  rewrite tests/athena/snapshots/ after an intended change to a model or macro
#   make athena-live       part 5 against a deployed stack: needs AWS credentials (skips and says
#                          what is missing otherwise)
# tests/athena also runs under plain `pytest` (make test), so athena-check is not added to CHECKS.

.PHONY: athena-check athena-snapshots athena-live

athena-check: setup
	$(VENV)/bin/pytest tests/athena -m "not live"

athena-snapshots: setup
	OAKVALE_UPDATE_ATHENA_SNAPSHOTS=1 $(VENV)/bin/pytest tests/athena/test_snapshots.py -q -k committed_snapshots
	@git status --short tests/athena/snapshots

athena-live: setup
	OAKVALE_LIVE=1 $(VENV)/bin/pytest tests/athena -m live -rs -p no:cacheprovider
