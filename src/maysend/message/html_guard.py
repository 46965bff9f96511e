"""Keeping hostile HTML from making the parser crash or hang.

The HTML parser's tree building slows down quadratically with nesting depth
(each new block element looks back along the open elements), and memory grows
with the number of tags. So before parsing, the markup is cut at
`max_html_nodes` tags and, if it may nest deeper than `max_html_depth`, tags past
that depth are removed (their text kept); after parsing, any element still
deeper is replaced by its text. Ordinary mail takes only the cheap estimate.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser

_CHUNK = 2048
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)[^>]*>")
_VOID = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
        "keygen",
        "frame",
    ]
)
_CLOSE_LOOKBACK = 8  # how far back an end tag may find its start tag
# Elements a new one of the same name closes (<p>a<p>b are siblings, not nested), when
# only inline elements stand between them.
_SELF_CLOSING = frozenset({"p", "li", "dt", "dd", "option", "optgroup", "tr", "td", "th"})
_INLINE = frozenset(
    {"a", "b", "i", "u", "s", "em", "strong", "span", "font", "small", "big", "sub", "sup"}
    | {"code", "mark", "abbr", "cite", "q", "tt", "label", "strike", "nobr"}
)
# Start tags past this many, unmatched end tags could make a deep tree cost seconds.
QUADRATIC_SAFE = 4096


def cap_tags(html: str, limit: int) -> tuple[str, bool]:
    """Cut the markup before its (limit+1)-th tag; True if anything was cut."""
    if html.count("<") <= limit:
        return html, False
    low, high = 0, len(html)
    while low < high:  # smallest prefix holding `limit + 1` tag openers
        mid = (low + high) // 2
        if html.count("<", 0, mid) > limit:
            high = mid
        else:
            low = mid + 1
    return html[: low - 1], True


def may_nest_deeper(html: str, limit: int) -> bool:
    """Whether the markup may nest deeper than `limit`; False only when it cannot.

    Ordinary mail takes a cheap chunk-by-chunk estimate. End tags that close
    nothing could fool that estimate, so a document with more start tags than
    QUADRATIC_SAFE (where being fooled would cost real time) is always flattened.
    """
    opens = html.count("<") - html.count("</")
    if opens <= limit:
        return False
    if opens > QUADRATIC_SAFE:
        return True
    depth = 0
    for start in range(0, len(html), _CHUNK):
        end = start + _CHUNK
        opens = html.count("<", start, end)
        closes = html.count("</", start, end)
        if depth + opens - closes > limit:
            return True
        depth = max(0, depth + opens - 2 * closes)
    return False


def _close(stack: list[str], name: str) -> None:
    """Pop the innermost open `name` if it is near the top (as the tree builder would)."""
    for i in range(len(stack) - 1, max(-1, len(stack) - 1 - _CLOSE_LOOKBACK), -1):
        if stack[i] == name:
            del stack[i:]
            return


def _close_sibling(stack: list[str], name: str) -> None:
    """A <p>, <li>, <td>... closes an open one of its name across inline elements only."""
    for i in range(len(stack) - 1, max(-1, len(stack) - 1 - _CLOSE_LOOKBACK), -1):
        if stack[i] == name:
            del stack[i:]
            return
        if stack[i] not in _INLINE:
            return


def flatten_markup(html: str, limit: int) -> str:
    """Remove start and end tags nested deeper than `limit`, keeping their text."""
    kept: list[str] = []
    stack: list[str] = []
    dropped: dict[str, int] = {}
    last = 0
    for match in _TAG.finditer(html):
        name = match.group(2).lower()
        keep = True
        if match.group(1):
            if dropped.get(name):
                dropped[name] -= 1
                keep = False
            else:
                _close(stack, name)
        elif name not in _VOID and not match.group(0).endswith("/>"):
            if name in _SELF_CLOSING:
                _close_sibling(stack, name)
            if len(stack) >= limit:
                dropped[name] = dropped.get(name, 0) + 1
                keep = False
            else:
                stack.append(name)
        if not keep:
            kept.append(html[last : match.start()])
            last = match.end()
    kept.append(html[last:])
    return "".join(kept)


def flatten_tree(tree: LexborHTMLParser, limit: int) -> bool:
    """Replace every element at depth `limit` below <html> by its text; True if any was."""
    selector = "html" + " > *" * limit
    deep = tree.css(selector)
    for node in deep:
        node.replace_with(node.text())
    return bool(deep)


__all__ = ["cap_tags", "flatten_markup", "flatten_tree", "may_nest_deeper"]
