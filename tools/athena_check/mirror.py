"""Mirror the catalog effects of Athena statements into moto's Glue, and record every statement.

moto accepts every Athena query and executes none. dbt-athena, however, reads Glue after its
statements (relation cache through GetTables, column lists through GetTable, table versions after
each model), so each statement that changes the catalog must change moto's Glue as Athena would:

    CREATE TABLE ... WITH (...) AS SELECT   a table (Iceberg or Hive) with the SELECT's columns
    CREATE EXTERNAL TABLE ... (cols)        a Hive table with the declared columns (seeds)
    CREATE [OR REPLACE] VIEW ... AS SELECT  a VIRTUAL_VIEW with the SELECT's columns
    ALTER TABLE a RENAME TO b               the Glue entry moves
    DROP TABLE|VIEW [IF EXISTS]             the Glue entry goes

Columns come from the statement: sqlglot qualifies the SELECT against the Glue tables it reads
(stars expanded) and annotates types; a type it cannot infer comes from the model's YAML
(``data_type``) through ``yaml_types``, else ``string``. MERGE, INSERT and SELECT change no catalog
entry (Iceberg snapshots are not modelled).

The mirror wraps ``moto.athena.models.AthenaBackend.start_query_execution`` in this process, which
is where ThreadedMotoServer runs its request handlers.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

_HEADER = re.compile(r"^\s*--\s*/\*\s*(\{.*?\})\s*\*/\s*\n?", re.DOTALL)


@dataclass
class QueryRecord:
    seq: int
    phase: str
    query: str  # as sent, query comment included
    node_id: str | None  # from dbt's query comment; None for ALTER/DROP, which dbt-athena sends bare
    execution_id: str
    context: dict | None
    workgroup: str | None
    effect: str = ""  # what the mirror did to Glue
    started: float = field(default_factory=time.time)

    @property
    def sql(self) -> str:
        """The statement without dbt's query comment."""
        return strip_header(self.query)


def strip_header(query: str) -> str:
    return _HEADER.sub("", query, count=1).strip()


def header_node_id(query: str) -> str | None:
    match = _HEADER.match(query)
    if not match:
        return None
    try:
        return json.loads(match.group(1)).get("node_id")
    except json.JSONDecodeError:
        return None


