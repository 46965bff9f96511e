"""A receipt row's amount sits in a cell of its own: it is read with the label before it.

"Spring Sale (15% off boots)" alone reads as an offer; "Spring Sale (15% off boots) -£17.85"
is a line of what was paid (domain.md §1: neutral notices that name discounts already
applied stay service). A hyphen before an amount reads as the minus sign.
"""

from __future__ import annotations

import pytest

from maysend.classify import Classifier, Kind
from maysend.classify.segments import segments_of
from maysend.classify.text import normalise, tokens

from .conftest import from_html

RECEIPTS = [
    (
        "en",
        "Your receipt for order 5521",
        [
            ("Walking boots, size 8", "£119.00"),
            ("Spring Sale (15% off boots)", "-£17.85"),
            ("Promo code SPRING5 on this order", "-£5.00"),
            ("Total charged", "£96.15"),
        ],
    ),
    (
        "de",
        "Ihr Kassenbon vom 12.03.",
        [
            ("Babyöl 250 ml", "5,95 €"),
            ("Aktionsrabatt 10 % auf Babypflege", "-0,59 €"),
            ("Summe", "5,36 €"),
        ],
    ),
]


def receipt_html(greeting: str, rows: list[tuple[str, str]]) -> str:
    cells = "".join(
        f"<tr><td>{label}</td><td align='right'>{amount}</td></tr>" for label, amount in rows
    )
    return f"<p>{greeting}</p><table>{cells}</table>"


@pytest.mark.parametrize(("lang", "subject", "rows"), RECEIPTS, ids=["en", "de"])
def test_discount_lines_on_a_receipt_stay_service(
    classifier: Classifier, lang: str, subject: str, rows: list[tuple[str, str]]
) -> None:
    greeting = "Thank you for your order." if lang == "en" else "Vielen Dank für Ihren Einkauf."
    verdict = classifier.classify(from_html(subject, receipt_html(greeting, rows)))
    offers = [(e.indicator, e.text) for e in verdict.evidence if e.category.value == "offer"]
    assert verdict.kind is Kind.SERVICE, offers
    assert offers == []


def test_an_amount_cell_joins_the_label_cell_before_it() -> None:
    rows = [("Spring Sale (15% off boots)", "-£17.85"), ("Gift wrap", "free")]
    message = from_html("Receipt", receipt_html("Thanks.", rows))
    texts = [s.text for s in segments_of(message, 10_000).readable]
    assert texts == [
        "Receipt",
        "Thanks.",
        "Spring Sale (15% off boots) -£17.85",
        "Gift wrap free",  # a price written as a word is a row's value too
    ]


def test_an_amount_on_a_line_of_its_own_joins_the_line_before_it() -> None:
    html = "<p>Free gift with orders over $75: Cedar votive</p><p>$0.00</p><p>-10 %</p>"
    texts = [s.text for s in segments_of(from_html("Receipt", html), 10_000).readable]
    assert texts == ["Receipt", "Free gift with orders over $75: Cedar votive $0.00 -10 %"]


def test_an_offer_beside_a_price_cell_is_still_an_offer(classifier: Classifier) -> None:
    rows = [("Walking boots, size 8", "£119.00"), ("Get 20% off your next pair this week", "")]
    verdict = classifier.classify(from_html("Your receipt", receipt_html("Thanks.", rows)))
    assert verdict.kind is Kind.MARKETING


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("-£5.00", ["−", "£", "#"]),
        ("Promo code -0,59 €", ["promo", "code", "−", "#", "€"]),
        ("- 3 days left", ["#", "days", "left"]),
        ("bis -50 %", ["bis", "#", "%"]),
        ("-20% off", ["#", "%", "off"]),
        ("pre-order", ["pre", "order"]),
        ("5-10 May", ["#", "#", "may"]),
        ("A-1", ["a", "#"]),
        ("now - then", ["now", "then"]),
        ("−£2", ["−", "£", "#"]),
    ],
)
def test_a_hyphen_before_an_amount_reads_as_the_minus_sign(text: str, expected: list[str]) -> None:
    assert [normalise(t) for t in tokens(text)] == expected
