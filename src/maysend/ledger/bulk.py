"""A batch's rows in and out in bulk, inside the caller's transaction.

Writing: binary COPY on PostgreSQL, executemany on SQLite, and updates of
stored rows (`update_rows`) for tables kept current. Rows are plain tuples in the table's
column order, times already in the form `StoreTimes.to_store` gives: the
driver is used directly because per-value processing in the ORM layer costs
more than the insert itself. On SQLite, times are written exactly as the
`UTCDateTime` column type writes them (naive UTC text with microseconds and a
four-digit year), so rows written here and rows written through SQLAlchemy
compare and sort alike.

Reading: `one_of` matches a column against a whole batch of keys bound as one
value (read on SQLite by its JSON functions, built in since 3.38).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import cache
from typing import Any, cast

import psycopg
import sqlalchemy as sa
from psycopg.copy import QueuedLibpqWriter
from sqlalchemy.dialects import postgresql

from maysend.errors import LedgerError

Row = Sequence[Any]
FEW = 16  # up to this many keys (a single look-up), a plain IN list is the quicker query


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
        self._spelled = _Spellings()
        # The value `insert_rows` and `update_rows` take for a time: on SQLite the look-up
        # itself (one C call once a time is spelled), on PostgreSQL the datetime as it is.
        self.to_store: Callable[[datetime], Any] = (
            self._spelled.__getitem__ if self._text else _as_is
        )

    def column(self, moments: Sequence[datetime]) -> Iterable[Any]:
        """`to_store` of each of `moments` (on PostgreSQL, `moments` themselves)."""
        return map(self._spelled.__getitem__, moments) if self._text else moments

    @classmethod
    def of(cls, connection: sa.Connection) -> StoreTimes:
        return cls(connection.dialect.name)

    def learn(self, moments: Iterable[datetime], hashed: Iterable[str]) -> None:
        """Note the store spellings of `moments`, given as `events.format_time` spells them.

        On SQLite the two spellings differ only in the separator and the zone
        ('2024-05-01T10:00:00.000000Z' against '2024-05-01 10:00:00.000000'), and
        cutting one out of the other is much cheaper than spelling the time
        again. Years before 1000 are spelled apart (see `format_time`).
        """
        if not self._text:
            return
        spelled = self._spelled
        for moment, text in zip(moments, hashed, strict=True):
            if len(text) == 27:
                spelled[moment] = f"{text[:10]} {text[11:26]}"

    def from_store(self, value: Any) -> datetime:
        """The aware UTC datetime of a time column's value as the driver gave it."""
        if not self._text:
            return cast(datetime, value).astimezone(UTC)
        moment = datetime.fromisoformat(value + "+00:00")  # much cheaper than .replace(tzinfo=)
        self._spelled[moment] = value
        return moment


class _Spellings(dict[datetime, str]):
    """SQLite spellings of times; one not seen yet is worked out on first look-up."""

    def __missing__(self, moment: datetime) -> str:
        text = self[moment] = sqlite_time(moment)
        return text


def _as_is(moment: datetime) -> datetime:
    return moment


def sqlite_time(moment: datetime) -> str:
    """UTC as `UTCDateTime` stores it on SQLite: 'YYYY-MM-DD HH:MM:SS.ffffff'."""
    utc = moment if moment.tzinfo is UTC else moment.astimezone(UTC)
    return utc.isoformat(" ", "microseconds")[:-6]


def one_of(
    connection: sa.Connection, column: sa.Column[Any], values: Sequence[str]
) -> sa.ColumnElement[bool]:
    """`column IN values`, the values bound as one JSON array however many there are.

    An IN list of a batch's keys would cost a bound parameter (rendered, sent,
    parsed) per key, and a text array one quoting check per key; JSON is
    written by the standard library in C and read by the database in C.
    """
    if len(values) <= FEW:
        return column.in_(values)
    listed = sa.bindparam(None, json.dumps(list(values)), type_=sa.Text)
    dialect = connection.dialect.name
    if dialect == "postgresql":
        elements = sa.select(sa.func.json_array_elements_text(sa.cast(listed, postgresql.JSON)))
        return column == sa.any_(sa.func.array(elements.scalar_subquery()))
    if dialect == "sqlite":
        return column.in_(sa.select(sa.func.json_each(listed).table_valued("value").c.value))
    return column.in_(values)


