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
from maysend.gate.dialect import DUCKDB, Dialect
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


def _local(column: str, dialect: Dialect) -> str:
    return f"split_part({dialect.trim_blanks(column)}, '@', 1)"


def _domain(column: str, dialect: Dialect) -> str:
    return f"split_part({dialect.trim_blanks(column)}, '@', 2)"


def common_form_sql(column: str, dialect: Dialect = DUCKDB) -> str:
    """A boolean SQL expression: `column` holds an address in the common form."""
    domain = _domain(column, dialect)
    return (
        f"({dialect.full_match(column, COMMON_FORM)} "
        f"AND length({_local(column, dialect)}) <= {MAX_LOCAL} "
        f"AND length({domain}) <= {MAX_COMMON_DOMAIN} "
        f"AND NOT ({domain} LIKE '-%' OR {domain} LIKE '%-' "
        f"OR {domain} LIKE '%.-%' OR {domain} LIKE '%-.%'))"
    )


def normalized_common_sql(column: str, dialect: Dialect = DUCKDB) -> str:
    """The normalised address of a common-form `column`: local part kept, domain lower-cased."""
    return f"{_local(column, dialect)} || '@' || lower({_domain(column, dialect)})"


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


def hmac_sql(column: str, secret: str, dialect: Dialect = DUCKDB) -> str:
    """HMAC-SHA256 hex of the text `column` under `secret`: `maysend.ledger.keyed` in SQL."""
    inner, outer = (dialect.blob(pad) for pad in hmac_pads(secret))
    digest = dialect.sha256_hex(f"{inner} || {dialect.utf8(column)}")
    return dialect.sha256_hex(f"{outer} || unhex({digest})")


__all__ = [
    "COMMON_FORM",
    "common_form_sql",
    "hmac_pads",
    "hmac_sql",
    "normalize_or_reason",
    "normalized_common_sql",
]
