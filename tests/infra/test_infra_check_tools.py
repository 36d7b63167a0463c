"""infra/checks/render_iam_policies.py: every role policy renders, with every reference given an example."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SPEC = importlib.util.spec_from_file_location("render_iam_policies", REPO / "infra" / "checks" / "render_iam_policies.py")
render_iam = importlib.util.module_from_spec(SPEC)
sys.modules.setdefault("render_iam_policies", render_iam)
SPEC.loader.exec_module(render_iam)


def test_every_role_policy_renders_to_json_with_example_arns(tmp_path: Path) -> None:
    assert render_iam.main(["--out", str(tmp_path)]) == 0
    rendered = {p.stem: json.loads(p.read_text()) for p in tmp_path.glob("*.json")}
    assert set(rendered) == {"generator", "glue_bronze", "dbt", "pipeline", "scheduler", "lake_formation"}
    for name, policy in rendered.items():
        text = json.dumps(policy)
        assert "${" not in text, f"{name}: unrendered reference"
        for statement in policy["Statement"]:
            assert statement["Action"] and statement["Resource"], (name, statement)
    generator = {s["Sid"]: s for s in rendered["generator"]["Statement"]}
    assert generator["WriteRawFiles"]["Resource"] == ["arn:aws:s3:::oakvale-dev-raw-123456789012/raw/*"]
    assert generator["UseKey"]["Action"] == ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"]


def test_a_reference_without_an_example_fails() -> None:
    with pytest.raises(KeyError, match="no example value"):
        render_iam.render_value("${aws_dynamodb_table.locks.arn}")
