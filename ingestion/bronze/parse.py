"""Raw NDJSON lines -> bronze rows and reject rows: the parse kernel every Spark task runs.

Spark reads the raw files as text and hands each task's lines to this kernel as Arrow batches
(`mapInArrow`); DuckDB parses them, vectorized, once per line. A line becomes a row when it is one
JSON object: each source field keeps the text that arrived (strings unquoted; numbers, booleans,
arrays and objects as compact JSON), unknown keys go to `_rescued_data` as a JSON object of strings,
and a key given twice keeps its last value (as Spark, Python and JavaScript read JSON). Any other
non-blank line becomes a reject with its raw text and a reason.
Pure Arrow in, Arrow out: tested without Spark.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import unquote

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ingestion.bronze.schema import DatasetSpec

# Reasons a line is quarantined, in the order they are checked.
MALFORMED_JSON = "malformed_json"
NOT_A_JSON_OBJECT = "not_a_json_object"
INVALID_UTF8 = "invalid_utf8"  # the line's bytes are not UTF-8: kept in _raw_bytes, never in a string column
REJECT_REASONS = (MALFORMED_JSON, NOT_A_JSON_OBJECT, INVALID_UTF8)
BOM = "\ufeff"
_BLANK, _ROW = -1, 0  # blank lines are not records: neither a row nor a reject

_INGEST_DATE = re.compile(r"ingest_date=(\d{4}-\d{2}-\d{2})")


@dataclass(frozen=True)
class BatchStamp:
    """What every row of one batch carries."""

    batch_id: str
    ingested_at: datetime  # UTC
    fallback_ingest_date: str  # YYYY-MM-DD, for raw files outside an ingest_date= folder


@dataclass
class ParsedLines:
    rows: pa.Table  # spec.data_schema()
    rejects: pa.Table  # DatasetSpec.rejects_schema()


def _sql_list(values: tuple[str, ...]) -> str:
    return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def _kernel_sql(spec: DatasetSpec) -> str:
    """One row out per line in, in the same order: what DuckDB can tell about each line."""
    fields_as_text = json.dumps({f: "VARCHAR" for f in spec.fields})
    # A CASE branch runs only for the rows that reach it: a malformed line is never parsed further.
    return f"""
with
checked as (
    select
        value,
        case when starts_with(value, '{{') then false else trim(value) = '' end as is_blank,
        json_valid(value) as is_json
    from lines
),
kinded as (
    select
        *,
        case
            when not is_json then false
            when starts_with(value, '{{') then true
            else json_type(value) = 'OBJECT'
        end as is_object
    from checked
)
select
    is_blank,
    is_json,
    is_object,
    -- keys exactly as the schema lists them (most lines): nothing unknown or repeated to look at
    case when is_object then nullif(json_keys(value), {_sql_list(spec.fields)}) end as keys,
    case when is_object then json_transform(value, '{fields_as_text}') end as record
from kinded
"""


def _rescue_sql(spec: DatasetSpec) -> str:
    known = _sql_list(spec.fields)
    return f"""
