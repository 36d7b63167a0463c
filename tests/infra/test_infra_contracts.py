"""The names the Terraform module hands to other components are the names those components read.

Each test reads the other component's source (without importing it) and skips when that component is
not in the checkout, so infra/ can be checked on its own.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tests.infra import infra_rules as rules

REPO = Path(__file__).resolve().parents[2]
INFRA = REPO / "infra"

# Arguments Glue itself understands (https://docs.aws.amazon.com/glue/latest/dg/aws-glue-programming-etl-glue-arguments.html).
GLUE_SPECIAL_ARGS = {
    "--datalake-formats",
    "--conf",
    "--extra-py-files",
    "--additional-python-modules",
    "--enable-glue-datacatalog",
    "--job-bookmark-option",
    "--enable-metrics",
    "--enable-observability-metrics",
    "--custom-logGroup-prefix",
    "--enable-job-insights",
    "--enable-spark-ui",
    "--spark-event-logs-path",
    "--TempDir",
}


@pytest.fixture(scope="module")
def module() -> rules.Module:
    return rules.load_module(INFRA)


def _read(relative: str) -> str:
    path = REPO / relative
    if not path.is_file():
        pytest.skip(f"{relative} is not in this checkout")
    return path.read_text()


def _tuple_constant(source: str, name: str) -> tuple[str, ...]:
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            return tuple(ast.literal_eval(node.value))
    raise AssertionError(f"{name} not found")


def test_glue_job_arguments_are_the_ones_the_job_parses(module: rules.Module) -> None:
    args_py = _read("ingestion/bronze/args.py")
    known = {f"--{n}" for n in _tuple_constant(args_py, "REQUIRED") + _tuple_constant(args_py, "OPTIONAL")}
    defaults = set(module.resource("aws_glue_job", "bronze")["default_arguments"])
    job_args = defaults - GLUE_SPECIAL_ARGS
    assert job_args <= known, f"the job does not read {sorted(job_args - known)}"
    template, _ = rules.state_machine_definition(module)
    per_run = {
        arg
        for branch in template["States"]["Bronze"]["Branches"]
        for state in branch["States"].values()
        for arg in state["Parameters"].get("Arguments", {})
    }
    required = {f"--{n}" for n in _tuple_constant(args_py, "REQUIRED")}
    assert required <= job_args | per_run, f"required arguments never passed: {sorted(required - job_args - per_run)}"


def test_lambda_handler_and_environment_are_the_generators(module: rules.Module) -> None:
    init = _read("ingestion/generator/__init__.py")
    handler_py = _read("ingestion/generator/lambda_handler.py")
    lam = module.resource("aws_lambda_function", "generator")
    package, function = lam["handler"].rsplit(".", 1)
    assert package == "ingestion.generator"
    assert re.search(rf"^from ingestion\.generator\.\w+ import .*\b{function}\b", init, re.M)
    assert "OAKVALE_RAW_URI" in handler_py
    assert "OAKVALE_RAW_URI" in lam["environment"][0]["variables"]


def test_lambda_payload_keys_are_the_handlers(module: rules.Module) -> None:
    handler_py = _read("ingestion/generator/lambda_handler.py")
    read = set(re.findall(r'event(?:\.get\(|\[)"(\w+)"', handler_py))
    read |= set(_tuple_constant_or_empty(handler_py))
    template, _ = rules.state_machine_definition(module)
    for branch in template["States"]["Generate"]["Branches"]:
        for state in branch["States"].values():
            payload = state["Parameters"]["Payload"]
            keys = {k.removesuffix(".$") for k in payload}
            assert keys <= read, f"the handler does not read {sorted(keys - read)}"
            if payload.get("dataset") == "reviews":
                # reviews must reference the movies generated the same day, not the handler's default universe
                assert payload.get("movie_universe") == "${movies_per_day}"


def _tuple_constant_or_empty(source: str) -> tuple[str, ...]:
    """Keys named in the handler's required-keys check, e.g. `for key in ("dataset", "count", "seed")`."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.comprehension) and isinstance(node.iter, ast.Tuple):
            found += [e.value for e in node.iter.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
    return tuple(found)


def test_dbt_runner_environment_matches_the_profile(module: rules.Module) -> None:
    profiles = _read("dbt_oakvale/profiles.yml")
    project_text = "\n".join(p.read_text() for p in (REPO / "dbt_oakvale").rglob("*.yml") if "target" not in p.parts)
    env = _read_codebuild_env(module)
    read_by_dbt = set(re.findall(r"env_var\('([A-Z0-9_]+)'", project_text))
    assert set(env) <= read_by_dbt, f"set for dbt but never read: {sorted(set(env) - read_by_dbt)}"
    athena = profiles[profiles.index("athena:") :]
    for needed in ("OAKVALE_ATHENA_WORKGROUP", "OAKVALE_ATHENA_S3_STAGING_DIR", "OAKVALE_ATHENA_S3_DATA_DIR"):
        assert needed in athena, f"the athena profile no longer reads {needed}"
        assert needed in env, f"CodeBuild does not set {needed}"
    assert env["OAKVALE_ATHENA_WORKGROUP"] == "${aws_athena_workgroup.main.name}"
    for layer in ("BRONZE", "SILVER", "GOLD"):
        assert env[f"OAKVALE_{layer}_DATABASE"] == f"${{aws_glue_catalog_database.{layer.lower()}.name}}"


def _read_codebuild_env(module: rules.Module) -> dict[str, str]:
    environment = module.resource("aws_codebuild_project", "dbt")["environment"][0]
    return {v["name"]: v["value"] for v in environment["environment_variable"]}


def test_dbt_runner_image_holds_the_dbt_project(module: rules.Module) -> None:
    dockerfile = (INFRA / "docker" / "dbt-runner" / "Dockerfile").read_text()
    assert "COPY --chown=dbt:dbt dbt_oakvale /app/dbt_oakvale" in dockerfile
    assert re.search(r"pip install --constraint /tmp/requirements\.lock dbt-core dbt-athena-community", dockerfile)
    buildspec = module.resource("aws_codebuild_project", "dbt")["source"][0]["buildspec"]
    assert "dbt build --target athena" in buildspec and "cd /app/dbt_oakvale" in buildspec



# What each ingestion.storage function and AWS client call needs from IAM (S3 and Glue APIs).
STORAGE_ACTIONS = {
    "write_bytes": {"s3:PutObject"},
    "read_bytes": {"s3:GetObject"},
    "list_files": {"s3:ListBucket"},
    "exists": {"s3:ListBucket"},
    "fingerprint": {"s3:GetObject"},
    "move": {"s3:GetObject", "s3:PutObject", "s3:DeleteObject"},
    "remove_file": {"s3:DeleteObject"},
    "remove_tree": {"s3:ListBucket", "s3:DeleteObject"},
}
CLIENT_ACTIONS = {
    "put_object": {"s3:PutObject"},
    "get_object": {"s3:GetObject"},
    "delete_object": {"s3:DeleteObject"},
    "delete_objects": {"s3:DeleteObject"},
    "list_objects_v2": {"s3:ListBucket"},
    "get_database": {"glue:GetDatabase"},
    "create_table": {"glue:CreateTable"},
    "update_table": {"glue:UpdateTable"},
    "get_table": {"glue:GetTable"},
    "create_database": {"glue:CreateDatabase"},
}
# Calls that need no grant because Terraform made the call unnecessary.
NOT_NEEDED = {"glue:CreateDatabase"}  # only when the database is missing; aws_glue_catalog_database creates it


def _needed_actions(paths: list[Path]) -> set[str]:
    needed: set[str] = set()
    for path in paths:
        source = path.read_text()
        for name in re.findall(r"\bstorage\.(\w+)\(", source):
            needed |= STORAGE_ACTIONS.get(name, set())
        for name in re.findall(r"\.(\w+)\(\s*(?:Bucket|DatabaseName|Name|DatabaseInput)=", source):
            needed |= CLIENT_ACTIONS.get(name, set())
    return needed - NOT_NEEDED


def _granted(module: rules.Module, document: str) -> set[str]:
    doc = module.data[("aws_iam_policy_document", document)]
    return {str(a) for st in doc["statement"] if st.get("effect", "Allow") == "Allow" for a in st.get("actions", [])}


@pytest.mark.parametrize(
    "document,sources",
    [
        ("generator", ["ingestion/generator"]),
        ("glue_bronze", ["ingestion/bronze", "ingestion/catalog/glue.py"]),
    ],
)
def test_roles_allow_what_the_code_calls(module: rules.Module, document: str, sources: list[str]) -> None:
    """Every S3 or Glue call the component's code makes is allowed to its role (by action; the
    property tests check the resources)."""
    paths = []
    for source in sources:
        path = REPO / source
        if not path.exists():
            pytest.skip(f"{source} is not in this checkout")
        paths += sorted(path.glob("*.py")) if path.is_dir() else [path]
    needed = _needed_actions(paths)
    assert needed, "expected the code to call S3 or Glue"
    missing = needed - _granted(module, document)
    assert not missing, f"aws_iam_policy_document.{document} lacks {sorted(missing)}"


# What the Glue 5.0 Python runtime ships (https://docs.aws.amazon.com/glue/latest/dg/aws-glue-programming-python-libraries.html).
GLUE_5_PROVIDED = {"pyspark", "py4j", "boto3", "botocore", "pyarrow", "numpy", "pandas", "awsglue"}
GLUE_JOB_PACKAGES = ("ingestion/bronze", "ingestion/catalog", "ingestion/storage.py", "ingestion/config.py")
DIST_OF_MODULE = {"pydantic_settings": "pydantic-settings"}


def _third_party_imports(paths: list[Path]) -> set[str]:
    stdlib = set(__import__("sys").stdlib_module_names)
    found = set()
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            found |= {n.split(".")[0] for n in names}
    return {m for m in found if m not in stdlib and m not in ("ingestion", "__future__")}


def test_glue_installs_every_package_the_job_imports_at_the_locked_version(module: rules.Module) -> None:
    paths = [p for rel in GLUE_JOB_PACKAGES for p in ((REPO / rel).rglob("*.py") if (REPO / rel).is_dir() else [REPO / rel])]
    needed = {DIST_OF_MODULE.get(m, m) for m in _third_party_imports(paths)} - GLUE_5_PROVIDED
    shipped = dict(
        spec.split("==") for spec in module.variables["glue_additional_python_modules"]["default"].split(",")
    )
    assert needed <= set(shipped), f"Glue would not have {sorted(needed - set(shipped))}"
    locked = dict(line.split("==") for line in _read("requirements.lock").splitlines() if "==" in line)
    assert {d: v for d, v in shipped.items() if locked.get(d) != v} == {}, "Glue pins differ from requirements.lock"


# Calls that go through Spark's session catalog (and so, with --enable-glue-datacatalog, through Glue):
# spark.sql/table/catalog on a session, and the writer and Delta calls that name a table.
SESSION_NAMES = {"spark", "session"}
SESSION_CATALOG_ATTRS = {"sql", "table", "catalog"}
TABLE_NAME_CALLS = {"saveAsTable", "insertInto", "forName", "tableExists"}


def _spark_catalog_uses(path: Path, root: Path = REPO) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.Attribute):
            continue
        on_session = isinstance(node.value, ast.Name) and node.value.id in SESSION_NAMES and node.attr in SESSION_CATALOG_ATTRS
        if on_session or node.attr in TABLE_NAME_CALLS:
            found.append(f"{path.relative_to(root)}:{node.lineno} .{node.attr}")
    return found


