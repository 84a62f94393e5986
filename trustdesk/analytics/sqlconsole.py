"""The read-only SQL console: one SELECT over the documented ``analytics_*`` views.

Layers, each enough to stop a different mistake:
1. Who: leads, admins and auditors only (``may_use``).
2. What: the query is parsed (sqlglot). One SELECT (or set operation) only; every table it
   names must be an analytics view or one of its own CTEs; no schema prefixes, table
   functions, ``SELECT INTO``, ``FOR UPDATE`` or server-side file/config functions.
3. Which rows: every view reference is rewritten to a CTE over the view that leaves out the
   rows the user may not see, decided by the models' ``visible_to`` (invariant 6). The SQL that
   runs is the one regenerated from the checked tree, never the text as typed, so what was
   checked is what runs.
4. The database itself: SQLite gets a separate read-only connection (``mode=ro``,
   ``query_only``) with an authorizer that allows SELECT, reads made *through* an analytics
   view, and a short list of functions; a progress handler enforces the timeout. PostgreSQL
   gets a separate connection in a ``READ ONLY`` transaction with ``statement_timeout``, run
   as the ``trustdesk_analytics_ro`` role when the migration could create it.
Every query, run or refused, is written to the audit log.
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlglot
from django.db import connection
from sqlglot import exp
from sqlglot.errors import SqlglotError

from trustdesk.accounts.models import Role, User
from trustdesk.audit import services as audit
from trustdesk.incidents.models import Incident
from trustdesk.intake.models import ReportGroup
from trustdesk.regulatory.models import RegulatoryRequest

TIMEOUT_SECONDS = 5.0
ROW_CAP = 1000
EXPORT_ROW_CAP = 20_000
MAX_SQL_LENGTH = 20_000
PG_ROLE = "trustdesk_analytics_ro"
_INNER = "_td_visible_"

# name -> (what a row is, {column: meaning}); docs/analytics.md says the same.
VIEWS: dict[str, tuple[str, dict[str, str]]] = {
    "analytics_incidents": (
        "One row per incident",
        {
            "id": "incident id", "ref": "INC-<id>", "title": "title", "status": "lifecycle status",
            "severity": "SEV1..SEV4", "region": "AMS, EMEA or APAC",
            "category": "DSA category code", "restricted": "need-to-know (1/0)",
            "commander_id": "user id of the commander", "detected_at": "when the harm began",
            "reported_at": "first report", "created_at": "opened in trustdesk",
            "triaged_at": "transition stamp", "investigating_at": "transition stamp",
            "mitigating_at": "transition stamp", "monitoring_at": "transition stamp",
            "resolved_at": "transition stamp", "closed_at": "transition stamp",
            "declined_at": "transition stamp", "merged_into_id": "incident merged into",
        },
    ),
    "analytics_reports": (
        "One row per intake report (no text, no reporter identity)",
        {
            "id": "report id", "received_at": "when it arrived", "channel": "api, email, ...",
            "reporter_type": "user, regulator, ...", "verified": "reporter type verified (1/0)",
            "market": "ISO country code", "category": "DSA category code",
            "language": "language code", "minors_involved": "1/0",
            "group_id": "triage group", "incident_id": "incident of its group, if any",
            "group_status": "triage status of its group",
        },
    ),
    "analytics_regulatory_requests": (
        "One row per regulatory request (no title or content)",
        {
            "id": "request id", "incident_id": "linked incident", "jurisdiction": "code",
            "authority": "authority code", "status": "request status", "outcome": "outcome",
            "region": "owning region", "urgent": "1/0", "confidential": "1/0",
            "source": "how it arrived", "received_at": "received", "started_at": "clock start",
            "due_at": "deadline", "acknowledged_at": "stamp", "responded_at": "stamp",
            "closed_at": "stamp", "on_time": "1 responded by the deadline, 0 late, null open",
        },
    ),
    "analytics_tasks": (
        "One row per incident task",
        {
            "id": "task id", "incident_id": "incident", "status": "task status",
            "owner_id": "user id", "created_at": "created", "due_at": "due",
            "completed_at": "completed",
        },
    ),
}  # fmt: skip

# Functions a query may call on SQLite (the authorizer refuses the rest).
SQLITE_FUNCTIONS = frozenset(
    [
        "abs", "avg", "ceil", "ceiling", "coalesce", "count", "cume_dist", "date", "datetime",
        "dense_rank", "exp", "first_value", "floor", "format", "glob", "group_concat", "ifnull",
        "iif", "instr", "julianday", "lag", "last_value", "lead", "length", "like", "ln", "log",
        "log10", "lower", "ltrim", "max", "min", "mod", "nth_value", "ntile", "nullif",
        "percent_rank", "pow", "power", "printf", "rank", "replace", "round", "row_number",
        "rtrim", "sign", "sqrt", "strftime", "string_agg", "substr", "substring", "sum", "time",
        "total", "trim", "typeof", "unixepoch", "upper",
    ]
)  # fmt: skip
_DENIED_FUNCTION = re.compile(
    r"^(pg_|lo_|dblink|set_config|current_setting|txid_|query_to|table_to|cursor_to|"
    r"database_to|schema_to|load_extension|readfile|writefile|edit|fts3_tokenizer)",
    re.IGNORECASE,
)
_STATEMENT_WORD = re.compile(r"^\s*(?:--[^\n]*\n\s*|/\*.*?\*/\s*)*([a-zA-Z]+)", re.DOTALL)
_NOT_SELECT = {
    "attach", "detach", "pragma", "insert", "update", "delete", "replace", "upsert", "merge",
    "create", "drop", "alter", "truncate", "vacuum", "reindex", "analyze", "begin", "commit",
    "rollback", "savepoint", "release", "set", "reset", "copy", "grant", "revoke", "call",
    "do", "execute", "prepare", "listen", "notify", "lock", "load", "discard", "show",
}  # fmt: skip
_FORBIDDEN_NODES = tuple(
    getattr(exp, name)
    for name in (
        "Insert", "Update", "Delete", "Create", "Drop", "Alter", "Command", "Pragma", "Into",
        "Lock", "Merge", "Set", "Transaction", "Commit", "Rollback", "Copy", "Use", "Grant",
    )
    if hasattr(exp, name)
)  # fmt: skip


class ConsoleError(Exception):
    """A query the console will not run, or that the database stopped; the message says
    why in words an analyst can act on."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Result:
    columns: list[str]
    rows: list[tuple[Any, ...]]
    truncated: bool
    elapsed_ms: int
    row_cap: int
    views: list[str] = field(default_factory=list)