def rows_where(
    connection: sa.Connection, table: sa.Table, column: sa.Column[Any], values: Sequence[str]
) -> Sequence[Row]:
    """The rows of `table` (every column, as the driver gives it) whose `column` is in `values`.

    On PostgreSQL a batch's keys go as one array and the rows come back, both
    in the binary format: no text to quote or parse for the keys (a text array
    checks every key for quoting with a regex, six times the cost), and no
    times or numbers spelled by the server and read again here (a batch reads
    tens of thousands of rows). Values and types are the same as in the text
    format.
    """
    if connection.dialect.name != "postgresql" or len(values) <= FEW:
        return connection.execute(_raw_rows(table).where(one_of(connection, column, values))).all()
    pg = cast("psycopg.Connection[Any]", connection.connection.dbapi_connection)
    names = ", ".join(c.name for c in table.columns)
    with pg.cursor(binary=True) as cursor:
        cursor.execute(
            f"SELECT {names} FROM {table.name} WHERE {column.name} = ANY(%b)", [list(values)]
        )
        return cursor.fetchall()


@cache
def _raw_rows(table: sa.Table) -> sa.Select[Any]:
    """Every column of `table` without SQLAlchemy types: values come as the driver gives them.

    Made once per table: building a select of every column costs more than a
    single-subject look-up itself.
    """
    columns: list[sa.ColumnClause[Any]] = [sa.column(c.name) for c in table.columns]
    return sa.select(*columns).select_from(table)


def insert_rows(connection: sa.Connection, table: sa.Table, rows: Sequence[Row]) -> None:
    """Insert `rows` (tuples in `table`'s column order) into `table`."""
    if not rows:
        return
    names = [c.name for c in table.columns]
    dialect = connection.dialect.name
    if dialect == "postgresql":
        _copy(connection, table, table.name, rows)
    elif dialect == "sqlite":
        _executemany(connection, _insert_sql(table.name, names), rows)
    else:
        connection.execute(table.insert(), [dict(zip(names, row, strict=True)) for row in rows])


@contextmanager
def inserting(connection: sa.Connection, table: sa.Table, rows: Sequence[Row]) -> Iterator[None]:
    """`insert_rows`, the block run while the database stores the rows; leaving it waits for them.

    On PostgreSQL the COPY's data is sent by a thread of the driver's
    (`QueuedLibpqWriter`), so the block's Python work overlaps the server's
    index work for the rows; a refused row is raised when the block is left.
    Elsewhere the rows are inserted before the block runs: SQLite works in
    this process, and its writes need the interpreter lock for every row.
    """
    if connection.dialect.name != "postgresql" or not rows:
        insert_rows(connection, table, rows)
        yield
        return
    with _copying(connection, table, table.name, queued=True) as copy:
        for row in rows:
            copy.write_row(row)
        yield


