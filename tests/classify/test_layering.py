"""A deployment adds or re-weights indicators without editing the package (rspamd layering)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from maysend.classify import Classifier, ClassifierSettings
from maysend.classify.indicators import load_indicators
from maysend.errors import ConfigError

from .conftest import fired, from_html, from_text


def _write(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _by_id(config: Path | None, lang: str = "en") -> dict[str, object]:
    return {i.id: i for i in load_indicators(config) if i.lang == lang}


def test_local_d_reweights_and_extends(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "local.d/en/site.yaml",
        "indicators:\n  - id: URGENCY_DEADLINE\n    weight: 1.0\n    phrases: ['doors close']\n",
    )
    indicator = _by_id(tmp_path)["URGENCY_DEADLINE"]
    assert indicator.weight == 1.0  # type: ignore[attr-defined]
    assert "doors close" in indicator.phrases  # type: ignore[attr-defined]
    assert "countdown" in indicator.phrases  # type: ignore[attr-defined]


def test_local_d_adds_and_disables(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "local.d/en/site.yaml",
        "indicators:\n"
        "  - id: HOUSE_BRAND_PUSH\n    category: product_promotion\n    weight: 1.0\n"
        "    description: Our own campaign name.\n    phrases: ['spring spectacular']\n"
        "  - id: SOCIAL_LINK\n    enabled: false\n",
    )
    found = _by_id(tmp_path)
    assert "HOUSE_BRAND_PUSH" in found
    assert "SOCIAL_LINK" not in found
    verdict = Classifier(ClassifierSettings(config_dir=tmp_path)).classify(
        from_text("Your account", "The Spring Spectacular is here.")
    )
    assert "HOUSE_BRAND_PUSH" in fired(verdict)


def test_override_d_replaces_a_shipped_file(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "override.d/en/offers.yaml",
        "indicators:\n"
        "  - id: OFFER_DISCOUNT\n    category: offer\n    weight: 1.0\n"
        "    description: Only this.\n    phrases: ['mega deal']\n",
    )
    found = _by_id(tmp_path)
    assert found["OFFER_DISCOUNT"].phrases == ("mega deal",)  # type: ignore[attr-defined]
    assert "OFFER_VOUCHER" not in found  # the whole shipped file is replaced
    assert "OFFER_VOUCHER" in _by_id(None)


@pytest.mark.parametrize(
    "bad",
    [
        "indicators: [{id: lower_case, category: offer, description: x, phrases: [a]}]",
        "indicators: [{id: X_ONE, category: nonsense, description: x, phrases: [a]}]",
        "indicators: [{id: X_ONE, category: service, description: x, phrases: [a]}]",
        "indicators: [{id: X_ONE, category: offer, description: x}]",
        "indicators: [{id: X_ONE, category: offer, description: x, phrases: ['~ a']}]",
        "indicators: {not: a list}",
        "indicators: [unclosed",
    ],
    ids=[
        "id-shape",
        "category",
        "service-without-basis",
        "no-phrases",
        "bad-phrase",
        "shape",
        "yaml",
    ],
)
def test_bad_rules_are_a_clear_config_error(tmp_path: Path, bad: str) -> None:
    _write(tmp_path, "local.d/en/bad.yaml", bad)
    with pytest.raises(ConfigError):
        Classifier(ClassifierSettings(config_dir=tmp_path))


def test_local_decision_rules_merge(tmp_path: Path, classifier: Classifier) -> None:
    _write(tmp_path, "local.d/decision.yaml", "marketing_threshold: 0.5\n")
    strict = Classifier(ClassifierSettings(config_dir=tmp_path))
    assert strict.rules.marketing_threshold == 0.5
    message = from_text(
        "Your parcel", "Your parcel has been dispatched.", "Countdown: 2 days to go."
    )
    assert classifier.classify(message).kind.value == "service"  # 0.5 alone is not enough
    assert strict.classify(message).kind.value == "marketing"


def _with_site_indicator(root: Path, **entry: object) -> Classifier:
    """A classifier with one deployment indicator (`entry`, its fields) added in local.d."""
    _write(root, "local.d/en/site.yaml", yaml.safe_dump({"indicators": [entry]}))
    return Classifier(ClassifierSettings(config_dir=root))


def _with_house_poll(root: Path, **cover: list[str]) -> Classifier:
    """A deployment's poll indicator ("our garden poll") with the contexts that cover it."""
    return _with_site_indicator(
        root,
        id="HOUSE_POLL",
        category="review_request",
        description="Our poll.",
        phrases=["our garden poll"],
        **cover,
    )