def may_use(user: User) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and (user.sees_everything or user.role == Role.AUDITOR)
    )


def hidden_rows(user: User) -> dict[str, tuple[str, list[int]]]:
    """For each view, the column and values of the rows this user may not see. Leads see
    everything, so their lists are empty; an auditor's hold the need-to-know rows."""
    if user.sees_everything:
        return {name: ("id", []) for name in VIEWS}
    incidents = sorted(
        Incident.objects.exclude(pk__in=Incident.objects.visible_to(user).values("pk"))
        .values_list("pk", flat=True)
    )  # fmt: skip
    groups = sorted(
        ReportGroup.objects.exclude(pk__in=ReportGroup.objects.visible_to(user).values("pk"))
        .values_list("pk", flat=True)
    )  # fmt: skip
    requests = sorted(
        RegulatoryRequest.objects.exclude(
            pk__in=RegulatoryRequest.objects.visible_to(user).values("pk")
        ).values_list("pk", flat=True)
    )
    return {
        "analytics_incidents": ("id", incidents),
        "analytics_reports": ("group_id", groups),
        "analytics_regulatory_requests": ("id", requests),
        "analytics_tasks": ("incident_id", incidents),
    }


def _dialect() -> str:
    return "postgres" if connection.vendor == "postgresql" else "sqlite"


def _views_list() -> str:
    return ", ".join(VIEWS)


def _parse(sql: str, dialect: str) -> exp.Query:
    if not sql.strip():
        raise ConsoleError("Write a SELECT query.")
    if len(sql) > MAX_SQL_LENGTH:
        raise ConsoleError(f"The query is longer than {MAX_SQL_LENGTH} characters.")
    word = _STATEMENT_WORD.match(sql)
    if word and word.group(1).lower() in _NOT_SELECT:
        raise ConsoleError(
            f"{word.group(1).upper()} is not allowed: the console is read-only and runs one "
            "SELECT query over the analytics views."
        )
    try:
        statements = [s for s in sqlglot.parse(sql, read=dialect) if s is not None]
    except SqlglotError as exc:
        raise ConsoleError(f"The query could not be read: {str(exc).splitlines()[0]}") from exc
    if len(statements) != 1:
        raise ConsoleError("Run one statement at a time.")
    tree = statements[0]
    if not isinstance(tree, exp.Query):
        raise ConsoleError("Only SELECT queries are allowed: the console is read-only.")
    return tree


