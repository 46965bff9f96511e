"""The email policy maysend parses with: `email.policy.default`, made robust and cheaper.

Two changes, both in the header factory, neither in what a well-formed message
parses to:

- While building the tree the stdlib parser asks for each part's Content-Type
  several times, and every ask re-parses the header value (header parsing is the
  slowest thing the stdlib does per message). Header objects are immutable, so a
  parsed value is remembered and shared. The memory is bounded.
- The stdlib's header parser raises on some junk (deeply nested comments exhaust
  the stack) and takes quadratic time on huge parameter lists. A MIME header
  longer than `LONGEST_MIME_HEADER` is cut at a parameter boundary, and a value
  the parser cannot read is kept as unstructured text instead of failing the
  whole message (a Content-Type read that way means text/plain, as RFC 2045 says).
"""

from __future__ import annotations

from email.headerregistry import BaseHeader, HeaderRegistry
from email.policy import default

_REMEMBERED = 4096  # header values kept; the store is emptied when full
_LONGEST_KEPT = 998  # RFC 5322 line limit: longer values are parsed but not kept
LONGEST_MIME_HEADER = 2048
_MIME_HEADERS = frozenset({"content-type", "content-disposition", "content-transfer-encoding"})
_UNSTRUCTURED = "x-maysend-unstructured"  # any name the registry does not know


def _cut_parameters(value: str) -> str:
    """The value up to the last parameter that ends within the limit."""
    head = value[:LONGEST_MIME_HEADER]
    cut = head.rfind(";")
    return head[:cut] if cut > 0 else head


class RememberingRegistry(HeaderRegistry):
    """A HeaderRegistry that parses each distinct value once and never raises."""

    def __init__(self) -> None:
        super().__init__()
        self._parsed: dict[tuple[str, str], BaseHeader] = {}

    def _parse(self, name: str, value: str) -> BaseHeader:
        if name.lower() in _MIME_HEADERS and len(value) > LONGEST_MIME_HEADER:
            value = _cut_parameters(value)
        try:
            return super().__call__(name, value)
        except Exception:  # the stdlib header parser raises arbitrary errors on junk
            return self[_UNSTRUCTURED](name, value)

    def __call__(self, name: str, value: str) -> BaseHeader:
        if len(value) > _LONGEST_KEPT:
            return self._parse(name, value)
        key = (name.lower(), value)
        header = self._parsed.get(key)
        if header is None:
            if len(self._parsed) >= _REMEMBERED:
                self._parsed.clear()
            header = self._parsed[key] = self._parse(name, value)
        return header


READ_POLICY = default.clone(header_factory=RememberingRegistry())

__all__ = ["LONGEST_MIME_HEADER", "READ_POLICY", "RememberingRegistry"]
