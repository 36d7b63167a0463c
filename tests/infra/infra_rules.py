"""Offline property checks of the Terraform module in infra/.

`load_module(path)` parses every `.tf` file with python-hcl2 (plain strings, see ARCHITECTURE.md)
into a `Module`; each `check_*` function returns a list of findings (empty means the property holds),
so a test can assert both that the real module is clean and that a broken copy is reported.
Terraform itself cannot `init` or `validate` here (no provider registry), so these checks read the
configuration as written; they do not evaluate it.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hcl2

HCL_OPTIONS = hcl2.SerializationOptions(strip_string_quotes=True, explicit_blocks=False, with_comments=False)

# Actions that AWS does not scope to a resource: the only ones allowed on Resource "*".
UNSCOPED_ACTIONS = frozenset(
    {
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
        "xray:GetSamplingRules",
        "xray:GetSamplingTargets",
        "cloudwatch:PutMetricData",
        "ecr:GetAuthorizationToken",
        "logs:CreateLogDelivery",
        "logs:GetLogDelivery",
        "logs:UpdateLogDelivery",
        "logs:DeleteLogDelivery",
        "logs:ListLogDeliveries",
        "logs:PutResourcePolicy",
        "logs:DescribeResourcePolicies",
        "logs:DescribeLogGroups",
        "lakeformation:GetDataAccess",
    }
)

# Policy documents that are resource policies, where "*" means the resource itself.
KEY_POLICY_DOCUMENTS = frozenset({"kms"})

PLACEHOLDER_ACCOUNT_ID = "123456789012"


@dataclass
class Module:
    """A Terraform module as python-hcl2 reads it, indexed by block kind."""

    root: Path
    resources: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    data: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    variables: dict[str, dict[str, Any]] = field(default_factory=dict)
    locals: dict[str, Any] = field(default_factory=dict)
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)

    def of_type(self, rtype: str) -> dict[str, dict[str, Any]]:
        return {name: body for (t, name), body in self.resources.items() if t == rtype}

    def resource(self, rtype: str, name: str) -> dict[str, Any]:
        return self.resources[(rtype, name)]


@functools.lru_cache(maxsize=256)
def _parse(text: str) -> dict[str, Any]:
    return hcl2.loads(text, serialization_options=HCL_OPTIONS)


def load_module(root: Path) -> Module:
    module = Module(root=root)
    for path in sorted(root.glob("*.tf")):
        text = path.read_text()
        module.files[path.name] = text
        parsed = copy.deepcopy(_parse(text))  # cached by content: broken copies re-parse one file
        for block in parsed.get("resource", []):
            for rtype, named in block.items():
                for name, body in named.items():
                    module.resources[(rtype, name)] = body
        for block in parsed.get("data", []):
            for dtype, named in block.items():
                for name, body in named.items():
                    module.data[(dtype, name)] = body
        for block in parsed.get("variable", []):
            module.variables.update(block)
        for block in parsed.get("locals", []):
            module.locals.update(block)
        for block in parsed.get("output", []):
            module.outputs.update(block)
    return module


# ------------------------------------------------------------------ helpers


def _blocks(body: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = body.get(key, [])
    if isinstance(value, dict):
        return [value]
    return list(value)


def _refers(value: Any, address: str) -> bool:
    """True when an expression (any nesting) mentions a Terraform address such as `aws_kms_key.main`."""
    return re.search(rf"(?<![\w.]){re.escape(address)}(?![\w])", json.dumps(value)) is not None


def _covers_bucket(module: Module, body: dict[str, Any], bucket_name: str) -> bool:
    """Does a bucket sub-resource apply to (every instance of) aws_s3_bucket.<bucket_name>?"""
    address = f"aws_s3_bucket.{bucket_name}"
    if not _refers(body.get("bucket"), address):
        return False
    bucket_for_each = module.resource("aws_s3_bucket", bucket_name).get("for_each")
    if bucket_for_each is None:
        return "[" not in str(body.get("bucket"))
    # for_each over the same collection (or over the bucket resource itself), indexed by each.key
    return body.get("for_each") in (bucket_for_each, f"${{{address}}}") and (
        "[each.key]" in str(body.get("bucket")) or "each.value" in str(body.get("bucket"))
    )


def _sub_resources(module: Module, rtype: str, bucket_name: str) -> list[tuple[str, dict[str, Any]]]:
    return [(n, b) for n, b in module.of_type(rtype).items() if _covers_bucket(module, b, bucket_name)]


def _policy_document_name(expr: Any) -> str | None:
    match = re.search(r"data\.aws_iam_policy_document\.([\w-]+)", str(expr))
    return match.group(1) if match else None


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def resolve(module: Module, expr: str, overrides: dict[str, Any] | None = None, depth: int = 0) -> str:
    """Substitute `${var.x}`, `${local.x}` and the caller's account id in a simple string expression.

    Only what names are made of is supported: variables with defaults, locals that are such strings,
    and `var.x.y` attributes of object defaults. Anything else is left as written.
    """
    overrides = overrides or {}
    if depth > 10:
        return expr

    def substitute(match: re.Match[str]) -> str:
        ref = match.group(1).strip()
        if ref == "data.aws_caller_identity.current.account_id":
            return PLACEHOLDER_ACCOUNT_ID
        parts = ref.split(".")
        if parts[0] == "var" and len(parts) >= 2:
            value: Any = overrides.get(parts[1], module.variables.get(parts[1], {}).get("default"))
            for attr in parts[2:]:
                value = value.get(attr) if isinstance(value, dict) else None
            return str(value) if value is not None else match.group(0)
        if parts[0] == "local" and len(parts) == 2 and isinstance(module.locals.get(parts[1]), str):
            return resolve(module, module.locals[parts[1]], overrides, depth + 1)
        return match.group(0)

    return re.sub(r"\$\{([^${}]+)\}", substitute, expr)


# ------------------------------------------------------------------ checks


def check_buckets(module: Module) -> list[str]:
    """Every bucket: SSE-KMS with the module's customer key, versioning, public access block, TLS-only policy."""
    findings: list[str] = []
    buckets = module.of_type("aws_s3_bucket")
    if not buckets:
        return ["no aws_s3_bucket in the module"]
    for name in buckets:
        where = f"aws_s3_bucket.{name}"

        sse = _sub_resources(module, "aws_s3_bucket_server_side_encryption_configuration", name)
        kms_ok = False
        for _, body in sse:
            for rule in _blocks(body, "rule"):
                for default in _blocks(rule, "apply_server_side_encryption_by_default"):
                    if default.get("sse_algorithm") == "aws:kms" and _refers(
                        default.get("kms_master_key_id"), "aws_kms_key.main"
                    ):
                        kms_ok = True
        if not kms_ok:
            findings.append(f"{where}: no default encryption with aws:kms and aws_kms_key.main")

        versioning = _sub_resources(module, "aws_s3_bucket_versioning", name)
        if not any(
            cfg.get("status") == "Enabled"
            for _, body in versioning
            for cfg in _blocks(body, "versioning_configuration")
        ):
            findings.append(f"{where}: versioning not enabled")

        pab_flags = ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
        pabs = _sub_resources(module, "aws_s3_bucket_public_access_block", name)
        if not any(all(body.get(flag) is True for flag in pab_flags) for _, body in pabs):
            findings.append(f"{where}: public access not blocked (all four flags true)")

        tls_ok = False
        for _, body in _sub_resources(module, "aws_s3_bucket_policy", name):
            doc_name = _policy_document_name(body.get("policy"))
            doc = module.data.get(("aws_iam_policy_document", doc_name or ""))
            if doc is None:
                continue
            for statement in _blocks(doc, "statement"):
                denies_all = statement.get("effect") == "Deny" and "s3:*" in _as_list(statement.get("actions"))
                insecure = any(
                    c.get("test") == "Bool"
                    and c.get("variable") == "aws:SecureTransport"
                    and _as_list(c.get("values")) == ["false"]
                    for c in _blocks(statement, "condition")
                )
                resources = _as_list(statement.get("resources"))
                covers_objects = any(_refers(r, where) and str(r).endswith("/*") for r in resources)
                covers_bucket = any(_refers(r, where) and not str(r).endswith("/*") for r in resources)
                if denies_all and insecure and covers_objects and covers_bucket:
                    tls_ok = True
        if not tls_ok:
            findings.append(f"{where}: no bucket policy denying requests without TLS (aws:SecureTransport = false)")
    return findings


