"""The email policy maysend parses with: `email.policy.default`, parsing each header once.

While building the tree the stdlib parser asks for each part's Content-Type
several times, and every ask re-parses the header value (RFC 5322 header parsing
is the slowest thing the stdlib does per message). Header objects are immutable,
so a parsed value is remembered and shared: the results are exactly the default
policy's, at a fraction of the cost. The memory is bounded.
"""

from __future__ import annotations

from email.headerregistry import BaseHeader, HeaderRegistry
from email.policy import default

_REMEMBERED = 4096  # header values kept; the store is emptied when full
_LONGEST = 998  # RFC 5322 line limit: longer values are parsed but not kept


class RememberingRegistry(HeaderRegistry):
    """A HeaderRegistry that returns the same header object for the same name and value."""

    def __init__(self) -> None:
        super().__init__()
        self._parsed: dict[tuple[str, str], BaseHeader] = {}

    def __call__(self, name: str, value: str) -> BaseHeader:
        if len(value) > _LONGEST:
            return super().__call__(name, value)
        key = (name.lower(), value)
        header = self._parsed.get(key)
        if header is None:
            if len(self._parsed) >= _REMEMBERED:
                self._parsed.clear()
            header = self._parsed[key] = super().__call__(name, value)
        return header


READ_POLICY = default.clone(header_factory=RememberingRegistry())

__all__ = ["READ_POLICY", "RememberingRegistry"]
