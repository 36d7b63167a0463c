"""Issue 18's reliability suite: every case lands a raw corpus, runs the bronze job (killed,
concurrent or hostile as the case says), re-runs it where it was stopped, and audits bronze
against the raw files. Nothing lost, nothing doubled, and the case's own outcome.

`make reliability` runs this module and prints one table row per case (tools/reliability.py).
"""

from __future__ import annotations

import json
import os
import time

import pytest

from tests.reliability.cases import CASES, Case
from tests.reliability.harness import Context, Row, check_invariants

pytestmark = [pytest.mark.spark, pytest.mark.slow]
REPORT = os.environ.get("OAKVALE_RELIABILITY_REPORT")  # a JSON-lines file: one table row per case


def _report(row: Row) -> None:
    if REPORT:
        with open(REPORT, "a") as handle:
            handle.write(json.dumps(row.__dict__) + "\n")


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_reliability(case: Case, tmp_path, request):
    started = time.perf_counter()
    ctx = Context(tmp_path / "oakvale", spark_factory=lambda: request.getfixturevalue("spark"))
    audits = {}
    try:
        case.build(ctx)
        case.script(ctx)
        for dataset in case.datasets:
            audits[dataset] = ctx.audit(dataset)
            check_invariants(ctx, audits[dataset], quarantine=case.quarantine)
        if case.check:
            case.check(ctx, audits)
    except Exception as error:  # the harness itself broke: still a row in the table
        ctx.problems.append(f"harness error {type(error).__name__}: {error}")
        raise
    finally:
        for cleanup in ctx.cleanups:
            cleanup()
        _report(Row.of(case.name, ctx, list(audits.values()), time.perf_counter() - started, case.needs))
    steps = "\n".join(f"  {s.what}: exit {s.exit_code} in {s.seconds:.1f}s" for s in ctx.steps)
    needs = f" (needs: {case.needs})" if case.needs else ""
    assert not ctx.problems, f"{case.name}{needs}:\n- " + "\n- ".join(ctx.problems) + f"\nruns:\n{steps}"
