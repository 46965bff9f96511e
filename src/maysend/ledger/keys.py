"""How a ledger keys its subjects.

Every subject is filed under an HMAC-SHA256 of its normalised address. With a
deployment secret (MAYSEND_HASH_SECRET) the key never lives in the store and
clear addresses are never written: the ledger holds only keyed hashes. Without
one, the ledger makes its own key on first use and keeps it in `ledger_meta`
beside the clear addresses; erasure then removes the clear address and
evidence, and what remains is pseudonymous rather than anonymous (anyone with
the database could test a guessed address). A ledger keeps the mode it was
created with: opening it with a different secret is refused, since every
look-up would silently miss.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

import sqlalchemy as sa

from maysend.errors import ConfigError
from maysend.ledger.address import keyed
from maysend.ledger.schema import ledger_meta

CHECK_TEXT = "maysend ledger key check"


@dataclass(frozen=True, slots=True)
class Keyring:
    """The key subjects are filed under, and whether clear addresses may be kept."""

    secret: str
    hash_only: bool

    def key(self, normalized: str) -> str:
        return keyed(normalized, self.secret)

    def join_subject(self, normalized: str) -> str:
        """What exports and states call the subject: the key in hash-only mode, else the address."""
        return self.key(normalized) if self.hash_only else normalized


def load_keyring(connection: sa.Connection, hash_secret: str | None) -> Keyring:
    """Read (or, on a new ledger, create) the keying mode, checking it matches the settings."""
    rows = connection.execute(sa.select(ledger_meta.c.name, ledger_meta.c.value))
    meta = dict(rows.all())
    if "key_check" not in meta:
        meta = _initialise(connection, hash_secret)
    if meta["key_mode"] == "secret":
        if not hash_secret:
            raise ConfigError("this ledger stores keyed hashes only: set MAYSEND_HASH_SECRET")
        if not hmac.compare_digest(keyed(CHECK_TEXT, hash_secret), meta["key_check"]):
            raise ConfigError("MAYSEND_HASH_SECRET differs from the one this ledger was made with")
        return Keyring(hash_secret, hash_only=True)
    if hash_secret:
        raise ConfigError("this ledger was created without MAYSEND_HASH_SECRET; unset it to use it")
    return Keyring(meta["ledger_key"], hash_only=False)


def _initialise(connection: sa.Connection, hash_secret: str | None) -> dict[str, str]:
    if hash_secret:
        rows = {"key_mode": "secret", "key_check": keyed(CHECK_TEXT, hash_secret)}
    else:
        own = secrets.token_hex(32)
        rows = {"key_mode": "ledger", "ledger_key": own, "key_check": keyed(CHECK_TEXT, own)}
    connection.execute(ledger_meta.insert(), [{"name": k, "value": v} for k, v in rows.items()])
    return rows


__all__ = ["Keyring", "load_keyring"]