def _check_nodes(tree: exp.Query) -> None:
    for node in tree.walk():
        if isinstance(node, _FORBIDDEN_NODES):
            raise ConsoleError(
                f"{node.key.upper()} is not allowed: the console only reads "
                "(no writes, SELECT INTO, FOR UPDATE or settings)."
            )
        if isinstance(node, exp.Func):
            name = node.name if isinstance(node, exp.Anonymous) else node.sql_name()
            if _DENIED_FUNCTION.match(name or ""):
                raise ConsoleError(f"The function {name} is not allowed in the console.")


def rewrite(sql: str, *, hidden: dict[str, tuple[str, list[int]]], dialect: str) -> str:
    """Check the query and return the SQL to run: every view reference goes through a CTE
    that leaves out the hidden rows. Raises ``ConsoleError`` with the reason otherwise."""
    tree = _parse(sql, dialect)
    _check_nodes(tree)
    ctes = {cte.alias.lower() for cte in tree.find_all(exp.CTE)}
    for name in ctes:
        if name in VIEWS or name.startswith(_INNER):
            raise ConsoleError(f"A CTE may not be called {name}: that name is a view's.")
    used: set[str] = set()
    for table in list(tree.find_all(exp.Table)):
        if not isinstance(table.this, exp.Identifier):
            raise ConsoleError(
                f"Table functions are not allowed; query the views: {_views_list()}."
            )
        name = table.name.lower()
        if table.args.get("db") or table.args.get("catalog"):
            raise ConsoleError(
                f"{table.sql(dialect=dialect)} is not allowed: name an analytics view without "
                f"a schema ({_views_list()})."
            )
        if name in ctes:
            continue
        if name not in VIEWS:
            raise ConsoleError(
                f"{name} is not an analytics view. The console reads only: {_views_list()}."
            )
        used.add(name)
        alias = table.alias or name
        table.set("this", exp.to_identifier(_INNER + name))
        table.set("alias", exp.TableAlias(this=exp.to_identifier(alias)))
    ours = []
    for name in sorted(used):
        column, values = hidden[name]
        where = f" WHERE {column} NOT IN ({', '.join(str(int(v)) for v in values)})"
        # Names come from VIEWS and values are integers from the ORM: nothing user-typed.
        body = sqlglot.parse_one(f"SELECT * FROM {name}{where if values else ''}", read=dialect)  # noqa: S608
        ours.append(exp.CTE(this=body, alias=exp.TableAlias(this=exp.to_identifier(_INNER + name))))
    existing = tree.args.get("with_")
    tree.set(
        "with_",
        exp.With(
            expressions=ours + (list(existing.expressions) if existing else []),
            recursive=bool(existing and existing.args.get("recursive")),
        )
        if ours or existing
        else None,
    )
    return tree.sql(dialect=dialect)


# --- running it ---------------------------------------------------------------------------

_SQLITE_OK = {sqlite3.SQLITE_SELECT, getattr(sqlite3, "SQLITE_RECURSIVE", 33)}


def _sqlite_authorizer(
    action: int, arg1: str | None, arg2: str | None, db: str | None, source: str | None
) -> int:
    if action in _SQLITE_OK:
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_READ:
        # A stored table or view (database "main" or "temp") may be read only if it is an
        # analytics view, or on behalf of one; a CTE's own rows come with no database.
        allowed = db is None or arg1 in VIEWS or source in VIEWS
        return sqlite3.SQLITE_OK if allowed else sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_FUNCTION:
        return (
            sqlite3.SQLITE_OK if (arg2 or "").lower() in SQLITE_FUNCTIONS else sqlite3.SQLITE_DENY
        )
    return sqlite3.SQLITE_DENY


def _sqlite_connect() -> sqlite3.Connection:
    name = str(connection.settings_dict["NAME"])
    if name == ":memory:" or "mode=memory" in name:
        # The test database: shared-cache memory cannot be opened mode=ro; query_only and
        # the authorizer keep it read-only.
        uri = name if name.startswith("file:") else "file::memory:"
    else:
        uri = Path(name).resolve().as_uri() + "?mode=ro"
    conn = sqlite3.connect(uri, uri=True, timeout=5, check_same_thread=False)
    conn.execute("PRAGMA query_only = ON")
    conn.set_authorizer(_sqlite_authorizer)
    return conn


