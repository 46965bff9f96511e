"""Writing many rows inside the caller's transaction: COPY on PostgreSQL, else executemany.

Rows are plain tuples in the table's column order, with times already in the
form `StoreTimes.to_store` gives: the driver is used directly because per-value
processing in the ORM layer costs more than the insert itself. On SQLite,
times are written exactly as the `UTCDateTime` column type writes them (naive
UTC text with microseconds and a four-digit year), so rows written here and
rows written through SQLAlchemy compare and sort alike.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, cast

import psycopg
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

Row = Sequence[Any]


class StoreTimes:
    """Times on their way to and from the store in bulk, each spelling worked out once.

    SQLite keeps times as text, so every time read is parsed and every time
    written is spelled; one batch meets the same times again and again (an
    event's time in its row, then in its subject's state row; a state row read,
    then written back), so each instance remembers both ways. PostgreSQL's
    driver takes and gives datetimes as they are. Make one per transaction.
    """

    def __init__(self, dialect: str) -> None:
        self._text = dialect == "sqlite"
        self._spelled: dict[datetime, str] = {}

    @classmethod
    def of(cls, connection: sa.Connection) -> StoreTimes:
        return cls(connection.dialect.name)

    def to_store(self, moment: datetime) -> Any:
        """The value `insert_rows` and `upsert_rows` take for `moment`."""
        if not self._text:
            return moment
        text = self._spelled.get(moment)
        if text is None:
            text = self._spelled[moment] = sqlite_time(moment)
        return text

    def from_store(self, value: Any) -> datetime:
        """The aware UTC datetime of a time column's value as the driver gave it."""
        if not self._text:
            return cast(datetime, value).astimezone(UTC)
        moment = datetime.fromisoformat(value + "+00:00")  # much cheaper than .replace(tzinfo=)
        self._spelled[moment] = value
        return moment


def sqlite_time(moment: datetime) -> str:
    """UTC as `UTCDateTime` stores it on SQLite: 'YYYY-MM-DD HH:MM:SS.ffffff'."""
    utc = moment if moment.tzinfo is UTC else moment.astimezone(UTC)
    return utc.isoformat(" ", "microseconds")[:-6]


def one_of(
    connection: sa.Connection, column: sa.Column[Any], values: Sequence[str]
) -> sa.ColumnElement[bool]:
    """`column IN values`, the values bound as one parameter however many there are.

    A text array on PostgreSQL, a JSON array read by `json_each` on SQLite: an
    IN list of a batch's keys would otherwise cost a bound parameter (rendered,
    sent, parsed) per key.
    """
    dialect = connection.dialect.name
    if dialect == "postgresql":
        return column == sa.any_(sa.bindparam(None, list(values), type_=postgresql.ARRAY(sa.Text)))
    if dialect == "sqlite":
        listed = sa.func.json_each(sa.bindparam(None, json.dumps(list(values)))).table_valued(
            "value"
        )
        return column.in_(sa.select(listed.c.value))
    return column.in_(values)


def insert_rows(connection: sa.Connection, table: sa.Table, rows: Sequence[Row]) -> None:
    """Insert `rows` (tuples in `table`'s column order) into `table`."""
    if not rows:
        return
    names = [c.name for c in table.columns]
    dialect = connection.dialect.name
    if dialect == "postgresql":
        _copy(connection, table.name, names, rows)
    elif dialect == "sqlite":
        _executemany(connection, _insert_sql(table.name, names), rows)
    else:
        connection.execute(table.insert(), [dict(zip(names, row, strict=True)) for row in rows])


def upsert_rows(connection: sa.Connection, table: sa.Table, rows: Sequence[Row]) -> None:
    """Insert `rows`, replacing any row already stored under the same primary key."""
    if not rows:
        return
    names = [c.name for c in table.columns]
    keys = [c.name for c in table.primary_key.columns]
    conflict = _on_conflict(names, keys)
    dialect = connection.dialect.name
    if dialect == "postgresql":
        staging = f"staged_{table.name}"
        connection.exec_driver_sql(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {staging} "
            f"(LIKE {table.name} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
        )
        _copy(connection, staging, names, rows)
        connection.exec_driver_sql(f"INSERT INTO {table.name} SELECT * FROM {staging} {conflict}")
        connection.exec_driver_sql(f"DELETE FROM {staging}")
    elif dialect == "sqlite":
        _executemany(connection, f"{_insert_sql(table.name, names)} {conflict}", rows)
    else:
        for row in rows:
            values = dict(zip(names, row, strict=True))
            connection.execute(table.delete().where(*(table.c[k] == values[k] for k in keys)))
            connection.execute(table.insert(), [values])


def _on_conflict(names: Sequence[str], keys: Sequence[str]) -> str:
    updates = ", ".join(f"{n} = excluded.{n}" for n in names if n not in keys)
    return f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {updates}"


def _insert_sql(table: str, names: Sequence[str]) -> str:
    marks = ", ".join("?" for _ in names)
    return f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})"


def _copy(connection: sa.Connection, table: str, names: Sequence[str], rows: Sequence[Row]) -> None:
    pg = cast("psycopg.Connection[Any]", connection.connection.dbapi_connection)
    with (
        pg.cursor() as cursor,
        cursor.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def _executemany(connection: sa.Connection, sql: str, rows: Sequence[Row]) -> None:
    cursor = cast(Any, connection.connection.dbapi_connection).cursor()
    try:
        cursor.executemany(sql, rows)
    finally:
        cursor.close()


__all__ = ["StoreTimes", "insert_rows", "one_of", "sqlite_time", "upsert_rows"]
