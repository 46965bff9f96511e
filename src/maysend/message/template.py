"""Campaign templates: a subject plus HTML and/or text, before any sending tool fills them.

Merge tags ({{first_name}}, *|FNAME|*, %%name%%) stay in the text as they are
written: they are neutral tokens, not content, and are listed in
`Message.merge_tags` so that a reviewer sees what will vary per recipient.
"""

from __future__ import annotations

from maysend.errors import MessageTooLarge, UnreadableMessage
from maysend.message.assemble import blocks_with_footer, merge_tags_of
from maysend.message.content import Content
from maysend.message.mime import default_settings
from maysend.message.model import Headers, Message, SourceKind
from maysend.message.visible import visible_line
from maysend.settings import MessageSettings


def template_message(
    subject: str | None,
    html: str | None,
    text: str | None,
    settings: MessageSettings | None = None,
) -> Message:
    """A template as a Message; with `subject` None the HTML <title> is the subject."""
    settings = settings or default_settings()
    if html is None and text is None:
        raise UnreadableMessage("a template needs an HTML or a text body")
    size = sum(len(part.encode("utf-8", "replace")) for part in (subject, html, text) if part)
    if size > settings.max_size:
        raise MessageTooLarge("template exceeds the size limit", size=size, limit=settings.max_size)
    content = Content(settings)
    title = ""
    if html is not None:
        fallback = None if text is None else (lambda: text)
        title = content.add_html(html, fallback, want_title=subject is None)
    elif text is not None:
        content.add_plain(text)
    subject = visible_line(subject) if subject is not None else title
    blocks = blocks_with_footer(content.blocks, content.unseen)
    return Message(
        headers=Headers(subject=subject),
        blocks=blocks,
        links=tuple(content.links),
        images=tuple(content.images),
        defects=tuple(dict.fromkeys(content.defects)),
        source=SourceKind.TEMPLATE,
        size=size,
        has_html=html is not None,
        merge_tags=merge_tags_of(subject, blocks, content.links, content.images),
    )


def parse_template(
    subject: str,
    html: str | None = None,
    text: str | None = None,
    *,
    settings: MessageSettings | None = None,
) -> Message:
    """Parse a campaign template (subject plus HTML and/or text) into a Message."""
    return template_message(subject, html, text, settings)


__all__ = ["parse_template", "template_message"]
