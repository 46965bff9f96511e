"""Tokens: the one way the classifier cuts text into words.

Indicator phrases and the statistical model read the same tokens, so a phrase
written in a rules file and a feature learned from the corpus mean the same
thing. Tokenising is done once per text with one `findall`; token spans are
recovered only for the few places where evidence must quote the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

# Web addresses written out in text, whole (their path words are not the message's words:
# "/win-mac-2.zip" asks nobody to win anything); words (letters, with inner apostrophes:
# "don't", "we've"), numbers ("20", "1.414,00") and the symbols that carry price meaning
# (the minus sign "−", U+2212, marks an amount taken off a receipt; a hyphen is one too
# where it stands right before an amount of money and after no word or number ("-£5.00",
# "-0,59 €"), and reads as "−"; elsewhere, "bis -50 %" included, it is a dash as often as a
# sign). Everything else separates tokens.
TOKEN = re.compile(
    r"(?i:https?://|www\.)[^\s<>\"'()\[\]{}]*[^\s<>\"'()\[\]{}.,;:!?]"
    r"|[^\W\d_]+(?:['’][^\W\d_]+)*|\d+(?:[.,:]\d+)*|[%€£$¥§★☆−]"
    r"|(?<![\w\-−])-(?=[€£$¥]|\d+(?:[.,]\d+)* ?[€£$¥])"
)

NUMBER = "#"
WEB_ADDRESS = "@url"  # every written-out web address reads as this one word
_FOLD = str.maketrans({"ß": "ss", "’": "'", "ſ": "s", "-": "−"})


def is_web_address(token: str) -> bool:
    """A token that is a written-out web address (words and numbers never hold ":" or ".")."""
    return "://" in token or token[:4].lower() == "www."


def normalise(token: str) -> str:
    """Lower-case a token and fold the spellings that vary in mail ("ß" / "ss")."""
    if token[0].isdigit():
        return NUMBER
    if is_web_address(token):
        return WEB_ADDRESS
    return token.lower().translate(_FOLD)


def tokens(text: str) -> list[str]:
    """The raw tokens of `text`, in order."""
    return TOKEN.findall(text)


def token_bounds(text: str) -> list[tuple[int, int]]:
    """(start, end) of each raw token of `text`: found once for all the quotes from one text."""
    return [match.span() for match in TOKEN.finditer(text)]


def span_of(text: str, first: int, last: int, bounds: list[tuple[int, int]] | None = None) -> str:
    """The exact text from raw token `first` to raw token `last` (inclusive).

    `bounds`: `token_bounds(text)`, when several spans are taken from the same text
    (finding them again per span makes a text with many hits quadratic).
    """
    found = bounds if bounds is not None else token_bounds(text)
    if not 0 <= first <= last < len(found):
        return text
    return text[found[first][0] : found[last][1]]


def sample(texts: Iterator[str] | list[str], limit: int) -> str:
    """Up to `limit` characters taken from the start of `texts`, joined by spaces."""
    out: list[str] = []
    size = 0
    for text in texts:
        if size >= limit:
            break
        piece = text[: limit - size]
        out.append(piece)
        size += len(piece) + 1
    return " ".join(out)


__all__ = [
    "NUMBER",
    "TOKEN",
    "WEB_ADDRESS",
    "is_web_address",
    "normalise",
    "sample",
    "span_of",
    "token_bounds",
    "tokens",
]
