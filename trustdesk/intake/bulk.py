"""Batched inserts, updates and key lookups for the intake hot path.

``QuerySet.bulk_create`` and ``bulk_update`` spend most of a 1,000-report batch compiling
SQL per field per row, and ``Model.__init__`` costs more than the rest of preparing a
report. These helpers build instances without it (``Maker``) and write rows with each
field's own conversion, done once per distinct value where values repeat:

- ids are taken before the insert (``_allocate_ids``), so no ``RETURNING`` is needed;
- PostgreSQL: ``COPY`` for inserts, and for updates ``COPY`` into a temporary table applied
  with one ``UPDATE ... FROM``;
- SQLite: multi-row ``VALUES`` for narrow rows, a prepared ``executemany`` for wide ones.

Table and column names come from model metadata, never from input, so building these
statements with f-strings is safe (hence the S608 exemptions); every value is a bound
parameter or goes through ``COPY``.
"""

from __future__ import annotations

import hashlib
import json
import operator
from collections.abc import Callable, Sequence
from typing import Any

from django.db import DatabaseError, connection, models, transaction
from django.db.models.base import ModelState

# SQLite: below its default SQLITE_MAX_VARIABLE_NUMBER (32,766); rows of at most this many
# columns go in multi-row statements.
_MAX_PARAMS = 30_000
_MULTI_ROW_COLUMNS = 8

# Fields whose Python value is already what the driver wants.
_PASS_THROUGH = (
    models.CharField,
    models.TextField,
    models.BooleanField,
    models.IntegerField,
    models.BigIntegerField,
    models.PositiveIntegerField,
    models.PositiveBigIntegerField,
    models.PositiveSmallIntegerField,
    models.ForeignKey,
)


def _converter(field: models.Field[Any, Any]) -> Callable[[Any], Any]:
    if type(field) in _PASS_THROUGH:
        return lambda value: value
    if isinstance(field, models.JSONField):
        # JSON text, as JSONField.get_db_prep_save gives SQLite. PostgreSQL gets the same
        # text through COPY (all writes here use it), which saves psycopg wrapping and
        # dumping each value itself. Short lists of strings (keywords, markets, reasons)
        # repeat across a batch: each is encoded once.
        encoder = field.encoder
        lists: dict[tuple[Any, ...], str] = {}

        def convert_json(value: Any) -> Any:
            if value is None:
                return None
            if type(value) is list and all(type(v) is str for v in value):
                key = tuple(value)
                if key not in lists:
                    lists[key] = json.dumps(value, cls=encoder)
                return lists[key]
            return json.dumps(value, cls=encoder)

        return convert_json
    if isinstance(field, models.DateTimeField):
        # A batch shares a handful of instants (its arrival time); convert each once.
        seen: dict[Any, Any] = {}

        def convert_datetime(value: Any) -> Any:
            if value not in seen:
                seen[value] = field.get_db_prep_save(value, connection)
            return seen[value]

        return convert_datetime
    return lambda value: field.get_db_prep_save(value, connection)