class AthenaMirror:
    """Records every Athena query moto receives and mirrors its catalog effect into Glue."""

    def __init__(self, glue_client_factory: Callable[[], object],
                 yaml_types: Callable[[str, str], dict[str, str]] | None = None):
        self._glue_factory = glue_client_factory
        self._glue = None
        self.yaml_types = yaml_types or (lambda database, table: {})
        self.records: list[QueryRecord] = []
        self.errors: list[str] = []
        self.type_sources: dict[str, int] = {"statement": 0, "yaml": 0, "default": 0}
        self.phase = ""
        self._lock = threading.Lock()
        self._original = None

    # ------------------------------------------------------------------ install / uninstall
    def install(self) -> "AthenaMirror":
        from moto.athena.models import AthenaBackend

        original = AthenaBackend.start_query_execution
        mirror = self

        def start_query_execution(backend, query, context, config, workgroup, execution_parameters):
            execution_id = original(backend, query, context, config, workgroup, execution_parameters)
            mirror.on_query(query, context, workgroup, execution_id)
            return execution_id

        self._original = original
        AthenaBackend.start_query_execution = start_query_execution
        return self

    def uninstall(self) -> None:
        if self._original is not None:
            from moto.athena.models import AthenaBackend

            AthenaBackend.start_query_execution = self._original
            self._original = None

    @contextlib.contextmanager
    def installed(self):
        """Installed for the duration of a block only (other tests in the same pytest process may
        use moto's Athena too)."""
        self.install()
        try:
            yield self
        finally:
            self.uninstall()

    @property
    def glue(self):
        if self._glue is None:
            self._glue = self._glue_factory()
        return self._glue

    # ------------------------------------------------------------------ per query
    def on_query(self, query: str, context, workgroup, execution_id: str) -> None:
        with self._lock:
            record = QueryRecord(
                seq=len(self.records), phase=self.phase, query=query, node_id=header_node_id(query),
                execution_id=execution_id, context=context if isinstance(context, dict) else None,
                workgroup=workgroup,
            )
            self.records.append(record)
            try:
                record.effect = self.mirror(record.sql, record.context)
            except Exception as error:  # noqa: BLE001 - reported, and the test fails on it
                self.errors.append(f"[{record.phase} #{record.seq} {record.node_id}] {type(error).__name__}: {error}\n"
                                   f"{record.sql[:400]}")
                record.effect = f"error: {error}"

    def mirror(self, sql: str, context: dict | None) -> str:
        try:
            statement = sqlglot.parse_one(sql, read="athena")
        except SqlglotError:
            if re.match(r"^\s*(create|alter|drop)\b", sql, re.IGNORECASE):
                raise
            return ""
        default_db = (context or {}).get("Database")
        if isinstance(statement, exp.Create) and (statement.args.get("kind") or "").upper() in ("TABLE", "VIEW"):
            return self._create(statement, default_db)
        if isinstance(statement, exp.Alter):
            renames = [a for a in statement.args.get("actions") or [] if isinstance(a, exp.AlterRename)]
            if renames:
                return self._rename(statement.this, renames[0].this, default_db)
            return ""
        if isinstance(statement, exp.Drop) and (statement.args.get("kind") or "").upper() in ("TABLE", "VIEW"):
            dropped = []
            for table in statement.args.get("tables") or [statement.this]:
                db, name = _db_name(table, default_db)
                try:
                    self.glue.delete_table(DatabaseName=db, Name=name)
                except self.glue.exceptions.EntityNotFoundException:
                    if not statement.args.get("exists"):
                        raise
                dropped.append(f"{db}.{name}")
            return f"drop {', '.join(dropped)}"
        return ""

    # ------------------------------------------------------------------ effects
    def _create(self, statement: exp.Create, default_db: str | None) -> str:
        kind = statement.args["kind"].upper()
        target = statement.this.this if isinstance(statement.this, exp.Schema) else statement.this
        db, name = _db_name(target, default_db)
        props = _properties(statement)
        select = statement.expression
        if isinstance(statement.this, exp.Schema):  # CREATE [EXTERNAL] TABLE t (col type, ...)
            columns = [
                {"Name": c.name, "Type": _glue_type(c.args["kind"])}
                for c in statement.this.expressions if isinstance(c, exp.ColumnDef)
            ]
        elif select is not None:
            columns = self._select_columns(select, db, name)
        else:
            raise ValueError(f"CREATE {kind} {db}.{name} has neither columns nor a query")

        if kind == "VIEW":
            table_input = {
                "Name": name,
                "TableType": "VIRTUAL_VIEW",
                "ViewOriginalText": select.sql(dialect="athena") if select is not None else "",
                "StorageDescriptor": {"Columns": columns, "Location": ""},
                "Parameters": {"presto_view": "true"},
            }
            replace = bool(statement.args.get("replace"))
            self._put_table(db, table_input, replace=replace)
            return f"view {db}.{name}"

        table_type = props.get("table_type", "hive").lower()
        location = props.get("location") or props.get("external_location") or ""
        parameters = {"EXTERNAL": "TRUE"}
        partition_keys: list[dict] = []
        if table_type == "iceberg":
            # Athena registers CTAS Iceberg tables with table_type=ICEBERG and a metadata pointer.
            parameters.update({"table_type": "ICEBERG", "metadata_location": f"{location}/metadata/00000-mirror.metadata.json"})
        else:
            parameters["classification"] = props.get("format", "parquet").lower()
            for part in props.get("partitioned_by", []):  # Hive CTAS moves partition columns last
                column = next((c for c in columns if c["Name"] == part), {"Name": part, "Type": "string"})
                columns = [c for c in columns if c["Name"] != part]
                partition_keys.append(column)
        table_input = {
            "Name": name,
            "TableType": "EXTERNAL_TABLE",
            "Parameters": parameters,
            "PartitionKeys": partition_keys,
            "StorageDescriptor": {"Columns": columns, "Location": location},
        }
        self._put_table(db, table_input, replace=False)
        return f"{table_type} table {db}.{name} at {location} ({len(columns)} columns)"

    def _put_table(self, db: str, table_input: dict, replace: bool) -> None:
        try:
            self.glue.create_table(DatabaseName=db, TableInput=table_input)
        except self.glue.exceptions.AlreadyExistsException:
            if not replace:
                raise
            self.glue.update_table(DatabaseName=db, TableInput=table_input)

    def _rename(self, source: exp.Table, target: exp.Table, default_db: str | None) -> str:
        src_db, src_name = _db_name(source, default_db)
        dst_db, dst_name = _db_name(target, src_db)
        table = self.glue.get_table(DatabaseName=src_db, Name=src_name)["Table"]
        keep = ("Description", "Owner", "Retention", "StorageDescriptor", "PartitionKeys", "ViewOriginalText",
                "ViewExpandedText", "TableType", "Parameters")
        table_input = {k: table[k] for k in keep if k in table}
        table_input["Name"] = dst_name
        self.glue.create_table(DatabaseName=dst_db, TableInput=table_input)
        self.glue.delete_table(DatabaseName=src_db, Name=src_name)
        return f"rename {src_db}.{src_name} -> {dst_db}.{dst_name}"

    # ------------------------------------------------------------------ columns of a SELECT
    def _select_columns(self, select: exp.Expr, db: str, name: str) -> list[dict]:
        from sqlglot.optimizer.annotate_types import annotate_types
        from sqlglot.optimizer.qualify import qualify

        schema = self._schema_for(select)
        qualified = qualify(select.copy(), schema=schema, dialect="athena", validate_qualify_columns=False,
                            quote_identifiers=False, identify=False)
        annotated = annotate_types(qualified, schema=schema, dialect="athena", expression_metadata=_type_rules())
        model_name = re.sub(r"(__dbt_tmp|__ha|__bkp)$", "", name)
        declared = self.yaml_types(db, model_name)
        columns = []
        for projection in annotated.selects:
            column = projection.alias_or_name
            if not column or column == "*":
                raise ValueError(f"cannot resolve the columns of {db}.{name}: projection {projection.sql()}")
            glue_type = _glue_type(projection.type)
            if glue_type:
                self.type_sources["statement"] += 1
            elif declared.get(column):
                glue_type = declared[column]
                self.type_sources["yaml"] += 1
            else:
                glue_type = "string"
                self.type_sources["default"] += 1
            columns.append({"Name": column, "Type": glue_type})
        return columns

    def _schema_for(self, select: exp.Expr) -> dict:
        """{catalog: {db: {table: {column: type}}}} for every table the SELECT reads that Glue knows."""
        schema: dict = {}
        for table in select.find_all(exp.Table):
            if not table.name or not table.db:
                continue
            try:
                glue_table = self.glue.get_table(DatabaseName=table.db, Name=table.name)["Table"]
            except self.glue.exceptions.EntityNotFoundException:
                continue
            columns = glue_table["StorageDescriptor"].get("Columns", []) + glue_table.get("PartitionKeys", [])
            mapping = {c["Name"]: exp.DataType.build(c["Type"], dialect="hive") for c in columns}
            for catalog in {table.catalog or "awsdatacatalog", "awsdatacatalog"}:
                schema.setdefault(catalog, {}).setdefault(table.db, {})[table.name] = mapping
        return schema