select map_from_entries(list_filter(
    map_entries(json_transform(value, '"MAP(VARCHAR, VARCHAR)"')),
    entry -> not list_contains({known}, entry.key)
))::json::varchar as rescued
from lines
"""


@dataclass
class _Decoded:
    text: pa.ChunkedArray  # each line as text (an invalid line decoded with U+FFFD, for reading only)
    raw_bytes: pa.Array  # the exact bytes of the invalid lines, null elsewhere
    invalid: np.ndarray  # bool per line: not valid UTF-8


def _decode(value: pa.ChunkedArray) -> _Decoded:
    """Lines as text. Spark hands over bytes (it does not check UTF-8); one cast checks a whole batch,
    and only a batch that fails it is looked at line by line."""
    n = len(value)
    no_bytes = pa.nulls(n, pa.binary())
    if pa.types.is_string(value.type) or pa.types.is_large_string(value.type):
        return _Decoded(value, no_bytes, np.zeros(n, dtype=bool))
    try:
        return _Decoded(value.cast(pa.string()), no_bytes, np.zeros(n, dtype=bool))
    except pa.ArrowInvalid:
        pass
    raw = value.to_pylist()
    invalid = np.zeros(n, dtype=bool)
    text = []
    for i, line in enumerate(raw):
        try:
            text.append(None if line is None else line.decode("utf-8"))
        except UnicodeDecodeError:
            invalid[i] = True
            text.append(line.decode("utf-8", errors="replace"))
    kept = pa.array([line if bad else None for line, bad in zip(raw, invalid)], pa.binary())
    return _Decoded(pa.chunked_array([pa.array(text, pa.string())]), kept, invalid)


def _without_bom(text: pa.ChunkedArray) -> pa.ChunkedArray:
    """A byte-order mark opens some files saved by Windows tools: not part of the first record."""
    if not pc.any(pc.starts_with(text, BOM)).as_py():
        return text
    return pc.replace_substring_regex(text, pattern="^" + BOM, replacement="")


def _as_text(value) -> str | None:
    """A JSON value as bronze keeps it: strings as they are, anything else as compact JSON."""
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _rows_with(keys: pa.ListArray, known: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the rows that have an unknown key, and of the rows that repeat a key."""
    flat = pc.list_flatten(keys)
    if len(flat) == 0:
        return np.array([], np.int64), np.array([], np.int64)
    parents = pc.list_parent_indices(keys).to_numpy().astype(np.int64)
    unknown = parents[pc.invert(pc.is_in(flat, value_set=pa.array(known, pa.string()))).to_numpy(zero_copy_only=False)]
    # A key repeated in a row is a repeated (row, key code) pair.
    codes = pc.dictionary_encode(flat)
    pairs = parents * len(codes.dictionary) + codes.indices.to_numpy().astype(np.int64)
    if len(keys) * len(codes.dictionary) <= 50_000_000:
        counts = np.bincount(pairs)
        repeated = np.flatnonzero(counts > 1) // len(codes.dictionary)
    else:  # many distinct keys in one batch: sort instead of counting
        values, counts = np.unique(pairs, return_counts=True)
        repeated = values[counts > 1] // len(codes.dictionary)
    return np.unique(unknown), np.unique(repeated)


@dataclass
class _Sources:
    paths: list[str]  # the batch's distinct files, as plain paths
    path_index: np.ndarray  # each line's index into paths
    source_file: pa.Array  # each line's plain path
    ingest_date: pa.Array  # each line's ingest date


def _ingest_date(path: str, fallback_date: str) -> date:
    """The raw folder's `ingest_date=`, or the batch's date for a file outside one."""
    found = _INGEST_DATE.search(path)
    return date.fromisoformat(found.group(1) if found else fallback_date)


def _sources(source_file: pa.ChunkedArray | pa.Array, fallback_date: str) -> _Sources:
    """Plain path and ingest date of each line's file, worked out once per distinct file."""
    encoded = pc.dictionary_encode(source_file)
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    paths, dates = [], []
    for uri in encoded.dictionary.to_pylist():
        # Spark names local files as URL-encoded file: URIs; keep the plain path of the listing.
        path = unquote(re.sub(r"^file:(//)?", "", uri))
        paths.append(path)
        dates.append(_ingest_date(path, fallback_date))
    indices = encoded.indices
    return _Sources(
        paths=paths,
        path_index=indices.to_numpy(zero_copy_only=False),
        source_file=pc.take(pa.array(paths, pa.string()), indices),
        ingest_date=pc.take(pa.array(dates, pa.date32()), indices),
    )


class _LineNumbers:
    """Numbers each raw line within its file, across the batches of one Spark task.

    A task reads each of its file parts from its first line to its last, in order, and batches keep
    that order, so a file's lines arrive as consecutive runs. A part that starts past byte 0 (Spark
    split a large uncompressed file) has no known first line: its lines get no number.
    """

    def __init__(self) -> None:
        self._seen: dict[str, int] = {}  # path -> lines numbered so far

    def number(self, paths: list[str], path_index: np.ndarray, block_start: np.ndarray) -> pa.Array:
        n = len(path_index)
        numbers = np.zeros(n, dtype=np.int64)
        known = np.ones(n, dtype=bool)
        boundaries = np.flatnonzero((path_index[1:] != path_index[:-1]) | (block_start[1:] != block_start[:-1])) + 1
        for start, end in zip([0, *boundaries.tolist()], [*boundaries.tolist(), n]):
            if block_start[start] != 0:
                known[start:end] = False
                continue
            path = paths[path_index[start]]
            first = self._seen.get(path, 0)
            numbers[start:end] = np.arange(first + 1, first + 1 + end - start)
            self._seen[path] = first + end - start
        return pa.array(numbers, pa.int64(), mask=~known)