def update_rows(connection: sa.Connection, table: sa.Table, rows: Sequence[Row]) -> None:
    """Replace rows stored under the primary keys of `rows`; every one of those keys is stored.

    On PostgreSQL the rows are copied into a temporary table and merged with
    one UPDATE ... FROM it: the table's key index finds each row once and the
    row is rewritten, where an INSERT ... ON CONFLICT DO UPDATE first tries
    to insert, finds the key taken and locks the row before rewriting it (a
    sixth more of the server's time). A key not stored after all fails the
    update (`RowsNotStored`) rather than leave the row out.
    """
    if not rows:
        return
    names = [c.name for c in table.columns]
    keys = [c.name for c in table.primary_key.columns]
    dialect = connection.dialect.name
    if dialect == "postgresql":
        # COPY cannot update: stage the rows in a table of this transaction, then merge them.
        staging = f"staged_{table.name}"
        connection.exec_driver_sql(
            f"CREATE TEMPORARY TABLE {staging} (LIKE {table.name}) ON COMMIT DROP"
        )
        _copy(connection, table, staging, rows)
        updates = ", ".join(f"{n} = s.{n}" for n in names if n not in keys)
        same = " AND ".join(f"t.{k} = s.{k}" for k in keys)
        updated = connection.exec_driver_sql(
            f"UPDATE {table.name} t SET {updates} FROM {staging} s WHERE {same}"
        ).rowcount
        connection.exec_driver_sql(f"DROP TABLE {staging}")
    elif dialect == "sqlite":
        changing = [n for n in names if n not in keys]
        sql = (
            f"UPDATE {table.name} SET {', '.join(f'{n} = ?' for n in changing)} "
            f"WHERE {' AND '.join(f'{k} = ?' for k in keys)}"
        )
        width = len(keys)  # the key's columns come first (`current_state`, `subjects`)
        assert names[:width] == keys
        updated = _executemany(connection, sql, [(*row[width:], *row[:width]) for row in rows])
    else:
        updated = 0
        for row in rows:
            values = dict(zip(names, row, strict=True))
            updated += connection.execute(
                table.update()
                .where(*(table.c[k] == values[k] for k in keys))
                .values({n: v for n, v in values.items() if n not in keys})
            ).rowcount
    if updated != len(rows):
        missing = len(rows) - updated
        raise RowsNotStored(
            f"{missing} of {len(rows)} rows to update are not stored", table=table.name
        )


class RowsNotStored(LedgerError):
    """`update_rows` was given rows under keys not stored: the batch must not be committed."""


def _insert_sql(table: str, names: Sequence[str]) -> str:
    marks = ", ".join("?" for _ in names)
    return f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})"


def _copy(connection: sa.Connection, table: sa.Table, into: str, rows: Sequence[Row]) -> None:
    """COPY `rows` of `table`'s shape into `into`, in the binary format.

    Binary COPY takes values as the driver holds them: no text to format on
    this side, none to parse on the server's.
    """
    with _copying(connection, table, into) as copy:
        for row in rows:
            copy.write_row(row)


@contextmanager
def _copying(
    connection: sa.Connection, table: sa.Table, into: str, *, queued: bool = False
) -> Iterator[psycopg.Copy]:
    """A binary COPY into `into` of rows of `table`'s shape (`queued`: sent by a thread)."""
    pg = cast("psycopg.Connection[Any]", connection.connection.dbapi_connection)
    names = ", ".join(c.name for c in table.columns)
    with pg.cursor() as cursor:
        writer = QueuedLibpqWriter(cursor) if queued else None
        with cursor.copy(
            f"COPY {into} ({names}) FROM STDIN (FORMAT BINARY)", writer=writer
        ) as copy:
            copy.set_types(postgres_types(table, connection.dialect))
            yield copy


@cache
def postgres_types(table: sa.Table, dialect: sa.Dialect) -> list[str]:
    """Each column's PostgreSQL type name as binary COPY wants it ('varchar' for VARCHAR(64))."""
    return [c.type.compile(dialect=dialect).split("(")[0].lower() for c in table.columns]


def _executemany(connection: sa.Connection, sql: str, rows: Sequence[Row]) -> int:
    """Run `sql` once per row; the number of rows it changed in all."""
    cursor = cast(Any, connection.connection.dbapi_connection).cursor()
    try:
        cursor.executemany(sql, rows)
        return int(cursor.rowcount)
    finally:
        cursor.close()


__all__ = [
    "RowsNotStored",
    "StoreTimes",
    "insert_rows",
    "inserting",
    "one_of",
    "postgres_types",
    "rows_where",
    "sqlite_time",
    "update_rows",
]
