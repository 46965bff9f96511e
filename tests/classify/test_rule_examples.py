"""Every indicator's `match:` / `no_match:` examples, run as one table (the data tests itself)."""

from __future__ import annotations

import pytest

from maysend.classify.indicators import Indicator, Where, load_indicators
from maysend.classify.matching import Matcher, text_hits

INDICATORS = load_indicators()
MATCHER = Matcher(INDICATORS)


def _part(indicator: Indicator) -> Where:
    return Where.BODY if Where.BODY in indicator.where else sorted(indicator.where)[0]


def _cases() -> list[tuple[Indicator, str, bool]]:
    rows = []
    for indicator in INDICATORS:
        rows += [(indicator, text, True) for text in indicator.match]
        rows += [(indicator, text, False) for text in indicator.no_match]
    return rows


CASES = _cases()


@pytest.mark.parametrize(
    ("indicator", "text", "expected"),
    CASES,
    ids=[f"{i.lang}/{i.id}/{'match' if m else 'no_match'}/{t[:30]}" for i, t, m in CASES],
)
def test_indicator_example(indicator: Indicator, text: str, expected: bool) -> None:
    hits = text_hits(MATCHER, text, _part(indicator))
    if expected:
        found = {(h.indicator.id, h.indicator.lang) for h in hits}  # a context may re-weigh it
        assert (indicator.id, indicator.lang) in found, f"{indicator.id} should fire on {text!r}"
    else:
        assert indicator.id not in {h.indicator.id for h in hits}, f"{indicator.id} fired"


def test_every_phrase_indicator_documents_itself() -> None:
    """An indicator that reads text carries at least one example of each kind."""
    lacking = [
        f"{i.lang}/{i.id}"
        for i in INDICATORS
        if i.phrases and not i.links and not (i.match and i.no_match)
    ]
    assert lacking == []


def test_ids_are_shared_across_languages_with_one_category() -> None:
    categories: dict[str, set[str]] = {}
    for indicator in INDICATORS:
        categories.setdefault(indicator.id, set()).add(indicator.category.value)
    assert {k: v for k, v in categories.items() if len(v) > 1} == {}


REQUIRED = {  # the list, plus the service purposes and flags
    "offer", "encourage_use", "product_promotion", "cross_sell", "upsell", "renewal",
    "channel_nudge", "loyalty", "prize_draw", "consent_request", "review_request", "referral",
    "reactivation", "event_invitation", "third_party", "urgency", "newsletter", "service", "flag",
}  # fmt: skip


@pytest.mark.parametrize("lang", ["en", "de"])
def test_each_language_covers_every_legal_category(lang: str) -> None:
    found = {i.category.value for i in INDICATORS if i.lang == lang}
    assert found >= REQUIRED
    bases = {i.basis for i in INDICATORS if i.lang == lang and i.basis is not None}
    assert len(bases) == 10
