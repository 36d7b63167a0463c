"""Part 5: the live stage, against a deployed stack on real AWS (`make athena-live`).

Skipped unless OAKVALE_LIVE=1 and AWS credentials resolve (the skip message says what is missing).
Needs the stack of infra/ deployed for OAKVALE_ENV (default dev) in AWS_REGION (default
us-east-1): `infra/deploy.sh --env dev`, which uploads the Glue script and the ingestion wheel.

Steps, in order (one test each, run in file order):
  1. the generator Lambda writes a small day of raw data (OAKVALE_LIVE_MOVIES / _REVIEWS rows)
  2. the bronze Glue job runs once per dataset, as the state machine runs it
  3. `dbt build --target athena`: seeds, models and every data test on real Athena engine v3
  4. reconciliation against real Athena: bronze counts, silver_reconciliation's accounting,
     Iceberg tables in Glue, and the SQL that Athena ran passes the same gate as offline
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time

import pytest

from tools.athena_check.dbt import PROJECT, DbtProject, copy_project
from tools.athena_check.gate import Statement, run_gate
from tools.athena_check.stack import StackNames

pytestmark = pytest.mark.live

NEEDS = (
    "OAKVALE_LIVE=1 (make athena-live sets it), AWS credentials for the target account (AWS_PROFILE, "
    "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or a role), no AWS_ENDPOINT_URL, and the infra/ stack "
    "deployed for OAKVALE_ENV (default dev) in AWS_REGION (default us-east-1) with `infra/deploy.sh --env dev` "
    "(buckets, Glue databases and bronze job with its script and wheel, generator Lambda, Athena workgroup)"
)


def _missing() -> list[str]:
    missing = []
    if os.environ.get("OAKVALE_LIVE") != "1":
        missing.append("OAKVALE_LIVE=1")
    if os.environ.get("AWS_ENDPOINT_URL"):
        missing.append("AWS_ENDPOINT_URL unset (it points at a stand-in)")
    try:
        import boto3

        if boto3.Session().get_credentials() is None:
            missing.append("AWS credentials")
    except Exception as error:  # noqa: BLE001 - any failure to resolve credentials means: skip
        missing.append(f"AWS credentials ({error})")
    return missing


@pytest.fixture(scope="module")
def live():
    missing = _missing()
    if missing:
        pytest.skip(f"live stage skipped: missing {', '.join(missing)}. It needs {NEEDS}.")
    import boto3

    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
    session = boto3.Session(region_name=region)
    account = session.client("sts").get_caller_identity()["Account"]
    names = StackNames(environment=os.environ.get("OAKVALE_ENV", "dev"), account_id=account, region=region)
    problems = []
    try:
        session.client("athena").get_work_group(WorkGroup=names.workgroup)
    except Exception as error:  # noqa: BLE001
        problems.append(f"workgroup {names.workgroup}: {error}")
    for database in names.databases.values():
        try:
            session.client("glue").get_database(Name=database)
        except Exception as error:  # noqa: BLE001
            problems.append(f"Glue database {database}: {error}")
    try:
        session.client("glue").get_job(JobName=f"{names.stem}-bronze")
    except Exception as error:  # noqa: BLE001
        problems.append(f"Glue job {names.stem}-bronze: {error}")
    if problems:
        pytest.fail("OAKVALE_LIVE=1 but the stack is not deployed as infra/ names it:\n  " + "\n  ".join(problems))
    yield {"session": session, "names": names}


def test_1_generator_writes_raw_data(live):
    client = live["session"].client("lambda")
    day = dt.datetime.now(dt.UTC).date().isoformat()
    movies = int(os.environ.get("OAKVALE_LIVE_MOVIES", 200))
    reviews = int(os.environ.get("OAKVALE_LIVE_REVIEWS", 1000))
    events = [{"dataset": "movies", "count": movies, "seed": 7, "date": day},
              # reviews reference this day's movie universe, as the state machine sends them
              {"dataset": "reviews", "count": reviews, "seed": 7, "date": day, "movie_universe": movies}]
    for event in events:
        response = client.invoke(FunctionName=f"{live['names'].stem}-generator", Payload=json.dumps(event).encode())
        body = json.loads(response["Payload"].read())
        assert "FunctionError" not in response, body
    live["day"] = day


def test_2_bronze_job_runs_on_glue(live):
    glue = live["session"].client("glue")
    job = f"{live['names'].stem}-bronze"
    runs = {ds: glue.start_job_run(JobName=job, Arguments={"--dataset": ds})["JobRunId"] for ds in ("movies", "reviews")}
    deadline = time.time() + 1800
    states = {}
    while time.time() < deadline:
        states = {ds: glue.get_job_run(JobName=job, RunId=rid)["JobRun"]["JobRunState"] for ds, rid in runs.items()}
        if all(s in ("SUCCEEDED", "FAILED", "ERROR", "TIMEOUT", "STOPPED") for s in states.values()):
            break
        time.sleep(20)
    assert states and all(s == "SUCCEEDED" for s in states.values()), f"bronze job runs: {states} ({runs})"


def test_3_dbt_build_on_athena(live, tmp_path_factory):
    work = tmp_path_factory.mktemp("athena-live")
    project = DbtProject(copy_project(work / "project", PROJECT), work)
    names = live["names"]
    # the caller's AWS settings (profile, keys, role, config files), never a stand-in endpoint
    env = {k: v for k, v in os.environ.items() if k.startswith("AWS_") and not k.startswith("AWS_ENDPOINT_URL")}
    env.update({**names.dbt_env(), "OAKVALE_DBT_THREADS": "4"})
    live["dbt_started"] = dt.datetime.now(dt.UTC)
    result = project.run(["build", "--target", "athena"], env, "athena", check=False, timeout=3600)
    assert result.returncode == 0, result.stdout[-6000:]


def _athena_query(live, sql: str) -> list[dict]:
    athena = live["session"].client("athena")
    qid = athena.start_query_execution(QueryString=sql, WorkGroup=live["names"].workgroup)["QueryExecutionId"]
    while True:
        status = athena.get_query_execution(QueryExecutionId=qid)["QueryExecution"]["Status"]
        if status["State"] in ("SUCCEEDED", "FAILED", "CANCELLED"):
            break
        time.sleep(1)
    assert status["State"] == "SUCCEEDED", f"{sql}: {status}"
    rows = athena.get_query_results(QueryExecutionId=qid)["ResultSet"]["Rows"]
    header = [c["VarCharValue"] for c in rows[0]["Data"]]
    return [dict(zip(header, (c.get("VarCharValue") for c in row["Data"]))) for row in rows[1:]]


def test_4_reconciliation_on_athena(live):
    names = live["names"]
    silver, bronze = names.databases["silver"], names.databases["bronze"]
    rows = {r["dataset"]: {k: int(v) for k, v in r.items() if k != "dataset" and v is not None}
            for r in _athena_query(live, f"select * from {silver}.silver_reconciliation")}
    assert set(rows) == {"movies", "reviews"}
    for dataset, row in rows.items():
        counted = int(_athena_query(live, f"select count(*) as n from {bronze}.{dataset}")[0]["n"])
        assert row["bronze_rows"] == counted, f"{dataset}: {row} vs count(*) {counted}"
        assert row["raw_lines"] == row["rejected_lines"] + row["bronze_rows"], row
        assert row["bronze_rows"] == row["silver_rows"] + row["filtered_rows"], row

    glue = live["session"].client("glue")
    for database in (silver, names.databases["gold"]):
        for table in glue.get_tables(DatabaseName=database)["TableList"]:
            if table["Name"].endswith(("_variants",)):
                continue  # seeds are Hive tables
            assert table["Parameters"].get("table_type", "").upper() == "ICEBERG", table["Name"]

    # the SQL Athena actually ran for dbt passes the same gate as the offline capture
    athena = live["session"].client("athena")
    ids = []
    for page in athena.get_paginator("list_query_executions").paginate(WorkGroup=names.workgroup):
        ids += page["QueryExecutionIds"]
        if len(ids) >= 2000:
            break
    statements = []
    started = live.get("dbt_started")
    for i in range(0, len(ids), 50):
        for execution in athena.batch_get_query_execution(QueryExecutionIds=ids[i:i + 50])["QueryExecutions"]:
            submitted = execution["Status"].get("SubmissionDateTime")
            if started and submitted and submitted < started:
                continue
            if '"app": "dbt"' in execution["Query"]:
                statements.append(Statement("live", None, execution["Query"]))
    assert statements, "no dbt statements found in the workgroup's query history"
    report = run_gate(statements)
    assert report.findings == [], report.format()