class LineParser:
    """Parses batches of raw lines of one dataset and batch.

    One DuckDB connection with one thread: Spark already runs one task per core.
    """

    def __init__(self, spec: DatasetSpec, stamp: BatchStamp):
        self.spec = spec
        self.stamp = stamp
        self._kernel = _kernel_sql(spec)
        self._rescue = _rescue_sql(spec)
        self._con = duckdb.connect(config={"threads": 1})
        self._line_numbers = _LineNumbers()
        self._ingested_at = pa.scalar(stamp.ingested_at, pa.timestamp("us", tz="UTC"))

    def _query(self, sql: str, lines: pa.Table) -> pa.Table:
        self._con.register("lines", lines)
        try:
            return self._con.execute(sql).to_arrow_table()
        finally:
            self._con.unregister("lines")

    def parse(self, batch: pa.RecordBatch | pa.Table) -> ParsedLines:
        lines = pa.Table.from_batches([batch]) if isinstance(batch, pa.RecordBatch) else batch
        if lines.num_rows == 0:
            return ParsedLines(self.spec.data_schema().empty_table(), self.spec.rejects_schema().empty_table())
        decoded = _decode(lines.column("value"))
        value = _without_bom(decoded.text)
        facts = self._query(self._kernel, pa.table({"value": value})).combine_chunks()
        if facts.num_rows != lines.num_rows:
            raise AssertionError("the parse kernel must return one row per line, in order")
        outcome = self._outcome(facts)
        unknown, repeated = _rows_with(facts.column("keys").chunk(0), self.spec.fields)
        record = facts.column("record").chunk(0)
        fields = {f: record.field(f) for f in self.spec.fields}
        rescued = self._rescued(value, np.setdiff1d(unknown, repeated), lines.num_rows)
        if len(repeated):
            fields, rescued = self._last_value_wins(value, repeated, fields, rescued, outcome)
        outcome[decoded.invalid] = 1 + REJECT_REASONS.index(INVALID_UTF8)
        is_row, is_reject = outcome == _ROW, outcome > _ROW

        found = _sources(lines.column("_source_file"), self.stamp.fallback_ingest_date)
        # Lines without a _block_start (tests, small inputs) come from whole files.
        block_start = (
            lines.column("_block_start").to_numpy() if "_block_start" in lines.column_names else np.zeros(lines.num_rows, np.int64)
        )
        source = {
            "_source_file": found.source_file,
            "_source_line": self._line_numbers.number(found.paths, found.path_index, block_start),
            "_ingest_date": found.ingest_date,
        }
        rows = pa.table({**fields, "_rescued_data": rescued, **source})
        no_detail = pa.nulls(lines.num_rows, pa.string())
        rejects = pa.table(
            {
                "_raw_line": decoded.text,
                **source,
                "_reject_detail": no_detail,
                "_raw_bytes": decoded.raw_bytes,
                "_file_size": pa.nulls(lines.num_rows, pa.int64()),
            }
        )
        rejects = rejects.filter(pa.array(is_reject))
        reasons = pa.array(np.array(REJECT_REASONS)[outcome[is_reject] - 1], pa.string())
        return ParsedLines(
            rows=self._conform(rows.filter(pa.array(is_row)), self.spec.data_schema()),
            rejects=self._conform(rejects.append_column("_reject_reason", reasons), self.spec.rejects_schema()),
        )

    @staticmethod
    def _outcome(facts: pa.Table) -> np.ndarray:
        """Each line's outcome: _BLANK, _ROW, or 1 + the index of its reason in REJECT_REASONS."""
        is_json = facts.column("is_json").to_numpy(zero_copy_only=False)
        is_object = facts.column("is_object").to_numpy(zero_copy_only=False)
        outcome = np.full(facts.num_rows, _ROW, dtype=np.int8)
        outcome[~is_json] = 1 + REJECT_REASONS.index(MALFORMED_JSON)
        outcome[is_json & ~is_object] = 1 + REJECT_REASONS.index(NOT_A_JSON_OBJECT)
        outcome[facts.column("is_blank").to_numpy(zero_copy_only=False)] = _BLANK
        return outcome

    def _rescued(self, value: pa.ChunkedArray, rows: np.ndarray, n: int) -> pa.Array:
        """`_rescued_data` for the few rows with unknown keys; null elsewhere."""
        rescued = np.full(n, None, dtype=object)
        if len(rows):
            found = self._query(self._rescue, pa.table({"value": pc.take(value, pa.array(rows))}))
            rescued[rows] = found.column("rescued").to_numpy(zero_copy_only=False)
        return pa.array(rescued, pa.string())

    def _last_value_wins(self, value, repeated, fields, rescued, outcome):
        """Rows that give a key twice, re-read in Python (rare): DuckDB keeps a key's first value."""
        columns = {f: a.to_pylist() for f, a in fields.items()}
        rescued_values = rescued.to_pylist()
        for row in repeated.tolist():
            try:
                doc = json.loads(value[row].as_py())
            except ValueError:  # DuckDB's reader is more lenient (trailing commas): keep it strict here
                outcome[row] = 1 + REJECT_REASONS.index(MALFORMED_JSON)
                continue
            for f in self.spec.fields:
                columns[f][row] = _as_text(doc.get(f))
            extra = {k: _as_text(v) for k, v in doc.items() if k not in self.spec.fields}
            rescued_values[row] = json.dumps(extra, separators=(",", ":"), ensure_ascii=False) if extra else None
        return {f: pa.array(v, pa.string()) for f, v in columns.items()}, pa.array(rescued_values, pa.string())

    def _conform(self, table: pa.Table, schema: pa.Schema) -> pa.Table:
        n = table.num_rows  # batch-wide values are repeated, not computed per row
        columns = []
        for field in schema:
            if field.name == "_ingested_at":
                columns.append(pa.repeat(self._ingested_at, n))
            elif field.name == "_batch_id":
                columns.append(pa.repeat(pa.scalar(self.stamp.batch_id, field.type), n))
            else:
                columns.append(table.column(field.name).cast(field.type))
        return pa.Table.from_arrays(columns, schema=schema)

    def close(self) -> None:
        self._con.close()

    def __enter__(self) -> LineParser:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()


