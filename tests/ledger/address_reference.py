"""`normalize_address` as it stood before it stopped raising per value: the reference the
non-raising checks are compared with (tests/ledger/test_address_check.py). Frozen: do not
change it to match the code."""

from __future__ import annotations

import re
import unicodedata

from maysend.errors import InvalidAddress

MAX_ADDRESS = 254
MAX_LOCAL = 64
_ATOM_FORBIDDEN = re.compile(r'[\s()<>\[\]:;@\\,"\x00-\x1f\x7f]')
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def reference_normalize(raw: str) -> str:
    if not isinstance(raw, str):
        raise InvalidAddress("address must be text")
    text = unicodedata.normalize("NFC", raw.strip())
    if not text:
        raise InvalidAddress("address is empty")
    if "@" not in text:
        raise InvalidAddress("address has no '@'", value=text)
    local, _, domain = text.rpartition("@")
    _check_local(local, text)
    try:
        ascii_domain = _domain(domain)
    except InvalidAddress as exc:
        raise InvalidAddress(exc.message, value=text) from None
    address = f"{local}@{ascii_domain}"
    if len(address.encode("utf-8")) > MAX_ADDRESS:
        raise InvalidAddress(f"address longer than {MAX_ADDRESS} octets", value=text)
    return address


def _check_local(local: str, whole: str) -> None:
    if not local:
        raise InvalidAddress("address has nothing before '@'", value=whole)
    if len(local.encode("utf-8")) > MAX_LOCAL:
        raise InvalidAddress(f"local part longer than {MAX_LOCAL} octets", value=whole)
    if len(local) >= 2 and local.startswith('"') and local.endswith('"'):
        if any(ord(c) < 32 or ord(c) == 127 for c in local):
            raise InvalidAddress("control character in quoted local part", value=whole)
        return
    if _ATOM_FORBIDDEN.search(local):
        raise InvalidAddress("local part has a character that needs quoting", value=whole)
    if local.startswith(".") or local.endswith(".") or ".." in local:
        raise InvalidAddress("local part has a misplaced dot", value=whole)


def _domain(domain: str) -> str:
    if domain.startswith("["):
        raise InvalidAddress("address literals are not accepted")
    if domain.endswith("."):
        domain = domain[:-1]
    if not domain or "." not in domain:
        raise InvalidAddress("domain has no dot")
    try:
        ascii_form = domain.encode("idna").decode("ascii").lower()
    except UnicodeError as exc:
        raise InvalidAddress(f"domain is not a valid (IDNA) name: {exc}") from exc
    labels = ascii_form.split(".")
    if not all(_LABEL.match(label) for label in labels):
        raise InvalidAddress("domain has an invalid label")
    if labels[-1].isdigit():
        raise InvalidAddress("domain ends in a number")
    return ascii_form
