"""The few lines of Trino's client protocol the tests need (POST /v1/statement, follow nextUri).

No client library: the `trino` package is not in requirements.lock, and the protocol is plain JSON
over HTTP. Values come back as Trino's JSON encodes them (varchar, bigint, double, boolean, arrays as
JSON; timestamp, date and decimal as text), converted here for the types the corpus uses.
"""

from __future__ import annotations

import json
import time
import urllib.request
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal


class TrinoQueryError(RuntimeError):
    def __init__(self, error: dict, sql: str):
        self.error = error
        self.name = error.get("errorName", "")
        super().__init__(f"{self.name}: {error.get('message')}\n--- SQL:\n{sql}")


@dataclass
class Result:
    columns: list[str]
    types: list[str]
    rows: list[tuple]


def _convert(value: object, type_: str) -> object:
    if value is None:
        return None
    if type_ == "date":
        return date.fromisoformat(value)
    if type_.startswith("timestamp") and "with time zone" not in type_:
        text = value
        if "." in text:  # Python reads at most 6 fraction digits
            head, frac = text.split(".")
            text = f"{head}.{frac[:6]}"
        return datetime.fromisoformat(text)
    if type_.startswith("decimal"):
        return Decimal(value)
    if type_ in ("double", "real") and isinstance(value, str):  # NaN, Infinity
        return float(value)
    return value


@dataclass
class TrinoClient:
    url: str
    user: str = "oakvale"
    catalog: str | None = None
    schema: str | None = None
    timeout: float = 300

    def _request(self, method: str, url: str, body: bytes | None = None) -> dict:
        headers = {"X-Trino-User": self.user, "X-Trino-Time-Zone": "UTC"}
        if self.catalog:
            headers["X-Trino-Catalog"] = self.catalog
        if self.schema:
            headers["X-Trino-Schema"] = self.schema
        request = urllib.request.Request(url, data=body, method=method, headers=headers)
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            return json.load(response)

    def execute(self, sql: str) -> Result:
        """Run one statement to the end; raise TrinoQueryError with Trino's error name and message."""
        page = self._request("POST", f"{self.url}/v1/statement", sql.encode())
        columns: list[dict] | None = None
        data: list[list] = []
        deadline = time.monotonic() + self.timeout
        while True:
            if page.get("error"):
                raise TrinoQueryError(page["error"], sql)
            columns = columns or page.get("columns")
            data.extend(page.get("data") or [])
            next_uri = page.get("nextUri")
            if not next_uri:
                break
            if time.monotonic() > deadline:
                self._request("DELETE", next_uri)
                raise TimeoutError(f"query ran over {self.timeout} s:\n{sql}")
            page = self._request("GET", next_uri)
        names = [c["name"] for c in columns or []]
        types = [c["type"] for c in columns or []]
        rows = [tuple(_convert(v, t) for v, t in zip(row, types, strict=True)) for row in data]
        return Result(names, types, rows)

    def query(self, sql: str) -> list[tuple]:
        return self.execute(sql).rows