def file_rejects(files: list[tuple[str, int, str, str]], spec: DatasetSpec, stamp: BatchStamp) -> pa.Table:
    """One reject row per quarantined file (uri, size, reason, detail): no line, no line number."""
    n = len(files)
    dates = []
    for uri, *_ in files:
        dates.append(_ingest_date(uri, stamp.fallback_ingest_date))
    columns = {
        "_raw_line": pa.nulls(n, pa.string()),
        "_reject_reason": pa.array([reason for _, _, reason, _ in files], pa.string()),
        "_source_file": pa.array([uri for uri, *_ in files], pa.string()),
        "_source_line": pa.nulls(n, pa.int64()),
        "_ingest_date": pa.array(dates, pa.date32()),
        "_ingested_at": pa.repeat(pa.scalar(stamp.ingested_at, pa.timestamp("us", tz="UTC")), n),
        "_batch_id": pa.repeat(pa.scalar(stamp.batch_id, pa.string()), n),
        "_reject_detail": pa.array([detail for *_, detail in files], pa.string()),
        "_raw_bytes": pa.nulls(n, pa.binary()),
        "_file_size": pa.array([size for _, size, _, _ in files], pa.int64()),
    }
    schema = spec.rejects_schema()
    return pa.Table.from_arrays([columns[f.name] for f in schema], schema=schema)


def parse_lines(lines: pa.Table, spec: DatasetSpec, stamp: BatchStamp) -> ParsedLines:
    """One-shot form of LineParser, for tests and small inputs."""
    with LineParser(spec, stamp) as parser:
        return parser.parse(lines)
