"""Which law applies to a recipient: their country, else the configured default.

A country no jurisdiction claims falls back to the default (or the strictest
configured jurisdiction when the default is `strictest`); a code that is not
an ISO 3166 country at all is bad input, and the recipient is held.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from maysend.policy.config import STRICTEST, PolicyConfig


class Basis(StrEnum):
    COUNTRY = "country"  # the recipient's country is claimed by a jurisdiction
    DEFAULT = "default"  # no country, or one no jurisdiction claims
    STRICTEST = "strictest"  # as DEFAULT, with `strictest` configured
    NO_DEFAULT = "no_default"  # nothing to fall back on: a gap
    INVALID_COUNTRY = "invalid_country"  # not an ISO 3166 code: a gap


@dataclass(frozen=True, slots=True)
class JurisdictionChoice:
    """The jurisdiction for one recipient (None: a gap) and why."""

    code: str | None
    basis: Basis
    country: str | None = None


def normalise_country(country: str | None, config: PolicyConfig) -> str | None:
    """Upper-case, trimmed, aliases resolved (UK -> GB); None when blank."""
    code = (country or "").strip().upper()
    if not code:
        return None
    return dict(config.country_aliases).get(code, code)


def strictest(config: PolicyConfig) -> str:
    return max(config.jurisdictions, key=lambda r: (r.strictness, r.code)).code


def fallback(config: PolicyConfig, country: str | None) -> JurisdictionChoice:
    if config.default is None:
        return JurisdictionChoice(None, Basis.NO_DEFAULT, country)
    if config.default == STRICTEST:
        return JurisdictionChoice(strictest(config), Basis.STRICTEST, country)
    return JurisdictionChoice(config.default, Basis.DEFAULT, country)


def recipient_country(given: str | None, known: str | None) -> str | None:
    """The country the recipient's own record gives, else the one the ledger knows.

    One definition for `decide` and for the batch gate, which asks it once per
    combination of facts rather than once per recipient."""
    return given if given is not None and given.strip() else known


def choose_jurisdiction(country: str | None, config: PolicyConfig) -> JurisdictionChoice:
    """The recipient's country (audience column, else the ledger's) decides, else the default."""
    code = normalise_country(country, config)
    if code is None:
        return fallback(config, None)
    if code not in config.countries:
        return JurisdictionChoice(None, Basis.INVALID_COUNTRY, code)
    for rules in config.jurisdictions:
        if code in rules.countries:
            return JurisdictionChoice(rules.code, Basis.COUNTRY, code)
    return fallback(config, code)


__all__ = ["Basis", "JurisdictionChoice", "choose_jurisdiction", "normalise_country"]
