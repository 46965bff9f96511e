"""Subjects: how an address becomes the key the ledger files events under.

Normalisation is deliberately conservative: surrounding whitespace, Unicode
form (NFC) and the case of the domain (with internationalised domains turned
into their ASCII form) are the only things that change. The local part is kept
as written: whether `J.Doe` and `jdoe` reach the same mailbox is the provider's
business, and guessing wrong would merge two people's consent.

The campaign gate normalises its audiences with the same function, so a join
between an audience and a ledger export lines up exactly.
"""

from __future__ import annotations

import hmac
import re
import unicodedata
from functools import lru_cache

from maysend.errors import InvalidAddress

MAX_ADDRESS = 254
MAX_LOCAL = 64
_ATOM_FORBIDDEN = re.compile(r'[\s()<>\[\]:;@\\,"\x00-\x1f\x7f]')
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def normalize_address(raw: str) -> str:
    """Return the canonical form of an email address, or raise InvalidAddress with a reason."""
    if not isinstance(raw, str):
        raise InvalidAddress("address must be text")
    text = unicodedata.normalize("NFC", raw.strip())
    if not text:
        raise InvalidAddress("address is empty")
    if "@" not in text:
        raise InvalidAddress("address has no '@'", value=text)
    local, _, domain = text.rpartition("@")
    _check_local(local, text)
    ascii_domain = _ascii_domain(domain, text)
    address = f"{local}@{ascii_domain}"
    if len(address.encode("utf-8")) > MAX_ADDRESS:
        raise InvalidAddress(f"address longer than {MAX_ADDRESS} octets", value=text)
    return address


def subject_key(address: str, secret: str) -> str:
    """HMAC-SHA256 of the normalised address: a suppression key that does not reveal the address."""
    if not secret:
        raise ValueError("subject_key needs a non-empty secret")
    return keyed(normalize_address(address), secret)


def keyed(normalized: str, secret: str) -> str:
    """`subject_key` for an address that is already normalised (the import hot path).

    The HMAC keyed with `secret` is made once and copied for each address.
    `hmac.digest` would be one C call, but it lets go of the interpreter lock
    around every hash, and an import calls it while its writer thread holds
    the lock: each address then waited for the writer's next switch. Copying a
    keyed HMAC and hashing an address of under 2 KiB keeps the lock (a test
    holds the two equal).
    """
    mac = _keyed_hmac(secret).copy()
    mac.update(normalized.encode())
    return mac.hexdigest()


@lru_cache(maxsize=16)
def _keyed_hmac(secret: str) -> hmac.HMAC:
    return hmac.new(secret.encode(), digestmod="sha256")


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


def _ascii_domain(domain: str, whole: str) -> str:
    try:
        return _domain(domain)
    except InvalidAddress as exc:
        raise InvalidAddress(exc.message, value=whole) from None


@lru_cache(maxsize=65_536)  # domains repeat across an import: convert each once
def _domain(domain: str) -> str:
    if domain.startswith("["):
        raise InvalidAddress("address literals are not accepted")
    if domain.endswith("."):
        domain = domain[:-1]  # the root label of a fully qualified name
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


__all__ = ["keyed", "normalize_address", "subject_key"]