def _lifecycle(module: Module, bucket_key: str) -> list[dict[str, Any]]:
    """Enabled rules of the lifecycle configuration of aws_s3_bucket.this["<bucket_key>"]."""
    rules_found: list[dict[str, Any]] = []
    for body in module.of_type("aws_s3_bucket_lifecycle_configuration").values():
        if str(body.get("bucket")) == f'${{aws_s3_bucket.this["{bucket_key}"].id}}':
            rules_found += [r for r in _blocks(body, "rule") if r.get("status") == "Enabled"]
    return rules_found


def check_lifecycle(module: Module) -> list[str]:
    """Raw goes to infrequent access, then Glacier; Athena results expire; every bucket has rules."""
    findings: list[str] = []
    keys = list(module.locals.get("bucket_names", {}))
    for key in keys:
        if not _lifecycle(module, key):
            findings.append(f'aws_s3_bucket.this["{key}"]: no enabled lifecycle rule')
    transitions = [t for r in _lifecycle(module, "raw") for t in _blocks(r, "transition")]
    classes = [t.get("storage_class") for t in sorted(transitions, key=lambda t: str(t.get("days")))]
    if "STANDARD_IA" not in classes or not ({"GLACIER", "GLACIER_IR", "DEEP_ARCHIVE"} & set(classes)):
        findings.append(f"raw bucket does not move to STANDARD_IA and then Glacier (transitions: {classes})")
    else:
        days = {t.get("storage_class"): resolve(module, str(t.get("days"))) for t in transitions}
        glacier = next(c for c in ("GLACIER", "GLACIER_IR", "DEEP_ARCHIVE") if c in days)
        if not int(days["STANDARD_IA"]) < int(days[glacier]):
            findings.append(f"raw bucket reaches Glacier ({days[glacier]} d) before infrequent access ({days['STANDARD_IA']} d)")
    if not any(_blocks(r, "expiration") for r in _lifecycle(module, "athena-results")):
        findings.append("athena-results objects never expire")
    return findings


