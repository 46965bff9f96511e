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
from collections.abc import Iterable
from functools import lru_cache

from maysend.errors import InvalidAddress

MAX_ADDRESS = 254
MAX_LOCAL = 64
_ATOM_FORBIDDEN = re.compile(r'[\s()<>\[\]:;@\\,"\x00-\x1f\x7f]')
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
# An ASCII address already in canonical form: a dot-atom local part of at most 64 octets and a
# lower-case domain of valid labels, the last not all digits. `_canonical` returns such an
# address as it is (a test holds the two to agree), and most addresses met are like this, so
# they skip the part-by-part checks; anything else takes them and gets their reason.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LOWER_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_CANONICAL_FORM = re.compile(
    rf"(?=[^@]{{1,{MAX_LOCAL}}}@){_ATOM}(?:\.{_ATOM})*"
    rf"@(?:{_LOWER_LABEL}\.)+(?![0-9]+\Z){_LOWER_LABEL}"
)
EMPTY = "address is empty"
NO_AT = "address has no '@'"
TOO_LONG = f"address longer than {MAX_ADDRESS} octets"

Checked = tuple[str, None] | tuple[None, str]
"""A canonical address and no reason, or no address and the reason it was refused."""


def normalize_address(raw: str) -> str:
    """Return the canonical form of an email address, or raise InvalidAddress with a reason."""
    if not isinstance(raw, str):
        raise InvalidAddress("address must be text")
    if type(raw) is str and in_canonical_form(raw):
        return raw
    text = _text(raw)
    if not text:
        raise InvalidAddress(EMPTY)
    address, reason = _canonical(text)
    if address is None:
        raise InvalidAddress(str(reason), value=text)
    return address


def check_address(raw: str | None) -> Checked:
    """(canonical form, None), or (None, the reason `normalize_address` would raise).

    Nothing is raised: a value that fails costs about what one that passes costs. A missing
    value (None) counts as an empty address."""
    if raw is None:
        return None, EMPTY
    if type(raw) is str and in_canonical_form(raw):
        return raw, None
    text = _text(raw)
    if not text:
        return None, EMPTY
    return _canonical(text)


def check_addresses(values: Iterable[str | None]) -> tuple[list[str | None], list[str | None]]:
    """`check_address` of each value: the canonical forms and the reasons, position for position."""
    addresses: list[str | None] = []
    reasons: list[str | None] = []
    for address, reason in map(check_address, values):
        addresses.append(address)
        reasons.append(reason)
    return addresses, reasons


def in_canonical_form(raw: str) -> bool:
    """Whether `raw` is an ASCII address `normalize_address` returns as it is (a quick test).

    False says nothing: the address may still be valid (Unicode, quoted, upper-case domain).
    """
    return len(raw) <= MAX_ADDRESS and _CANONICAL_FORM.fullmatch(raw) is not None


def _text(raw: str) -> str:
    """Without surrounding whitespace, in NFC (which leaves ASCII as it is)."""
    text = raw.strip()
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def _canonical(text: str) -> Checked:
    """`check_address` of a stripped, NFC, non-empty text."""
    if "@" not in text:
        return None, NO_AT
    local, _, domain = text.rpartition("@")
    reason = _local_reason(local)
    if reason is not None:
        return None, reason
    ascii_domain, reason = _domain(domain)
    if reason is not None:
        return None, reason
    address = f"{local}@{ascii_domain}"
    if _octets(address) > MAX_ADDRESS:
        return None, TOO_LONG
    return address, None


def _octets(text: str) -> int:
    """The length of `text` in UTF-8: its length when it is ASCII."""
    return len(text) if text.isascii() else len(text.encode("utf-8"))


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


def _local_reason(local: str) -> str | None:
    """Why the local part cannot be used, or None."""
    if not local:
        return "address has nothing before '@'"
    if _octets(local) > MAX_LOCAL:
        return f"local part longer than {MAX_LOCAL} octets"
    if len(local) >= 2 and local.startswith('"') and local.endswith('"'):
        if any(ord(c) < 32 or ord(c) == 127 for c in local):
            return "control character in quoted local part"
        return None
    if _ATOM_FORBIDDEN.search(local):
        return "local part has a character that needs quoting"
    if local.startswith(".") or local.endswith(".") or ".." in local:
        return "local part has a misplaced dot"
    return None


@lru_cache(maxsize=65_536)  # domains repeat across an import: convert each once
def _domain(domain: str) -> Checked:
    """(the domain's ASCII form, None), or (None, why it cannot be used)."""
    if domain.startswith("["):
        return None, "address literals are not accepted"
    if domain.endswith("."):
        domain = domain[:-1]  # the root label of a fully qualified name
    if not domain or "." not in domain:
        return None, "domain has no dot"
    try:
        ascii_form = domain.encode("idna").decode("ascii").lower()
    except UnicodeError as exc:
        return None, f"domain is not a valid (IDNA) name: {exc}"
    labels = ascii_form.split(".")
    if not all(_LABEL.match(label) for label in labels):
        return None, "domain has an invalid label"
    if labels[-1].isdigit():
        return None, "domain ends in a number"
    return ascii_form, None


__all__ = [
    "EMPTY",
    "NO_AT",
    "Checked",
    "check_address",
    "check_addresses",
    "keyed",
    "normalize_address",
    "subject_key",
]
