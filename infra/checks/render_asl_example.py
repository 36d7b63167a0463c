"""Render infra/templates/pipeline.asl.json with example values, as templatefile() would, to stdout.

Used by `make infra-check` to validate the state machine definition with asl-validator offline.
Every placeholder must have an example value here, so a new template variable cannot go unchecked.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parents[1] / "templates" / "pipeline.asl.json"

EXAMPLE = {
    "partition": "aws",
    "generator_function_arn": "arn:aws:lambda:us-east-1:123456789012:function:oakvale-dev-generator",
    "bronze_job_name": "oakvale-dev-bronze",
    "dbt_project_name": "oakvale-dev-dbt",
    "alerts_topic_arn": "arn:aws:sns:us-east-1:123456789012:oakvale-dev-pipeline-alerts",
    "generator_seed": "42",
    "movies_per_day": "1000",
    "reviews_per_day": "20000",
}


def render(text: str, values: dict[str, str]) -> str:
    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise KeyError(f"template variable {name!r} has no example value in {__file__}")
        return values[name]

    return re.sub(r"(?<!\$)\$\{(\w+)\}", substitute, text)


def main() -> int:
    rendered = render(TEMPLATE.read_text(), EXAMPLE)
    json.loads(rendered)  # fails loudly on invalid JSON
    sys.stdout.write(rendered)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