def check_encryption_at_rest(module: Module) -> list[str]:
    """Everything that stores data or logs uses the module's customer key."""
    key = "aws_kms_key.main"
    findings: list[str] = []
    expected = [
        ("aws_cloudwatch_log_group", None, "kms_key_id"),
        ("aws_sns_topic", None, "kms_master_key_id"),
        ("aws_lambda_function", None, "kms_key_arn"),
        ("aws_codebuild_project", None, "encryption_key"),
        ("aws_s3_object", None, "kms_key_id"),
        ("aws_ecr_repository", "encryption_configuration", "kms_key"),
        ("aws_sfn_state_machine", "encryption_configuration", "kms_key_id"),
        ("aws_athena_workgroup", None, None),  # checked by check_athena_workgroup
    ]
    for rtype, block, attr in expected:
        for name, body in module.of_type(rtype).items():
            if attr is None:
                continue
            holder = _blocks(body, block)[0] if block and _blocks(body, block) else body
            if not _refers(holder.get(attr), key):
                findings.append(f"{rtype}.{name}: {block + '.' if block else ''}{attr} is not {key}")
    for name, body in module.of_type("aws_sfn_state_machine").items():
        enc = _blocks(body, "encryption_configuration")
        if not enc or enc[0].get("type") != "CUSTOMER_MANAGED_KMS_KEY":
            findings.append(f"aws_sfn_state_machine.{name}: encryption type is not CUSTOMER_MANAGED_KMS_KEY")
    if not module.of_type("aws_kms_key").get("main", {}).get("enable_key_rotation"):
        findings.append("aws_kms_key.main: rotation not enabled")
    for name, cfg in module.of_type("aws_glue_security_configuration").items():
        enc = _blocks(cfg, "encryption_configuration")[0] if _blocks(cfg, "encryption_configuration") else {}
        for block, mode_attr in (
            ("cloudwatch_encryption", "cloudwatch_encryption_mode"),
            ("job_bookmarks_encryption", "job_bookmarks_encryption_mode"),
            ("s3_encryption", "s3_encryption_mode"),
        ):
            sub = _blocks(enc, block)[0] if _blocks(enc, block) else {}
            if sub.get(mode_attr) in (None, "DISABLED") or not _refers(sub.get("kms_key_arn"), key):
                findings.append(f"aws_glue_security_configuration.{name}: {block} not with {key}")
    return findings


