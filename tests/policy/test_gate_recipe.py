"""The batch gate's contract, proven here on a small scale: consent facts computed in SQL
(DuckDB) from the ledger export's columns, as the package docstring prescribes, give
decide_facts() the same action, reason and requirements that decide() gives per recipient."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, timedelta
from functools import lru_cache

import duckdb
from hypothesis import given, settings
from hypothesis import strategies as st

from maysend.classify.verdict import Verdict
from maysend.ledger import ConsentState, StoredEvent
from maysend.message.model import Message
from maysend.policy import (
    OPT_OUT_STATUS,
    ConsentFacts,
    PolicyConfig,
    Recipient,
    check_message,
    choose_jurisdiction,
    decide,
    decide_facts,
    required_windows,
)

from .factory import AT
from .strategies import COUNTRIES, MESSAGES, POLICIES, fold, histories, verdicts

COLUMNS = (
    "subject VARCHAR, status VARCHAR, consent_at TIMESTAMPTZ, confirmed_at TIMESTAMPTZ, "
    "opt_out_at TIMESTAMPTZ, opt_out_type VARCHAR, last_purchase_at TIMESTAMPTZ, "
    "last_purchase_product VARCHAR, last_purchase_refusal_offered BOOLEAN, "
    "last_inquiry_at TIMESTAMPTZ, country VARCHAR"
)


def export_row(subject: str, state: ConsentState) -> tuple[object, ...]:
    purchase = state.last_purchase
    return (
        subject,
        state.status.value,
        state.consent.occurred_at if state.consent else None,
        state.confirmed.occurred_at if state.confirmed else None,
        state.opt_out.occurred_at if state.opt_out else None,
        state.opt_out.type.value if state.opt_out else None,
        purchase.event.occurred_at if purchase else None,
        purchase.product if purchase else None,
        purchase.refusal_offered if purchase else None,
        state.last_inquiry.occurred_at if state.last_inquiry else None,
        state.country,
    )


def facts_sql(policy: PolicyConfig) -> str:
    """The SQL the package docstring describes, written out."""
    similar = sorted(policy.similar_products.similar_to(policy.declared_product))
    matching = (
        "lower(trim(last_purchase_product)) IN ({})".format(", ".join(f"'{p}'" for p in similar))
        if similar
        else "false"
    )
    windows = ", ".join(
        f"coalesce(last_{w.event.value}_at BETWEEN $at - INTERVAL ({w.days}) DAY AND $at, false)"
        f" AS w_{name}"
        for name, w in required_windows(policy).items()
    )
    return f"""
        SELECT e.subject,
          CASE WHEN e.status NOT IN ('consented', 'pending') THEN e.status
               WHEN consent_at IS NULL OR consent_at > $at THEN coalesce(m.status, 'none')
               WHEN confirmed_at > $at THEN 'pending'
               ELSE e.status END AS status,
          coalesce(confirmed_at <= $at, false) AS confirmed,
          coalesce(last_purchase_at <= $at, false) AS purchase,
          coalesce(last_purchase_at <= $at AND {matching}, false) AS product_similar,
          coalesce(last_purchase_at <= $at AND last_purchase_refusal_offered, false)
            AS refusal_offered,
          coalesce(last_inquiry_at <= $at, false) AS inquiry,
          {windows}
        FROM export e LEFT JOIN opt_out_status m ON m.type = e.opt_out_type
        ORDER BY e.subject"""


def sql_facts(rows: list[tuple[object, ...]], policy: PolicyConfig) -> dict[str, dict[str, object]]:
    with duckdb.connect() as db:
        db.execute("SET TimeZone = 'UTC'")
        db.execute(f"CREATE TABLE export ({COLUMNS})")
        db.executemany(f"INSERT INTO export VALUES ({', '.join('?' * 11)})", rows)
        db.execute("CREATE TABLE opt_out_status (type VARCHAR, status VARCHAR)")
        db.executemany(
            "INSERT INTO opt_out_status VALUES (?, ?)",
            [(t.value, s.value) for t, s in OPT_OUT_STATUS.items()],
        )
        cursor = db.execute(facts_sql(policy), {"at": AT})
        names = [d[0] for d in cursor.description]
        return {row[0]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()}


def to_facts(row: dict[str, object], code: str, policy: PolicyConfig) -> ConsentFacts:
    own = policy.jurisdiction(code).route_windows()
    within = {n: w for n, w in own.items() if row[f"w_{n}"]}
    return ConsentFacts(
        status=row["status"],  # type: ignore[arg-type]
        confirmed=bool(row["confirmed"]),
        purchase=bool(row["purchase"]),
        purchase_within=frozenset(n for n, w in within.items() if w.event.value == "purchase"),
        product_declared=bool((policy.declared_product or "").strip()),
        product_similar=bool(row["product_similar"]),
        refusal_offered=bool(row["refusal_offered"]),
        inquiry=bool(row["inquiry"]),
        inquiry_within=frozenset(n for n, w in within.items() if w.event.value == "inquiry"),
    )


audiences = st.lists(
    st.tuples(
        histories(after=90),
        st.booleans(),
        st.sampled_from(COUNTRIES),
        st.sampled_from(COUNTRIES),
        st.integers(0, 60),
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=30, deadline=None)
@given(audiences, verdicts(), st.sampled_from(MESSAGES), st.sampled_from(POLICIES))
def test_sql_facts_give_the_same_decision(
    audience: list[tuple[list[StoredEvent], bool, str | None, str | None, int]],
    verdict: Verdict,
    msg: Message,
    policy: PolicyConfig,
) -> None:
    recipients: dict[str, Recipient] = {}
    for index, (events, doi, country, ledger_country, exported_after) in enumerate(audience):
        # a snapshot exported some days after the decision time, as a gate may be given
        state = fold(events, AT + timedelta(days=exported_after), doi)
        state = replace(state, country=ledger_country)
        recipients[f"r{index:03}@example.org"] = Recipient(
            f"r{index:03}@example.org", country, state
        )
    rows = [export_row(name, r.state) for name, r in recipients.items() if r.state]
    computed = sql_facts(rows, policy)
    checks = check_message(msg, policy)
    cached = lru_cache(maxsize=None)(decide_facts)  # the gate calls it once per combination
    for name, recipient in recipients.items():
        assert recipient.state is not None
        choice = choose_jurisdiction(recipient.country or recipient.state.country, policy)
        facts = to_facts(computed[name], choice.code, policy) if choice.code else None
        outcome = cached(checks, verdict, choice, facts, policy)
        decision = decide(msg, verdict, recipient, AT.astimezone(UTC), config=policy)
        assert (outcome.action, outcome.code, outcome.requirements) == (
            decision.action,
            decision.code,
            decision.requirements,
        ), name
