"""Invariants over random ledger histories and verdicts, in every jurisdiction."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from maysend.classify.verdict import Kind, Verdict
from maysend.ledger import OPT_OUTS, EventType, StoredEvent
from maysend.message.model import Message
from maysend.policy import (
    Action,
    PolicyConfig,
    Recipient,
    check_message,
    choose_jurisdiction,
    consent_facts,
    decide,
    decide_facts,
)

from .factory import AT
from .strategies import (
    COUNTRIES,
    MESSAGES,
    POLICIES,
    fold,
    histories,
    service_verdicts,
    stored,
    verdicts,
)

MARKETING_EVENTS = OPT_OUTS | {EventType.CONSENT}
EXAMPLES = settings(max_examples=150, deadline=None)

policies = st.sampled_from(POLICIES)
countries = st.sampled_from(COUNTRIES)
messages = st.sampled_from(MESSAGES)


@st.composite
def ending_in_opt_out(draw: st.DrawFn) -> list[StoredEvent]:
    """A history whose latest marketing event (up to AT) is a withdrawal or complaint."""
    events = draw(histories())
    earlier = [e.occurred_at for e in events if e.type in MARKETING_EVENTS and e.occurred_at <= AT]
    start = max(earlier, default=AT - timedelta(days=1000))
    when = start + (AT - start) * draw(st.floats(0, 1))
    kind = draw(st.sampled_from([EventType.WITHDRAW, EventType.COMPLAINT]))
    return [*events, stored(len(events) + 1, kind, when, None, False)]


@EXAMPLES
@given(ending_in_opt_out(), st.booleans(), verdicts(), countries, messages, policies)
def test_latest_opt_out_is_never_sent_marketing(
    events: list[StoredEvent],
    doi: bool,
    verdict: Verdict,
    country: str | None,
    msg: Message,
    policy: PolicyConfig,
) -> None:
    recipient = Recipient("a@example.org", country, fold(events, AT, doi))
    decision = decide(msg, verdict, recipient, AT, config=policy)
    assert decision.action is not Action.SEND or decision.kind is Kind.SERVICE


@EXAMPLES
@given(histories(), st.booleans(), service_verdicts(), countries, messages, policies, st.booleans())
def test_service_mail_is_never_stopped_for_lack_of_consent(
    events: list[StoredEvent],
    doi: bool,
    verdict: Verdict,
    country: str | None,
    msg: Message,
    policy: PolicyConfig,
    answered: bool,
) -> None:
    state = fold(events, AT, doi) if answered else None
    decision = decide(msg, verdict, Recipient("a@example.org", country, state), AT, config=policy)
    assert (decision.action, decision.code) == (Action.SEND, "SERVICE_MESSAGE")


@EXAMPLES
@given(histories(after=400), st.booleans(), verdicts(), countries, messages, policies)
def test_decision_at_t_depends_only_on_events_before_t(
    events: list[StoredEvent],
    doi: bool,
    verdict: Verdict,
    country: str | None,
    msg: Message,
    policy: PolicyConfig,
) -> None:
    before = [e for e in events if e.occurred_at <= AT]

    def at_t(state_events: list[StoredEvent], as_of_days: int) -> tuple[Action, str]:
        state = fold(state_events, AT + timedelta(days=as_of_days), doi)
        decision = decide(
            msg, verdict, Recipient("a@example.org", country, state), AT, config=policy
        )
        return decision.action, decision.code

    now = at_t(events, 0)
    assert now == at_t(before, 0)
    assert now == at_t(before, 365), "a state folded later from the same events decides alike"
    later = at_t(events, 365)  # a state that has seen events after t
    assert later[0] is not Action.SEND or now[0] is Action.SEND, "later events never permit"


@EXAMPLES
@given(histories(), st.booleans(), verdicts(), countries, messages, policies, st.booleans())
def test_decide_is_decide_facts_over_consent_facts(
    events: list[StoredEvent],
    doi: bool,
    verdict: Verdict,
    country: str | None,
    msg: Message,
    policy: PolicyConfig,
    answered: bool,
) -> None:
    state = fold(events, AT, doi) if answered else None
    decision = decide(msg, verdict, Recipient("a@example.org", country, state), AT, config=policy)
    choice = choose_jurisdiction(country or (state.country if state else None), policy)
    facts = None
    if state is not None and choice.code is not None:
        rules = policy.jurisdiction(choice.code)
        facts = consent_facts(state, AT, rules, policy.declared_product, policy.similar_products)
    outcome = decide_facts(check_message(msg, policy), verdict, choice, facts, policy)
    assert (outcome.action, outcome.code, outcome.citation) == (
        decision.action,
        decision.code,
        decision.reasons[0].citation,
    )
    assert outcome.requirements == decision.requirements
    assert [s.code for s in outcome.trail] == [r.code for r in decision.reasons]
