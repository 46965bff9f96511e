"""Migrations run up and down on both databases, and match the table definitions."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from maysend.ledger.engine import make_engine
from maysend.ledger.migrate import current_revision, downgrade, upgrade
from maysend.ledger.schema import metadata

HEAD = "0003"
LEDGER_TABLES = {
    "chain_head",
    "current_state",
    "events",
    "evidence",
    "ledger_meta",
    "notices",
    "subjects",
}


def _tables(engine: sa.Engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names()) & LEDGER_TABLES


def test_up_down_up(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine)
    assert current_revision(engine) == HEAD
    assert _tables(engine) == LEDGER_TABLES
    downgrade(engine)
    assert current_revision(engine) is None
    assert _tables(engine) == set()
    upgrade(engine)
    assert _tables(engine) == LEDGER_TABLES
    engine.dispose()


def test_migrated_schema_matches_the_table_definitions(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)
    engine.dispose()
    assert differences == []


def test_upgrade_is_idempotent(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine)
    upgrade(engine)
    assert current_revision(engine) == HEAD
    engine.dispose()


def _without_rowid(engine: sa.Engine) -> set[str]:
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table'"
        )
        return {name for name, sql in rows if sql.rstrip().upper().endswith("WITHOUT ROWID")}


def test_sqlite_keeps_subjects_and_state_rows_in_their_key(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'ledger.db'}")
    upgrade(engine, "0001")
    with engine.begin() as connection:
        connection.exec_driver_sql("INSERT INTO subjects VALUES ('k', 'a@example.com', NULL)")
    upgrade(engine)
    assert _without_rowid(engine) == {"subjects", "current_state"}
    downgrade(engine, "0001")
    assert _without_rowid(engine) == set()
    upgrade(engine)
    assert _without_rowid(engine) == {"subjects", "current_state"}
    with engine.connect() as connection:
        rows = connection.exec_driver_sql("SELECT key, address FROM subjects").all()
    assert [tuple(r) for r in rows] == [("k", "a@example.com")]
    engine.dispose()


def _state_options(engine: sa.Engine) -> list[str]:
    with engine.connect() as connection:
        options = connection.exec_driver_sql(
            "SELECT reloptions FROM pg_class WHERE oid = 'current_state'::regclass"
        ).scalar()
    return list(options or [])


@pytest.mark.postgres
def test_postgres_state_pages_keep_room_for_updates(pg_url: str) -> None:
    engine = make_engine(pg_url)
    upgrade(engine)
    assert _state_options(engine) == ["fillfactor=70"]
    downgrade(engine, "0002")
    assert _state_options(engine) == []
    upgrade(engine)
    assert _state_options(engine) == ["fillfactor=70"]
    engine.dispose()