class Maker:
    """Builds unsaved instances of one model from column values (``attname``: ``market_id``,
    not ``market``) without ``Model.__init__``, which costs more than the rest of preparing a
    report: it pops every keyword argument, runs each foreign key's descriptor and sends two
    signals. Fields not given get their defaults; related objects the caller already holds
    are passed in ``related`` and cached on the instance, so reading them runs no query."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        fields = [f for f in model._meta.concrete_fields if f.attname is not None]
        self.columns = [str(f.attname) for f in fields]
        # Defaults that are values are copied as they are; callable ones (list, dict, now)
        # are called for each instance that does not give the field.
        per_instance = [f for f in fields if f.has_default() and callable(f.default)]
        self.constant = {str(f.attname): f.get_default() for f in fields if f not in per_instance}
        self.callable = [(str(f.attname), f) for f in per_instance]

    def __call__(self, related: dict[str, Any] | None = None, **values: Any) -> Any:
        obj = self.model.__new__(self.model)
        attributes = obj.__dict__
        attributes.update(self.constant)
        attributes.update(values)
        for attname, field in self.callable:
            if attname not in values:
                attributes[attname] = field.get_default()
        state = ModelState()
        if related:
            state.fields_cache = related
        obj._state = state
        return obj

    def loaded(self, row: Sequence[Any], related: dict[str, Any] | None = None) -> Any:
        """An instance of a row read with ``values_list(*self.columns)``."""
        obj = self.model.__new__(self.model)
        state = ModelState()
        state.adding, state.db = False, connection.alias
        if related:
            state.fields_cache = related
        obj.__dict__.update(zip(self.columns, row, strict=True))
        obj._state = state
        return obj


def _fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def _field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field


def _column(field: models.Field[Any, Any]) -> str:
    return connection.ops.quote_name(str(field.column))


def _table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _array_type(field: models.Field[Any, Any]) -> str:
    """The PostgreSQL type of a column's unnest array (a foreign key has its target's)."""
    db_type = field.rel_db_type(connection) if field.is_relation else field.db_type(connection)
    if not db_type:
        raise ValueError(f"{field} has no column type")
    return db_type.replace("serial", "integer").split(" CHECK")[0]


def _allocate_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` new primary keys for ``model``, taken before the rows are written so the
    insert needs no ``RETURNING`` (and can be a prepared ``executemany``).

    - PostgreSQL: from the column's sequence, as a default would (safe with other writers);
    - SQLite: after the largest id ever used (``sqlite_sequence``, as ``AUTOINCREMENT``
      would), which is safe because the write transaction holds the database lock.
    """
    pk = model._meta.pk
    assert pk is not None
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [connection.ops.quote_name(table), pk.column, count],
            )
            return [row[0] for row in cursor.fetchall()]
        if connection.vendor != "sqlite":
            raise NotImplementedError(f"bulk.insert: {connection.vendor} is not supported")
        if not connection.in_atomic_block:
            raise RuntimeError("bulk.insert on SQLite must run inside a transaction")
        cursor.execute(
            "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "  # noqa: S608
            f"coalesce((SELECT max({_column(pk)}) FROM {_table(model)}), 0))",
            [table],
        )
        (last,) = cursor.fetchone()
    return list(range(last + 1, last + 1 + count))


def _is_integer(field: models.Field[Any, Any]) -> bool:
    target = field.target_field if isinstance(field, models.ForeignKey) else field
    return isinstance(target, models.IntegerField)


def _write_rows(
    model: type[models.Model], fields: Sequence[models.Field[Any, Any]], rows: list[list[Any]]
) -> None:
    """Insert ``rows`` (values in ``fields`` order): on PostgreSQL one statement with an array
    per column; on SQLite, for narrow rows (band hashes, content items) multi-row ``VALUES``
    statements, for wide ones one prepared statement run per row (``executemany``), which
    measured faster for each."""
    columns = ", ".join(_column(f) for f in fields)
    head = f"INSERT INTO {_table(model)} ({columns}) "
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY, the bulk-loading protocol: measured at a fifth of the time of an INSERT
            # from unnest(arrays) for 1,000 reports. Values go through psycopg's own text
            # adapters, as they would as bound parameters.
            with cursor.cursor.copy(f"COPY {_table(model)} ({columns}) FROM STDIN") as copy:
                if all(_is_integer(f) for f in fields):
                    # Integers need no escaping: formatted here, several times faster than
                    # a write_row per row (8,000 band hashes a batch).
                    copy.write(
                        "".join(
                            "\t".join(r"\N" if v is None else str(int(v)) for v in row) + "\n"
                            for row in rows
                        )
                    )
                else:
                    for row in rows:
                        copy.write_row(row)
        elif len(fields) > _MULTI_ROW_COLUMNS:
            cursor.executemany(f"{head}VALUES ({', '.join(['%s'] * len(fields))})", rows)
        else:
            placeholders = "(" + ", ".join(["%s"] * len(fields)) + ")"
            per_statement = _MAX_PARAMS // len(fields)
            for start in range(0, len(rows), per_statement):
                chunk = rows[start : start + per_statement]
                cursor.execute(
                    head + "VALUES " + ", ".join([placeholders] * len(chunk)),
                    [value for values in chunk for value in values],
                )


