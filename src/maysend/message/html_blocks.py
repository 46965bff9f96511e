"""HTML to what a reader sees: blocks in reading order, links and images.

Text is never read node by node in Python. CSS queries (run in C) find the
elements picked by their attributes (hidden ones, links, buttons), and one walk
over the elements (the library's iterator, comparing tag names) finds block
elements, line breaks and images; marker characters are inserted around them;
one `text()` call then yields all visible text with the markers in reading
order, and one pass over that string cuts it into blocks. That keeps the cost
near the HTML library's own text extraction, linear in the document and free of
recursion however deep it nests.

Markers start with NUL, which the HTML parser never leaves in the tree's text
(it drops or replaces every NUL of the input), so markup cannot forge one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from selectolax.lexbor import LexborDocumentOptions, LexborHTMLParser, LexborNode

from maysend.message import hidden
from maysend.message.html_guard import cap_tags, flatten_markup, flatten_tree, may_nest_deeper
from maysend.message.links import classify_link
from maysend.message.model import BlockKind, Image, Link, Region
from maysend.message.visible import visible_line
from maysend.settings import MessageSettings

MARK = "\x00"
END = MARK + "]"
_BREAK_CODE = "n"
BREAK = MARK + _BREAK_CODE  # a <br>: two in a row (a blank line) end a paragraph

_KIND_OF_TAG = {
    **dict.fromkeys(("h1", "h2", "h3", "h4", "h5", "h6"), ("H", BlockKind.HEADING)),
    "li": ("L", BlockKind.LIST_ITEM),
    "td": ("C", BlockKind.TABLE_CELL),
    "th": ("C", BlockKind.TABLE_CELL),
    "button": ("B", BlockKind.BUTTON),
    **dict.fromkeys(
        [
            "p",
            "div",
            "blockquote",
            "pre",
            "center",
            "section",
            "article",
            "header",
            "footer",
            "main",
            "aside",
            "address",
            "caption",
            "figcaption",
            "dd",
            "dt",
            "form",
            "fieldset",
            "nav",
            "summary",
            "details",
            "legend",
        ],
        ("P", BlockKind.PARAGRAPH),
    ),
}
_KINDS = dict(_KIND_OF_TAG.values())
_DROPPED = ["script", "style", "template", "title", "iframe", "object", "noembed", "noframes"]
_BUTTON_LINKS = "a[role='button' i],a[class*='btn' i],a[class*='button' i]"
_COLOURED = "[bgcolor],[style*='background' i]"
# Preheader and hidden markers: R named preheader (always), Q first hidden text (only at
# the top, else dropped), V visible or tiny candidate (only at the top, else body),
# X hidden (dropped).

RawBlock = tuple[BlockKind, Region, str]
_NO_EVENTS = LexborDocumentOptions.WO_EVENTS


@dataclass(slots=True)
class HtmlContent:
    blocks: list[RawBlock] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)
    title: str = ""
    truncated: bool = False  # the visible-text budget ran out


def _parse(html: str, settings: MessageSettings, defects: list[str]) -> LexborHTMLParser:
    html, cut = cap_tags(html, settings.max_html_nodes)
    if cut:
        defects.append(f"html truncated: more than {settings.max_html_nodes} tags")
    depth = settings.max_html_depth
    deep = may_nest_deeper(html, depth)
    flattened = flatten_markup(html, depth) if deep else html
    # Without DOM mutation events: they make some markup (thousands of <option>s)
    # quadratic to build, and change nothing a reader sees.
    try:
        tree = LexborHTMLParser(flattened, options=_NO_EVENTS)
    except UnicodeEncodeError:  # lone surrogates in a template given as text
        tree = LexborHTMLParser(flattened.encode("utf-8", "replace"), options=_NO_EVENTS)
    if deep and (flatten_tree(tree, depth) or flattened != html):
        defects.append(f"html truncated: nested deeper than {depth} levels, flattened")
    return tree


def _mark(node: LexborNode, code: str) -> None:
    node.insert_before(MARK + code)
    node.insert_after(END)


def _mark_hidden(body: LexborNode, html: str) -> None:
    """Mark hidden elements, and the preheader, before any text is read."""
    preheader_found = False
    inside: set[int] = set()
    for node, seen, named in hidden.candidates(body, html):
        if inside and node.mem_id in inside:
            continue  # hidden padding inside the preheader stays with it
        if not preheader_found and visible_line(node.text()):
            preheader_found = True
            inside = {n.mem_id for n in node.css("*")}
            if seen is hidden.Visibility.HIDDEN:
                _mark(node, "R" if named else "Q")
            else:
                _mark(node, "V")
        elif seen is hidden.Visibility.HIDDEN:
            _mark(node, "X")
        elif named:
            _mark(node, "V")


def _nearest_block(node: LexborNode) -> LexborNode | None:
    """The block element around a link, looking through up to three inline wrappers."""
    parent = node.parent
    for _ in range(3):
        if parent is None or parent.tag in _KIND_OF_TAG:
            return parent
        parent = parent.parent
    return parent if parent is not None and parent.tag in _KIND_OF_TAG else None


def _is_button(node: LexborNode, text: str, styled: set[int], coloured: set[int]) -> bool:
    """A link drawn as a button: by role or class, or alone in a coloured block.

    `styled` holds the links whose role or class says button, `coloured` the elements
    with a background; both come from one CSS query each, not per-link attribute reads.
    """
    ident = node.mem_id
    if ident in styled:
        return True
    if not text or not coloured:
        return False
    block = _nearest_block(node)
    if block is None or (ident not in coloured and block.mem_id not in coloured):
        return False
    return visible_line(block.text()) == text


def _read_links(body: LexborNode) -> list[Link]:
    links = []
    styled = {n.mem_id for n in body.css(_BUTTON_LINKS)}
    coloured = {n.mem_id for n in body.css(_COLOURED)}
    for node in body.css("a[href]"):
        text = visible_line(node.text())
        if not text:
            image = node.css_first("img[alt]")
            text = visible_line(image.attrs.get("alt") or "") if image is not None else ""
        if _is_button(node, text, styled, coloured):
            _mark(node, "B")
        links.append(classify_link(node.attrs.get("href") or "", text))
    return links


def _layout(body: LexborNode) -> tuple[list[LexborNode], list[LexborNode], list[LexborNode]]:
    """Block elements, line breaks and images below `body`, in document order.

    One walk that compares tag names: a CSS query listing some thirty block tags costs
    the HTML library several times a plain walk of the tree.
    """
    blocks: list[LexborNode] = []
    breaks: list[LexborNode] = []
    images: list[LexborNode] = []
    kinds = _KIND_OF_TAG
    for node in body.traverse():
        tag = node.tag
        if tag in kinds:
            blocks.append(node)
        elif tag == "br":
            breaks.append(node)
        elif tag == "img":
            images.append(node)
    return blocks, breaks, images


def _read_images(nodes: list[LexborNode]) -> list[Image]:
    images = []
    for node in nodes:
        attrs = node.attrs
        src = (attrs.get("src") or "").strip()
        images.append(Image(src=src, alt=visible_line(attrs.get("alt") or "")))
    return images


def _mark_blocks(blocks: list[LexborNode], breaks: list[LexborNode]) -> None:
    kinds = _KIND_OF_TAG
    for node in blocks:
        node.insert_before(MARK + kinds[node.tag or "p"][0])
        node.insert_after(END)
    for node in breaks:
        node.insert_before(BREAK)


def cut_blocks(text: str, budget: int) -> tuple[list[RawBlock], bool]:
    """Cut marked text into blocks; True if the visible-text budget ran out.

    Each chunk after a MARK starts with the marker's code, then the text that follows it.
    Text on either side of one line break stays one block; a blank line (two breaks with
    nothing visible between them) starts a new one, since many senders write paragraphs
    as `<br><br>` inside one table cell, and evidence should name the paragraph.
    """
    blocks: list[RawBlock] = []
    stack: list[tuple[BlockKind, bool, bool]] = []
    kind, skip, pre = BlockKind.TEXT, False, False
    seen_body = False
    used = 0
    pending: list[str] = []  # pieces of the block being read, between line breaks
    breaks = 0  # line breaks since the last visible piece

    def flush() -> bool:
        """Emit the pending block; True once the budget has run out."""
        nonlocal seen_body, used
        line = visible_line(" ".join(pending)) if pending else ""
        pending.clear()
        if not line:
            return False
        blocks.append((kind, Region.PREHEADER if pre else Region.BODY, line))
        seen_body = seen_body or not pre
        used += len(line)
        return used > budget

    for index, chunk in enumerate(text.split(MARK)):
        piece = chunk
        if index and chunk:
            code, piece = chunk[0], chunk[1:]
            if code == _BREAK_CODE:
                breaks += 1
            else:
                if flush():
                    return blocks, True
                breaks = 0
                if code == "]":
                    if stack:
                        kind, skip, pre = stack.pop()
                else:
                    stack.append((kind, skip, pre))
                    if code in _KINDS:
                        kind = _KINDS[code]
                    elif code == "X" or (code == "Q" and seen_body):
                        skip = True
                    elif code == "R" or not seen_body:
                        pre = True
        if skip or not piece or piece.isspace():
            continue
        if breaks >= 2 and flush():
            return blocks, True
        breaks = 0
        pending.append(piece)
    return blocks, flush()


def read_html(
    html: str, settings: MessageSettings, *, budget: int | None = None, want_title: bool = False
) -> HtmlContent:
    """Blocks, links and images of one HTML document, with what had to be cut.

    `budget` is the visible text still allowed (default: settings.max_text_chars).
    """
    content = HtmlContent()
    tree = _parse(html, settings, content.defects)
    if want_title:
        title = tree.css_first("title")
        content.title = visible_line(title.text()) if title is not None else ""
    body = tree.body
    if body is None:
        return content
    body.strip_tags(_DROPPED)
    _mark_hidden(body, html)
    content.links = _read_links(body)
    blocks, breaks, images = _layout(body)
    content.images = _read_images(images)
    _mark_blocks(blocks, breaks)
    room = settings.max_text_chars if budget is None else budget
    content.blocks, content.truncated = cut_blocks(body.text(), room)
    return content


__all__ = ["HtmlContent", "RawBlock", "cut_blocks", "read_html"]
