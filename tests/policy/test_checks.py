"""Message checks: List-Unsubscribe (RFC 2369), one-click (RFC 8058), visible opt-out,
postal address, sender identity, notices."""

from __future__ import annotations

import pytest

from maysend.message.model import Block, BlockKind, Link, LinkKind, Region
from maysend.policy import check_message
from maysend.policy.checks import list_unsubscribe_uris

from .factory import config, message

POLICY = config()

HEADER_ROWS = [
    ("RFC 2369 mailto and https", "<mailto:u@example.com>, <https://example.com/u/1>", True),
    ("RFC 2369 https alone", "<https://example.com/u/1>", True),
    ("RFC 2369 without angle brackets is malformed", "https://example.com/u/1", False),
    ("RFC 2369 unsupported scheme", "<ftp://example.com/u>", False),
    ("RFC 2369 text outside the brackets", "<mailto:u@example.com> click", False),
    ("empty header", "", False),
]


@pytest.mark.parametrize(
    ("value", "ok"), [r[1:] for r in HEADER_ROWS], ids=[r[0] for r in HEADER_ROWS]
)
def test_list_unsubscribe_form(value: str, ok: bool) -> None:
    assert (list_unsubscribe_uris(value) is not None) is ok


def passed(**changes: object) -> frozenset[str]:
    return check_message(message(**changes), POLICY).passed  # type: ignore[arg-type]


def test_compliant_message_passes_everything() -> None:
    assert {
        "list_unsubscribe",
        "list_unsubscribe_https",
        "one_click",
        "visible_unsubscribe",
        "opt_out_address",
        "refusal_notice",
        "objection_notice",
        "postal_address",
        "contact_information",
        "sender_identity",
        "ad_identification",
        "honest_subject",
    } <= passed()


def test_one_click_needs_an_https_uri() -> None:
    checks = passed(list_unsubscribe="<mailto:u@example.com>")
    assert "list_unsubscribe" in checks
    assert "one_click" not in checks


def test_one_click_needs_the_post_header() -> None:
    assert "one_click" not in passed(one_click=False)


def test_opt_out_address_from_the_header_alone() -> None:
    checks = passed(unsubscribe_link=False, footer=())
    assert "opt_out_address" in checks
    assert "visible_unsubscribe" not in checks


def test_footer_text_with_an_address_is_a_visible_unsubscribe() -> None:
    footer = ("To unsubscribe, write to stop@example.com",)
    assert "visible_unsubscribe" in passed(unsubscribe_link=False, footer=footer)


def test_the_word_unsubscribe_alone_is_not_a_way_out() -> None:
    assert "visible_unsubscribe" not in passed(unsubscribe_link=False, footer=("Unsubscribe",))


def test_unsubscribe_link_found_by_its_text() -> None:
    msg = message(unsubscribe_link=False, footer=())
    link = Link("https://example.com/p", "Newsletter abbestellen", "example.com", LinkKind.WEB)
    msg = msg.__class__(msg.headers, msg.blocks, (link,))
    assert "visible_unsubscribe" in check_message(msg, POLICY).passed


def test_postal_address_in_the_body_counts() -> None:
    msg = message(footer=())
    block = Block(5, BlockKind.TEXT, "Example Ltd, Toronto, ON M5V 2T6", Region.BODY)
    msg = msg.__class__(msg.headers, (*msg.blocks, block), msg.links)
    assert "postal_address" in check_message(msg, POLICY).passed


def test_sender_identity_needs_display_name_and_organisation_domain() -> None:
    assert "sender_identity" not in passed(sender=("", "news@example.com"))
    assert "sender_identity" not in passed(sender=("Example", "news@example.net"))
    assert "sender_identity" in passed(sender=("Example", "news@mail.example.com"))


def test_without_organisation_domains_only_the_name_is_checked() -> None:
    policy = config(organisation_domains=[])
    checks = check_message(message(sender=("Example", "news@example.net")), policy).passed
    assert "sender_identity" in checks


def test_deceptive_subject() -> None:
    assert "honest_subject" not in passed(subject="Fwd: your account")


def test_no_message_is_unreadable() -> None:
    assert check_message(None, POLICY).readable is False
