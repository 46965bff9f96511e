"""The .eml fixture corpus, one row per message, asserting on the fields it exists to show."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from maysend.message import BlockKind, LinkKind, Message, Region, parse_bytes, parse_file
from maysend.settings import MessageSettings

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
B, H, P, L, C, T = (
    BlockKind.BUTTON,
    BlockKind.HEADING,
    BlockKind.PARAGRAPH,
    BlockKind.LIST_ITEM,
    BlockKind.TABLE_CELL,
    BlockKind.TEXT,
)
BODY, PRE, FOOT = Region.BODY, Region.PREHEADER, Region.FOOTER


@dataclass(frozen=True)
class Expect:
    """What one fixture must parse to; None / empty means "not checked"."""

    headers: dict[str, object] = field(default_factory=dict)  # Headers attribute -> value
    sender: tuple[str, str] | None = None  # (display name, address)
    to: tuple[str, ...] | None = None
    blocks: tuple[tuple[BlockKind, Region, str], ...] | None = None  # exactly these
    contains: tuple[str, ...] = ()  # in the visible text
    absent: tuple[str, ...] = ()  # not in the visible text
    preheader: str | None = None
    links: tuple[tuple[LinkKind, str], ...] | None = None  # (kind, anchor text), exactly
    images: tuple[tuple[str, str], ...] | None = None
    attachments: tuple[tuple[str, str, int, bool], ...] | None = None
    defects: tuple[str, ...] = ()  # each present
    clean: bool = False  # no defects at all
    merge_tags: tuple[str, ...] | None = None
    has_html: bool | None = None


CASES = [
    pytest.param(
        "01-plain-en.eml",
        Expect(
            headers={
                "subject": "Minutes of Tuesday's planning meeting",
                "message_id": "<minutes-0603@example.com>",
                "date": datetime(2025, 6, 3, 9, 15, tzinfo=timezone(timedelta(hours=1))),
            },
            sender=("Ada Example", "ada@example.com"),
            to=("team1@example.org", "bob@example.net"),
            blocks=(
                (T, BODY, "Hi all,"),
                (T, BODY, "We agreed to move the release review to Thursday afternoon."),
                (T, BODY, "Bob will circulate the test plan by Wednesday."),
                (T, BODY, "Thanks, Ada"),
            ),
            clean=True,
            has_html=False,
        ),
        id="plain-text-paragraphs",
    ),
    pytest.param(
        "02-html-preheader-footer.eml",
        Expect(
            preheader="Our staff picks are here — 20% off until Monday",
            blocks=(
                (P, PRE, "Our staff picks are here — 20% off until Monday"),
                (H, BODY, "Staff picks for June"),
                (P, BODY, "Three novels our booksellers could not put down this month."),
                (P, BODY, "Order before Monday and save 20% on each title."),
                (
                    P,
                    FOOT,
                    "You are receiving this email because you joined the Lantern Books "
                    "reading club.",
                ),
                (P, FOOT, "Unsubscribe · Manage preferences"),
                (P, FOOT, "Lantern Books Ltd, 12 Harbour Road, Exampletown EX1 2AB"),
                (P, FOOT, "© 2025 Lantern Books"),
            ),
            links=((LinkKind.UNSUBSCRIBE, "Unsubscribe"), (LinkKind.WEB, "Manage preferences")),
            absent=("p { margin", "Lantern Books Lantern"),  # <style> and <title> dropped
            clean=True,
            has_html=True,
        ),
        id="html-preheader-and-footer",
    ),
    pytest.param(
        "03-alternative.eml",
        Expect(
            blocks=(
                (H, BODY, "Booking confirmed"),
                (P, BODY, "Your table for two is booked for Saturday at 19:00."),
                (P, BODY, "Reference: ORC-7781"),
            ),
            absent=("PLAIN VERSION",),
            attachments=(),
            clean=True,
        ),
        id="alternative-prefers-html",
    ),
    pytest.param(
        "04-mixed-attachments.eml",
        Expect(
            contains=("Amount due: 48.20 EUR by 30 June.",),
            images=(("cid:logo@supplies", "Supplies logo"),),
            attachments=(
                ("", "image/png", 208, False),
                ("invoice-2025-0412.pdf", "application/pdf", 2064, False),
                ("items.csv", "text/csv", 32, False),
            ),
            clean=True,
        ),
        id="mixed-with-attachments-and-related-image",
    ),
    pytest.param(
        "05-rfc822-attached.eml",
        Expect(
            contains=("forwarding the landlord's note",),
            absent=("INNER MESSAGE TEXT", "lease ends"),
            attachments=(("lease.eml", "message/rfc822", 73, True),),
        ),
        id="attached-message-listed-not-read",
    ),
    pytest.param(
        "06-latin1.eml",
        Expect(contains=("Grüße aus Köln!",), clean=True),
        id="charset-latin-1",
    ),
    pytest.param(
        "07-windows-1252.eml",
        Expect(contains=("The shop’s “late opening” costs 2 € per visit – see you soon…",)),
        id="charset-windows-1252",
    ),
    pytest.param(
        "08-iso-8859-15.eml",
        Expect(
            contains=("Le panier coûte 12 € cette semaine. Œufs frais inclus.",),
            sender=("Marché", "vente@marche.example.com"),
            defects=("From: 8-bit header not utf-8, decoded as windows-1252",),
        ),
        id="charset-iso-8859-15-and-8bit-header",
    ),
    pytest.param(
        "09-qp-utf8.eml",
        Expect(
            headers={"subject": "Frühjahrsputz"},
            blocks=(
                (H, BODY, "Frühjahrsputz im Garten"),
                (
                    P,
                    BODY,
                    "Für Ihre Beete: Schaufeln, Harken und Gießkannen in großer Auswahl, "
                    "alles vorrätig in unserer Filiale am Marktplatz.",
                ),
            ),
            clean=True,
        ),
        id="quoted-printable-utf-8-html",
    ),
    pytest.param(
        "10-base64-utf8.eml",
        Expect(
            blocks=(
                (T, BODY, "Your parcel left our depot in Zürich and arrives tomorrow."),
                (T, BODY, "Track it any time on our website."),
            ),
            clean=True,
        ),
        id="base64-utf-8",
    ),
    pytest.param(
        "11-mislabelled-utf8.eml",
        Expect(
            contains=("The Café opens at 8:00 on weekdays, naïve visitors welcome.",),
            defects=("charset mislabelled: declared utf-8, decoded as windows-1252",),
        ),
        id="mislabelled-utf-8",
    ),
    pytest.param(
        "12-unknown-charset.eml",
        Expect(
            contains=("Nightly backup finished: 1204 files, 0 errors.",),
            defects=("unknown charset 'x-made-up-charset', decoded as utf-8",),
        ),
        id="unknown-charset",
    ),
    pytest.param(
        "13-truncated-multipart.eml",
        Expect(
            blocks=(
                (T, BODY, "The first part arrived complete."),
                (T, BODY, "The second part stops in the mid"),
            ),
            defects=("CloseBoundaryNotFoundDefect",),
        ),
        id="truncated-multipart",
    ),
    pytest.param(
        "14-missing-boundary.eml",
        Expect(
            blocks=(
                (
                    P,
                    BODY,
                    "HTML: the boundary parameter is missing but the parts are still readable.",
                ),
                # both alternatives salvaged: the plain one's own word ("Plain") is read too
                (T, BODY, "Plain: the boundary parameter is missing."),
            ),
            defects=(
                "NoBoundaryInMultipartDefect",
                "multipart/alternative without a usable boundary: boundary guessed from body",
            ),
        ),
        id="missing-boundary-salvaged",
    ),
    pytest.param(
        "15-rfc2047-en.eml",
        Expect(
            headers={"subject": "Week <25> — your summary ✔"},
            sender=("Renée Example", "renee@example.com"),
            clean=True,
        ),
        id="rfc2047-english",
    ),
    pytest.param(
        "16-rfc2047-de.eml",
        Expect(
            headers={"subject": "Grüße aus München und über die Alpen"},
            sender=("Jürgen Müller", "juergen@example.com"),
            to=("graefin@example.org",),
            contains=("Liebe Frau Weiß, herzliche Grüße!",),
            clean=True,
        ),
        id="rfc2047-german-umlauts-folded",
    ),
    pytest.param(
        "17-list-unsubscribe.eml",
        Expect(
            headers={
                "list_unsubscribe": "<mailto:leave@lists.example.com?subject=unsubscribe>, "
                "<https://lists.example.com/leave?m=24>",
                "list_unsubscribe_post": "List-Unsubscribe=One-Click",
                "list_id": "Weekly Digest <digest.lists.example.com>",
                "precedence": "bulk",
                "feedback_id": "digest:weekly:lists.example.com",
            },
            links=((LinkKind.UNSUBSCRIBE, "Leave this list"), (LinkKind.MAILTO, "the editors")),
            clean=True,
        ),
        id="list-unsubscribe-headers",
    ),
    pytest.param(
        "18-hidden-elements.eml",
        Expect(
            blocks=(
                (P, BODY, "Visible opening paragraph."),
                (P, BODY, "Visible small print stays."),
                (P, BODY, "Visible closing paragraph."),
            ),
            absent=("SECRET",),
            preheader="",
        ),
        id="hidden-elements-dropped",
    ),
    pytest.param(
        "19-buttons.eml",
        Expect(
            blocks=(
                (P, BODY, "Your trial ends on Friday."),
                (B, BODY, "Upgrade now"),
                (B, BODY, "See plans"),
                (B, BODY, "Extend trial"),
                (P, BODY, "Read the questions and answers before you decide."),
                (B, BODY, "Remind me later"),
            ),
        ),
        id="buttons-role-class-bulletproof",
    ),
    pytest.param(
        "20-tables.eml",
        Expect(
            blocks=(
                *((C, BODY, t) for t in ("Item", "Qty", "Price", "Trail shoes", "1")),
                *((C, BODY, t) for t in ("89.00 EUR", "Socks", "3", "12.00 EUR")),
                (L, BODY, "Free returns within 30 days"),
                (L, BODY, "Delivery in 2 to 3 days"),
                (L, BODY, "Pack the item"),
                (L, BODY, "Print the label"),
            ),
        ),
        id="table-cells-and-list-items",
    ),
    pytest.param(
        "21-app-store-social.eml",
        Expect(
            links=(
                (LinkKind.APP_STORE, "Download on the App Store"),
                (LinkKind.APP_STORE, "Get it on Google Play"),
                (LinkKind.SOCIAL, "Facebook"),  # image-only link: the alt text
                (LinkKind.SOCIAL, "Instagram"),
                (LinkKind.SOCIAL, "X"),
                (LinkKind.SOCIAL, "LinkedIn"),
                (LinkKind.SOCIAL, "YouTube"),
                (LinkKind.SOCIAL, "TikTok"),
                (LinkKind.SOCIAL, "Pinterest"),
                (LinkKind.WEB, "About us"),
            ),
        ),
        id="app-store-and-social-links",
    ),
    pytest.param(
        "22-tracking.eml",
        Expect(
            links=(
                (LinkKind.TRACKING, "Shop the sale"),
                (LinkKind.TRACKING, "New arrivals"),
                (LinkKind.TRACKING, "Read more"),
                (LinkKind.APP_STORE, "Get the app"),  # a redirect to an app store
                (LinkKind.WEB, "Your account"),
            ),
        ),
        id="tracking-redirects",
    ),
    pytest.param(
        "23-german-newsletter.eml",
        Expect(
            headers={"subject": "Sommerschlussverkauf: bis zu 40 % Rabatt"},
            sender=("Beispiel Möbelhaus", "newsletter@shop.example.com"),
            blocks=(
                (P, PRE, "Nur bis Sonntag: Gartenmöbel reduziert"),
                (H, BODY, "Sommerschlussverkauf"),
                (
                    P,
                    BODY,
                    "Liebe Kundin, lieber Kunde, unsere Gartenmöbel sind bis Sonntag um bis "
                    "zu 40 % reduziert.",
                ),
                (B, BODY, "Jetzt entdecken"),
                (
                    P,
                    FOOT,
                    "Sie erhalten diese E-Mail, weil Sie unseren Newsletter abonniert haben.",
                ),
                (P, FOOT, "Newsletter abmelden | Impressum | Datenschutz"),
                (
                    P,
                    FOOT,
                    "Beispiel Handels GmbH, Musterstraße 12, 12345 Musterstadt, Amtsgericht "
                    "Musterstadt HRB 0000",
                ),
            ),
            links=(
                (LinkKind.WEB, "Jetzt entdecken"),
                (LinkKind.UNSUBSCRIBE, "Newsletter abmelden"),
                (LinkKind.WEB, "Impressum"),
                (LinkKind.WEB, "Datenschutz"),
            ),
        ),
        id="german-newsletter-preheader-class-footer",
    ),
    pytest.param(
        "24-german-plain-transactional.eml",
        Expect(
            headers={"subject": "Bestellbestätigung Nr. 4711"},
            blocks=(
                (T, BODY, "Guten Tag Frau Beispiel,"),
                (
                    T,
                    BODY,
                    "vielen Dank für Ihre Bestellung Nr. 4711 vom 24.06.2025. Ihre Ware wird "
                    "in zwei bis drei Werktagen geliefert.",
                ),
                (T, BODY, "Artikel: Wasserkocher, 1 Stück, 39,90 EUR"),
                (T, BODY, "Mit freundlichen Grüßen Ihr Kundenservice"),
                (
                    T,
                    FOOT,
                    "-- Beispiel Elektro GmbH Musterweg 5, 54321 Beispielstadt Impressum: "
                    "https://elektro.example.com/impressum",
                ),
            ),
            links=((LinkKind.WEB, ""),),
            clean=True,
        ),
        id="german-plain-signature-footer",
    ),
    pytest.param(
        "25-template-merge-tags.eml",
        Expect(
            headers={"subject": "{{first_name}}, your *|SEASON|* offer"},
            contains=("Hello {{first_name}},", "Dear *|FNAME|*, your code is %%coupon_code%%."),
            merge_tags=(
                "{{first_name}}",
                "*|SEASON|*",
                "*|FNAME|*",
                "%%coupon_code%%",
                "{{unsubscribe_url}}",
            ),
            links=((LinkKind.UNSUBSCRIBE, "Unsubscribe"),),
        ),
        id="merge-tags-kept-and-listed",
    ),
    pytest.param(
        "26-nested-multipart.eml",
        Expect(
            blocks=((P, BODY, "HTML body four levels down."),),
            absent=("Plain alternative", "attached notes"),
            attachments=(
                ("", "image/gif", 14, False),
                ("notes.txt", "text/plain", 30, False),
                ("data.bin", "application/octet-stream", 1024, False),
            ),
            clean=True,
        ),
        id="nested-multipart",
    ),
    pytest.param(
        "27-no-headers.eml",
        Expect(
            headers={"subject": "", "from_": None},
            blocks=(
                (T, BODY, "Hello there, this file has no header block at all."),
                (T, BODY, "Just two paragraphs of text."),
            ),
            defects=("MissingHeaderBodySeparatorDefect",),
        ),
        id="no-header-block",
    ),
    pytest.param(
        "28-binary-junk.eml",
        Expect(
            blocks=((T, BODY, "ok start ÿþ€ middle [31m red end"),),
            defects=("charset mislabelled: declared utf-8, decoded as windows-1252",),
        ),
        id="binary-junk-control-characters",
    ),
    pytest.param(
        "29-html-image-only.eml",
        Expect(
            blocks=((T, BODY, "Our new poster is out: a lighthouse at dusk."),),
            links=((LinkKind.WEB, "Lighthouse at dusk poster"),),
            images=(("https://cdn.example.net/lighthouse.jpg", "Lighthouse at dusk poster"),),
            has_html=True,
        ),
        id="image-only-html-falls-back-to-plain",
    ),
    pytest.param(
        "30-auto-submitted.eml",
        Expect(headers={"auto_submitted": "auto-replied", "precedence": "auto_reply"}),
        id="auto-submitted",
    ),
    pytest.param(
        "31-malformed-headers.eml",
        Expect(
            headers={"subject": "First subject", "date": None, "from_": None, "to": ()},
            contains=("Body text survives broken headers.",),
            defects=(
                "duplicate Subject header, first one used",
                "From: InvalidHeaderDefect",
                "Date: not a date",
            ),
        ),
        id="malformed-headers",
    ),
    pytest.param(
        "32-lists-headings.eml",
        Expect(
            blocks=(
                (H, BODY, "What is new"),
                (L, BODY, "Faster search"),
                (L, BODY, "Dark mode"),
                (H, BODY, "Fixed"),
                (P, BODY, "Exports no longer time out."),
                (T, BODY, "Loose text after the quote."),
            ),
        ),
        id="headings-lists-loose-text",
    ),
    pytest.param(
        "33-visible-preheader-class.eml",
        Expect(
            preheader="Preview: tickets go on sale Friday",
            contains=("Summer concert series",),
        ),
        id="visible-preheader-by-class",
    ),
    pytest.param(
        "34-br-and-spacing.eml",
        Expect(
            blocks=(
                (P, BODY, "Line one Line two Line three"),
                (P, BODY, "Zerowidthchars vanish"),
                (T, BODY, "stray cell outside a table"),
            ),
        ),
        id="line-breaks-and-zero-width",
    ),
    pytest.param(
        "35-mailto-and-relative.eml",
        Expect(
            links=(
                (LinkKind.UNSUBSCRIBE, "Stop these emails"),
                (LinkKind.MAILTO, "Ask a question"),
                (LinkKind.WEB, "Settings"),
                (LinkKind.WEB, "Back to top"),
                (LinkKind.UNSUBSCRIBE, "Click here"),
            ),
        ),
        id="mailto-and-relative-links",
    ),
    pytest.param(
        # A plain alternative that mirrors the HTML adds nothing (03, 26); one that says
        # more is read too: the Instagram invitation exists only in the plain version.
        "36-alternative-plain-says-more.eml",
        Expect(
            blocks=(
                (H, BODY, "Your order has shipped"),
                (P, BODY, "Order HL-3601 left our warehouse today and should arrive on Thursday."),
                (P, FOOT, "Harbour Linen Ltd, 4 Quay Street, Bristol BS1 4XX Unsubscribe"),
                (T, BODY, "Follow us on Instagram for first looks at new arrivals."),
            ),
            clean=True,
            has_html=True,
        ),
        id="alternative-plain-says-more",
    ),
]


def _check(message: Message, expect: Expect) -> None:
    for attr, value in expect.headers.items():
        assert getattr(message.headers, attr) == value, attr
    if expect.sender is not None:
        sender = message.headers.from_
        assert sender is not None
        assert (sender.display_name, sender.address) == expect.sender
    if expect.to is not None:
        assert tuple(a.address for a in message.headers.to) == expect.to
    if expect.blocks is not None:
        assert [(b.kind, b.region, b.text) for b in message.blocks] == list(expect.blocks)
    for text in expect.contains:
        assert text in message.text
    for text in expect.absent:
        assert text not in message.text
    if expect.preheader is not None:
        assert message.preheader == expect.preheader
    if expect.links is not None:
        assert [(link.kind, link.text) for link in message.links] == list(expect.links)
    if expect.images is not None:
        assert [(i.src, i.alt) for i in message.images] == list(expect.images)
    if expect.attachments is not None:
        found = [(a.filename, a.content_type, a.size, a.is_message) for a in message.attachments]
        assert found == list(expect.attachments)
    for defect in expect.defects:
        assert defect in message.defects
    if expect.clean:
        assert message.defects == ()
    if expect.merge_tags is not None:
        assert message.merge_tags == expect.merge_tags
    if expect.has_html is not None:
        assert message.has_html is expect.has_html


@pytest.mark.parametrize(("name", "expect"), CASES)
def test_fixture(name: str, expect: Expect) -> None:
    _check(parse_file(CORPUS / name), expect)


def test_every_fixture_has_a_row() -> None:
    rows = {param.values[0] for param in CASES}
    assert rows == {path.name for path in CORPUS.glob("*.eml")}
    assert len(rows) >= 30


def test_blocks_are_numbered_in_reading_order() -> None:
    for path in sorted(CORPUS.glob("*.eml")):
        message = parse_file(path)
        assert [b.index for b in message.blocks] == list(range(len(message.blocks)))
        assert message.size == path.stat().st_size


def test_large_attachment_is_sized_not_decoded() -> None:
    payload = base64.encodebytes(bytes(1001)).decode()  # 1001 bytes: one '=' of padding
    raw = (
        "From: a@example.com\nSubject: sizes\nContent-Type: multipart/mixed; boundary=b\n\n"
        "--b\nContent-Type: text/plain\n\nsee attachment\n"
        "--b\nContent-Type: application/zip\nContent-Disposition: attachment; filename=a.zip\n"
        f"Content-Transfer-Encoding: base64\n\n{payload}--b--\n"
    ).encode()
    decoded = parse_bytes(raw).attachments[0]
    sized = parse_bytes(raw, settings=MessageSettings(max_decode_size=100)).attachments[0]
    assert decoded.size == 1001  # small enough: decoded, exact
    assert sized.size == 1002  # too large to decode: estimated from the encoded length


def test_dates_are_aware() -> None:
    message = parse_file(CORPUS / "02-html-preheader-footer.eml")
    assert message.headers.date == datetime(2025, 6, 6, 7, 0, tzinfo=UTC)
