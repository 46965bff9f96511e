"""Link kinds, one row per shape of link a sender writes."""

from __future__ import annotations

import pytest

from maysend.message.links import classify_link, split_href
from maysend.message.model import LinkKind

U, A, S, T, M, W = (
    LinkKind.UNSUBSCRIBE,
    LinkKind.APP_STORE,
    LinkKind.SOCIAL,
    LinkKind.TRACKING,
    LinkKind.MAILTO,
    LinkKind.WEB,
)

CASES = [
    ("https://news.example.com/unsubscribe?u=1", "here", U, "news.example.com", "unsubscribe-path"),
    ("https://news.example.com/p?id=1", "Unsubscribe", U, "news.example.com", "unsubscribe-text"),
    (
        "https://news.example.com/x",
        "Opt-out of these emails",
        U,
        "news.example.com",
        "opt-out-text",
    ),
    ("https://shop.example.com/nl", "Newsletter abbestellen", U, "shop.example.com", "abbestellen"),
    ("https://shop.example.com/abmelden", "hier", U, "shop.example.com", "abmelden-path"),
    ("*|UNSUB|*", "click", U, "", "mailchimp-merge-tag"),
    ("mailto:leave@example.com?subject=Unsubscribe", "write", U, "example.com", "mailto-subject"),
    ("mailto:unsubscribe@example.com", "Stop", U, "example.com", "mailto-address"),
    ("MAILTO:Help@Example.ORG", "Help", M, "example.org", "mailto-plain"),
    ("https://apps.apple.com/app/id1", "App Store", A, "apps.apple.com", "apple-app-store"),
    ("https://play.google.com/store/apps/details?id=x", "", A, "play.google.com", "google-play"),
    ("https://itunes.apple.com/app/id1", "", A, "itunes.apple.com", "itunes"),
    ("https://www.facebook.com/example", "f", S, "www.facebook.com", "facebook"),
    ("https://x.com/example", "X", S, "x.com", "x"),
    ("https://de.linkedin.com/company/example", "in", S, "de.linkedin.com", "linkedin-subdomain"),
    ("https://youtu.be/abc", "video", S, "youtu.be", "youtube-short"),
    ("https://box.example.com/x.com", "box", W, "box.example.com", "not-x-dot-com"),
    ("https://click.example.com/abc", "Shop", T, "click.example.com", "click-subdomain"),
    ("https://u1.ct.sendgrid.net/ls/click?x=1", "Shop", T, "u1.ct.sendgrid.net", "known-tracker"),
    (
        "https://example.us1.list-manage.com/track/click?u=1",
        "a",
        T,
        "example.us1.list-manage.com",
        "list-manage",
    ),
    (
        "https://www.example.net/r?url=https%3A%2F%2Fexample.org",
        "go",
        T,
        "www.example.net",
        "url-param",
    ),
    ("https://www.example.net/redirect/123", "go", T, "www.example.net", "redirect-path"),
    (
        "https://trk.example.com/c?u=https%3A%2F%2Fplay.google.com%2Fstore",
        "app",
        A,
        "trk.example.com",
        "redirect-to-store",
    ),
    (
        "https://links.example.com/?target=https://www.instagram.com/x",
        "ig",
        S,
        "links.example.com",
        "redirect-to-social",
    ),
    ("https://shop.example.com/product?id=1", "Buy", W, "shop.example.com", "web"),
    ("https://User@Shop.Example.com:8443/p", "Buy", W, "shop.example.com", "userinfo-port"),
    ("//cdn.example.com/x", "x", W, "cdn.example.com", "scheme-relative"),
    ("/relative/path", "x", W, "", "relative"),
    ("#anchor", "top", W, "", "anchor"),
    ("javascript:void(0)", "x", W, "", "javascript"),
    ("  https://example.com/a  ", "a", W, "example.com", "whitespace-around"),
]


@pytest.mark.parametrize(
    ("href", "text", "kind", "domain"),
    [pytest.param(*row[:4], id=row[4]) for row in CASES],
)
def test_link_kind(href: str, text: str, kind: LinkKind, domain: str) -> None:
    link = classify_link(href, text)
    assert (link.kind, link.domain) == (kind, domain)
    assert link.href == href.strip()
    assert link.text == text


def test_repeated_addresses_keep_their_own_anchor_text() -> None:
    # The answer for an address is cached; the opt-out reading of anchor text is not.
    href = "https://shop.example.com/p/42"
    assert classify_link(href, "Buy").kind is W
    assert classify_link(href, "Unsubscribe").kind is U
    assert classify_link(href, "Buy").kind is W


@pytest.mark.parametrize(
    ("href", "expected"),
    [
        ("https://a.example.com/x?y#z", ("a.example.com", "/x?y#z")),
        ("https://[2001:db8::1]:443/p", ("2001:db8::1", "/p")),
        ("mailto:x@example.com", ("", "mailto:x@example.com")),
        ("https://a.example.com.", ("a.example.com", "")),
    ],
)
def test_split_href(href: str, expected: tuple[str, str]) -> None:
    assert split_href(href.lower()) == expected
