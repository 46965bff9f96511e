"""Tables of the consent ledger (SQLAlchemy Core), shared by SQLite and PostgreSQL.

- `events`: append-only, one row per event, chained by `prev_hash` / `hash`.
  Ids are assigned by the ledger under the chain lock, so they are gap-free
  and a removed row shows as a gap. `subject` is always a subject key (HMAC),
  never a clear address, so the chain never has to be rewritten to forget one.
- `evidence`: the evidence JSON of an event, kept apart from `events` so that
  an erasure can remove it; the event keeps `evidence_digest`, which is what
  the chain covers, so the chain still verifies after the evidence is gone.
- `subjects`: subject key -> clear address (NULL in hash-only mode and after
  erasure); the only place a clear address is stored.
- `notices`: the versioned wording a person was shown when asked.
- `current_state`: folded state per subject, channel, purpose and topic ('' for
  none), written in the same transaction as the events that change it.
- On SQLite, `subjects` and `current_state` are WITHOUT ROWID tables: each row
  lives in its primary key's B-tree, one page walk per look-up or write.
- On PostgreSQL, `current_state` pages keep 30% free (fillfactor 70), so a
  row rewritten by the next batch mostly stays on its page and its key's index
  is left alone.
- `chain_head`: one row, the last id and hash; locked to serialise appends.
- `ledger_meta`: how subjects are keyed (deployment secret or ledger's own key).

Every change to these tables is a new Alembic revision under `migrations/`.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on both databases (SQLite keeps naive UTC text)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = sa.MetaData()
KEY = sa.String(64)

ledger_meta = sa.Table(
    "ledger_meta",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("value", sa.String(256), nullable=False),
)

chain_head = sa.Table(
    "chain_head",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("last_id", sa.BigInteger, nullable=False),
    sa.Column("last_hash", KEY, nullable=False),
)

notices = sa.Table(
    "notices",
    metadata,
    sa.Column("version", sa.String(200), primary_key=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("text_sha256", KEY, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

subjects = sa.Table(
    "subjects",
    metadata,
    sa.Column("key", KEY, primary_key=True),
    sa.Column("address", sa.String(320), nullable=True),
    sa.Column("erased_at", UTCDateTime, nullable=True),
    sqlite_with_rowid=False,
)

events = sa.Table(
    "events",
    metadata,
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
    sa.Index("ix_events_subject_occurred", "subject", "occurred_at"),
    sa.Index("ix_events_occurred", "occurred_at"),
)

evidence = sa.Table(
    "evidence",
    metadata,
    sa.Column("event_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("body", sa.Text, nullable=False),
)


def _ref_columns(prefix: str) -> list[sa.Column[object]]:
    return [
        sa.Column(f"{prefix}_event_id", sa.BigInteger, nullable=True),
        sa.Column(f"{prefix}_at", UTCDateTime, nullable=True),
        sa.Column(f"{prefix}_source", sa.String(64), nullable=True),
    ]


current_state = sa.Table(
    "current_state",
    metadata,
    sa.Column("subject", KEY, primary_key=True),
    sa.Column("channel", sa.String(16), primary_key=True),
    sa.Column("purpose", sa.String(64), primary_key=True),
    sa.Column("topic", sa.String(64), primary_key=True),
    sa.Column("status", sa.String(16), nullable=False),
    *_ref_columns("consent"),
    *_ref_columns("confirmed"),
    *_ref_columns("opt_out"),
    sa.Column("opt_out_type", sa.String(16), nullable=True),
    *_ref_columns("last_purchase"),
    sa.Column("last_purchase_product", sa.String(200), nullable=True),
    sa.Column("last_purchase_refusal_offered", sa.Boolean, nullable=True),
    *_ref_columns("last_inquiry"),
    sa.Column("country", sa.String(2), nullable=True),
    sa.Column("last_at", UTCDateTime, nullable=False),
    sa.Column("last_prec", sa.Integer, nullable=False),
    sa.Column("last_id", sa.BigInteger, nullable=False),
    sqlite_with_rowid=False,
)

__all__ = [
    "UTCDateTime",
    "chain_head",
    "current_state",
    "events",
    "evidence",
    "ledger_meta",
    "metadata",
    "notices",
    "subjects",
]
