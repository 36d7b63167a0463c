"""infra/checks/provider_schema.py: the `terraform validate` stand-in reports what it should.

A tiny provider library in the generated CDKTF format stands in for @cdktf/provider-aws, so the checker
is tested without npm; the real module is checked against the real bindings by `make infra-check`
(and here too when they were already fetched into .venv-infra-tools).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SPEC = importlib.util.spec_from_file_location("provider_schema", REPO / "infra" / "checks" / "provider_schema.py")
provider_schema = importlib.util.module_from_spec(SPEC)
sys.modules.setdefault("provider_schema", provider_schema)  # dataclasses look their module up there
SPEC.loader.exec_module(provider_schema)

# The shape of a generated lib/<name>/index.js and index.d.ts (cdktf 0.21), reduced to one resource.
QUEUE_JS = '''"use strict";
function sqsQueueRedriveToTerraform(struct) {
    if (!cdktf.canInspect(struct) || cdktf.Tokenization.isResolvable(struct)) {
        return struct;
    }
    return {
        max_receive_count: cdktf.numberToTerraform(struct.maxReceiveCount),
        target_arn: cdktf.stringToTerraform(struct.targetArn),
    };
}
class SqsQueue extends cdktf.TerraformResource {
    synthesizeAttributes() {
        return {
            name: cdktf.stringToTerraform(this._name),
            kms_key_id: cdktf.stringToTerraform(this._kmsKeyId),
            tags: cdktf.hashMapper(cdktf.stringToTerraform)(this._tags),
            redrive: cdktf.listMapper(sqsQueueRedriveToTerraform, true)(this._redrive.internalValue),
        };
    }
}
SqsQueue.tfResourceType = "aws_sqs_queue";
'''
QUEUE_DTS = '''export interface SqsQueueConfig extends cdktf.TerraformMetaArguments {
    readonly name: string;
    readonly kmsKeyId?: string;
    readonly tags?: {
        [key: string]: string;
    };
    readonly redrive?: SqsQueueRedrive[] | cdktf.IResolvable;
}
export interface SqsQueueRedrive {
    readonly maxReceiveCount: number;
    readonly targetArn?: string;
}
'''


@pytest.fixture
def provider_lib(tmp_path: Path) -> Path:
    lib = tmp_path / "lib" / "sqs-queue"
    lib.mkdir(parents=True)
    (lib / "index.js").write_text(QUEUE_JS)
    (lib / "index.d.ts").write_text(QUEUE_DTS)
    return tmp_path / "lib"


def check(tmp_path: Path, provider_lib: Path, hcl: str) -> list[str]:
    infra = tmp_path / "infra"
    infra.mkdir(exist_ok=True)
    (infra / "main.tf").write_text(hcl)
    return provider_schema.validate(infra, provider_schema.load_schema(provider_lib))


def test_schema_is_read_from_the_generated_code(provider_lib: Path) -> None:
    schema = provider_schema.load_schema(provider_lib)["aws_sqs_queue"]
    assert set(schema.fields) == {"name", "kms_key_id", "tags", "redrive"}
    assert schema.required == {"name"} and schema.maps == {"tags"}
    assert schema.fields["redrive"].required == {"max_receive_count"}


def test_a_valid_block_passes(tmp_path: Path, provider_lib: Path) -> None:
    hcl = 'resource "aws_sqs_queue" "q" {\n  for_each = toset(["a"])\n  name = "q"\n  tags = { a = "b" }\n  redrive {\n    max_receive_count = 3\n  }\n}\n'
    assert check(tmp_path, provider_lib, hcl) == []


@pytest.mark.parametrize(
    "hcl,expected",
    [
        ('resource "aws_sqs_queue" "q" {\n  name = "q"\n  kms_key = "k"\n}\n', "unsupported argument or block 'kms_key'"),
        ('resource "aws_sqs_queue" "q" {\n  kms_key_id = "k"\n}\n', "missing required argument or block 'name'"),
        ('resource "aws_sqs_queue" "q" {\n  name = "q"\n  redrive {\n    target = "x"\n  }\n}\n', "aws_sqs_queue.q.redrive: unsupported argument or block 'target'"),
        ('resource "aws_sqs_queue" "q" {\n  name = "q"\n  redrive {\n    target_arn = "x"\n  }\n}\n', "aws_sqs_queue.q.redrive: missing required argument or block 'max_receive_count'"),
        ('resource "aws_sqs_queues" "q" {\n  name = "q"\n}\n', "the provider has no resource type 'aws_sqs_queues'"),
    ],
)
def test_mistakes_are_reported(tmp_path: Path, provider_lib: Path, hcl: str, expected: str) -> None:
    findings = check(tmp_path, provider_lib, hcl)
    assert any(expected in f for f in findings), findings


REAL_LIB = REPO / ".venv-infra-tools" / "provider-aws" / "package" / "lib"


@pytest.mark.skipif(not REAL_LIB.is_dir(), reason="provider bindings not fetched (make infra-schema)")
def test_module_matches_the_real_provider_schema() -> None:
    infra = REPO / "infra"
    wanted = {(f"data.{t}" if k == "data" else t) for k, t, _, _ in provider_schema.blocks_of(infra)}
    assert provider_schema.validate(infra, provider_schema.load_schema(REAL_LIB, wanted)) == []