def _type_rules() -> dict:
    """sqlglot's athena typing rules, plus: TRY(x) has the type of x (sqlglot leaves it unknown)."""
    from sqlglot.dialects.athena import Athena

    rules = dict(Athena.EXPRESSION_METADATA)
    rules[exp.Try] = {"annotator": lambda self, e: self._annotate_by_args(e, "this")}
    return rules


def _db_name(table: exp.Table, default_db: str | None) -> tuple[str, str]:
    db = table.db or default_db
    if not db:
        raise ValueError(f"no database for {table.sql()}")
    return db, table.name


def _properties(statement: exp.Create) -> dict:
    props: dict = {}
    for prop in (statement.args.get("properties") or exp.Properties()).expressions:
        if isinstance(prop, exp.LocationProperty):
            props["location"] = prop.this.name
        elif isinstance(prop, exp.FileFormatProperty):
            props["format"] = prop.this.name
        elif isinstance(prop, exp.Property):
            key = prop.name.lower()
            value = prop.args.get("value")
            if isinstance(value, exp.Array):
                props[key] = [e.name for e in value.expressions]
            elif value is not None:
                props[key] = value.name if isinstance(value, exp.Literal) else value.sql()
    return props


_TIMESTAMP_PRECISION = re.compile(r"^timestamp\(\d+\)$")


def _glue_type(dtype: exp.DataType | None) -> str | None:
    """The type string Glue shows for a column Athena created (Hive spelling), None if unknown."""
    if dtype is None or dtype.this in (exp.DataType.Type.UNKNOWN, exp.DataType.Type.NULL):
        return None
    if any(d.this == exp.DataType.Type.UNKNOWN for d in dtype.find_all(exp.DataType)):
        return None
    text = dtype.sql(dialect="hive").lower()
    text = re.sub(r"timestamp\(\d+\)", "timestamp", text)
    return text.replace(" ", "")
