"""Ledger fixtures: every store test runs on SQLite and on PostgreSQL.

Each PostgreSQL test gets a schema of its own (selected through search_path in
the URL), dropped afterwards, so parallel workers never see each other's rows.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from maysend.ledger import Ledger
from maysend.settings import LedgerSettings

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def pg_schema_url(schema: str) -> str:
    return f"{PG_URL}?options=-csearch_path%3D{schema}"


@pytest.fixture
def pg_url() -> Iterator[str]:
    schema = f"ledger_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_URL)
    with admin.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    try:
        yield pg_schema_url(schema)
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ledger.db'}"
    url: str = request.getfixturevalue("pg_url")
    return url


def settings(url: str, **overrides: object) -> LedgerSettings:
    values: dict[str, object] = {
        "database_url": url,
        "hash_secret": None,
        "require_double_opt_in": False,
    }
    values.update(overrides)
    return LedgerSettings(**values)  # type: ignore[arg-type]


@pytest.fixture
def ledger(db_url: str) -> Iterator[Ledger]:
    opened = Ledger.open(db_url, settings=settings(db_url))
    yield opened
    opened.close()
