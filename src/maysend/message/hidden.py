"""Which HTML elements a reader cannot see, and which one is the preheader.

Mail senders hide text for two reasons: the preheader (the preview line an inbox
shows next to the subject) and layout tricks. The preheader is what a recipient
reads first, so it is kept and marked; other hidden text is dropped because no
reader sees it. Candidates come from CSS queries (run in C); each inline style is
then checked with plain substring tests that pass an ordinary style at a glance.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from enum import Enum

from selectolax.lexbor import LexborNode

_NAME_CUES = ("preheader", "preview")
# Cheap case-variant probes of the raw markup before asking for attribute matches.
_NAME_PROBES = ("reheader", "REHEADER", "reHeader", "review", "REVIEW")
_HIDDEN_PROBES = ("hidden", "HIDDEN", "Hidden")
_NAMED = ",".join(f"[{attr}*='{cue}' i]" for cue in _NAME_CUES for attr in ("class", "id"))
_FLAGGED = "[hidden],[aria-hidden='true' i]"
_LENGTH = re.compile(r"([0-9]*\.?[0-9]+)\s*(px|pt|em|rem|%)?")


class Visibility(Enum):
    VISIBLE = "visible"
    TINY = "tiny"  # 1px text: unreadable, but not removed (it may be the preheader)
    HIDDEN = "hidden"


def _length(value: str) -> float | None:
    """A CSS length in (roughly) pixels, or None when it is not a plain number."""
    match = _LENGTH.fullmatch(value)
    if match is None:
        return None
    number = float(match.group(1))
    return number * 16 if match.group(2) in {"em", "rem"} else number


def _declarations(style: str) -> dict[str, str]:
    decls: dict[str, str] = {}
    for decl in style.split(";"):
        prop, sep, value = decl.partition(":")
        if sep:
            decls[prop.strip()] = value.replace("!important", "").strip()
    return decls


def _may_hide(low: str) -> bool:
    """False for a (lower-cased) style that cannot hide anything; cheap, runs on every style."""
    return (
        ("none" in low and ("display:none" in low or "display: none" in low or "display :" in low))
        or "visibility" in low
        or "opacity" in low
        or "max-height" in low
        or (
            "font-size" in low
            and (
                "size:0" in low
                or "size: 0" in low
                or "size:1p" in low
                or "size: 1p" in low
                or "size:." in low
                or "size: ." in low
            )
        )
    )


def style_visibility(style: str) -> Visibility:
    """How an inline style shows its element's text."""
    low = style.lower()
    if not _may_hide(low):
        return Visibility.VISIBLE
    decls = _declarations(low)
    if decls.get("display") == "none" or decls.get("visibility") == "hidden":
        return Visibility.HIDDEN
    for prop in ("font-size", "max-height", "opacity"):
        value = decls.get(prop)
        if value is not None and _length(value) == 0:
            return Visibility.HIDDEN
    font = decls.get("font-size")
    size = _length(font) if font is not None else None
    if size is not None and size <= 1:
        return Visibility.TINY
    return Visibility.VISIBLE


_REMEMBERED = 4096  # distinct inline styles whose visibility is kept; emptied when full
_LONGEST_KEPT = 512  # longer styles are judged afresh each time
_seen_styles: dict[str, Visibility] = {}


def _visibility(style: str) -> Visibility:
    """`style_visibility`, remembered: mail repeats the same few inline styles."""
    seen = _seen_styles.get(style)
    if seen is None:
        seen = style_visibility(style)
        if len(style) <= _LONGEST_KEPT:
            if len(_seen_styles) >= _REMEMBERED:
                _seen_styles.clear()
            _seen_styles[style] = seen
    return seen


def _ids(root: LexborNode, selector: str) -> set[int]:
    return {node.mem_id for node in root.css(selector)}


def candidates(root: LexborNode, html: str) -> Iterator[tuple[LexborNode, Visibility, bool]]:
    """Elements not plainly visible, or named as the preheader, in document order.

    Yields (element, how it shows, named as preheader). Substring attribute
    selectors are costly in the HTML library, so they are only asked for when
    the markup contains the words they look for.
    """
    flagged = _ids(root, _FLAGGED) if any(p in html for p in _HIDDEN_PROBES) else set()
    named = _ids(root, _NAMED) if any(p in html for p in _NAME_PROBES) else set()
    selector = ",".join(["[style]", *([_FLAGGED] if flagged else []), *([_NAMED] if named else [])])
    for node in root.css(selector):
        ident = node.mem_id if flagged or named else 0
        if ident in flagged:
            seen = Visibility.HIDDEN
        else:
            style = node.attrs.get("style")
            seen = _visibility(style) if style else Visibility.VISIBLE
        is_named = ident in named
        if is_named or seen is not Visibility.VISIBLE:
            yield node, seen, is_named


__all__ = ["Visibility", "candidates", "style_visibility"]
