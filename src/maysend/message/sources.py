"""Where messages come from: .eml files, mbox files, campaign template files.

A template file is YAML or JSON with `subject` and `html` and/or `text` (or
`html_file` / `text_file`, paths relative to the template), or a bare HTML file
whose <title> is the subject. Every failure to read becomes a MessageError that
names the file.
"""

from __future__ import annotations

import json
import mailbox
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from maysend.errors import MessageError, MessageTooLarge, UnreadableMessage
from maysend.message.charsets import decode_text
from maysend.message.mime import default_settings, parse_bytes
from maysend.message.model import Message
from maysend.message.template import template_message
from maysend.settings import MessageSettings

_TEMPLATE_SUFFIXES = frozenset({".yaml", ".yml", ".json"})
_HTML_SUFFIXES = frozenset({".html", ".htm"})
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Outlook's binary .msg container


def _read(path: Path, settings: MessageSettings) -> bytes:
    try:
        size = path.stat().st_size
        if size > settings.max_size:
            raise MessageTooLarge(
                "file exceeds the size limit", size=size, limit=settings.max_size, path=str(path)
            )
        return path.read_bytes()
    except OSError as exc:
        raise UnreadableMessage(f"cannot read file: {exc.strerror}", path=str(path)) from exc


def parse_file(path: str | Path, *, settings: MessageSettings | None = None) -> Message:
    """Parse a raw message file (.eml)."""
    settings = settings or default_settings()
    path = Path(path)
    data = _read(path, settings)
    if data.startswith(_OLE_MAGIC):
        raise UnreadableMessage(
            "Outlook binary .msg files are not supported; save the message as .eml",
            path=str(path),
        )
    try:
        return parse_bytes(data, settings=settings)
    except MessageError as exc:
        exc.context.setdefault("path", str(path))
        raise


def iter_mbox(
    path: str | Path,
    *,
    settings: MessageSettings | None = None,
    errors: list[MessageError] | None = None,
) -> Iterator[Message]:
    """Messages of an mbox file in order.

    An entry that cannot be read raises (its 1-based `entry` number in the error), or,
    when an `errors` list is given, is recorded there and the rest still come through.
    """
    path = Path(path)
    if not path.is_file():
        raise UnreadableMessage("no such mbox file", path=str(path))
    box = mailbox.mbox(path, create=False)
    try:
        for number, key in enumerate(box.iterkeys(), start=1):
            try:
                yield parse_bytes(box.get_bytes(key), settings=settings)
            except MessageError as exc:
                exc.context.update(path=str(path), entry=number)
                if errors is None:
                    raise
                errors.append(exc)
    finally:
        box.close()


def _text_file(path: Path, settings: MessageSettings) -> str:
    text, _ = decode_text(_read(path, settings), None)
    return text


def _field(data: dict[str, Any], key: str, base: Path, settings: MessageSettings) -> str | None:
    """`key` given inline, or as `key_file` relative to the template; not both."""
    inline, file = data.get(key), data.get(f"{key}_file")
    if inline is not None and file is not None:
        raise UnreadableMessage(f"template gives both '{key}' and '{key}_file'", path=str(base))
    if file is not None:
        if not isinstance(file, str):
            raise UnreadableMessage(f"template '{key}_file' must be a path", path=str(base))
        return _text_file(base.parent / file, settings)
    if inline is not None and not isinstance(inline, str):
        raise UnreadableMessage(f"template '{key}' must be text", path=str(base))
    return inline


def _load_mapping(path: Path, settings: MessageSettings) -> dict[str, Any]:
    source = _text_file(path, settings)
    try:
        data = json.loads(source) if path.suffix.lower() == ".json" else yaml.safe_load(source)
    except (ValueError, yaml.YAMLError) as exc:
        raise UnreadableMessage(
            f"template is not valid {path.suffix[1:]}: {exc}", path=str(path)
        ) from exc
    if not isinstance(data, dict):
        raise UnreadableMessage(
            "template must be a mapping with subject, html, text", path=str(path)
        )
    return data


def load_template(path: Path, settings: MessageSettings) -> Message:
    data = _load_mapping(path, settings)
    subject = data.get("subject")
    if not isinstance(subject, str):
        raise UnreadableMessage("template needs a 'subject' (text)", path=str(path))
    html = _field(data, "html", path, settings)
    text = _field(data, "text", path, settings)
    if html is None and text is None:
        raise UnreadableMessage("template needs 'html' or 'text'", path=str(path))
    return template_message(subject, html, text, settings)


def load_message(path: str | Path, *, settings: MessageSettings | None = None) -> Message:
    """A raw message (.eml, .msg as MIME) or a campaign template (.yaml/.yml/.json, .html)."""
    settings = settings or default_settings()
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in _TEMPLATE_SUFFIXES:
        return load_template(path, settings)
    if suffix in _HTML_SUFFIXES:
        return template_message(None, _text_file(path, settings), None, settings)
    return parse_file(path, settings=settings)


__all__ = ["iter_mbox", "load_message", "parse_file"]
