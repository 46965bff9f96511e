"""Turning a part's bytes into text whatever its label says.

Senders mislabel charsets all the time: Latin-1 that is really Windows-1252,
"utf-8" that is not, names no codec knows. The text is always recovered, and
what was wrong is recorded as a defect rather than raised.
"""

from __future__ import annotations

import codecs

_LATIN = frozenset({"latin-1", "iso8859-1", "iso-8859-1", "latin1", "cp819", "ascii"})
# Codecs that exist in Python but are not charsets a mail part can be written in.
_NOT_MAIL = frozenset({"idna", "punycode", "undefined", "unicode-escape", "raw-unicode-escape"})


def _latin_fallback(error: UnicodeError) -> tuple[str, int]:
    """Bytes Windows-1252 leaves undefined are read as Latin-1, as mail readers do."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    return error.object[error.start : error.end].decode("latin-1"), error.end


codecs.register_error("maysend-latin", _latin_fallback)


def windows_1252(data: bytes) -> str:
    return data.decode("cp1252", "maysend-latin")


def codec_name(label: str) -> str | None:
    """Python's name for a charset label, or None if it is not a usable mail charset."""
    try:
        info = codecs.lookup(label.strip().strip('"').lower())
    except (LookupError, ValueError, TypeError):
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_MAIL:
        return None  # base64, rot13 and the like transform bytes, they do not spell text
    return info.name


def decode_text(data: bytes, label: str | None) -> tuple[str, list[str]]:
    """Decode `data` declared as `label` (None: undeclared); return text and defects."""
    if label is None:
        return _undeclared(data, "no charset declared")
    name = codec_name(label)
    if name is None:
        text, defects = _undeclared(data, f"unknown charset {label!r}")
        return text, defects or [f"unknown charset {label!r}, decoded as utf-8"]
    if name in _LATIN and not data.isascii():
        if name == "ascii":
            text, defects = _undeclared(data, "charset mislabelled: declared us-ascii")
            return text, defects or ["charset mislabelled: declared us-ascii, decoded as utf-8"]
        return windows_1252(data), []
    if name == "cp1252":
        return windows_1252(data), []
    try:
        return data.decode(name), []
    except UnicodeError:
        pass
    if name == "utf-8":
        return windows_1252(data), ["charset mislabelled: declared utf-8, decoded as windows-1252"]
    try:
        return data.decode("utf-8"), [f"charset mislabelled: declared {label}, decoded as utf-8"]
    except UnicodeDecodeError:
        text = data.decode(name, "replace")
        return text, [f"undecodable bytes in {label} text replaced"]


def _undeclared(data: bytes, why: str) -> tuple[str, list[str]]:
    """UTF-8 if it is valid (ASCII is), else Windows-1252; a defect only if that was needed."""
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError:
        return windows_1252(data), [f"{why}, decoded as windows-1252"]


__all__ = ["codec_name", "decode_text", "windows_1252"]
