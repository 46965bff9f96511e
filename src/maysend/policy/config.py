"""Loading the policy's data: shipped YAML, layered with a deployment's own.

Layering follows rspamd: the package's files are read-only; a deployment's
`config_dir/local.d/<file>` is merged into the shipped file (mappings merge
key by key, lists of rules merge on their `code`, anything else replaces),
`config_dir/override.d/<file>` replaces it.
A jurisdiction file in local.d or override.d with no shipped counterpart adds
a jurisdiction. Loading reads files; deciding never does.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from maysend.errors import ConfigError
from maysend.policy.checks import CHECKS, PATTERN_GROUPS, compiled
from maysend.policy.rules import JurisdictionRules, Profile
from maysend.settings import PolicySettings

DATA = Path(__file__).parent
JURISDICTIONS = "jurisdictions"
PROFILE_FILES = frozenset({"bulk_sender.yaml"})
STRICTEST = "strictest"
NO_DEFAULT = frozenset({"", "none"})


def normalise_product(category: str | None) -> str:
    """How product categories are compared (SQL: lower(trim(x)))."""
    return (category or "").strip().lower()


@dataclass(frozen=True, slots=True)
class SimilarProducts:
    """Groups of product categories a deployment treats as similar to each other."""

    groups: tuple[frozenset[str], ...] = ()

    def similar_to(self, declared: str | None) -> frozenset[str]:
        """Every normalised category a purchase may have for `declared` to match it."""
        own = normalise_product(declared)
        if not own:
            return frozenset()
        return frozenset({own}).union(*(g for g in self.groups if own in g))

    def match(self, declared: str | None, purchased: str | None) -> bool:
        return normalise_product(purchased) in self.similar_to(declared)


@dataclass(frozen=True, slots=True)
class PolicyConfig:
    """Everything a decision reads besides the message, verdict and ledger state.

    `default` is a jurisdiction code, "strictest", or None (no default: an
    unplaceable recipient is held). `declared_product` is what the campaign
    promotes (--product). `version` fingerprints the loaded data for proof.
    """

    jurisdictions: tuple[JurisdictionRules, ...]
    default: str | None
    countries: frozenset[str]
    country_aliases: tuple[tuple[str, str], ...]
    patterns: tuple[tuple[str, tuple[str, ...]], ...]
    organisation_domains: frozenset[str] = frozenset()
    bulk_sender: Profile | None = None
    similar_products: SimilarProducts = field(default_factory=SimilarProducts)
    declared_product: str | None = None
    version: str = ""

    def jurisdiction(self, code: str) -> JurisdictionRules:
        for rules in self.jurisdictions:
            if rules.code == code:
                return rules
        raise ConfigError(f"jurisdiction {code!r} is not configured")

    def pattern_group(self, name: str) -> tuple[str, ...]:
        for key, regexes in self.patterns:
            if key == name:
                return regexes
        raise ConfigError(f"pattern group {name!r} is not configured")

    def for_campaign(self, product: str | None) -> PolicyConfig:
        """The same policy for a campaign that declares what it promotes."""
        return replace(self, declared_product=product.strip() if product else None)


def keyed_items(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(i, Mapping) and "code" in i for i in value)


def merge(base: Any, layer: Any) -> Any:
    """local.d semantics: mappings merge key by key; lists of rules (items with a `code`)
    merge item by item on `code`, new codes appended; anything else replaces."""
    if isinstance(base, Mapping) and isinstance(layer, Mapping):
        merged = dict(base)
        for key, value in layer.items():
            merged[key] = merge(base[key], value) if key in base else value
        return merged
    if keyed_items(base) and keyed_items(layer):
        by_code = {item["code"]: item for item in layer}
        kept = [merge(item, by_code.pop(item["code"], {})) for item in base]
        return kept + list(by_code.values())
    return layer


def read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ConfigError(f"cannot read policy data: {error}", file=str(path)) from error


def layered(relative: str, config_dir: Path | None) -> Any:
    """One data file after local.d merges and override.d replacements."""
    shipped = DATA / relative
    data = read_yaml(shipped) if shipped.exists() else None
    if config_dir is not None:
        override = config_dir / "override.d" / relative
        local = config_dir / "local.d" / relative
        if override.exists():
            data = read_yaml(override)
        if local.exists():
            data = merge(data, read_yaml(local)) if data is not None else read_yaml(local)
    if data is None:
        raise ConfigError("policy data file not found", file=relative)
    return data


def jurisdiction_files(config_dir: Path | None) -> list[str]:
    names = {p.name for p in (DATA / JURISDICTIONS).glob("*.yaml")}
    if config_dir is not None:
        for layer in ("local.d", "override.d"):
            names |= {p.name for p in (config_dir / layer / JURISDICTIONS).glob("*.yaml")}
    return sorted(names - PROFILE_FILES)


def parse_rules(name: str, data: Any, model: type[JurisdictionRules] | type[Profile]) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"invalid policy data: {where}: {first['msg']}", file=name) from error


@dataclass(frozen=True, slots=True)
class PolicyData:
    """The layered data files, before the deployment's settings are applied."""

    jurisdictions: tuple[JurisdictionRules, ...]
    bulk_sender: Profile
    countries: frozenset[str]
    aliases: tuple[tuple[str, str], ...]
    patterns: tuple[tuple[str, tuple[str, ...]], ...]
    similar: SimilarProducts
    version: str