def check_bronze_job(module: Module) -> list[str]:
    """The bronze Glue job: Glue 5.0, Delta, the ingestion wheel, bookmarks off, retries, timeout, metrics, logs."""
    jobs = module.of_type("aws_glue_job")
    if "bronze" not in jobs:
        return ["no aws_glue_job.bronze"]
    job = jobs["bronze"]
    args = job.get("default_arguments", {})
    findings: list[str] = []
    if str(job.get("glue_version")) != "5.0":
        findings.append(f"glue_version is {job.get('glue_version')!r}, not '5.0'")
    if args.get("--datalake-formats") != "delta":
        findings.append("--datalake-formats is not 'delta'")
    # Several runs of one dataset may overlap (max_concurrent_runs > 1): the commit must be safe with
    # several writers on S3, which delta-rs's conditional-PUT commit is and Delta Spark's S3 log store is not.
    if args.get("--writer") != "parquet+delta-rs":
        findings.append(f"--writer is {args.get('--writer')!r}, not 'parquet+delta-rs' (the multi-writer-safe S3 commit)")
    extra = str(args.get("--extra-py-files", ""))
    if not (extra.startswith("s3://") and _refers(extra, "aws_s3_object.ingestion_wheel")):
        findings.append("--extra-py-files does not ship the ingestion wheel object")
    if args.get("--job-bookmark-option") != "job-bookmark-disable":
        findings.append("job bookmarks are not disabled (--job-bookmark-option job-bookmark-disable)")
    for arg in ("--data_root", "--raw_root", "--reject_threshold"):
        if arg not in args:
            findings.append(f"default argument {arg} missing")
    if args.get("--enable-metrics") != "true":
        findings.append("CloudWatch metrics not enabled (--enable-metrics)")
    log_prefix = module.locals.get("glue_log_group_prefix", "")
    log_groups = {
        resolve(module, str(body.get("name")).replace("${each.key}", key))
        for body in module.of_type("aws_cloudwatch_log_group").values()
        for key in (re.findall(r'"([^"]+)"', str(body["for_each"])) if "for_each" in body else [""])
    }
    if args.get("--custom-logGroup-prefix") != "${local.glue_log_group_prefix}" or not {
        resolve(module, f"{log_prefix}/output"),
        resolve(module, f"{log_prefix}/error"),
    } <= log_groups:
        findings.append("job logs do not go to this module's log groups (--custom-logGroup-prefix, <prefix>/output and /error)")
    if "max_retries" not in job or "timeout" not in job:
        findings.append("retries or timeout not set")
    if not _refers(job.get("security_configuration"), "aws_glue_security_configuration.bronze"):
        findings.append("no Glue security configuration")
    script = _blocks(job, "command")[0].get("script_location", "") if _blocks(job, "command") else ""
    if not _refers(script, "aws_s3_object.glue_script"):
        findings.append("script_location is not the uploaded glue_scripts/bronze_job.py")
    return findings


def _iter_statements(module: Module):
    for (dtype, name), doc in module.data.items():
        if dtype != "aws_iam_policy_document":
            continue
        for index, statement in enumerate(_blocks(doc, "statement")):
            yield name, index, statement


def _is_wildcard_action(action: str) -> bool:
    return action == "*" or action.endswith(":*")


def check_iam_least_privilege(module: Module) -> list[str]:
    """No wildcard action on a wildcard resource; "*" resources only for actions AWS cannot scope."""
    findings: list[str] = []
    for name, index, statement in _iter_statements(module):
        if statement.get("effect", "Allow") != "Allow":
            continue
        actions = [str(a) for a in _as_list(statement.get("actions"))]
        resources = [str(r) for r in _as_list(statement.get("resources"))]
        where = f"data.aws_iam_policy_document.{name} statement {statement.get('sid', index)}"
        if statement.get("not_actions") or statement.get("not_resources"):
            findings.append(f"{where}: NotAction/NotResource in an Allow")
        wildcard_actions = [a for a in actions if _is_wildcard_action(a)]
        if wildcard_actions:
            findings.append(f"{where}: wildcard action(s) {wildcard_actions}")
        if "*" in resources and name not in KEY_POLICY_DOCUMENTS:
            scoped = [a for a in actions if a not in UNSCOPED_ACTIONS]
            if scoped:
                findings.append(f"{where}: resource '*' for actions AWS can scope: {scoped}")
    # inline JSON policies written by hand would escape the checks above
    for (rtype, name), body in module.resources.items():
        if rtype in ("aws_iam_role_policy", "aws_iam_policy") and _policy_document_name(body.get("policy")) is None:
            findings.append(f"{rtype}.{name}: policy is not an aws_iam_policy_document (not checked)")
    return findings


