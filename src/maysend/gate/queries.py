"""The gate's SQL, written once for both engines (DuckDB and Spark SQL).

Each engine provides the same named relations and runs these texts:

    audience(row, address, country)     one row per usable audience row
    slow(row, addr, reason)             values off the common address form, done in Python
    valid(row, addr, country)           every normalised address
    state                               the ledger snapshot's rows for the campaign
    recipients                          `recipients_sql`: one row per address, with facts
    outcomes                            `gate.outcomes.decide_combinations`, one per combination
    decided                             `decided_sql`: recipients joined to their outcome

The facts follow the recipe in `maysend.policy`'s docstring; the policy itself
is never restated here.
"""

from __future__ import annotations

from maysend.gate.addresses import common_form_sql, hmac_sql, normalized_common_sql
from maysend.gate.dialect import BLANK, Dialect
from maysend.gate.outcomes import LEDGER_COLUMNS, window_column
from maysend.gate.plan import GatePlan
from maysend.policy import OPT_OUT_STATUS


def state_filter(plan: GatePlan, dialect: Dialect) -> str:
    """The snapshot rows that answer for the campaign's channel and purpose."""
    return (
        f"channel = {dialect.literal(plan.channel)} "
        f"AND purpose = {dialect.literal(plan.purpose)} AND topic IS NULL"
    )


def valid_sql(dialect: Dialect) -> str:
    """Normalised addresses: the common form in SQL, the rest from `slow`."""
    return f"""
        SELECT row, {normalized_common_sql("address", dialect)} AS addr, country FROM audience
        WHERE address IS NOT NULL AND {common_form_sql("address", dialect)}
        UNION ALL
        SELECT s.row, s.addr, a.country FROM slow s JOIN audience a ON a.row = s.row
        WHERE s.addr IS NOT NULL"""


def status_sql(plan: GatePlan, dialect: Dialect) -> str:
    """The status as it stood at `at` (a snapshot may be newer): `effective_status`."""
    at = dialect.timestamp(plan.at)
    lit = dialect.literal
    pairs = OPT_OUT_STATUS.items()
    opt_out = " ".join(f"WHEN {lit(e.value)} THEN {lit(s.value)}" for e, s in pairs)
    return f"""CASE WHEN status IS NULL THEN 'none'
            WHEN status NOT IN ('consented', 'pending') THEN status
            WHEN consent_at IS NULL OR consent_at > {at}
                THEN CASE opt_out_type {opt_out} ELSE 'none' END
            WHEN confirmed_at > {at} THEN 'pending'
            ELSE status END"""


def fact_expressions(plan: GatePlan, dialect: Dialect) -> list[str]:
    """SELECT expressions for `plan.fact_model.columns`, over a recipient joined to `state`."""
    at = dialect.timestamp(plan.at)
    similar = ", ".join(dialect.literal(p) for p in sorted(plan.similar_products)) or "NULL"
    blank = dialect.full_match("country", BLANK)
    purchased = f"last_purchase_at <= {at}"
    expressions = [
        f"CASE WHEN country IS NULL OR {blank} THEN ledger_country ELSE country END AS country",
        "true AS answered",
        f"{status_sql(plan, dialect)} AS status",
        f"coalesce(confirmed_at <= {at}, false) AS confirmed",
        f"coalesce({purchased}, false) AS purchase",
        f"coalesce({purchased} AND lower(trim(last_purchase_product)) IN ({similar}), false)"
        " AS product_similar",
        f"coalesce({purchased} AND last_purchase_refusal_offered, false) AS refusal_offered",
        f"coalesce(last_inquiry_at <= {at}, false) AS inquiry",
    ]
    for name, window in sorted(plan.fact_model.windows.items()):
        moment = f"last_{window.event.value}_at"
        expressions.append(
            f"coalesce({moment} BETWEEN {at} - INTERVAL {window.days} DAY AND {at}, false)"
            f" AS {window_column(name)}"
        )
    return expressions


def recipients_sql(plan: GatePlan, dialect: Dialect) -> str:
    """One row per distinct address (its first row, the copies folded in) with its facts."""
    on = "s.subject = d.addr"
    if plan.keyed_subjects:
        on = f"s.subject_key = {hmac_sql('d.addr', plan.hash_secret or '', dialect)}"
    ledger = ", ".join(f"s.{c}" for c in LEDGER_COLUMNS)
    facts = ",\n            ".join(fact_expressions(plan, dialect))
    return f"""
        WITH d AS (
            -- the first row's country; coalesce, as DuckDB's min_by skips NULLs and Spark's not
            SELECT addr, min(row) AS row, count(*) AS copies,
                   min_by(coalesce(country, ''), row) AS country
            FROM valid GROUP BY addr
        ), j AS (
            SELECT d.addr, d.row, d.copies, d.country, {ledger}, s.country AS ledger_country
            FROM d LEFT JOIN state s ON {on}
        )
        SELECT row, addr, copies,
            {facts}
        FROM j"""


def decided_sql(columns: tuple[str, ...]) -> str:
    """Recipients joined back to the outcome of their combination of facts."""
    on = " AND ".join(f"r.{c} IS NOT DISTINCT FROM o.{c}" for c in columns)
    return f"""
        SELECT /*+ BROADCAST(o) */ r.row, r.addr AS address, r.copies,
               o.country_code AS country, o.jurisdiction, o.action, o.reason_code,
               o.citation, o.kind
        FROM recipients r JOIN outcomes o ON {on}"""


def list_sql(columns: tuple[str, ...], *, send: bool) -> str:
    """The send list or the suppression list, in audience order."""
    where = "action = 'send'" if send else "action <> 'send'"
    return f"SELECT {', '.join(columns)} FROM decided WHERE {where} ORDER BY row"


__all__ = [
    "decided_sql",
    "fact_expressions",
    "list_sql",
    "recipients_sql",
    "state_filter",
    "status_sql",
    "valid_sql",
]
