"""The fold of `fold_state`, written once in SQL that SQLite and PostgreSQL both run.

Per key, events are numbered in fold order (occurred_at, precedence, id); the
latest opt-out, the first consent after it, the first confirmation after that
consent, and the latest purchase, inquiry and country are picked by position.
A topic key sees its own events, those without a topic, and every erasure.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from maysend.ledger.events import PRECEDENCE
from maysend.ledger.schema import UTCDateTime

TIMESTAMP_COLUMNS = (
    "consent_at",
    "confirmed_at",
    "opt_out_at",
    "last_purchase_at",
    "last_inquiry_at",
)
ID_COLUMNS = (
    "consent_event_id",
    "opt_out_event_id",
    "last_purchase_event_id",
    "last_inquiry_event_id",
)


def column_types() -> dict[str, Any]:
    types: dict[str, Any] = dict.fromkeys(TIMESTAMP_COLUMNS, UTCDateTime)
    types.update(dict.fromkeys(ID_COLUMNS, sa.BigInteger))
    types["last_purchase_refusal_offered"] = sa.Integer
    return types


_KEY = "subject, channel, purpose, ktopic"
_ON = (
    "r.subject = {a}.subject AND r.channel = {a}.channel "
    "AND r.purpose = {a}.purpose AND r.ktopic = {a}.ktopic"
)


def _precedence() -> str:
    whens = " ".join(f"WHEN '{kind.value}' THEN {rank}" for kind, rank in PRECEDENCE.items())
    return f"CASE type {whens} END"


def _pick(position: str, column: str, name: str) -> str:
    return f"MAX(CASE WHEN r.pos = a2.{position} THEN r.{column} END) AS {name}"


FOLD_AT_SQL = (
    """
WITH ev AS (
  SELECT id, subject, channel, purpose, COALESCE(topic, '') AS topic, type, occurred_at,
         country, product, CASE WHEN refusal_offered THEN 1 ELSE 0 END AS refusal,
         {precedence} AS prec
  FROM events WHERE occurred_at <= :at
),
keys AS (SELECT DISTINCT subject, channel, purpose, topic AS ktopic FROM ev),
ranked AS (
  SELECT k.subject, k.channel, k.purpose, k.ktopic, e.id, e.type, e.occurred_at, e.country,
         e.product, e.refusal,
         ROW_NUMBER() OVER (PARTITION BY k.subject, k.channel, k.purpose, k.ktopic
                            ORDER BY e.occurred_at, e.prec, e.id) AS pos
  FROM keys k JOIN ev e ON e.subject = k.subject
  WHERE e.type = 'erase'
     OR (e.channel = k.channel AND e.purpose = k.purpose AND (e.topic = '' OR e.topic = k.ktopic))
),
a1 AS (
  SELECT """
    + _KEY
    + """,
    MAX(CASE WHEN type IN ('withdraw', 'object', 'complaint', 'erase') THEN pos END) AS oo_pos,
    MAX(CASE WHEN type = 'purchase' THEN pos END) AS pu_pos,
    MAX(CASE WHEN type = 'inquiry' THEN pos END) AS iq_pos,
    MAX(CASE WHEN country IS NOT NULL THEN pos END) AS cc_pos
  FROM ranked GROUP BY """
    + _KEY
    + """
),
a2 AS (
  SELECT a1.subject, a1.channel, a1.purpose, a1.ktopic,
    MAX(a1.oo_pos) AS oo_pos, MAX(a1.pu_pos) AS pu_pos, MAX(a1.iq_pos) AS iq_pos,
    MAX(a1.cc_pos) AS cc_pos,
    MIN(CASE WHEN r.type = 'consent' AND r.pos > COALESCE(a1.oo_pos, 0) THEN r.pos END) AS cs_pos
  FROM a1 JOIN ranked r ON """
    + _ON.format(a="a1")
    + """
  GROUP BY a1.subject, a1.channel, a1.purpose, a1.ktopic
),
f AS (
  SELECT a2.subject, a2.channel, a2.purpose, a2.ktopic, MAX(a2.cs_pos) AS cs_pos,
    MAX(a2.oo_pos) AS oo_pos,
    """
    + ",\n    ".join(
        [
            _pick("cs_pos", "occurred_at", "consent_at"),
            _pick("cs_pos", "id", "consent_event_id"),
            "MIN(CASE WHEN r.type = 'confirm' AND r.pos > a2.cs_pos THEN r.occurred_at END)"
            " AS confirmed_at",
            _pick("oo_pos", "occurred_at", "opt_out_at"),
            _pick("oo_pos", "type", "opt_out_type"),
            _pick("oo_pos", "id", "opt_out_event_id"),
            _pick("pu_pos", "occurred_at", "last_purchase_at"),
            _pick("pu_pos", "id", "last_purchase_event_id"),
            _pick("pu_pos", "product", "last_purchase_product"),
            _pick("pu_pos", "refusal", "last_purchase_refusal_offered"),
            _pick("iq_pos", "occurred_at", "last_inquiry_at"),
            _pick("iq_pos", "id", "last_inquiry_event_id"),
            _pick("cc_pos", "country", "country"),
        ]
    )
    + """
  FROM a2 JOIN ranked r ON """
    + _ON.format(a="a2")
    + """
  GROUP BY a2.subject, a2.channel, a2.purpose, a2.ktopic
)
SELECT {subject} AS subject, f.channel, f.purpose, NULLIF(f.ktopic, '') AS topic,
  CASE
    WHEN f.cs_pos IS NOT NULL THEN
      CASE WHEN {doi} AND f.confirmed_at IS NULL THEN 'pending' ELSE 'consented' END
    WHEN f.opt_out_type = 'withdraw' THEN 'withdrawn'
    WHEN f.opt_out_type = 'object' THEN 'objected'
    WHEN f.opt_out_type = 'complaint' THEN 'complained'
    WHEN f.opt_out_type = 'erase' THEN 'erased'
    ELSE 'none'
  END AS status,
  f.consent_at, f.consent_event_id, f.confirmed_at, f.opt_out_at, f.opt_out_type,
  f.opt_out_event_id, f.last_purchase_at, f.last_purchase_event_id, f.last_purchase_product,
  f.last_purchase_refusal_offered, f.last_inquiry_at, f.last_inquiry_event_id, f.country,
  f.subject AS subject_key
FROM f LEFT JOIN subjects s ON s.key = f.subject
"""
).replace("{precedence}", _precedence())

__all__ = ["FOLD_AT_SQL", "ID_COLUMNS", "TIMESTAMP_COLUMNS", "column_types"]