def check_roles(module: Module) -> list[str]:
    """One role per component, each with its own policy."""
    findings: list[str] = []
    roles = module.of_type("aws_iam_role")
    attached = {
        str(body.get("role")).split(".")[1] for body in module.of_type("aws_iam_role_policy").values() if "." in str(body.get("role"))
    }
    for component in ("generator", "glue_bronze", "dbt", "pipeline", "scheduler"):
        if component not in roles:
            findings.append(f"no aws_iam_role.{component}")
        elif component not in attached:
            findings.append(f"aws_iam_role.{component} has no policy")
    if module.of_type("aws_iam_role_policy_attachment"):
        findings.append("managed policy attachments are not scoped to this stack")
    users = {
        "aws_lambda_function.generator": "aws_iam_role.generator",
        "aws_glue_job.bronze": "aws_iam_role.glue_bronze",
        "aws_codebuild_project.dbt": "aws_iam_role.dbt",
        "aws_sfn_state_machine.pipeline": "aws_iam_role.pipeline",
    }
    for user, role in users.items():
        rtype, rname = user.split(".")
        body = module.resources.get((rtype, rname), {})
        role_expr = body.get("role") or body.get("role_arn") or body.get("service_role")
        if not _refers(role_expr, role):
            findings.append(f"{user} does not run as {role}")
    return findings


def check_athena_workgroup(module: Module) -> list[str]:
    workgroups = module.of_type("aws_athena_workgroup")
    if "main" not in workgroups:
        return ["no aws_athena_workgroup.main"]
    findings: list[str] = []
    configuration = _blocks(workgroups["main"], "configuration")
    cfg = configuration[0] if configuration else {}
    if cfg.get("enforce_workgroup_configuration") is not True:
        findings.append("workgroup does not enforce its configuration")
    if not cfg.get("bytes_scanned_cutoff_per_query"):
        findings.append("workgroup has no bytes-scanned cutoff per query")
    engines = [e.get("selected_engine_version") for e in _blocks(cfg, "engine_version")]
    if engines != ["Athena engine version 3"]:
        findings.append(f"engine version is {engines}, not Athena engine version 3")
    encrypted = any(
        enc.get("encryption_option") == "SSE_KMS" and _refers(enc.get("kms_key_arn"), "aws_kms_key.main")
        for result in _blocks(cfg, "result_configuration")
        for enc in _blocks(result, "encryption_configuration")
    )
    if not encrypted:
        findings.append("query results are not encrypted with SSE_KMS and the module key")
    return findings


def state_machine_definition(module: Module) -> tuple[dict[str, Any], dict[str, str]]:
    """The ASL template (as JSON) and the variables templatefile() passes to it."""
    body = module.resource("aws_sfn_state_machine", "pipeline")
    definition = str(body.get("definition"))
    match = re.search(r'templatefile\("\$\{path\.module\}/([^"]+)",\s*\{(.*)\}\)\}$', definition, re.S)
    if not match:
        raise ValueError("aws_sfn_state_machine.pipeline definition is not templatefile(path.module/..., {...})")
    template = json.loads((module.root / match.group(1)).read_text())
    variables = dict(re.findall(r"(\w+)\s*=\s*([\w.\[\]\"-]+)", match.group(2)))
    return template, variables


def _tasks(states: dict[str, Any]):
    for name, state in states.items():
        yield name, state
        for branch in state.get("Branches", []):
            yield from _tasks(branch["States"])


