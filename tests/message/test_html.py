"""HTML reading rules, one small document per rule: what a reader sees, in which block."""

from __future__ import annotations

import pytest

from maysend.message import BlockKind, Region, parse_template
from maysend.message.footer import footer_start, is_footer_line
from maysend.message.hidden import Visibility, style_visibility

B, H, P, L, C, T = (
    BlockKind.BUTTON,
    BlockKind.HEADING,
    BlockKind.PARAGRAPH,
    BlockKind.LIST_ITEM,
    BlockKind.TABLE_CELL,
    BlockKind.TEXT,
)
BODY, PRE, FOOT = Region.BODY, Region.PREHEADER, Region.FOOTER

CASES = [
    ("<h1>Title</h1><h6>Small</h6>", [(H, BODY, "Title"), (H, BODY, "Small")], "headings"),
    ("<div>A<div>B</div>C</div>", [(P, BODY, "A"), (P, BODY, "B"), (P, BODY, "C")], "nested-divs"),
    (
        "<table><tr><td>A<p>B</p>C</td></tr></table>",
        [(C, BODY, "A"), (P, BODY, "B"), (C, BODY, "C")],
        "text-resumes-in-parent-cell",
    ),
    ("<td><span>A</span></td><td><span>B</span></td>", [(T, BODY, "AB")], "cells-need-a-table"),
    (
        "<table><tr><td><span>A</span></td><td><span>B</span></td></tr></table>",
        [(C, BODY, "A"), (C, BODY, "B")],
        "inline-in-cells",
    ),
    ("Hello <b>bold</b> world", [(T, BODY, "Hello bold world")], "loose-text"),
    ("<p>a<br>b</p>", [(P, BODY, "a b")], "line-break"),
    (
        "<table><tr><td>Dear Ann,<br><br>Your plan changes.<br>\n <br>Turn it on.</td></tr>"
        "</table>",
        [(C, BODY, "Dear Ann,"), (C, BODY, "Your plan changes."), (C, BODY, "Turn it on.")],
        "blank-line-of-breaks-ends-a-paragraph",
    ),
    ("<p><br><br>a<br><br></p>", [(P, BODY, "a")], "breaks-around-text-alone"),
    ("<p>a\n\nb</p>", [(P, BODY, "a b")], "source-newlines-are-not-breaks"),
    ("<p>x</p><!-- a comment --><p>y</p>", [(P, BODY, "x"), (P, BODY, "y")], "comment"),
    (
        "<p>x</p><!--[if mso]><p>outlook only</p><![endif]-->",
        [(P, BODY, "x")],
        "conditional-comment",
    ),
    (
        "<p>x</p><noscript>no script</noscript>",
        [(P, BODY, "x"), (T, BODY, "no script")],
        "noscript",
    ),
    ("<p>a</p><template><p>t</p></template>", [(P, BODY, "a")], "template-dropped"),
    (
        "<div style='display:none'>pre</div><p>body</p>",
        [(P, PRE, "pre"), (P, BODY, "body")],
        "preheader",
    ),
    (
        "<p>body</p><div style='display:none'>late hidden</div>",
        [(P, BODY, "body")],
        "hidden-after-body-dropped",
    ),
    (
        "<span style='font-size:1px;color:#fff'>tiny preview</span><p>body</p>",
        [(T, PRE, "tiny preview"), (P, BODY, "body")],
        "tiny-text-preheader",
    ),
    (
        "<p>body</p><span style='font-size:1px'>tiny later</span>",
        [(P, BODY, "body"), (T, BODY, "tiny later")],
        "tiny-text-later-is-body",
    ),
    (
        "<div style='display:none'><span style='display:none'>nested pre</span></div><p>b</p>",
        [(P, PRE, "nested pre"), (P, BODY, "b")],
        "preheader-inside-hidden-padding",
    ),
    (
        "<div style='display:none'></div><div hidden>first text</div><p>b</p>",
        [(P, PRE, "first text"), (P, BODY, "b")],
        "empty-hidden-before-preheader",
    ),
    (
        "<p>b</p><div id='preheaderText' style='display:none'>named</div>",
        [(P, BODY, "b"), (P, PRE, "named")],
        "named-hidden-preheader-anywhere",
    ),
    (
        "<p>b</p><div class='product-preview'>card</div>",
        [(P, BODY, "b"), (P, BODY, "card")],
        "named-visible-later-is-body",
    ),
    ("<p style='opacity:0.0'>x</p><p>y</p>", [(P, PRE, "x"), (P, BODY, "y")], "opacity-zero"),
    ("<p style='opacity:0.5'>x</p>", [(P, BODY, "x")], "opacity-half-visible"),
    (
        "<p style='max-height:0px;overflow:hidden'>x</p><p>y</p>",
        [(P, PRE, "x"), (P, BODY, "y")],
        "max-height",
    ),
    ("<p>y</p><p style='Visibility : Hidden'>x</p>", [(P, BODY, "y")], "visibility-spaced-case"),
    ("<p>y</p><p aria-hidden='TRUE'>x</p>", [(P, BODY, "y")], "aria-hidden"),
    ("<p>y</p><p aria-hidden='false'>x</p>", [(P, BODY, "y"), (P, BODY, "x")], "aria-hidden-false"),
    (
        "<p>Intro <a href='https://e.example.com' class='cta-button'>Go</a> more</p>",
        [(P, BODY, "Intro"), (B, BODY, "Go"), (P, BODY, "more")],
        "button-by-class-inside-text",
    ),
    (
        "<p><a href='https://e.example.com' style='background:#000'>Alone</a></p>",
        [(B, BODY, "Alone")],
        "button-by-background",
    ),
    (
        "<p>Read <a href='https://e.example.com' style='background:#000'>this</a> now</p>",
        [(P, BODY, "Read this now")],
        "background-link-in-text-is-not-a-button",
    ),
    (
        "<table><tr><td bgcolor='#f00'><b><a href='https://e.example.com'>Buy</a></b></td></tr></table>",
        [(B, BODY, "Buy")],
        "bulletproof-button-through-inline",
    ),
    (
        "<table><tr><td><a href='https://e.example.com'>Plain cell link</a></td></tr></table>",
        [(C, BODY, "Plain cell link")],
        "uncoloured-cell-link",
    ),
    (
        "<ul><li>a</li><li>b<ul><li>c</li></ul></li></ul>",
        [(L, BODY, "a"), (L, BODY, "b"), (L, BODY, "c")],
        "nested-lists",
    ),
]