def _row_builder(fields: Sequence[models.Field[Any, Any]]) -> Callable[[Any], list[Any]]:
    """A function giving an instance's values for ``fields`` in database form: all of them
    read in one ``attrgetter`` call, then only the fields that need it converted."""
    getter = operator.attrgetter(*(str(f.attname) for f in fields))
    converted = [(i, _converter(f)) for i, f in enumerate(fields) if type(f) not in _PASS_THROUGH]
    single = len(fields) == 1

    def build(obj: Any) -> list[Any]:
        row = [getter(obj)] if single else list(getter(obj))
        for i, convert in converted:
            row[i] = convert(row[i])
        return row

    return build


def rows_for(objs: Sequence[models.Model]) -> list[list[Any]]:
    """The values ``insert`` writes for ``objs``, in database form. Building them is most of
    an insert's Python work, so a caller can do it before taking a lock and pass them in."""
    if not objs:
        return []
    build = _row_builder(_fields(type(objs[0])))
    return [build(obj) for obj in objs]


def insert(
    objs: Sequence[models.Model],
    *,
    rows: list[list[Any]] | None = None,
    late: Sequence[str] = (),
) -> None:
    """Insert unsaved instances of one model and set their primary keys. ``rows`` from
    ``rows_for`` saves building them again; ``late`` names the foreign keys (``group_id``)
    set on the instances since, which are read again."""
    if not objs:
        return
    model = type(objs[0])
    pk = model._meta.pk
    assert pk is not None
    fields = _fields(model)
    if rows is None:
        rows = rows_for(objs)
    for attname in late:
        (column,) = [i for i, f in enumerate(fields) if f.attname == attname]
        if type(fields[column]) not in _PASS_THROUGH:
            raise ValueError(f"{attname}: only plain columns can be set late")
        for row, obj in zip(rows, objs, strict=True):
            row[column] = getattr(obj, attname)
    ids = _allocate_ids(model, len(objs))
    _write_rows(model, [pk, *fields], [[i, *row] for i, row in zip(ids, rows, strict=True)])
    for obj, new_id in zip(objs, ids, strict=True):
        obj.pk = new_id
        obj._state.adding = False
        obj._state.db = connection.alias


def max_ids(*models: type[models.Model]) -> list[int]:
    """The largest primary key of each model's table (0 if empty), in one query."""
    parts = []
    for model in models:
        pk = model._meta.pk
        assert pk is not None
        parts.append(f"(SELECT coalesce(max({_column(pk)}), 0) FROM {_table(model)})")  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}")
        return list(cursor.fetchone())