def check_state_machine(module: Module) -> list[str]:
    """generate (Lambda) -> bronze (Glue, both datasets) -> dbt (CodeBuild), failures to SNS."""
    try:
        template, variables = state_machine_definition(module)
    except (KeyError, ValueError, FileNotFoundError, json.JSONDecodeError) as exc:
        return [f"state machine definition unreadable: {exc}"]
    findings: list[str] = []
    expected = {
        "generator_function_arn": "aws_lambda_function.generator",
        "bronze_job_name": "aws_glue_job.bronze",
        "dbt_project_name": "aws_codebuild_project.dbt",
        "alerts_topic_arn": "aws_sns_topic.alerts",
    }
    for var, address in expected.items():
        if not _refers(variables.get(var), address):
            findings.append(f"templatefile variable {var} is not {address}")
    tasks = dict(_tasks(template["States"]))

    def uses(resource_suffix: str, placeholder: str) -> list[dict[str, Any]]:
        return [
            s
            for s in tasks.values()
            if str(s.get("Resource", "")).endswith(resource_suffix) and placeholder in json.dumps(s.get("Parameters", {}))
        ]

    generated = sorted(
        s["Parameters"].get("Payload", {}).get("dataset", "") for s in uses(":::lambda:invoke", "${generator_function_arn}")
    )
    if generated != ["movies", "reviews"]:
        findings.append(f"generator Lambda invoked for datasets {generated}, expected movies and reviews")
    glue_runs = uses(":::glue:startJobRun.sync", "${bronze_job_name}")
    datasets = sorted(s["Parameters"].get("Arguments", {}).get("--dataset", "") for s in glue_runs)
    if datasets != ["movies", "reviews"]:
        findings.append(f"bronze job runs for datasets {datasets}, expected movies and reviews")
    if not uses(":::codebuild:startBuild.sync", "${dbt_project_name}"):
        findings.append("no dbt build (CodeBuild startBuild.sync)")
    if not uses(":::sns:publish", "${alerts_topic_arn}"):
        findings.append("no failure notification to SNS")
    order = []
    state = template["States"].get(template["StartAt"])
    name = template["StartAt"]
    while state is not None and name not in order:
        order.append(name)
        name = state.get("Next")
        state = template["States"].get(name) if name else None
    if order[:3] != ["Generate", "Bronze", "DbtBuild"]:
        findings.append(f"main path is {order}, expected Generate -> Bronze -> DbtBuild")
    for name in ("Generate", "Bronze", "DbtBuild"):
        catches = template["States"].get(name, {}).get("Catch", [])
        if not any(c.get("Next") == "NotifyFailure" and "States.ALL" in c.get("ErrorEquals", []) for c in catches):
            findings.append(f"{name} failures are not sent to NotifyFailure")
    return findings


# Resources that AWS checks against their role's permissions when they are created. Each must depend on
# the role's inline policy: a role reference alone orders them after the role, not after its policy, so
# the first apply in a new account can create them while the policy does not exist yet.
POLICY_BEFORE_USE = {
    # Step Functions checks at creation that the role may deliver logs to the log destination
    # ("The state machine IAM Role is not authorized to access the Log Destination").
    "aws_sfn_state_machine.pipeline": "aws_iam_role_policy.pipeline",
    # Lambda writes its first logs (logging_config) and traces as soon as it is invoked.
    "aws_lambda_function.generator": "aws_iam_role_policy.generator",
}


def check_policies_before_use(module: Module) -> list[str]:
    """Resources validated against their role at creation depend on the role's policy (first apply)."""
    findings: list[str] = []
    for user, policy in POLICY_BEFORE_USE.items():
        rtype, name = user.split(".")
        body = module.resources.get((rtype, name))
        if body is None:
            findings.append(f"no {user}")
            continue
        if not any(_refers(d, policy) for d in _as_list(body.get("depends_on"))):
            findings.append(f"{user} does not depend on {policy} (created before its role may act)")
    return findings


def check_lambda_concurrency_default(module: Module) -> list[str]:
    """With the defaults, no function reserves concurrency: Lambda refuses a reservation that leaves the
    account's unreserved concurrency under its minimum (100), so on a new account (quota often 10) any
    reservation fails the first apply."""
    findings: list[str] = []
    for name, body in module.of_type("aws_lambda_function").items():
        value = body.get("reserved_concurrent_executions")
        if value is None:
            continue
        resolved = resolve(module, str(value))
        if resolved != "-1":
            findings.append(
                f"aws_lambda_function.{name}: reserved_concurrent_executions is {resolved} by default (-1: unreserved)"
            )
    return findings


def check_retries_in_one_place(module: Module) -> list[str]:
    """Failed runs are retried by the state machine only, with backoff: the bronze Glue job has no retries of
    its own (a `.sync` task follows one run, so a Glue-level retry would run unobserved after the pipeline
    had already failed and alerted), and the Glue and CodeBuild tasks retry a failed run (States.TaskFailed)
    at least twice, each wait longer than the last."""
    findings: list[str] = []
    job = module.of_type("aws_glue_job").get("bronze", {})
    retries = resolve(module, str(job.get("max_retries")))
    if retries != "0":
        findings.append(f"aws_glue_job.bronze: max_retries is {retries}, not 0 (the state machine retries)")
    try:
        template, _ = state_machine_definition(module)
    except (KeyError, ValueError, FileNotFoundError, json.JSONDecodeError) as exc:
        return findings + [f"state machine definition unreadable: {exc}"]
    for suffix in (":::glue:startJobRun.sync", ":::codebuild:startBuild.sync"):
        tasks = {n: s for n, s in _tasks(template["States"]) if str(s.get("Resource", "")).endswith(suffix)}
        if not tasks:
            findings.append(f"no {suffix} task")
        for name, state in tasks.items():
            retried = [
                r
                for r in state.get("Retry", [])
                if {"States.TaskFailed", "States.ALL"} & set(r.get("ErrorEquals", []))
                and int(r.get("MaxAttempts", 3)) >= 2
                and float(r.get("BackoffRate", 2.0)) > 1
            ]
            if not retried:
                findings.append(f"{name}: a failed run (States.TaskFailed) is not retried with backoff")
    return findings


