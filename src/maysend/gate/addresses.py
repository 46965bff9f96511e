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

from maysend.gate.dialect import DUCKDB, Dialect

_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_LAST_LABEL = r"[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
COMMON_FORM = rf"[ \t]*{_ATEXT}+(?:\.{_ATEXT}+)*@(?:{_LABEL}\.)+{_LAST_LABEL}[ \t]*"
"""Surrounding blanks, a dot-atom local part, a dotted domain of LDH labels (1-63
characters, no hyphen at either end) whose last label starts with a letter. The
lengths the pattern cannot count (local part, whole address) are checked by
position on the value as given, which errs towards the slow path."""

MAX_LOCAL = 64
MAX_ADDRESS = 254
HMAC_BLOCK = 64
TAB = "\t"


def common_form_sql(column: str, dialect: Dialect = DUCKDB) -> str:
    """A boolean SQL expression: `column` holds an address in the common form."""
    return (
        f"({dialect.full_match(column, COMMON_FORM)} "
        f"AND instr({column}, '@') <= {MAX_LOCAL + 1} AND length({column}) <= {MAX_ADDRESS})"
    )


def normalized_common_sql(column: str, dialect: Dialect = DUCKDB) -> str:
    """The normalised address of a common-form `column`: local part kept, domain lower-cased.

    In the common form, spaces and tabs can only surround the address. Most values
    need nothing at all (no blanks, nothing upper-case): the cheap tests come first,
    and the string is cut and joined again only for the rest."""
    padded = f"contains({column}, ' ') OR contains({column}, {dialect.literal(TAB)})"
    trimmed = dialect.trim_blanks(column)
    at = f"instr({column}, '@')"
    return (
        f"CASE WHEN {padded} "
        f"THEN split_part({trimmed}, '@', 1) || '@' || lower(split_part({trimmed}, '@', 2)) "
        f"WHEN {column} = lower({column}) THEN {column} "
        f"ELSE left({column}, {at}) || lower(substr({column}, {at} + 1)) END"
    )


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
    "normalized_common_sql",
]