def test_context_weight_applies_only_beside_its_context(tmp_path: Path) -> None:
    """A supporting indicator decides where its context fires (LG Stendal 22 S 87/20)."""
    classifier = _with_site_indicator(
        tmp_path,
        id="HOUSE_GREETING",
        category="brand_promotion",
        weight=0.5,
        description="Our greeting.",
        phrases=["hello from the garden"],
        context=["DOUBLE_OPT_IN"],
        context_weight=1.0,
    )
    alone = classifier.classify(from_text("Your booking", "Hello from the garden!"))
    beside = classifier.classify(
        from_text("Please confirm your subscription", "Hello from the garden!")
    )
    weights = {e.indicator: e.weight for e in beside.evidence}
    assert weights["HOUSE_GREETING"] == 1.0
    assert {e.indicator: e.weight for e in alone.evidence}.get("HOUSE_GREETING") == 0.5
    assert beside.kind.value == "marketing"


def test_context_needs_its_weight(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "local.d/en/site.yaml",
        "indicators:\n"
        "  - id: HOUSE_GREETING\n    category: brand_promotion\n    weight: 0.5\n"
        "    description: Our greeting.\n    phrases: ['hello there']\n"
        "    context: [DOUBLE_OPT_IN]\n",
    )
    with pytest.raises(ConfigError, match="context"):
        load_indicators(tmp_path)


def test_a_started_step_covers_the_instructions_after_it(classifier: Classifier) -> None:
    """`unless_carries`: the app named as the way to finish what the reader started is not a
    nudge, in the block that says so or in the steps and store links that follow it."""
    step = classifier.classify(
        from_html(
            "Finish setting up mobile banking",
            "<p>You asked to turn on mobile banking today. To finish setup:</p>"
            "<p>1. Download the Oakridge app from the App Store or Google Play.</p>"
            '<p><a href="https://apps.apple.com/app/id1">App Store</a></p>',
        )
    )
    nudge = classifier.classify(
        from_html(
            "Your statement is ready",
            "<p>Your statement is ready to view online.</p>"
            "<p>Download the Oakridge app from the App Store or Google Play.</p>",
        )
    )
    assert "APP_DOWNLOAD_NUDGE" not in fired(step)
    assert "APP_DOWNLOAD_NUDGE" in fired(nudge)


def test_a_step_does_not_cover_what_came_before_it(classifier: Classifier) -> None:
    verdict = classifier.classify(
        from_text(
            "Welcome",
            "Download our app for exclusive fares.",
            "To finish setting up your account, confirm your email address.",
        )
    )
    assert "APP_DOWNLOAD_NUDGE" in fired(verdict)


def test_an_unless_anywhere_covers_the_whole_message(tmp_path: Path) -> None:
    """`unless_anywhere`: a mark stated in one paragraph cancels the indicator in all of
    them, before it and after it; without the mark the indicator fires as before."""
    classifier = _with_house_poll(tmp_path, unless_anywhere=["parish council duty"])
    plain = classifier.classify(from_text("Your parcel", "Answer our garden poll."))
    marked = classifier.classify(
        from_text(
            "Your parcel",
            "Answer our garden poll.",
            "We ask under a parish council duty.",
            "The results of our garden poll go to the council.",
        )
    )
    assert "HOUSE_POLL" in fired(plain)
    assert "HOUSE_POLL" not in fired(marked)


def test_local_rules_add_to_unless_anywhere(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "local.d/en/consent.yaml",
        "indicators:\n  - id: SATISFACTION_SURVEY\n    unless_anywhere: ['village census']\n",
    )
    shipped = {i.id + i.lang: i for i in load_indicators()}["SATISFACTION_SURVEYen"]
    local = {i.id + i.lang: i for i in load_indicators(tmp_path)}["SATISFACTION_SURVEYen"]
    assert local.unless_anywhere == (*shipped.unless_anywhere, "village census")


