"""Audience addresses, normalised exactly as the ledger normalises them.

`maysend.ledger.normalize_address` is the one definition. Running it per row
in Python would cost minutes at 50 million rows, so the gate splits the work:
addresses in the common, plain-ASCII form (`COMMON_FORM`) are normalised in
SQL by lower-casing the domain, which is provably all the ledger function does
to them (a differential test holds the two together); every other value
(non-ASCII, quoted, odd whitespace, invalid) goes through the ledger function
itself, which also says why a value is rejected.

Keyed subjects (HMAC-SHA256) are computed in SQL from the two padded keys of
RFC 2104, so hash-only ledgers and erased subjects join without a Python loop.
"""

from __future__ import annotations

import hashlib

from maysend.errors import InvalidAddress
from maysend.ledger import normalize_address

_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
COMMON_FORM = rf"[ \t]*{_ATEXT}+(?:\.{_ATEXT}+)*@(?:[A-Za-z0-9-]+\.)+[A-Za-z][A-Za-z0-9-]*[ \t]*"
"""Surrounding blanks, a dot-atom local part, a dotted LDH domain whose last label starts
with a letter. Label rules the pattern leaves out (no hyphen at either end, at most 63
characters) are checked with plain string functions, which are far cheaper than counted
repetitions in a regular expression."""

MAX_LOCAL = 64
MAX_COMMON_DOMAIN = 63  # so that no label can exceed 63; longer domains take the slow path
HMAC_BLOCK = 64


def _trimmed(column: str) -> str:
    return f"trim({column}, ' \t')"


def _local(column: str) -> str:
    return f"split_part({_trimmed(column)}, '@', 1)"


def _domain(column: str) -> str:
    return f"split_part({_trimmed(column)}, '@', 2)"


def common_form_sql(column: str) -> str:
    """A boolean SQL expression: `column` holds an address in the common form."""
    domain = _domain(column)
    return (
        f"(regexp_full_match({column}, '{_sql(COMMON_FORM)}') "
        f"AND length({_local(column)}) <= {MAX_LOCAL} "
        f"AND length({domain}) <= {MAX_COMMON_DOMAIN} "
        f"AND NOT contains({domain}, '.-') AND NOT contains({domain}, '-.') "
        f"AND NOT starts_with({domain}, '-') AND NOT ends_with({domain}, '-'))"
    )


def normalized_common_sql(column: str) -> str:
    """The normalised address of a common-form `column`: local part kept, domain lower-cased."""
    return f"{_local(column)} || '@' || lower({_domain(column)})"


def normalize_or_reason(raw: str | None) -> tuple[str | None, str | None]:
    """(normalised, None) or (None, why it was rejected): for values off the common form."""
    if raw is None or not raw.strip():
        return None, "address is empty"
    try:
        return normalize_address(raw), None
    except InvalidAddress as exc:
        return None, exc.message


def hmac_pads(secret: str) -> tuple[bytes, bytes]:
    """The inner and outer padded keys of HMAC-SHA256 (RFC 2104) for `secret`."""
    key = secret.encode("utf-8")
    if len(key) > HMAC_BLOCK:
        key = hashlib.sha256(key).digest()
    key = key.ljust(HMAC_BLOCK, b"\0")
    return bytes(b ^ 0x36 for b in key), bytes(b ^ 0x5C for b in key)


def hmac_sql(column: str, inner: str, outer: str) -> str:
    """HMAC-SHA256 hex of `column` given SQL expressions for the two padded keys (BLOBs)."""
    return f"sha256({outer} || unhex(sha256({inner} || encode({column}))))"


def _sql(text: str) -> str:
    return text.replace("'", "''")


__all__ = [
    "COMMON_FORM",
    "common_form_sql",
    "hmac_pads",
    "hmac_sql",
    "normalize_or_reason",
    "normalized_common_sql",
]
