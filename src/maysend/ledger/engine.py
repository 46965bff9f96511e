"""Connections to the ledger's store, and the translation of their failures.

SQLite runs in WAL mode with `synchronous=FULL`, so a commit that returned is
on disk before the caller hears of it, and every write transaction starts with
BEGIN IMMEDIATE, so writers queue instead of failing halfway. Any failure to
reach the store becomes LedgerUnavailable: callers then fail closed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from maysend.errors import LedgerError, LedgerUnavailable

WRITE_OPTION = "maysend_ledger_write"
SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA busy_timeout=60000",
    "PRAGMA foreign_keys=ON",
    "PRAGMA cache_size=-65536",
)


def make_engine(url: str) -> Engine:
    """An engine for `url` with the ledger's durability settings applied."""
    try:
        engine = sa.create_engine(url, pool_pre_ping=True)
    except (sa.exc.ArgumentError, ImportError, ValueError) as exc:
        raise LedgerUnavailable(f"cannot use database URL: {exc}", url=_safe(url)) from exc
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy's "begin" event issues BEGIN
        cursor = dbapi_connection.cursor()
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        writing = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")


@contextmanager
def write_transaction(engine: Engine) -> Iterator[sa.Connection]:
    """A transaction that will write: on SQLite it takes the write lock at BEGIN."""
    with engine.connect() as connection:
        connection.execution_options(**{WRITE_OPTION: True})
        with connection.begin():
            yield connection


@contextmanager
def guarded(url: str) -> Iterator[None]:
    """Turn driver errors into ledger errors: unreachable store -> LedgerUnavailable."""
    try:
        yield
    except OperationalError as exc:
        raise LedgerUnavailable(
            f"ledger store unavailable: {_first_line(exc)}", url=_safe(url)
        ) from exc
    except DBAPIError as exc:
        if exc.connection_invalidated:
            raise LedgerUnavailable("ledger store connection lost", url=_safe(url)) from exc
        raise LedgerError(f"ledger store refused the operation: {_first_line(exc)}") from exc


def _first_line(exc: DBAPIError) -> str:
    return str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)


def _safe(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return "<invalid url>"


__all__ = ["guarded", "make_engine", "write_transaction"]