def test_a_statutory_statistics_survey_is_not_an_opinion_poll(classifier: Classifier) -> None:
    """A return the law requires (Statistics of Trade Act 1947; Mikrozensusgesetz § 13) is
    the state's survey, whichever paragraph states the duty; a poll beside it still counts."""
    statutory = classifier.classify(
        from_text(
            "Monthly Business Survey: your return is due 21 November",
            "Survey reference: 49900183726",
            "This survey is compulsory. Under the Statistics of Trade Act 1947 you are "
            "required by law to complete and return it.",
            "Please submit your return using the online survey portal.",
        )
    )
    mikrozensus = classifier.classify(
        from_text(
            "Mikrozensus 2026: Ihr Haushalt wurde ausgewählt",
            "Für die Teilnahme besteht nach § 13 des Mikrozensusgesetzes eine Auskunftspflicht.",
            "Alternativ können Sie die Befragung telefonisch durchführen.",
        )
    )
    poll = classifier.classify(
        from_text("Your parcel has shipped", "Your parcel is on its way.", "Take our survey.")
    )
    assert "SATISFACTION_SURVEY" not in fired(statutory)
    assert "SATISFACTION_SURVEY" not in fired(mikrozensus)
    assert statutory.kind.value == mikrozensus.kind.value == "service"
    assert "SATISFACTION_SURVEY" in fired(poll)


NOTICE_HTML = (
    "<p>Hello Sam,</p><p>Your order 48213 has been dispatched and should arrive on Thursday.</p>"
    '<p><a href="https://shop.example/x">{anchor}</a></p><p>Thanks, the Shop team</p>'
)


@pytest.mark.parametrize(
    ("anchor", "promotes"),
    [
        ("New in: autumn knitwear", True),  # a headline that is a link of its own
        ("Just landed: the spring range", True),
        ("Track your parcel", False),
        ("New in your account: your statement", False),  # the headline rule's own `unless`
    ],
)
def test_a_block_that_is_a_whole_link_is_read_as_a_link_too(
    classifier: Classifier, anchor: str, promotes: bool
) -> None:
    """A headline indicator counts in subjects, preheaders and links, not in running text
    (where "New in ..." can introduce a list of changes); a block that is a link's whole
    anchor is a link, so a promotional headline cannot hide there as a line of its own."""
    verdict = classifier.classify(
        from_html("Your order 48213 has shipped", NOTICE_HTML.format(anchor=anchor))
    )
    assert ("NEW_PRODUCT_HEADLINE" in fired(verdict)) is promotes
    assert (verdict.kind.value == "marketing") is promotes


def test_a_headline_in_running_text_is_not_a_headline(classifier: Classifier) -> None:
    verdict = classifier.classify(
        from_text("Release notes", "New in version 4.2: the export now keeps column widths.")
    )
    assert "NEW_PRODUCT_HEADLINE" not in fired(verdict)


def test_a_shared_context_is_written_once_and_named_by_several_indicators() -> None:
    """`contexts:` with `@name`: the German points-kept context stands once, in
    contexts.yaml, and both the voucher and the loyalty indicator read it."""
    found = _by_id(None, "de")
    kept = "(kundenkonto|punkte|bonuspunkte|guthaben) ~8 (bleiben|bleibt) ~6 bestehen"
    assert kept in found["OFFER_VOUCHER"].unless  # type: ignore[attr-defined]
    assert kept in found["LOYALTY_PROMOTION"].unless  # type: ignore[attr-defined]
    assert not any(
        u.startswith("@")
        for indicator in load_indicators()
        for u in (*indicator.unless, *indicator.unless_anywhere, *indicator.requires)
    )


def test_a_deployment_names_its_own_shared_context(tmp_path: Path) -> None:
    _write(tmp_path, "local.d/en/contexts.yaml", "contexts: {parish_duty: [parish council duty]}")
    classifier = _with_house_poll(tmp_path, unless=["@parish_duty"])
    plain = classifier.classify(from_text("Your parcel", "Answer our garden poll."))
    covered = classifier.classify(
        from_text("Your parcel", "Answer our garden poll under a parish council duty.")
    )
    assert "HOUSE_POLL" in fired(plain)
    assert "HOUSE_POLL" not in fired(covered)


@pytest.mark.parametrize(
    "files",
    [
        {
            "site.yaml": "indicators: [{id: X_ONE, category: offer, description: x, "
            "phrases: [a], unless: ['@nowhere']}]"
        },
        {"a.yaml": "contexts: {twice: [a b]}", "b.yaml": "contexts: {twice: [c d]}"},
        {"a.yaml": "contexts: [not, a, mapping]"},
    ],
    ids=["unknown", "defined-twice", "shape"],
)
def test_a_bad_shared_context_is_a_clear_config_error(
    tmp_path: Path, files: dict[str, str]
) -> None:
    for name, text in files.items():
        _write(tmp_path, f"local.d/en/{name}", text)
    with pytest.raises(ConfigError, match="context"):
        load_indicators(tmp_path)
