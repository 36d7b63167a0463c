"""Check infra/*.tf against the AWS provider's schema, offline: a `terraform validate` stand-in.

`terraform validate` needs the AWS provider from the Terraform registry, which this machine cannot
reach. The prebuilt CDKTF bindings of the provider (npm `@cdktf/provider-aws`, generated from the
provider's schema; 21.22.1 = hashicorp/aws 6.25.0) carry the same schema as code: for every resource
and data source, `lib/<name>/index.js` maps each argument and nested block to its Terraform name, and
`lib/<name>/index.d.ts` marks which are required. This script reads those into a schema and reports

- a resource or data source type the provider does not have,
- an argument or block the type (or the enclosing block) does not have,
- a required argument or block that is missing.

What it cannot see: value types, conflicting arguments, and anything decided at plan or apply time.

    python infra/checks/provider_schema.py --provider-lib DIR [--infra infra]
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hcl2

HCL_OPTIONS = hcl2.SerializationOptions(strip_string_quotes=True, explicit_blocks=False, with_comments=False)
META_ARGUMENTS = {"count", "for_each", "depends_on", "provider", "lifecycle", "provisioner", "connection"}


@dataclass
class Block:
    """Arguments and nested blocks of a resource, data source or block: Terraform name -> nested Block or None."""

    fields: dict[str, Block | None] = field(default_factory=dict)
    required: set[str] = field(default_factory=set)
    maps: set[str] = field(default_factory=set)  # map-typed arguments, written as `x = { ... }`


FUNCTION = re.compile(r"^function (\w+)ToTerraform\(struct\) \{\n(.*?)\n\}$", re.S | re.M)
SYNTH = re.compile(r"synthesizeAttributes\(\) \{\n\s+return \{\n(.*?)\n\s+\};", re.S)
ENTRY = re.compile(r"^\s+(\w+): (.*?)\((?:struct|this)\.(_?\w+)(?:\.internalValue)?\),?$", re.M)
TYPE_NAME = re.compile(r'^(\w+)\.tfResourceType = "(\w+)";', re.M)
INTERFACE = re.compile(r"export interface (\w+) (?:extends [\w.]+ )?\{\n(.*?)\n\}", re.S)
OPTIONAL = re.compile(r"^\s+readonly (\w+)(\??): ", re.M)


def _entries(body: str) -> dict[str, tuple[str, str]]:
    """Terraform name -> (converter expression, camelCase property)."""
    return {m.group(1): (m.group(2), m.group(3).lstrip("_")) for m in ENTRY.finditer(body)}


def load_type(index_js: str, index_dts: str) -> tuple[str, Block] | None:
    type_match = TYPE_NAME.search(index_js)
    synth = SYNTH.search(index_js)
    if not type_match or not synth:
        return None
    functions = {m.group(1): m.group(2) for m in FUNCTION.finditer(index_js)}
    interfaces = {m.group(1): dict((p, o == "") for p, o in OPTIONAL.findall(m.group(2))) for m in INTERFACE.finditer(index_dts)}
    built: dict[str, Block] = {}

    def block(entries: dict[str, tuple[str, str]], interface: dict[str, bool]) -> Block:
        result = Block()
        for tf_name, (converter, camel) in entries.items():
            nested = re.search(r"\b(\w+)ToTerraform\b", converter.replace("cdktf.", "cdktf_"))
            if nested and nested.group(1) in functions:
                name = nested.group(1)
                if name not in built:
                    built[name] = Block()  # placeholder: recursion guard
                    built[name] = block(_entries(functions[name]), interfaces.get(name[0].upper() + name[1:], {}))
                result.fields[tf_name] = built[name]
            else:
                result.fields[tf_name] = None
                if "hashMapper" in converter:
                    result.maps.add(tf_name)
            if interface.get(camel):
                result.required.add(tf_name)
        return result

    config = interfaces.get(f"{type_match.group(1)}Config", {})
    return type_match.group(2), block(_entries(synth.group(1)), config)


def load_schema(provider_lib: Path, wanted: set[str] | None = None) -> dict[str, Block]:
    """Resource and data source types (data sources keyed as `data.<type>`) found under provider_lib."""
    schema: dict[str, Block] = {}
    for index_js in sorted(provider_lib.glob("*/index.js")):
        prefix = "data." if index_js.parent.name.startswith("data-aws-") else ""
        guess = ("aws_" + index_js.parent.name.removeprefix("data-aws-").replace("-", "_")) if prefix else "aws_" + index_js.parent.name.replace("-", "_")
        if wanted is not None and prefix + guess not in wanted:
            continue
        dts = index_js.with_name("index.d.ts")
        loaded = load_type(index_js.read_text(), dts.read_text() if dts.is_file() else "")
        if loaded:
            schema[prefix + loaded[0]] = loaded[1]
    return schema


def _check(where: str, body: dict[str, Any], schema: Block, findings: list[str]) -> None:
    for key, value in body.items():
        if key in META_ARGUMENTS:
            continue
        if key not in schema.fields:
            findings.append(f"{where}: unsupported argument or block {key!r}")
            continue
        nested = schema.fields[key]
        if nested is not None and key not in schema.maps:
            blocks = value if isinstance(value, list) else [value]
            for item in blocks:
                if isinstance(item, dict):
                    _check(f"{where}.{key}", item, nested, findings)
    dynamic = {d for entry in body.get("dynamic", []) for d in (entry if isinstance(entry, dict) else {})}
    for key in sorted(schema.required - set(body) - dynamic):
        findings.append(f"{where}: missing required argument or block {key!r}")


def blocks_of(infra: Path) -> list[tuple[str, str, str, dict[str, Any]]]:
    """(kind, type, name, body) of every resource and data block in infra/*.tf."""
    found = []
    for path in sorted(infra.glob("*.tf")):
        parsed = hcl2.loads(path.read_text(), serialization_options=HCL_OPTIONS)
        for kind in ("resource", "data"):
            for entry in parsed.get(kind, []):
                for rtype, named in entry.items():
                    for name, body in named.items():
                        found.append((kind, rtype, name, body))
    return found


def validate(infra: Path, schema: dict[str, Block]) -> list[str]:
    findings: list[str] = []
    for kind, rtype, name, body in blocks_of(infra):
        key = f"data.{rtype}" if kind == "data" else rtype
        where = f"{key}.{name}"
        if key not in schema:
            findings.append(f"{where}: the provider has no {kind} type {rtype!r}")
            continue
        _check(where, body, schema[key], findings)
    return findings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--provider-lib", type=Path, required=True, help="lib/ of @cdktf/provider-aws")
    parser.add_argument("--infra", type=Path, default=Path(__file__).resolve().parents[1])
    args = parser.parse_args(argv)
    wanted = {(f"data.{t}" if k == "data" else t) for k, t, _, _ in blocks_of(args.infra)}
    schema = load_schema(args.provider_lib, wanted)
    findings = validate(args.infra, schema)
    for finding in findings:
        print(finding)
    print(f"provider schema check: {len(wanted)} types, {len(findings)} problem(s)")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