@lru_cache(maxsize=8)
def load_data(config_dir: Path | None) -> PolicyData:
    raw: dict[str, Any] = {}
    for name in jurisdiction_files(config_dir):
        raw[name] = layered(f"{JURISDICTIONS}/{name}", config_dir)
    rules = tuple(parse_rules(n, d, JurisdictionRules) for n, d in raw.items())
    bulk = layered(f"{JURISDICTIONS}/bulk_sender.yaml", config_dir)
    countries = layered("countries.yaml", config_dir)
    patterns = layered("patterns.yaml", config_dir)
    products = layered("products.yaml", config_dir)
    try:
        aliases = countries.get("aliases") or {}
        codes = countries["codes"]
        groups = tuple((k, tuple(v["patterns"])) for k, v in sorted(patterns.items()))
        similar = tuple(frozenset(map(normalise_product, g)) for g in products["similar"] or [])
    except (AttributeError, KeyError, TypeError) as error:
        raise ConfigError(f"policy data is malformed: {error!r}") from error
    fingerprint = json.dumps([raw, bulk, countries, patterns, products], sort_keys=True)
    data = PolicyData(
        jurisdictions=rules,
        bulk_sender=parse_rules("bulk_sender.yaml", bulk, Profile),
        countries=frozenset(str(c).upper() for c in codes),
        aliases=tuple(sorted((str(k).upper(), str(v).upper()) for k, v in aliases.items())),
        patterns=groups,
        similar=SimilarProducts(similar),
        version=hashlib.sha256(fingerprint.encode()).hexdigest()[:16],
    )
    validate(data)
    return data


def validate(data: PolicyData) -> None:
    """Fail at load, not mid-campaign: every check and pattern a rule names must exist."""
    profile = data.bulk_sender.requirements
    for rules in data.jurisdictions:
        notices = [r.notice for r in rules.routes if r.notice is not None]
        for requirement in (*rules.requirements, *notices, *profile):
            if requirement.check not in CHECKS:
                raise ConfigError(f"unknown check {requirement.check!r}", jurisdiction=rules.code)
    groups = dict(data.patterns)
    missing = PATTERN_GROUPS - groups.keys()
    if missing:
        raise ConfigError(f"patterns.yaml lacks {sorted(missing)}")
    for regexes in groups.values():
        compiled(regexes)


def resolve_default(value: str, rules: tuple[JurisdictionRules, ...]) -> str | None:
    chosen = value.strip()
    if chosen.lower() in NO_DEFAULT:
        return None
    if chosen.lower() == STRICTEST:
        return STRICTEST
    codes = {r.code for r in rules}
    if chosen.upper() not in codes:
        raise ConfigError(
            f"default jurisdiction {chosen!r} is not one of {sorted(codes)} or 'strictest'"
        )
    return chosen.upper()


def load_policy(
    settings: PolicySettings | None = None, *, product: str | None = None
) -> PolicyConfig:
    """The policy a deployment runs: shipped data, its layers, its settings."""
    settings = settings or PolicySettings()
    data = load_data(settings.config_dir)
    return PolicyConfig(
        jurisdictions=data.jurisdictions,
        default=resolve_default(settings.default_jurisdiction, data.jurisdictions),
        countries=data.countries,
        country_aliases=data.aliases,
        patterns=data.patterns,
        organisation_domains=frozenset(d.strip().lower() for d in settings.organisation_domains),
        bulk_sender=data.bulk_sender if settings.bulk_sender else None,
        similar_products=data.similar,
        version=data.version,
    ).for_campaign(product)


__all__ = ["PolicyConfig", "SimilarProducts", "load_policy", "normalise_product"]
