"""The offline checks over one AthenaSession: gate inputs, shadow inputs, the shadow build itself."""

from __future__ import annotations

import duckdb
from sqlglot import exp
from sqlglot.errors import SqlglotError

from tools.athena_check.gate import Statement, parse_athena
from tools.athena_check.session import HOOKS, AthenaSession
from tools.athena_check.shadow import ShadowBuild, ShadowNode, ShadowTest, compare_tables


def topological(manifest: dict, resource_types: tuple[str, ...] = ("seed", "model")) -> list[str]:
    """Seeds and models, parents first (ties broken by name, so the order is stable)."""
    nodes = {uid: n for uid, n in manifest["nodes"].items() if n["resource_type"] in resource_types}
    parents = {uid: [p for p in n.get("depends_on", {}).get("nodes", []) if p in nodes] for uid, n in nodes.items()}
    order: list[str] = []
    remaining = sorted(nodes)
    while remaining:
        ready = [uid for uid in remaining if all(p in order for p in parents[uid])]
        if not ready:
            raise ValueError(f"dependency cycle among {remaining}")
        order += ready
        remaining = [uid for uid in remaining if uid not in ready]
    return order


def gate_statements(session: AthenaSession, include_tests: bool = True) -> list[Statement]:
    """Every statement sent to Athena in the seed and run phases, then every compiled data test."""
    statements = [
        Statement(f"{c.record.phase} #{c.record.seq}", None if c.node == HOOKS else c.node, c.record.sql)
        for c in session.captured if c.record.phase in ("seed", "run1", "run2")
    ]
    if include_tests:
        statements += [Statement("compiled data test", uid, sql) for uid, sql in sorted(session.test_sql.items())]
    return statements


def node_sources(manifest: dict) -> dict[str, str]:
    return {uid: n["original_file_path"] for uid, n in manifest["nodes"].items() if n.get("original_file_path")}


def creating_statement(session: AthenaSession, uid: str, phase: str) -> str | None:
    """The CREATE TABLE AS that built node ``uid`` in ``phase`` (its final name, not a temp table)."""
    node = session.manifest["nodes"][uid]
    alias = node.get("alias") or node["name"]
    for item in session.statements(phase=phase, node=uid):
        try:
            trees = parse_athena(item.record.sql)
        except SqlglotError:
            continue
        for tree in trees:
            if isinstance(tree, exp.Create) and tree.expression is not None and tree.this.name == alias:
                return item.record.sql
    return None


def shadow_nodes(session: AthenaSession) -> list[ShadowNode]:
    nodes = []
    for uid in topological(session.manifest):
        node = session.manifest["nodes"][uid]
        phase = "seed" if node["resource_type"] == "seed" else "run1"
        sql = creating_statement(session, uid, phase)
        if sql is None:
            raise AssertionError(f"{uid}: no CREATE TABLE AS found in the {phase} statements")
        csv = session.project.project_dir / node["original_file_path"] if node["resource_type"] == "seed" else None
        nodes.append(ShadowNode(uid, node["schema"], node.get("alias") or node["name"], sql,
                                node["resource_type"], csv))
    return nodes


def shadow_tests(session: AthenaSession) -> list[ShadowTest]:
    tests = []
    for uid, sql in sorted(session.test_sql.items()):
        config = session.manifest["nodes"][uid]["config"]
        tests.append(ShadowTest(uid, sql, severity=config.get("severity", "error"),
                                fail_calc=config.get("fail_calc", "count(*)"),
                                error_if=config.get("error_if", "!= 0"), warn_if=config.get("warn_if", "!= 0")))
    return tests


def run_shadow(session: AthenaSession, nodes: list[ShadowNode] | None = None,
               tests: list[ShadowTest] | None = None) -> ShadowBuild:
    shadow = ShadowBuild(session.data_root / "lakehouse" / "bronze", session.names.databases["bronze"])
    shadow.build(nodes if nodes is not None else shadow_nodes(session))
    shadow.run_tests(tests if tests is not None else shadow_tests(session))
    return shadow


def compare_with_local(session: AthenaSession, shadow: ShadowBuild, layer: str = "gold") -> dict[str, list[str]]:
    """{model: differences} between the local target's tables and the shadow's, for one layer."""
    differences = {}
    with duckdb.connect(str(session.local_warehouse()), read_only=True) as local:
        for uid, node in session.nodes(("model",)).items():
            if node["fqn"][1:2] != [layer]:
                continue
            name = node.get("alias") or node["name"]
            cursor = local.execute(f'SELECT * FROM "{node["schema"]}"."{name}"')
            expected = ([d[0] for d in cursor.description], cursor.fetchall())
            try:
                actual = shadow.rows(node["schema"], name)
            except duckdb.Error as error:
                differences[uid] = [f"not built by the shadow: {error}"]
                continue
            problems = compare_tables(expected, actual)
            if not expected[1]:
                problems.append("the local table is empty: nothing was compared")
            if problems:
                differences[uid] = problems
    return differences



def replay_incremental(session: AthenaSession) -> ShadowBuild:
    """The first build over day 1's bronze, then run 2's recorded statements (temporary CTAS,
    MERGE INTO, renames) over both days: the incremental path as Athena would execute it."""
    shadow = ShadowBuild(session.bronze_day1, session.names.databases["bronze"])
    shadow.build(shadow_nodes(session))
    shadow.bind_bronze(session.data_root / "lakehouse" / "bronze")
    shadow.replay([(c.node, c.record.sql) for c in session.statements(phase="run2")])
    return shadow