def test_glue_data_catalog_for_spark_only_when_the_job_uses_it(module: rules.Module) -> None:
    """The job reads and writes by path and registers its tables with boto3 (ingestion/catalog/glue.py), so
    Spark's Glue catalog integration stays off: it would reach into the catalog's `default` database
    (and create it in a new account) for nothing. A job that starts using Spark's catalog turns it on,
    and check_glue_default_database then asks for the grants."""
    paths = [p for rel in GLUE_JOB_PACKAGES for p in ((REPO / rel).rglob("*.py") if (REPO / rel).is_dir() else [REPO / rel])]
    paths = [p for p in paths if p.is_file()]
    if not paths:
        pytest.skip("the bronze job is not in this checkout")
    uses = sorted(u for p in paths for u in _spark_catalog_uses(p))
    enabled = module.resource("aws_glue_job", "bronze")["default_arguments"].get("--enable-glue-datacatalog") == "true"
    assert enabled == bool(uses), f"Spark catalog calls: {uses or 'none'}; --enable-glue-datacatalog {'on' if enabled else 'off'}"


def test_spark_catalog_uses_are_found(tmp_path: Path) -> None:
    """The scan above sees a session catalog call and a table-name write, and not Spark's config keys."""
    source = tmp_path / "job.py"
    source.write_text('conf = {"spark.sql.session.timeZone": "UTC"}\nspark.sql("select 1")\ndf.write.saveAsTable("t")\n')
    assert [u.split(" ")[1] for u in _spark_catalog_uses(source, tmp_path)] == [".sql", ".saveAsTable"]


