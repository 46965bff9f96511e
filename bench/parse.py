"""Benchmark: maysend's message parser against the bare floor, in the same run.

The floor is what any parser must pay at least: `email.message_from_bytes` with
the default policy plus selectolax's `body.text()` on the HTML part. maysend's
`parse_bytes` does more (headers, blocks, links, hidden text, footer), so the
ratio says what that extra costs. maysend parses with the default policy but
remembers parsed header values (maysend.message.policy), which makes the stdlib
part cheaper than the floor's; the floor is also run with that cache, and the
second ratio isolates the cost of maysend's own work. The corpus is generated in memory from a
fixed seed: plain-text and HTML messages of 5-80 KB, shaped like real
newsletters and receipts (nested layout tables, inline styles, tracking links).

    .venv/bin/python bench/parse.py [--messages N] [--seed S]
"""

from __future__ import annotations

import argparse
import email
import email.policy
import random
import time
from collections.abc import Callable
from email.message import EmailMessage

from selectolax.lexbor import LexborHTMLParser

from maysend.message import parse_bytes
from maysend.message.policy import READ_POLICY

WORDS_EN = [
    "new",
    "season",
    "offer",
    "order",
    "delivery",
    "account",
    "product",
    "price",
    "quality",
    "garden",
    "kitchen",
    "coffee",
    "travel",
    "weekend",
    "member",
    "points",
    "reward",
    "update",
    "service",
    "team",
    "support",
    "shipping",
    "return",
    "collection",
    "design",
    "fresh",
    "simple",
    "favourite",
    "colour",
    "size",
    "choose",
    "today",
    "week",
    "summer",
    "winter",
    "customers",
    "story",
    "recipe",
    "guide",
    "event",
    "ticket",
    "invoice",
    "payment",
    "receipt",
    "details",
    "item",
]
WORDS_DE = [
    "Angebot",
    "Bestellung",
    "Lieferung",
    "Konto",
    "Produkt",
    "Preis",
    "Qualität",
    "Garten",
    "Küche",
    "Kaffee",
    "Reise",
    "Wochenende",
    "Mitglied",
    "Punkte",
    "Prämie",
    "Neuigkeit",
    "Kundenservice",
    "Versand",
    "Rückgabe",
    "Auswahl",
    "Größe",
    "Farbe",
    "heute",
    "Woche",
    "Sommer",
    "Winter",
    "Rezept",
    "Veranstaltung",
    "Rechnung",
    "Zahlung",
]

STYLE_TD = "padding:12px 24px;font-family:Helvetica,Arial,sans-serif;font-size:15px;color:#333333"
STYLE_P = "margin:0 0 12px 0;line-height:22px;font-family:Helvetica,Arial,sans-serif"


def sentence(rng: random.Random, words: tuple[str, ...] | list[str], n: int) -> str:
    text = " ".join(rng.choice(words) for _ in range(n))
    return text[0].upper() + text[1:] + "."


def tracking_href(rng: random.Random, target: str) -> str:
    token = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(48))
    return f"https://click.mail.example.com/ls/click?upn={token}&u={target}"


def product_row(rng: random.Random, words: list[str], i: int) -> str:
    cells = []
    for col in range(2):
        href = tracking_href(rng, f"https%3A%2F%2Fshop.example.com%2Fp%2F{i}{col}")
        cells.append(
            f'<td width="50%" valign="top" style="{STYLE_TD}">'
            f'<a href="{href}"><img src="https://img.example.com/p/{i}{col}.jpg" width="260" '
            f'alt="{sentence(rng, words, 3)}" style="display:block;border:0"></a>'
            f'<h3 style="margin:8px 0;font-size:18px">{sentence(rng, words, 4)}</h3>'
            f'<p style="{STYLE_P}">{sentence(rng, words, 18)}</p>'
            f'<p style="{STYLE_P}"><strong>{rng.randint(5, 300)},99 EUR</strong></p>'
            f'<table role="presentation" cellpadding="0" cellspacing="0"><tr>'
            f'<td bgcolor="#0a7c59" style="border-radius:4px">'
            f'<a href="{href}" style="display:inline-block;padding:10px 18px;color:#ffffff;'
            f'background-color:#0a7c59;text-decoration:none">Shop now</a></td></tr></table></td>'
        )
    return f"<tr>{''.join(cells)}</tr>"