@pytest.mark.parametrize(
    ("html", "blocks"),
    [pytest.param(*row[:2], id=row[2]) for row in CASES],
)
def test_blocks(html: str, blocks: list[tuple[BlockKind, Region, str]]) -> None:
    message = parse_template("s", html=f"<html><body>{html}</body></html>")
    assert [(b.kind, b.region, b.text) for b in message.blocks] == blocks


@pytest.mark.parametrize(
    ("style", "seen"),
    [
        ("display:none", Visibility.HIDDEN),
        ("DISPLAY: NONE !important", Visibility.HIDDEN),
        ("font-size:0", Visibility.HIDDEN),
        ("font-size: 0px; line-height:0", Visibility.HIDDEN),
        ("font-size:0.9em", Visibility.VISIBLE),
        ("font-size:1px", Visibility.TINY),
        ("font-size:.05em", Visibility.TINY),
        ("max-height:0", Visibility.HIDDEN),
        ("max-height:100px", Visibility.VISIBLE),
        ("opacity:0", Visibility.HIDDEN),
        ("text-decoration:none;display:block", Visibility.VISIBLE),
        ("overflow:hidden", Visibility.VISIBLE),
        ("", Visibility.VISIBLE),
    ],
)
def test_style_visibility(style: str, seen: Visibility) -> None:
    assert style_visibility(style) is seen


@pytest.mark.parametrize(
    ("line", "is_footer"),
    [
        ("Unsubscribe | Manage your email preferences", True),
        ("You're receiving this because you signed up.", True),
        ("© 2025 Example Ltd. All rights reserved.", True),
        ("Example Ltd, 1 High Street, London N1 9GU", True),
        ("Example Inc, PO Box 12, Springfield, IL 62701", True),
        ("Newsletter abbestellen", True),
        ("Impressum · Datenschutz", True),
        ("Sie erhalten diese E-Mail, weil Sie Kunde sind.", True),
        ("Beispiel GmbH, Hauptstraße 1, 10115 Berlin", True),
        ("-- ", True),
        ("Your order number 12345 ships today.", False),
        ("Thanks for shopping with us!", False),
        ("Order no 12345", False),
    ],
)
def test_footer_cues(line: str, is_footer: bool) -> None:
    assert is_footer_line(line) is is_footer


def test_footer_is_trailing_and_never_the_first_body_block() -> None:
    texts = ["Please unsubscribe me from your list."]
    assert footer_start(texts, 1) is None
    texts = ["Hello", "A long paragraph " * 10, "Unsubscribe", "Follow us", "Example Ltd"]
    assert footer_start(texts, 1) == 2
    texts = ["Hello", "Unsubscribe", "A long closing paragraph with no cue at all " * 3]
    assert footer_start(texts, 1) is None
