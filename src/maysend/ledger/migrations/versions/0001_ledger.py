"""The consent ledger: events with hash chain, evidence, subjects, notices, current state.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from maysend.ledger.schema import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

KEY = sa.String(64)
APPEND_ONLY_PG = """
CREATE FUNCTION maysend_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'ledger events are append-only'; END $$;
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
FOR EACH ROW EXECUTE FUNCTION maysend_events_append_only();
"""
APPEND_ONLY_SQLITE = [
    "CREATE TRIGGER events_no_update BEFORE UPDATE ON events "
    "BEGIN SELECT RAISE(ABORT, 'ledger events are append-only'); END",
    "CREATE TRIGGER events_no_delete BEFORE DELETE ON events "
    "BEGIN SELECT RAISE(ABORT, 'ledger events are append-only'); END",
]


def _ref(prefix: str) -> list[sa.Column[object]]:
    return [
        sa.Column(f"{prefix}_event_id", sa.BigInteger, nullable=True),
        sa.Column(f"{prefix}_at", UTCDateTime, nullable=True),
        sa.Column(f"{prefix}_source", sa.String(64), nullable=True),
    ]


def upgrade() -> None:
    op.create_table(
        "ledger_meta",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.String(256), nullable=False),
    )
    op.create_table(
        "chain_head",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("last_id", sa.BigInteger, nullable=False),
        sa.Column("last_hash", KEY, nullable=False),
    )
    op.execute(
        sa.text(
            "INSERT INTO chain_head (id, last_id, last_hash) VALUES (1, 0, :genesis)"
        ).bindparams(genesis="0" * 64)
    )
    op.create_table(
        "notices",
        sa.Column("version", sa.String(200), primary_key=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("text_sha256", KEY, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "subjects",
        sa.Column("key", KEY, primary_key=True),
        sa.Column("address", sa.String(320), nullable=True),
        sa.Column("erased_at", UTCDateTime, nullable=True),
    )
    _create_events()
    op.create_table(
        "evidence",
        sa.Column("event_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("body", sa.Text, nullable=False),
    )
    _create_current_state()
    _append_only_triggers()


def _create_events() -> None:
    op.create_table(
        "events",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("subject", KEY, nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("purpose", sa.String(64), nullable=False),
        sa.Column("topic", sa.String(64), nullable=True),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("occurred_at", UTCDateTime, nullable=False),
        sa.Column("recorded_at", UTCDateTime, nullable=False),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("country", sa.String(2), nullable=True),
        sa.Column("notice_version", sa.String(200), nullable=True),
        sa.Column("product", sa.String(200), nullable=True),
        sa.Column("refusal_offered", sa.Boolean, nullable=False),
        sa.Column("evidence_digest", KEY, nullable=True),
        sa.Column("idempotency_key", KEY, nullable=False, unique=True),
        sa.Column("prev_hash", KEY, nullable=False),
        sa.Column("hash", KEY, nullable=False),
    )
    op.create_index("ix_events_subject_occurred", "events", ["subject", "occurred_at"])
    op.create_index("ix_events_occurred", "events", ["occurred_at"])


def _create_current_state() -> None:
    op.create_table(
        "current_state",
        sa.Column("subject", KEY, primary_key=True),
        sa.Column("channel", sa.String(16), primary_key=True),
        sa.Column("purpose", sa.String(64), primary_key=True),
        sa.Column("topic", sa.String(64), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        *_ref("consent"),
        *_ref("confirmed"),
        *_ref("opt_out"),
        sa.Column("opt_out_type", sa.String(16), nullable=True),
        *_ref("last_purchase"),
        sa.Column("last_purchase_product", sa.String(200), nullable=True),
        sa.Column("last_purchase_refusal_offered", sa.Boolean, nullable=True),
        *_ref("last_inquiry"),
        sa.Column("country", sa.String(2), nullable=True),
        sa.Column("last_at", UTCDateTime, nullable=False),
        sa.Column("last_prec", sa.Integer, nullable=False),
        sa.Column("last_id", sa.BigInteger, nullable=False),
    )


def _append_only_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(APPEND_ONLY_PG)
    else:
        for statement in APPEND_ONLY_SQLITE:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS events_append_only ON events")
        op.execute("DROP FUNCTION IF EXISTS maysend_events_append_only()")
    for table in (
        "current_state",
        "evidence",
        "events",
        "subjects",
        "notices",
        "chain_head",
        "ledger_meta",
    ):
        op.drop_table(table)