def html_body(rng: random.Random, target: int, german: bool) -> str:
    words = WORDS_DE if german else WORDS_EN
    head = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Newsletter</title>"
        "<style>@media (max-width:600px){.col{width:100%!important}} a{color:#0a7c59}</style>"
        "</head><body style='margin:0;padding:0;background:#f4f4f4'>"
        "<div style='display:none;max-height:0;overflow:hidden;font-size:1px'>"
        f"{sentence(rng, words, 12)}{'&zwnj;&nbsp;' * 40}</div>"
        "<table role='presentation' width='100%' cellpadding='0' cellspacing='0'><tr><td "
        "align='center'><table role='presentation' width='600' cellpadding='0' cellspacing='0' "
        "style='background:#ffffff'><tr><td style='padding:24px'><img "
        "src='https://img.example.com/logo.png' alt='Example Shop' width='140'></td></tr>"
        f"<tr><td style='{STYLE_TD}'><h1 style='font-size:28px;margin:0 0 16px 0'>"
        f"{sentence(rng, words, 6)}</h1><p style='{STYLE_P}'>{sentence(rng, words, 40)}</p>"
        f"<p style='{STYLE_P}'>{sentence(rng, words, 30)}</p></td></tr>"
        "<tr><td><table role='presentation' width='100%' cellpadding='0' cellspacing='0'>"
    )
    social = "".join(
        f"<a href='https://{site}/examplebrand'><img src='https://img.example.com/{name}.png' "
        f"alt='{name}' width='24'></a> "
        for site, name in (
            ("www.facebook.com", "Facebook"),
            ("www.instagram.com", "Instagram"),
            ("www.youtube.com", "YouTube"),
        )
    )
    foot = (
        "</table></td></tr>"
        f"<tr><td align='center' style='{STYLE_TD};font-size:12px;color:#777777'>"
        f"<p>{social}</p>"
        "<p>You are receiving this email because you signed up at shop.example.com.</p>"
        "<p><a href='https://mail.example.com/unsubscribe?u=1'>Unsubscribe</a> | "
        "<a href='https://mail.example.com/prefs?u=1'>Manage preferences</a></p>"
        "<p>Example Shop Ltd, 1 Sample Street, London N1 1AA</p>"
        "<p>© 2025 Example Shop</p></td></tr></table></td></tr></table></body></html>"
    )
    rows = []
    size = len(head) + len(foot)
    i = 0
    while size < target:
        row = product_row(rng, words, i)
        rows.append(row)
        size += len(row)
        i += 1
    return head + "".join(rows) + foot


def plain_body(rng: random.Random, target: int, german: bool) -> str:
    words = WORDS_DE if german else WORDS_EN
    paras: list[str] = []
    size = 0
    while size < target:
        para = "\n".join(sentence(rng, words, 12) for _ in range(rng.randint(2, 5)))
        paras.append(para)
        size += len(para) + 2
    paras.append("To unsubscribe: https://mail.example.com/unsubscribe?u=1")
    return "\n\n".join(paras) + "\n"


def build_message(rng: random.Random, i: int) -> bytes:
    target = rng.randint(5 * 1024, 80 * 1024)
    german = rng.random() < 0.3
    msg = EmailMessage()
    msg["From"] = "Beispiel Shop <news@shop.example.com>" if german else "news@shop.example.com"
    msg["To"] = f"reader{i}@example.org"
    msg["Subject"] = "Neu: Größen für den Sommer" if german else f"Offer number {i} for you"
    msg["Date"] = "Tue, 03 Jun 2025 10:00:00 +0000"
    msg["Message-ID"] = f"<bench-{i}@shop.example.com>"
    msg["List-Unsubscribe"] = "<https://mail.example.com/unsubscribe?u=1>"
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    kind = rng.random()
    if kind < 0.25:
        msg.set_content(
            plain_body(rng, target, german), cte=rng.choice(["quoted-printable", "8bit"])
        )
    else:
        text = plain_body(rng, min(target // 4, 8000), german)
        html = html_body(rng, target - len(text), german)
        msg.set_content(text, cte="quoted-printable")
        msg.add_alternative(html, subtype="html", cte=rng.choice(["quoted-printable", "base64"]))
    return msg.as_bytes()


def generate_corpus(count: int, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    return [build_message(rng, i) for i in range(count)]


def floor_parse(data: bytes, policy: email.policy.EmailPolicy = email.policy.default) -> str:
    """The least any parser does: MIME structure, decode the HTML part, take its text."""
    msg = email.message_from_bytes(data, policy=policy)
    html_text = ""
    for part in msg.walk():
        if part.get_content_type() == "text/html":
            body = LexborHTMLParser(part.get_content()).body
            html_text = body.text() if body is not None else ""
    return html_text


def rates(
    contenders: dict[str, Callable[[bytes], object]], corpus: list[bytes], rounds: int
) -> dict[str, float]:
    """Messages per second for each contender, the best of `rounds` rounds.

    Rounds alternate between the contenders so that a busy machine slows all of
    them alike; the best round is the least disturbed one.
    """
    best = dict.fromkeys(contenders, float("inf"))
    for _ in range(rounds):
        for name, parse in contenders.items():
            start = time.perf_counter()
            for data in corpus:
                parse(data)
            best[name] = min(best[name], time.perf_counter() - start)
    return {name: len(corpus) / seconds for name, seconds in best.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=400, help="corpus size")
    parser.add_argument("--seed", type=int, default=20250603)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    corpus = generate_corpus(args.messages, args.seed)
    total_kb = sum(len(d) for d in corpus) / 1024
    print(f"corpus: {len(corpus)} messages, {total_kb:.0f} KB, seed {args.seed}")
    contenders: dict[str, Callable[[bytes], object]] = {
        "floor": floor_parse,
        "floor_cached": lambda data: floor_parse(data, READ_POLICY),
        "maysend": parse_bytes,
    }
    found = rates(contenders, corpus, args.rounds)
    floor, cached, ours = found["floor"], found["floor_cached"], found["maysend"]
    print(f"floor  (email + selectolax text):        {floor:8.1f} msg/s")
    print(f"floor with maysend's header-parse cache: {cached:8.1f} msg/s")
    print(f"maysend parse_bytes:                     {ours:8.1f} msg/s")
    print(f"ratio (floor / maysend): {floor / ours:.2f}x  (target <= 1.5x)")
    print(f"ratio (cached floor / maysend): {cached / ours:.2f}x  (maysend's own extra work)")


if __name__ == "__main__":
    main()