def insert_rows(
    model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Rows of plain values, already in database form, when no ids are needed back (content
    items, band hashes): no model instances are built."""
    if rows:
        _write_rows(model, [_field(model, c) for c in columns], [list(r) for r in rows])


# Whether this PostgreSQL role may create temporary tables (the default; a hardened database
# may revoke TEMPORARY from PUBLIC): unknown until the first update tries, in a savepoint.
_temporary_tables_allowed: bool | None = None


def _may_create_temporary_tables(cursor: Any, create: str) -> bool:
    global _temporary_tables_allowed  # one answer per process
    if _temporary_tables_allowed is None:
        try:
            with transaction.atomic():
                cursor.execute(create)
            _temporary_tables_allowed = True
        except DatabaseError:
            _temporary_tables_allowed = False
    return _temporary_tables_allowed


def update(objs: Sequence[models.Model], field_names: Sequence[str]) -> None:
    """Write the named fields of saved instances: on PostgreSQL the rows are copied into a
    temporary table and applied with one ``UPDATE ... FROM`` (half the time of an update
    from unnest(arrays), whose array parsing dominated); elsewhere one prepared UPDATE is
    executed per row."""
    if not objs:
        return
    model = type(objs[0])
    fields = [_field(model, name) for name in field_names]
    build = _row_builder(fields)
    pk = model._meta.pk
    assert pk is not None
    table = _table(model)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and _temporary_tables_allowed is not False:
            # One per model and field list and connection; emptied at each commit, and
            # here in case an earlier update in this transaction used it.
            digest = hashlib.sha256(",".join(field_names).encode()).hexdigest()[:12]
            scratch = connection.ops.quote_name(f"_bulk_update_{model._meta.db_table}_{digest}")
            columns = ", ".join(_column(f) for f in fields)
            definitions = ", ".join(f"{_column(f)} {_array_type(f)}" for f in [pk, *fields])
            create = (
                f"CREATE TEMPORARY TABLE IF NOT EXISTS {scratch} ({definitions}) "
                "ON COMMIT DELETE ROWS"
            )
            if not _may_create_temporary_tables(cursor, create):
                update(objs, field_names)  # the row-by-row way below
                return
            cursor.execute(create)
            cursor.execute(f"DELETE FROM {scratch}")  # noqa: S608
            with cursor.cursor.copy(
                f"COPY {scratch} ({_column(pk)}, {columns}) FROM STDIN"
            ) as copy:
                for obj in objs:
                    copy.write_row([obj.pk, *build(obj)])
            assignments = ", ".join(f"{_column(f)} = v.{_column(f)}" for f in fields)
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM {scratch} AS v "  # noqa: S608
                f"WHERE {table}.{_column(pk)} = v.{_column(pk)}"
            )
        else:
            # JSON goes as text, which PostgreSQL takes for a jsonb column too.
            assignments = ", ".join(f"{_column(f)} = %s" for f in fields)
            cursor.executemany(
                f"UPDATE {table} SET {assignments} WHERE {_column(pk)} = %s",  # noqa: S608
                [[*build(obj), obj.pk] for obj in objs],
            )


def pairs_for_keys(
    model: type[models.Model], key: str, value: str, keys: Sequence[Any]
) -> list[tuple[Any, Any]]:
    """``(key, value)`` rows whose ``key`` column is one of ``keys``, with the keys sent as
    a single parameter (an array on PostgreSQL, JSON on SQLite) rather than one each."""
    if not keys:
        return []
    with connection.cursor() as cursor:
        cursor.execute(*pairs_query(model, key, value, keys))
        return [(row[0], row[1]) for row in cursor.fetchall()]


def pairs_query(
    model: type[models.Model], key: str, value: str, keys: Sequence[Any]
) -> tuple[str, list[Any]]:
    key_field, value_field = _field(model, key), _field(model, value)
    select = f"SELECT {_column(key_field)}, {_column(value_field)} FROM {_table(model)} "  # noqa: S608
    # Text keys are indexed only where set (a partial index), which the planners use only
    # if the query says so, in SQLite's case in the index's own words (Q(...) ~Q(key="")).
    nonempty = ""
    if isinstance(key_field, models.CharField):
        nonempty = f" AND NOT ({_column(key_field)} = '')"
    if connection.vendor == "postgresql":
        sql = f"{select}WHERE {_column(key_field)} = ANY(%s::{_array_type(key_field)}[])"
        params: list[Any] = [list(keys)]
        if all(type(k) is int for k in keys):
            # An array literal written here: psycopg's list adapter inspects every element
            # (16,000 band keys a batch cost 20 ms).
            params = ["{" + ",".join(map(str, keys)) + "}"]
    elif connection.vendor == "sqlite":
        sql = f"{select}WHERE {_column(key_field)} IN (SELECT value FROM json_each(%s))"  # noqa: S608
        params = [json.dumps(list(keys))]
    else:
        sql = f"{select}WHERE {_column(key_field)} IN ({', '.join(['%s'] * len(keys))})"
        params = list(keys)
    return sql + nonempty, params
