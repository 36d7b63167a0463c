# tests/reliability: issue 18's reliability suite (hostile files, kills, concurrent runs, S3 on moto).
# Included by the top Makefile.
#   make reliability   run every case and print the table
#                      case | raw lines | bronze rows + rejects | quarantined files | lost | doubled | outcome
#                      (a few minutes on 2 cores; RELIABILITY_ARGS passes pytest options, e.g. -k concurrent)
# The suite also runs under plain `pytest` (make test), so reliability is not added to CHECKS.

RELIABILITY_ARGS ?=

.PHONY: reliability
reliability: setup
	$(PY) tools/reliability.py $(RELIABILITY_ARGS)