def _run_sqlite(sql: str, cap: int, timeout: float) -> tuple[list[str], list[tuple[Any, ...]]]:
    conn = _sqlite_connect()
    deadline = time.monotonic() + timeout
    conn.set_progress_handler(lambda: int(time.monotonic() > deadline), 1000)
    try:
        cursor = conn.execute(sql)
        rows = cursor.fetchmany(cap + 1)
        return [d[0] for d in cursor.description or ()], rows
    except sqlite3.DatabaseError as exc:
        text = str(exc)
        if "interrupted" in text:
            raise ConsoleError(f"The query ran longer than {timeout:g} s and was stopped.") from exc
        if "not authorized" in text or "prohibited" in text:
            raise ConsoleError(
                "The database refused: only reading the analytics views with ordinary "
                f"functions is allowed ({text})."
            ) from exc
        raise ConsoleError(f"The database could not run the query: {text}") from exc
    finally:
        conn.close()


def _run_postgres(sql: str, cap: int, timeout: float) -> tuple[list[str], list[tuple[Any, ...]]]:
    import psycopg

    conn = connection.get_new_connection(connection.get_connection_params())
    try:
        with conn.cursor() as cursor:
            cursor.execute("SET TRANSACTION READ ONLY")
            cursor.execute(f"SET LOCAL statement_timeout = {int(timeout * 1000)}")
            cursor.execute(
                "SELECT 1 FROM pg_roles WHERE rolname = %s AND pg_has_role(current_user, oid, "
                "'MEMBER')",
                [PG_ROLE],
            )
            if cursor.fetchone():
                cursor.execute(f"SET LOCAL ROLE {PG_ROLE}")
            cursor.execute(sql)
            rows = cursor.fetchmany(cap + 1)
            return [d.name for d in cursor.description or ()], rows
    except psycopg.errors.QueryCanceled as exc:
        raise ConsoleError(f"The query ran longer than {timeout:g} s and was stopped.") from exc
    except (psycopg.errors.ReadOnlySqlTransaction, psycopg.errors.InsufficientPrivilege) as exc:
        raise ConsoleError(
            f"The database refused: the console is read-only ({exc.diag.message_primary})."
        ) from exc
    except psycopg.Error as exc:
        raise ConsoleError(
            f"The database could not run the query: {exc.diag.message_primary or exc}"
        ) from exc
    finally:
        conn.rollback()
        conn.close()


def _execute(sql: str, cap: int, timeout: float) -> tuple[list[str], list[tuple[Any, ...]]]:
    runner: Callable[[str, int, float], tuple[list[str], list[tuple[Any, ...]]]]
    runner = _run_postgres if connection.vendor == "postgresql" else _run_sqlite
    return runner(sql, cap, timeout)


def run_query(*, user: User, sql: str, export: str = "") -> Result:
    """Run one console query for ``user`` and audit it, refused or not. ``export`` names
    the download format when the rows are leaving trustdesk (a larger row cap applies)."""
    if not may_use(user):
        raise PermissionError("The SQL console is for leads and auditors.")
    cap = EXPORT_ROW_CAP if export else ROW_CAP
    began = time.monotonic()
    try:
        final = rewrite(sql, hidden=hidden_rows(user), dialect=_dialect())
        columns, rows = _execute(final, cap, TIMEOUT_SECONDS)
    except ConsoleError as exc:
        audit.record(
            actor=user,
            action="analytics.sql.refused",
            object_type="analytics.sqlconsole",
            after={"sql": sql[:MAX_SQL_LENGTH], "error": exc.message, "export": export},
        )
        raise
    result = Result(
        columns=columns,
        rows=rows[:cap],
        truncated=len(rows) > cap,
        elapsed_ms=int((time.monotonic() - began) * 1000),
        row_cap=cap,
    )
    audit.record(
        actor=user,
        action="analytics.sql.export" if export else "analytics.sql.run",
        object_type="analytics.sqlconsole",
        after={
            "sql": sql[:MAX_SQL_LENGTH],
            "rows": len(result.rows),
            "truncated": result.truncated,
            "export": export,
        },
    )
    return result


def as_text(value: Any) -> str:
    return "" if value is None else str(value)


def rows_as_text(rows: Sequence[tuple[Any, ...]]) -> list[list[str]]:
    return [[as_text(v) for v in row] for row in rows]
