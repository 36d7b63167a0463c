"""Render the IAM policies of infra/*.tf as JSON with example ARNs, for an offline IAM linter (parliament).

Each `data "aws_iam_policy_document"` attached to a role with `aws_iam_role_policy` becomes
`<out>/<name>.json`. References become example values for account 123456789012 in us-east-1 with the
default names; a reference without an example fails, so a new one cannot slip past the linter.

    python infra/checks/render_iam_policies.py --out DIR [--infra infra]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

import hcl2

HCL_OPTIONS = hcl2.SerializationOptions(strip_string_quotes=True, explicit_blocks=False, with_comments=False)
ACCOUNT, REGION, NAME = "123456789012", "us-east-1", "oakvale-dev"
ARN = f"arn:aws:{{service}}:{REGION}:{ACCOUNT}:{{resource}}"

# reference (inside ${...}) -> example value
EXAMPLES: list[tuple[str, str | None]] = [
    (r'local\.bucket_arn\["([\w-]+)"\]', f"arn:aws:s3:::{NAME}-{{0}}-{ACCOUNT}"),
    (r"local\.partition", "aws"),
    (r"local\.region", REGION),
    (r"local\.account_id", ACCOUNT),
    (r'local\.glue_db_arn\["(\w+)"\]', ARN.format(service="glue", resource="database/oakvale_{0}")),
    (r'local\.glue_tables_arn\["(\w+)"\]', ARN.format(service="glue", resource="table/oakvale_{0}/*")),
    (r"local\.glue_catalog_arn", ARN.format(service="glue", resource="catalog")),
    (r"var\.glue_database_names\.(\w+)", "oakvale_{0}"),
    (r"aws_kms_key\.main\.arn", ARN.format(service="kms", resource="key/0b9c2c5e-1111-2222-3333-444455556666")),
    (r"aws_cloudwatch_log_group\.(\w+)\.arn", ARN.format(service="logs", resource=f"log-group:/aws/{NAME}-{{0}}")),
    (r"aws_athena_workgroup\.main\.arn", ARN.format(service="athena", resource=f"workgroup/{NAME}")),
    (r"aws_ecr_repository\.dbt_runner\.arn", ARN.format(service="ecr", resource=f"repository/{NAME}-dbt-runner")),
    (r"aws_lambda_function\.generator\.arn", ARN.format(service="lambda", resource=f"function:{NAME}-generator")),
    (r"aws_glue_job\.bronze\.arn", ARN.format(service="glue", resource=f"job/{NAME}-bronze")),
    (r"aws_codebuild_project\.dbt\.arn", ARN.format(service="codebuild", resource=f"project/{NAME}-dbt")),
    (r"aws_sns_topic\.alerts\.arn", ARN.format(service="sns", resource=f"{NAME}-pipeline-alerts")),
    (r"aws_sfn_state_machine\.pipeline\.arn", ARN.format(service="states", resource=f"stateMachine:{NAME}-pipeline")),
]


def example(reference: str) -> str:
    for pattern, value in EXAMPLES:
        match = re.fullmatch(pattern, reference.strip())
        if match and value is not None:
            return value.format(*match.groups())
    raise KeyError(f"no example value for ${{{reference}}}: add one to {__file__}")


def render_value(value: str) -> str:
    return re.sub(r"\$\{([^${}]+)\}", lambda m: example(m.group(1)), value)


def _list(value: Any, locals_: dict[str, Any]) -> list[str]:
    if isinstance(value, str):
        whole = re.fullmatch(r"\$\{local\.(\w+)\}", value)
        if whole and isinstance(locals_.get(whole.group(1)), list):
            return [render_value(v) for v in locals_[whole.group(1)]]
        return [render_value(value)]
    return [render_value(str(v)) for v in value or []]


def to_policy(document: dict[str, Any], locals_: dict[str, Any]) -> dict[str, Any]:
    statements = []
    for statement in document.get("statement", []):
        rendered: dict[str, Any] = {"Effect": statement.get("effect", "Allow")}
        if "sid" in statement:
            rendered["Sid"] = statement["sid"]
        rendered["Action"] = _list(statement.get("actions"), locals_)
        rendered["Resource"] = _list(statement.get("resources"), locals_)
        conditions: dict[str, dict[str, list[str]]] = {}
        for condition in statement.get("condition", []):
            conditions.setdefault(condition["test"], {})[condition["variable"]] = _list(condition["values"], locals_)
        if conditions:
            rendered["Condition"] = conditions
        statements.append(rendered)
    return {"Version": "2012-10-17", "Statement": statements}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--infra", type=Path, default=Path(__file__).resolve().parents[1])
    args = parser.parse_args(argv)
    documents: dict[str, dict[str, Any]] = {}
    locals_: dict[str, Any] = {}
    attached: set[str] = set()
    for path in sorted(args.infra.glob("*.tf")):
        parsed = hcl2.loads(path.read_text(), serialization_options=HCL_OPTIONS)
        for block in parsed.get("locals", []):
            locals_.update(block)
        for block in parsed.get("data", []):
            documents.update(block.get("aws_iam_policy_document", {}))
        for block in parsed.get("resource", []):
            for body in block.get("aws_iam_role_policy", {}).values():
                match = re.search(r"data\.aws_iam_policy_document\.(\w+)\.json", str(body.get("policy")))
                if match:
                    attached.add(match.group(1))
    args.out.mkdir(parents=True, exist_ok=True)
    for stale in args.out.glob("*.json"):
        stale.unlink()
    for name in sorted(attached):
        (args.out / f"{name}.json").write_text(json.dumps(to_policy(documents[name], locals_), indent=2))
    print(f"rendered {len(attached)} role policies into {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
