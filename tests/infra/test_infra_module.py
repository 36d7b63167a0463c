"""Security and wiring properties of the Terraform module (infra/), read offline with python-hcl2.

Each property is a `check_*` in infra_rules.py that returns findings. The module must have none, and
every check must report a copy of the module that is broken in the way it guards against.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.infra import infra_rules as rules

REPO = Path(__file__).resolve().parents[2]
INFRA = REPO / "infra"


@pytest.fixture(scope="module")
def module() -> rules.Module:
    return rules.load_module(INFRA)


@pytest.mark.parametrize("check", rules.ALL_CHECKS, ids=lambda c: c.__name__)
def test_module_has_the_property(module: rules.Module, check) -> None:
    assert check(module) == []


# ------------------------------------------------------------------ each check fails on a broken copy


def broken_copy(tmp_path: Path, file_name: str, old: str, new: str) -> rules.Module:
    """A copy of infra/ with one edit; the edit must apply, so a refactor cannot silently void the test."""
    copy = tmp_path / "infra"
    shutil.copytree(INFRA, copy, ignore=shutil.ignore_patterns(".terraform", "*.tfstate*"))
    path = copy / file_name
    text = path.read_text()
    assert text.count(old) == 1, f"{old!r} should occur once in {file_name}"
    path.write_text(text.replace(old, new))
    return rules.load_module(copy)


def _block(text: str, header: str) -> str:
    """The text of the top-level block starting with `header` (up to its closing brace at column 0)."""
    start = text.index(header)
    end = text.index("\n}\n", start) + 3
    return text[start:end]


def test_bucket_check_reports_missing_encryption(tmp_path: Path) -> None:
    s3 = (INFRA / "s3.tf").read_text()
    sse = _block(s3, 'resource "aws_s3_bucket_server_side_encryption_configuration" "this"')
    findings = rules.check_buckets(broken_copy(tmp_path, "s3.tf", sse, ""))
    assert findings == ["aws_s3_bucket.this: no default encryption with aws:kms and aws_kms_key.main"]


BROKEN = [
    # (check, file, old, new, a word of the expected finding)
    ("check_buckets", "s3.tf", 'sse_algorithm     = "aws:kms"', 'sse_algorithm     = "AES256"', "encryption"),
    ("check_buckets", "s3.tf", 'status = "Enabled"\n  }\n}', 'status = "Suspended"\n  }\n}', "versioning"),
    ("check_buckets", "s3.tf", "restrict_public_buckets = true", "restrict_public_buckets = false", "public access"),
    ("check_buckets", "s3.tf", 'values   = ["false"]', 'values   = ["true"]', "TLS"),
    ("check_buckets", "s3.tf", '"${aws_s3_bucket.this[each.key].arn}/*"]', "]", "TLS"),
    ("check_lifecycle", "s3.tf", 'storage_class = "GLACIER"', 'storage_class = "STANDARD_IA"', "Glacier"),
    ("check_lifecycle", "variables.tf", "default     = 90", "default     = 10", "before infrequent access"),
    ("check_lifecycle", "s3.tf", 'id     = "expire-athena-results"\n    status = "Enabled"', 'id     = "expire-athena-results"\n    status = "Disabled"', "athena-results"),
    ("check_encryption_at_rest", "cloudwatch.tf", "  kms_key_id        = aws_kms_key.main.arn\n}\n\nresource \"aws_cloudwatch_log_group\" \"dbt\"", "}\n\nresource \"aws_cloudwatch_log_group\" \"dbt\"", "aws_cloudwatch_log_group.glue_bronze"),
    ("check_encryption_at_rest", "sns.tf", "kms_master_key_id = aws_kms_key.main.arn", "", "aws_sns_topic.alerts"),
    ("check_encryption_at_rest", "lambda.tf", "kms_key_arn                    = aws_kms_key.main.arn", "", "kms_key_arn"),
    ("check_encryption_at_rest", "stepfunctions.tf", 'type                              = "CUSTOMER_MANAGED_KMS_KEY"', 'type = "AWS_OWNED_KEY"', "aws_sfn_state_machine"),
    ("check_encryption_at_rest", "glue.tf", 's3_encryption_mode = "SSE-KMS"', 's3_encryption_mode = "DISABLED"', "s3_encryption"),
    ("check_encryption_at_rest", "kms.tf", "enable_key_rotation     = true", "enable_key_rotation     = false", "rotation"),
    ("check_bronze_job", "glue.tf", '"--datalake-formats"          = "delta"', '"--datalake-formats" = "iceberg"', "datalake-formats"),
    ("check_bronze_job", "glue.tf", '"--writer" = "parquet+delta-rs"', '"--writer" = "spark-delta"', "multi-writer"),
    ("check_bronze_job", "glue.tf", 'glue_version           = "5.0"', 'glue_version           = "4.0"', "glue_version"),
    ("check_bronze_job", "glue.tf", '"job-bookmark-disable"', '"job-bookmark-enable"', "bookmarks"),
    ("check_bronze_job", "glue.tf", '"--extra-py-files"', '"--extra-files"', "extra-py-files"),
    ("check_bronze_job", "glue.tf", '"--enable-metrics"', '"--enable-nothing"', "metrics"),
    ("check_bronze_job", "glue.tf", '"--custom-logGroup-prefix"', '"--custom-prefix"', "log groups"),
    ("check_bronze_job", "cloudwatch.tf", 'toset(["output", "error"])', 'toset(["output"])', "log groups"),
    ("check_iam_least_privilege", "iam.tf", 'stale part files\n    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]', 'stale part files\n    actions   = ["s3:*"]', "wildcard action"),
    ("check_iam_least_privilege", "iam.tf", 'resources = [aws_glue_job.bronze.arn]', 'resources = ["*"]', "resource '*'"),
    ("check_iam_least_privilege", "iam.tf", 'actions   = ["ecr:GetAuthorizationToken"]', 'actions   = ["*"]', "wildcard action"),
    ("check_roles", "lambda.tf", "role          = aws_iam_role.generator.arn", "role = aws_iam_role.pipeline.arn", "generator"),
    ("check_athena_workgroup", "athena.tf", "enforce_workgroup_configuration    = true", "enforce_workgroup_configuration = false", "enforce"),
    ("check_athena_workgroup", "athena.tf", "bytes_scanned_cutoff_per_query     = var.athena_bytes_scanned_cutoff", "", "cutoff"),
    ("check_athena_workgroup", "athena.tf", 'encryption_option = "SSE_KMS"', 'encryption_option = "SSE_S3"', "encrypted"),
    ("check_state_machine", "stepfunctions.tf", "bronze_job_name        = aws_glue_job.bronze.name", 'bronze_job_name = "other-job"', "bronze_job_name"),
    ("check_state_machine", "stepfunctions.tf", "generator_function_arn = aws_lambda_function.generator.arn", 'generator_function_arn = "x"', "generator_function_arn"),
    ("check_state_machine", "templates/pipeline.asl.json", '"Arguments": {"--dataset": "reviews"}', '"Arguments": {"--dataset": "movies"}', "datasets"),
    ("check_state_machine", "templates/pipeline.asl.json", '"Next": "DbtBuild"', '"Next": "Succeeded"', "DbtBuild"),
    ("check_glue_databases", "variables.tf", 'gold   = "oakvale_gold"', 'gold   = "oakvale_golden"', "oakvale_gold"),
    ("check_lambda_concurrency_default", "variables.tf", "default     = -1\n\n  validation {\n    condition     = var.lambda_reserved_concurrency", "default     = 2\n\n  validation {\n    condition     = var.lambda_reserved_concurrency", "reserved_concurrent_executions is 2"),
    ("check_retries_in_one_place", "glue.tf", "max_retries            = 0", "max_retries            = 1", "max_retries is 1"),
    ("check_retries_in_one_place", "templates/pipeline.asl.json", '"Retry": [\n        {"ErrorEquals": ["States.TaskFailed"], "IntervalSeconds": 60, "MaxAttempts": 2, "BackoffRate": 2}\n      ],', "", "DbtBuild"),
    ("check_glue_log_groups", "cloudwatch.tf", "-role${aws_iam_role.glue_bronze.path}${aws_iam_role.glue_bronze.name}", "", "not the group Glue writes"),
    ("check_glue_default_database", "glue.tf", '"--additional-python-modules" = var.glue_additional_python_modules\n', '"--additional-python-modules" = var.glue_additional_python_modules\n"--enable-glue-datacatalog" = "true"\n', "glue:CreateDatabase"),
    ("check_lake_formation", "lakeformation.tf", 'table_permissions    = ["DESCRIBE", "SELECT"]', 'table_permissions    = ["DESCRIBE"]', "dbt on bronze: table_permissions lacks ['SELECT']"),
    ("check_lake_formation", "lakeformation.tf", "    wildcard      = true\n", "", "tables (wildcard)"),
    ("check_lake_formation", "iam.tf", "glue_bronze = aws_iam_role.glue_bronze.id, dbt = aws_iam_role.dbt.id", "dbt = aws_iam_role.dbt.id", "aws_iam_role.glue_bronze may not call lakeformation:GetDataAccess"),
    ("check_policies_before_use", "stepfunctions.tf", "depends_on = [aws_iam_role_policy.pipeline]", "", "aws_sfn_state_machine.pipeline"),
    ("check_policies_before_use", "lambda.tf", "depends_on = [aws_cloudwatch_log_group.generator, aws_iam_role_policy.generator]", "depends_on = [aws_cloudwatch_log_group.generator]", "aws_lambda_function.generator"),
]


@pytest.mark.parametrize("check_name,file_name,old,new,expected", BROKEN, ids=[f"{b[0]}-{i}" for i, b in enumerate(BROKEN)])
def test_check_reports_broken_copy(tmp_path: Path, check_name: str, file_name: str, old: str, new: str, expected: str) -> None:
    check = getattr(rules, check_name)
    findings = check(broken_copy(tmp_path, file_name, old, new))
    assert findings, f"{check_name} did not report the edit {old!r} -> {new!r}"
    assert any(expected in f for f in findings), findings


# ------------------------------------------------------------------ names other code relies on


def test_names_follow_the_documented_scheme(module: rules.Module) -> None:
    names = module.locals["bucket_names"]
    for env in ("dev", "prod"):
        resolved = {k: rules.resolve(module, v, {"environment": env}) for k, v in names.items()}
        assert resolved == {
            "raw": f"oakvale-{env}-raw-123456789012",
            "lakehouse": f"oakvale-{env}-lakehouse-123456789012",
            "glue-scripts": f"oakvale-{env}-glue-scripts-123456789012",
            "athena-results": f"oakvale-{env}-athena-results-123456789012",
        }
        workgroup = module.resource("aws_athena_workgroup", "main")["name"]
        assert rules.resolve(module, workgroup, {"environment": env}) == f"oakvale-{env}"


def test_readme_documents_the_names(module: rules.Module) -> None:
    readme = (INFRA / "README.md").read_text()
    head = readme[: readme.index("\n## ", readme.index("## Names"))] if "## Names" in readme else ""
    assert head, "infra/README.md starts with a '## Names' section"
    for expected in (
        "<prefix>-<env>",
        "<prefix>-<env>-raw-<account_id>",
        "<prefix>-<env>-lakehouse-<account_id>",
        "<prefix>-<env>-glue-scripts-<account_id>",
        "<prefix>-<env>-athena-results-<account_id>",
        "oakvale_bronze",
        "oakvale_silver",
        "oakvale_gold",
        "s3://<raw bucket>/raw",
        "lakehouse/bronze/",
    ):
        assert expected in head, expected


def test_s3_locations_match_the_data_layout(module: rules.Module) -> None:
    loc = module.locals
    assert loc["raw_root"] == 's3://${aws_s3_bucket.this["raw"].id}/raw'
    assert loc["data_root"] == 's3://${aws_s3_bucket.this["lakehouse"].id}'
    assert loc["bronze_root"] == 's3://${aws_s3_bucket.this["lakehouse"].id}/lakehouse/bronze'
    lam = module.resource("aws_lambda_function", "generator")
    assert lam["handler"] == "ingestion.generator.lambda_handler"
    assert lam["environment"][0]["variables"]["OAKVALE_RAW_URI"] == "${local.raw_root}"
    args = module.resource("aws_glue_job", "bronze")["default_arguments"]
    assert args["--data_root"] == "${local.data_root}"
    assert args["--raw_root"] == "${local.raw_root}"
    dbs = module.of_type("aws_glue_catalog_database")
    assert dbs["bronze"]["location_uri"] == "${local.bronze_root}/"


QUERY_DIR = REPO / "dashboards" / "queries"
GOLD_TABLES = {
    "gold_genre_summary",
    "gold_studio_summary",
    "gold_release_year_summary",
    "gold_movie_performance",
    "gold_monthly_review_trends",
    "gold_top_tags",
}


def dashboard_queries() -> dict[str, str]:
    """The files the module turns into named queries (athena.tf reads dashboards/queries/*.sql)."""
    if not QUERY_DIR.is_dir():
        pytest.skip("dashboards/queries is not in this checkout")
    return {p.stem: p.read_text() for p in sorted(QUERY_DIR.glob("*.sql"))}


def test_named_queries_are_the_dashboard_queries(module: rules.Module) -> None:
    assert module.locals["dashboard_query_dir"] == "${path.module}/../dashboards/queries"
    assert 'fileset(local.dashboard_query_dir, "*.sql")' in module.locals["dashboard_queries"]
    named = module.resource("aws_athena_named_query", "dashboard")
    assert named["for_each"] == "${local.dashboard_queries}" and named["query"] == "${each.value}"
    assert named["database"] == "${aws_glue_catalog_database.gold.name}"
    assert named["workgroup"] == "${aws_athena_workgroup.main.id}"


def test_dashboard_queries_cover_every_gold_table() -> None:
    sqlglot = pytest.importorskip("sqlglot")
    tables = set()
    for key, sql in dashboard_queries().items():
        assert sql.startswith("-- "), f"{key}: the first line is the named query's description"
        tree = sqlglot.parse_one(sql, read="athena")
        tables |= {t.name for t in tree.find_all(sqlglot.exp.Table)}
        assert tree.args.get("order") and tree.args.get("limit"), f"{key}: ordered and limited"
    assert tables == GOLD_TABLES


def _gold_columns(table: str) -> set[str] | None:
    path = REPO / "dbt_oakvale" / "models" / "gold" / f"{table}.yml"
    if not path.is_file():
        return None
    import yaml

    models = yaml.safe_load(path.read_text())["models"]
    return {c["name"] for m in models if m["name"] == table for c in m.get("columns", [])}


def test_named_queries_use_gold_columns() -> None:
    """Each named query is valid Athena SQL and selects and orders by columns the gold model documents."""
    sqlglot = pytest.importorskip("sqlglot")
    for key, sql in dashboard_queries().items():
        tree = sqlglot.parse_one(sql, read="athena")
        (table,) = [t.name for t in tree.find_all(sqlglot.exp.Table)]
        documented = _gold_columns(table)
        if documented is None:
            continue  # the dbt project is not in this checkout
        used = {c.name for c in tree.find_all(sqlglot.exp.Column)}
        assert used <= documented, f"{key}: {sorted(used - documented)} not in {table}.yml"


def test_outputs_name_everything_a_user_needs(module: rules.Module) -> None:
    needed = {
        "bucket_names",
        "raw_root",
        "data_root",
        "bronze_root",
        "glue_database_names",
        "bronze_job_name",
        "generator_function_name",
        "state_machine_arn",
        "athena_workgroup",
        "athena_results_location",
        "dbt_runner_repository_url",
        "alerts_topic_arn",
        "kms_key_arn",
    }
    assert needed <= set(module.outputs)


def test_variables_for_environment_region_and_prefix(module: rules.Module) -> None:
    assert module.variables["environment"]["default"] == "dev"
    assert "prod" in json.dumps(module.variables["environment"]["validation"])
    assert module.variables["name_prefix"]["default"] == "oakvale"
    assert "aws_region" in module.variables


# ------------------------------------------------------------------ layout and suppressions


SERVICE_FILES = {
    "aws_s3_": "s3.tf",
    "aws_kms_": "kms.tf",
    "aws_glue_": "glue.tf",
    "aws_lambda_": "lambda.tf",
    "aws_iam_": "iam.tf",
    "aws_athena_": "athena.tf",
    "aws_sfn_": "stepfunctions.tf",
    "aws_cloudwatch_event_": "eventbridge.tf",
    "aws_cloudwatch_log_": "cloudwatch.tf",
    "aws_sns_": "sns.tf",
    "aws_codebuild_": "codebuild.tf",
    "aws_ecr_": "ecr.tf",
    "aws_lakeformation_": "lakeformation.tf",
}


def test_one_file_per_service() -> None:
    present = {p.name for p in INFRA.glob("*.tf")}
    assert {"versions.tf", "variables.tf", "outputs.tf", *SERVICE_FILES.values()} <= present
    assert (INFRA / "backend.tf.example").is_file()
    for path in INFRA.glob("*.tf"):
        for match in re.finditer(r'^resource "(\w+)"', path.read_text(), re.M):
            rtype = match.group(1)
            home = next((f for prefix, f in sorted(SERVICE_FILES.items(), key=lambda kv: -len(kv[0])) if rtype.startswith(prefix)), None)
            assert home == path.name, f"{rtype} is in {path.name}, expected {home}"


def test_every_checkov_suppression_gives_a_reason(module: rules.Module) -> None:
    skips = rules.skip_comments(module)
    assert skips, "expected the documented suppressions"
    for file_name, check_id, reason in skips:
        assert len(reason) >= 20, f"{file_name}: {check_id} suppressed without a reason"
    assert "skip-check" not in (INFRA / ".checkov.yaml").read_text(), "suppressions belong in the blocks, with reasons"


@pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform not installed")
def test_state_machine_template_renders_to_valid_asl(tmp_path: Path) -> None:
    """terraform's own templatefile() (offline: no provider needed) renders the ASL into valid JSON."""
    values = {
        "partition": "aws",
        "generator_function_arn": "arn:aws:lambda:us-east-1:123456789012:function:oakvale-dev-generator",
        "bronze_job_name": "oakvale-dev-bronze",
        "dbt_project_name": "oakvale-dev-dbt",
        "alerts_topic_arn": "arn:aws:sns:us-east-1:123456789012:oakvale-dev-pipeline-alerts",
        "generator_seed": "42",
        "movies_per_day": "1000",
        "reviews_per_day": "20000",
    }
    template = INFRA / "templates" / "pipeline.asl.json"
    expr = f"templatefile({json.dumps(str(template))}, {json.dumps(values)})"
    env = {**os.environ, "TF_CLI_CONFIG_FILE": "/dev/null", "CHECKPOINT_DISABLE": "1"}
    out = subprocess.run(
        ["terraform", "console"], input=f"jsonencode(jsondecode({expr}))\n", cwd=tmp_path, env=env,
        capture_output=True, text=True, timeout=120, check=True,
    ).stdout
    asl = json.loads(json.loads(out))
    params = asl["States"]["Bronze"]["Branches"][0]["States"]["BronzeMovies"]["Parameters"]
    assert params["JobName"] == "oakvale-dev-bronze"
    payload = asl["States"]["Generate"]["Branches"][0]["States"]["GenerateMovies"]["Parameters"]["Payload"]
    assert payload["count"] == "1000" and payload["date.$"].startswith("States.ArrayGetItem")
    assert "$$.Execution.Id" in asl["States"]["NotifyFailure"]["Parameters"]["Message.$"]


def test_asl_example_renderer_covers_every_template_variable(module: rules.Module) -> None:
    """`make infra-check` validates the ASL rendered by infra/checks/render_asl_example.py: it must know every
    variable the module passes to templatefile() and leave none unrendered."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("render_example", INFRA / "checks" / "render_asl_example.py")
    render_example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(render_example)
    _, passed = rules.state_machine_definition(module)
    assert set(passed) == set(render_example.EXAMPLE)
    rendered = render_example.render(render_example.TEMPLATE.read_text(), render_example.EXAMPLE)
    assert "${" not in rendered
    json.loads(rendered)
    with pytest.raises(KeyError):
        render_example.render('{"a": "${unknown}"}', render_example.EXAMPLE)
