"""On SQLite, `subjects` and `current_state` keep their rows in their primary key's B-tree.

A rowid table with a text primary key is two B-trees: the key's index, then the
row it points to. Every import batch looks up and writes one row of each per
subject, so each of those is two page walks where one would do. WITHOUT ROWID
tables keep the row in the key's B-tree. PostgreSQL has no such choice: nothing
changes there.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TABLES = ("subjects", "current_state")
WITHOUT_ROWID = " WITHOUT ROWID"


def upgrade() -> None:
    for table in TABLES:
        _rebuild(table, with_rowid=False)


def downgrade() -> None:
    for table in TABLES:
        _rebuild(table, with_rowid=True)


def _rebuild(table: str, *, with_rowid: bool) -> None:
    """Copy `table` into a new one created WITH or WITHOUT ROWID, under the same name."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    stored: str = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).scalar_one()
    stored = stored.rstrip()
    if stored.upper().endswith(WITHOUT_ROWID) != with_rowid:
        return  # already as wanted
    columns = stored.removesuffix(WITHOUT_ROWID).rstrip().partition("(")[2]
    staging = f"{table}_rebuilt"
    op.execute(f"CREATE TABLE {staging} ({columns}{'' if with_rowid else WITHOUT_ROWID}")
    op.execute(f"INSERT INTO {staging} SELECT * FROM {table}")
    op.execute(f"DROP TABLE {table}")
    op.execute(f"ALTER TABLE {staging} RENAME TO {table}")
