"""The policy: may this message go to this person, now, under their law?

Pure functions, no I/O in a decision: the message, the classifier's verdict
and the ledger's ConsentState come in; a Decision with its reasons comes out.
Legal knowledge is data in policy/jurisdictions/*.yaml (citations, routes,
windows, requirements), patterns.yaml (message checks), countries.yaml and
products.yaml (similar product groups); a deployment layers its own with
`config_dir/local.d/` (merge) and `config_dir/override.d/` (replace).

One recipient::

    config = load_policy(PolicySettings(), product="broadband")
    decision = decide(message, verdict, Recipient(address, country, state), at, config=config)

Actions: send; suppress (this recipient may not get it); block (the message as
it stands may not go, e.g. no way to opt out); hold (a gap: unreadable
message, classifier gap, no jurisdiction, no ledger answer; never sent as
marketing). `decision.reasons[0]` decides; the rest is the trail evaluated.

For many recipients (the batch gate), decide() splits in two:

(a) facts.  `consent_facts(state, at, jurisdiction_rules, declared_product,
    similar_products) -> ConsentFacts`, a small frozen, hashable set of
    discrete facts. To compute them in SQL from the ledger export columns
    (status, consent_at, confirmed_at, opt_out_at, last_purchase_at,
    last_purchase_product, last_purchase_refusal_offered, last_inquiry_at,
    country), with `at` the decision time:
      status           = CASE
                           WHEN status NOT IN ('consented','pending') THEN status
                           WHEN consent_at IS NULL OR consent_at > at
                             THEN coalesce(OPT_OUT_STATUS[opt_out_type], 'none')
                           WHEN confirmed_at > at THEN 'pending'
                           ELSE status END
                         (a state exported after `at` fails closed; OPT_OUT_STATUS maps
                         withdraw/object/complaint/erase to withdrawn/objected/...)
      confirmed        = confirmed_at IS NOT NULL AND confirmed_at <= at
      purchase         = last_purchase_at IS NOT NULL AND last_purchase_at <= at
      purchase_within  = {name for each window in required_windows(config) with
                          window.event == 'purchase', where the jurisdiction's
                          rules.route_windows() has it, and
                          at - days <= last_purchase_at <= at}
      product_declared = config.declared_product is non-blank (same for all rows)
      product_similar  = purchase AND lower(trim(last_purchase_product)) IN
                         config.similar_products.similar_to(config.declared_product)
      refusal_offered  = purchase AND last_purchase_refusal_offered
      inquiry, inquiry_within: as purchase, from last_inquiry_at
    `required_windows(config) -> {name: Window(event, days)}` lists every window
    any configured jurisdiction reads. Rows with no ledger answer have no facts
    (None), which holds marketing.

    The jurisdiction: `choose_jurisdiction(country, config) -> JurisdictionChoice`
    with the audience's country, else the ledger's `country` (call it once per
    distinct country). Then `config.jurisdiction(choice.code)` gives the
    JurisdictionRules for (a); a choice with code None has no facts (None):
    marketing is held, service mail goes only if every configured law calls it
    service. ConsentFacts takes the status as SQL returns it ('withdrawn').

(b) outcome.  `decide_facts(message_checks, verdict, jurisdiction, facts, config)
    -> Outcome(action, kind, jurisdiction, requirements, trail)`, with
    `outcome.code` / `outcome.citation` the deciding reason. Pure, and every
    argument is hashable: call it once per distinct (JurisdictionChoice,
    ConsentFacts | None) and join back. `message_checks = check_message(message,
    config)` once per campaign.

(c) decide() = (a) + (b) + the concrete events (ids, times, sources) attached
    to each reason's facts. decide() first holds an address that
    maysend.ledger.normalize_address rejects (HOLD_INVALID_ADDRESS); the gate
    rejects such rows before deciding. Gate and decide() agree on action and code by
    construction; tests/policy prove decide() == decide_facts(consent_facts()).

Reason codes are stable upper-case ids: jurisdiction files name most of them
(UK_CONSENT, UK_SOFT_OPT_IN, DE_NO_DOI, CASL_IMPLIED_PURCHASE, OPTED_OUT, ...);
the gaps are HOLD_UNREADABLE_MESSAGE, HOLD_CLASSIFIER_GAP, HOLD_INVALID_COUNTRY,
HOLD_UNKNOWN_JURISDICTION and HOLD_NO_LEDGER_ANSWER (marketing only: service
mail needs no ledger answer, and goes to a recipient with no jurisdiction when
every configured law calls it service); decide() holds HOLD_INVALID_ADDRESS,
and `hold_decision()` gives HOLD_LEDGER_UNAVAILABLE to an interface that cannot
reach the ledger at all. `reason_codes(config)` lists them all.
"""

from __future__ import annotations

from maysend.policy.checks import CHECKS, MessageChecks, check_message
from maysend.policy.config import PolicyConfig, SimilarProducts, load_policy
from maysend.policy.decide import decide, hold_decision
from maysend.policy.facts import OPT_OUT_STATUS, ConsentFacts, consent_facts, required_windows
from maysend.policy.jurisdiction import (
    Basis,
    JurisdictionChoice,
    choose_jurisdiction,
    recipient_country,
)
from maysend.policy.model import (
    Action,
    Decision,
    Outcome,
    Reason,
    Recipient,
    Requirement,
    Result,
    Step,
)
from maysend.policy.outcome import decide_facts, reason_codes
from maysend.policy.rules import JurisdictionRules, Severity, Window

__all__ = [
    "CHECKS",
    "OPT_OUT_STATUS",
    "Action",
    "Basis",
    "ConsentFacts",
    "Decision",
    "JurisdictionChoice",
    "JurisdictionRules",
    "MessageChecks",
    "Outcome",
    "PolicyConfig",
    "Reason",
    "Recipient",
    "Requirement",
    "Result",
    "Severity",
    "SimilarProducts",
    "Step",
    "Window",
    "check_message",
    "choose_jurisdiction",
    "consent_facts",
    "decide",
    "decide_facts",
    "hold_decision",
    "load_policy",
    "reason_codes",
    "recipient_country",
    "required_windows",
]
