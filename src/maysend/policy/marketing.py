"""Is this message marketing here? The verdict read under one jurisdiction's test.

The classifier keeps legal categories apart; each jurisdiction weighs them:
a consent request is marketing everywhere, a review request is advertising in
Germany, a genuine survey is not marketing in the UK unless it also promotes.
"""

from __future__ import annotations

from maysend.classify.verdict import PROMOTIONAL, Category, Kind, PrimaryPurpose, Verdict
from maysend.policy.model import Result, Step
from maysend.policy.rules import JurisdictionRules, MarketingTest, RuleRef

WHY_MARKETING = {
    MarketingTest.KIND: "one promotional element makes the whole message marketing",
    MarketingTest.PRIMARY_PURPOSE: "its primary purpose is commercial",
    MarketingTest.SOLELY_TRANSACTIONAL: "it is not solely transactional",
}
WHY_SERVICE = {
    MarketingTest.KIND: "no promotional element",
    MarketingTest.PRIMARY_PURPOSE: "its primary purpose is transactional",
    MarketingTest.SOLELY_TRANSACTIONAL: "solely transactional",
}


def names(categories: frozenset[Category]) -> str:
    return ", ".join(sorted(c.value for c in categories)) or "none"


def weighed_categories(verdict: Verdict) -> frozenset[Category]:
    """The promotional categories a jurisdiction weighs.

    The model's reading of a block that a rule has already named is the same element seen
    twice, not a second one: counted, it would make a UK survey request marketing only
    because the model also noticed the request. The model still counts in full where it
    is the only thing that found promotion in its block.
    """
    named = {
        e.where
        for e in verdict.evidence
        if e.category in PROMOTIONAL and e.category is not Category.MODEL
    }
    return frozenset(
        e.category
        for e in verdict.evidence
        if e.category in PROMOTIONAL and not (e.category is Category.MODEL and e.where in named)
    )


def base_kind(verdict: Verdict, rules: JurisdictionRules) -> Kind:
    """The jurisdiction's own test, before category rules."""
    test = rules.marketing.test
    if test is MarketingTest.PRIMARY_PURPOSE:
        commercial = verdict.primary_purpose is PrimaryPurpose.COMMERCIAL
        return Kind.MARKETING if commercial else Kind.SERVICE
    if test is MarketingTest.SOLELY_TRANSACTIONAL and verdict.categories:
        return Kind.MARKETING
    return verdict.kind


def info(ref: RuleRef, text: str) -> Step:
    return Step(ref.code, ref.rule, ref.citation, Result.INFO, text, ("verdict",))


def marketing_step(verdict: Verdict, rules: JurisdictionRules) -> tuple[Kind, Step]:
    """The message's kind in this jurisdiction, and the rule that made it so."""
    found = weighed_categories(verdict)
    for rule in rules.marketing.always:
        if rule.category in found:
            text = f"the message contains a {rule.category.value.replace('_', ' ')}"
            return Kind.MARKETING, info(rule, text)
    kind = base_kind(verdict, rules)
    alone = {r.category: r for r in rules.marketing.not_alone}
    if kind is Kind.MARKETING and found and found <= alone.keys():
        text = f"only {names(found)} and nothing that promotes: not marketing here"
        return Kind.SERVICE, info(alone[min(found)], text)
    test = rules.marketing
    if kind is Kind.MARKETING:
        text = f"{test.rule}: {WHY_MARKETING[test.test]} (promotional: {names(found)})"
        return kind, info(test, text)
    basis = verdict.service_basis.value if verdict.service_basis else "none named"
    text = f"not {test.rule}: {WHY_SERVICE[test.test]} (service basis: {basis})"
    return kind, info(rules.service, text)


__all__ = ["marketing_step", "weighed_categories"]