def check_glue_log_groups(module: Module) -> list[str]:
    """The log groups Terraform manages (retention, key) are the ones Glue writes. With a security
    configuration that encrypts CloudWatch logs, Glue 5.0 writes to
    `/aws-glue/jobs/<security configuration>-role<role path><role name>/output|error` (see infra/README.md),
    so the job's log group prefix must be that name, built from the job's own configuration and role."""
    job = module.of_type("aws_glue_job").get("bronze")
    if job is None:
        return ["no aws_glue_job.bronze"]
    findings: list[str] = []
    config = re.fullmatch(r"\$\{(aws_glue_security_configuration\.[\w-]+)\.name\}", str(job.get("security_configuration")))
    role = re.fullmatch(r"\$\{(aws_iam_role\.[\w-]+)\.arn\}", str(job.get("role_arn")))
    if not config or not role:
        return ["aws_glue_job.bronze: security_configuration or role_arn is not a reference to this module's resources"]
    cfg = module.resources.get(tuple(config.group(1).split(".")), {})
    enc = _blocks(cfg, "encryption_configuration")
    cloudwatch = _blocks(enc[0], "cloudwatch_encryption") if enc else []
    if not cloudwatch or cloudwatch[0].get("cloudwatch_encryption_mode") in (None, "DISABLED"):
        return findings  # without CloudWatch encryption Glue honours --custom-logGroup-prefix as documented
    expected = f"/aws-glue/jobs/${{{config.group(1)}.name}}-role${{{role.group(1)}.path}}${{{role.group(1)}.name}}"
    prefix = module.locals.get("glue_log_group_prefix")
    if prefix != expected:
        findings.append(f"local.glue_log_group_prefix is {prefix!r}, not the group Glue writes with the security configuration ({expected!r})")
    return findings


def _allowed(module: Module, document: str, action: str, resource: str) -> bool:
    doc = module.data.get(("aws_iam_policy_document", document), {})
    return any(
        statement.get("effect", "Allow") == "Allow"
        and action in _as_list(statement.get("actions"))
        and any(resolve(module, str(r)) == resource for r in _as_list(statement.get("resources")))
        for statement in _blocks(doc, "statement")
    )


def check_glue_default_database(module: Module) -> list[str]:
    """Spark's Glue Data Catalog integration looks up the catalog's `default` database when the session's
    catalog is first used and creates it when it is missing (a new account has none). A job that turns the
    integration on must be allowed both; a job that does not need Spark's catalog leaves it off."""
    job = module.of_type("aws_glue_job").get("bronze", {})
    if str(job.get("default_arguments", {}).get("--enable-glue-datacatalog", "false")).lower() != "true":
        return []
    default_db = resolve(
        module, "arn:${local.partition}:glue:${local.region}:${data.aws_caller_identity.current.account_id}:database/default"
    )
    role_doc = _policy_document_name(
        next((b.get("policy") for b in module.of_type("aws_iam_role_policy").values() if _refers(b.get("role"), "aws_iam_role.glue_bronze")), None)
    )
    return [
        f"aws_glue_job.bronze enables the Glue Data Catalog for Spark, but its role may not {action} on {default_db}"
        for action in ("glue:GetDatabase", "glue:CreateDatabase")
        if not _allowed(module, role_doc or "", action, default_db)
    ]


# What each role needs from Lake Formation on each database (layer): (database permissions, table permissions).
# The bronze job reads, creates and updates its tables (boto3); dbt reads bronze and builds, merges, renames
# (a Glue copy and delete) and drops silver and gold tables.
LAKE_FORMATION_NEEDS = {
    ("glue_bronze", "bronze"): ({"DESCRIBE", "CREATE_TABLE"}, {"DESCRIBE", "SELECT", "INSERT", "DELETE", "ALTER"}),
    ("dbt", "bronze"): ({"DESCRIBE"}, {"DESCRIBE", "SELECT"}),
    ("dbt", "silver"): ({"DESCRIBE", "CREATE_TABLE"}, {"DESCRIBE", "SELECT", "INSERT", "DELETE", "ALTER", "DROP"}),
    ("dbt", "gold"): ({"DESCRIBE", "CREATE_TABLE"}, {"DESCRIBE", "SELECT", "INSERT", "DELETE", "ALTER", "DROP"}),
}


