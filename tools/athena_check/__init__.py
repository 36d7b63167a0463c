"""Offline checks of the SQL dbt_oakvale sends to Athena engine v3 (issue 13): a moto-backed run
of the athena target, SQL snapshots, a dialect and function gate, and a DuckDB shadow build.

Modules: stack (moto with infra/'s names), mirror (Athena statements -> moto's Glue), dbt (run dbt
in a subprocess), session (the runs), snapshots, gate, shadow, checks (glue between them).
"""

from tools.athena_check.session import AthenaSession

__all__ = ["AthenaSession"]