def test_dbt_tables_live_in_the_lakehouse_not_in_expiring_query_results(module: rules.Module) -> None:
    """The workgroup enforces its configuration, so Athena writes a Hive CTAS without a location under the
    query results location (<results>/tables/<query id>/), which the results bucket's lifecycle expires:
    a seed or model table built that way goes blank after the expiry unless rebuilt. dbt-athena gives every
    Iceberg table a location under s3_data_dir (the lakehouse bucket), so every layer dbt builds with CTAS
    (seeds, silver, gold) must be Iceberg."""
    import yaml

    project = yaml.safe_load(_read("dbt_oakvale/dbt_project.yml"))
    workgroup = module.resource("aws_athena_workgroup", "main")["configuration"][0]
    assert workgroup["enforce_workgroup_configuration"] is True
    assert any(rules._blocks(r, "expiration") for r in rules._lifecycle(module, "athena-results"))
    layers = {"seeds": project["seeds"]["oakvale"], **{f"models.{k}": v for k, v in project["models"]["oakvale"].items() if isinstance(v, dict) and not k.startswith("+")}}
    not_iceberg = {name: cfg.get("+table_type", "hive") for name, cfg in layers.items() if cfg.get("+table_type") != "iceberg"}
    assert not_iceberg == {}, f"built under the expiring Athena results location: {not_iceberg}"
    env = _read_codebuild_env(module)
    assert env["OAKVALE_ATHENA_S3_DATA_DIR"] == "${local.data_root}/lakehouse/", "s3_data_dir is not in the lakehouse bucket"
