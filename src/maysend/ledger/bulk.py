"""Inserting many rows inside the caller's transaction: COPY on PostgreSQL, else executemany."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

import psycopg
import sqlalchemy as sa


def insert_rows(
    connection: sa.Connection, table: sa.Table, rows: Sequence[Mapping[str, Any]]
) -> None:
    """Insert `rows` (dicts keyed by column name) into `table`."""
    if not rows:
        return
    if connection.dialect.name != "postgresql":
        connection.execute(table.insert(), list(rows))
        return
    names = [c.name for c in table.columns]
    raw = cast("psycopg.Connection[Any]", connection.connection.dbapi_connection)
    with (
        raw.cursor() as cursor,
        cursor.copy(f"COPY {table.name} ({', '.join(names)}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row([row.get(name) for name in names])


__all__ = ["insert_rows"]