def check_lake_formation(module: Module) -> list[str]:
    """Opt-in Lake Formation grants (`var.lake_formation`, off by default): with it on, each role has what
    it needs on each database and its tables (`local.lake_formation_grants`, applied by one
    aws_lakeformation_permissions per database and one per database's tables), and both roles may call
    lakeformation:GetDataAccess. In an account where Lake Formation governs new databases (no
    IAMAllowedPrincipals), IAM alone is denied."""
    findings: list[str] = []
    variable = module.variables.get("lake_formation")
    if variable is None or variable.get("default") is not False or "bool" not in str(variable.get("type")):
        return ["no variable lake_formation (bool, default false)"]
    grants = module.locals.get("lake_formation_grants")
    if not isinstance(grants, dict):
        return ["no local.lake_formation_grants"]
    for (role, layer), (db_needed, table_needed) in LAKE_FORMATION_NEEDS.items():
        entry = next((g for g in grants.values() if g.get("role") == role and g.get("database") == layer), None)
        if entry is None:
            findings.append(f"no Lake Formation grant for the {role} role on the {layer} database")
            continue
        for kind, needed in (("database_permissions", db_needed), ("table_permissions", table_needed)):
            missing = needed - set(_as_list(entry.get(kind)))
            if missing:
                findings.append(f"{role} on {layer}: {kind} lacks {sorted(missing)}")
    applied = {"database": False, "table": False}
    for name, body in module.of_type("aws_lakeformation_permissions").items():
        gated = _refers(body.get("for_each"), "var.lake_formation") and _refers(body.get("for_each"), "local.lake_formation_grants")
        for kind in applied:
            blocks = _blocks(body, kind)
            if gated and blocks and (kind == "database" or blocks[0].get("wildcard") is True):
                applied[kind] = True
    for kind, ok in applied.items():
        if not ok:
            findings.append(f"no aws_lakeformation_permissions for each grant's {kind if kind == 'database' else 'tables (wildcard)'}, gated by var.lake_formation")
    roles_with_access = set()
    for body in module.of_type("aws_iam_role_policy").values():
        doc = module.data.get(("aws_iam_policy_document", _policy_document_name(body.get("policy")) or ""), {})
        if any("lakeformation:GetDataAccess" in _as_list(st.get("actions")) for st in _blocks(doc, "statement")):
            if _refers(body.get("for_each"), "var.lake_formation"):
                roles_with_access |= {r for r in ("glue_bronze", "dbt") if _refers(body.get("for_each"), f"aws_iam_role.{r}")}
    for role in ("glue_bronze", "dbt"):
        if role not in roles_with_access:
            findings.append(f"aws_iam_role.{role} may not call lakeformation:GetDataAccess when var.lake_formation is on")
    return findings


def check_glue_databases(module: Module) -> list[str]:
    """The exact database names other code uses."""
    expected = {"bronze": "oakvale_bronze", "silver": "oakvale_silver", "gold": "oakvale_gold"}
    findings: list[str] = []
    databases = module.of_type("aws_glue_catalog_database")
    for layer, name in expected.items():
        body = databases.get(layer)
        if body is None:
            findings.append(f"no aws_glue_catalog_database.{layer}")
            continue
        resolved = resolve(module, str(body.get("name")))
        if resolved != name:
            findings.append(f"aws_glue_catalog_database.{layer} is named {resolved!r}, expected {name!r}")
    return findings


def skip_comments(module: Module) -> list[tuple[str, str, str]]:
    """(file, check id, reason) of every `#checkov:skip=` suppression."""
    found = []
    for file_name, text in module.files.items():
        for match in re.finditer(r"#\s*checkov:skip=([A-Z0-9_]+)(?::(.*))?", text):
            found.append((file_name, match.group(1), (match.group(2) or "").strip()))
    return found


ALL_CHECKS = (
    check_buckets,
    check_lifecycle,
    check_encryption_at_rest,
    check_bronze_job,
    check_iam_least_privilege,
    check_roles,
    check_athena_workgroup,
    check_state_machine,
    check_glue_databases,
    check_policies_before_use,
    check_lambda_concurrency_default,
    check_retries_in_one_place,
    check_glue_log_groups,
    check_glue_default_database,
    check_lake_formation,
)
