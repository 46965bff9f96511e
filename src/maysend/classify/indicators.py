"""Indicators as data: `rules/<lang>/*.yaml`, layered like rspamd's configuration.

Every indicator names a legal category, a weight and the phrases that show it,
with `match:` / `no_match:` examples that the test suite runs. A deployment
changes them without editing the package, in a configuration directory:

    <config_dir>/override.d/<lang>/<file>.yaml   replaces the shipped file of that name
    <config_dir>/local.d/<lang>/<file>.yaml      merges by indicator id: the fields given
                                                 replace the shipped ones, `phrases`,
                                                 `unless`, `unless_anywhere` and
                                                 `requires` are added to,
                                                 `enabled: false`
                                                 removes the indicator, a new id is added

An indicator may weigh more in a context: with `context: [IDS]` and `context_weight`, it
counts `context_weight` in a message where one of those indicators also fired (a "welcome"
greeting is a friendly word in a booking confirmation, but advertising in a double-opt-in
mail: LG Stendal 22 S 87/20). With weight 0, it fires only in that context. A context can
also lower the weight: a survey request counts 0 beside the marks of genuine research
(GENUINE_SURVEY), yet stays in the evidence with its category for the policy to weigh.

With `unless_carries: true`, an `unless` also covers the segments after it: a step the
reader started ("to finish setting up mobile banking:") governs the instructions and
store links that follow it, which name the app without the step.

An `unless_anywhere` phrase cancels its indicator in the whole message, wherever it
stands: a statutory duty to answer official statistics ("Auskunftspflicht", "Statistics
of Trade Act") makes every mention of the survey in that message neutral, though the
duty is stated in one paragraph and the survey named in others. Keep these phrases to
marks that cannot appear in a promotion.

Neutral contexts that indicators in different files share are written once, under a
top-level `contexts:` mapping (name -> phrases) in any rules file of the language, and
named in `unless`, `unless_anywhere` or `requires` as `"@name"`: a points balance that
"bleibt bestehen" is neutral for a voucher and for a loyalty scheme alike, and the two
lists must not drift apart. (YAML anchors do the same within one file only.)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from maysend.classify.verdict import Category, ServiceBasis
from maysend.errors import ConfigError
from maysend.message.model import LinkKind

_EXTENDED = ("phrases", "unless", "unless_anywhere", "requires")
_CONTEXTUAL = ("unless", "unless_anywhere", "requires")  # lists that may name a shared context
Contexts = Mapping[str, tuple[str, ...]]
ID_SHAPE = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$")


class Where(StrEnum):
    """The parts of a message an indicator may look at."""

    SUBJECT = "subject"
    PREHEADER = "preheader"
    BODY = "body"
    FOOTER = "footer"
    LINK = "link"
    IMAGE_ALT = "image_alt"


class Role(StrEnum):
    EVIDENCE = "evidence"  # reported when it fires
    BOILERPLATE = "boilerplate"  # marks legal/unsubscribe text the model must not read


@dataclass(frozen=True, slots=True)
class Indicator:
    id: str
    lang: str
    category: Category
    weight: float
    description: str
    phrases: tuple[str, ...] = ()
    unless: tuple[str, ...] = ()
    unless_anywhere: tuple[str, ...] = ()  # cancels the indicator in the whole message
    requires: tuple[str, ...] = ()  # one of these must also occur in the same segment
    context: frozenset[str] = frozenset()  # ids that, firing in the message, raise the weight
    context_weight: float | None = None
    unless_carries: bool = False  # an `unless` also covers the segments after it
    where: frozenset[Where] = frozenset(Where)
    links: frozenset[LinkKind] = frozenset()
    basis: ServiceBasis | None = None
    role: Role = Role.EVIDENCE
    match: tuple[str, ...] = ()
    no_match: tuple[str, ...] = ()
    source: str = field(default="", compare=False)


def _strings(raw: object, name: str, where: str) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(s, str) for s in raw):
        raise ConfigError(f"`{name}` must be a list of strings", file=where)
    return tuple(raw)


def _enum_set(raw: object, kind: type[StrEnum], name: str, where: str) -> frozenset[Any]:
    try:
        return frozenset(kind(v) for v in _strings(raw, name, where))
    except ValueError as error:
        raise ConfigError(f"unknown value in `{name}`: {error}", file=where) from error


def _expanded(items: tuple[str, ...], contexts: Contexts, name: str, where: str) -> tuple[str, ...]:
    """`items` with each `@context` replaced by the shared context's phrases."""
    out: list[str] = []
    for item in items:
        if not item.startswith("@"):
            out.append(item)
        elif item[1:] in contexts:
            out.extend(contexts[item[1:]])
        else:
            raise ConfigError(f"unknown shared context {item!r} in `{name}`", file=where)
    return tuple(out)


def indicator_from(
    entry: Mapping[str, Any], lang: str, source: str, contexts: Contexts | None = None
) -> Indicator:
    """Validate one YAML entry; errors name the file and the indicator."""
    ident = str(entry.get("id", ""))
    where = f"{source}#{ident}"
    if not ID_SHAPE.match(ident):
        raise ConfigError("indicator id must be UPPER_SNAKE", file=source, id=ident)
    shared = contexts or {}
    listed = {
        name: _expanded(_strings(entry.get(name), name, where), shared, name, where)
        for name in _CONTEXTUAL
    }
    try:
        category = Category(entry["category"])
        weight = float(entry.get("weight", 1.0))
        basis = ServiceBasis(entry["basis"]) if entry.get("basis") else None
        role = Role(entry.get("role", Role.EVIDENCE))
        raised = entry.get("context_weight")
        context_weight = None if raised is None else float(raised)
    except (KeyError, ValueError, TypeError) as error:
        raise ConfigError(f"bad category, weight, basis or role: {error}", file=where) from error
    if (basis is None) != (category is not Category.SERVICE):
        raise ConfigError("service indicators, and only they, name a `basis`", file=where)
    indicator = Indicator(
        id=ident,
        lang=lang,
        category=category,
        weight=weight,
        description=str(entry.get("description", "")).strip(),
        phrases=_strings(entry.get("phrases"), "phrases", where),
        unless=listed["unless"],
        unless_anywhere=listed["unless_anywhere"],
        requires=listed["requires"],
        context=frozenset(_strings(entry.get("context"), "context", where)),
        context_weight=context_weight,
        unless_carries=bool(entry.get("unless_carries", False)),
        where=_enum_set(entry.get("where"), Where, "where", where) or frozenset(Where),
        links=_enum_set(entry.get("links"), LinkKind, "links", where),
        basis=basis,
        role=role,
        match=_strings(entry.get("match"), "match", where),
        no_match=_strings(entry.get("no_match"), "no_match", where),
        source=source,
    )
    if not indicator.phrases and not indicator.links:
        raise ConfigError("an indicator needs `phrases` or `links`", file=where)
    if not indicator.description:
        raise ConfigError("an indicator needs a `description`", file=where)
    if bool(indicator.context) != (indicator.context_weight is not None):
        raise ConfigError("`context` and `context_weight` go together", file=where)
    return indicator


@dataclass(frozen=True, slots=True)
class _RulesFile:
    entries: list[dict[str, Any]]
    contexts: dict[str, tuple[str, ...]]


def _read(path: Path | resources.abc.Traversable) -> _RulesFile:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise ConfigError(f"cannot read rules file: {error}", file=str(path)) from error
    entries = data.get("indicators", []) if isinstance(data, dict) else None
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise ConfigError("a rules file holds `indicators:`, a list of mappings", file=str(path))
    raw = data.get("contexts") or {}
    if not isinstance(raw, dict):
        raise ConfigError("`contexts:` maps names to lists of phrases", file=str(path))
    contexts = {str(k): _strings(v, f"contexts.{k}", str(path)) for k, v in raw.items()}
    return _RulesFile(entries, contexts)


def _shared_contexts(files: Iterable[_RulesFile], lang: str) -> dict[str, tuple[str, ...]]:
    """Every file's `contexts:` of one language; a name given twice is an error."""
    shared: dict[str, tuple[str, ...]] = {}
    for rules in files:
        for name, phrases in rules.contexts.items():
            if name in shared:
                raise ConfigError("shared context defined twice", context=name, lang=lang)
            shared[name] = phrases
    return shared


def _merge(base: Indicator, entry: Mapping[str, Any], source: str, contexts: Contexts) -> Indicator:
    """local.d: fields replace, `phrases`/`unless` extend."""
    merged: dict[str, Any] = {
        "id": base.id,
        "category": base.category.value,
        "weight": base.weight,
        "description": base.description,
        "where": sorted(base.where),
        "links": sorted(base.links),
        "basis": base.basis.value if base.basis else None,
        "role": base.role.value,
        "context": sorted(base.context),
        "context_weight": base.context_weight,
        "unless_carries": base.unless_carries,
        "match": list(base.match),
        "no_match": list(base.no_match),
    }
    merged.update({k: v for k, v in entry.items() if k not in _EXTENDED})
    for name in _EXTENDED:
        merged[name] = [*getattr(base, name), *(entry.get(name) or [])]
    return replace(indicator_from(merged, base.lang, source, contexts), source=source)


def shipped_rules() -> resources.abc.Traversable:
    return resources.files("maysend.classify") / "rules"


def _files(root: Path | resources.abc.Traversable, lang: str) -> dict[str, Any]:
    folder = root / lang
    if not folder.is_dir():
        return {}
    return {p.name: p for p in folder.iterdir() if p.name.endswith((".yaml", ".yml"))}


def _languages(roots: Iterable[Path | resources.abc.Traversable]) -> list[str]:
    found = {p.name for root in roots if root.is_dir() for p in root.iterdir() if p.is_dir()}
    return sorted(found)


def load_indicators(config_dir: Path | None = None) -> tuple[Indicator, ...]:
    """The shipped indicators with the deployment's override.d and local.d applied."""
    shipped = shipped_rules()
    override = config_dir / "override.d" if config_dir else None
    local = config_dir / "local.d" if config_dir else None
    loaded: list[Indicator] = []
    for lang in _languages(r for r in (shipped, override, local) if r is not None):
        files = _files(shipped, lang) | (_files(override, lang) if override else {})
        read = {name: _read(files[name]) for name in sorted(files)}
        locals_ = (
            {n: (p, _read(p)) for n, p in sorted(_files(local, lang).items())} if local else {}
        )
        contexts = _shared_contexts([*read.values(), *(r for _, r in locals_.values())], lang)
        by_id: dict[str, Indicator] = {}
        for name, rules in read.items():
            for entry in rules.entries:
                indicator = indicator_from(entry, lang, str(files[name]), contexts)
                if indicator.id in by_id:
                    raise ConfigError("indicator defined twice", id=indicator.id, lang=lang)
                by_id[indicator.id] = indicator
        for name, (path, rules) in locals_.items():
            for entry in rules.entries:
                _apply_local(by_id, entry, lang, f"{path}#{name}", contexts)
        loaded.extend(by_id[k] for k in sorted(by_id))
    return tuple(loaded)


def _apply_local(
    by_id: dict[str, Indicator], entry: dict[str, Any], lang: str, src: str, contexts: Contexts
) -> None:
    ident = str(entry.get("id", ""))
    if entry.get("enabled", True) is False:
        by_id.pop(ident, None)
        return
    entry = {k: v for k, v in entry.items() if k != "enabled"}
    by_id[ident] = (
        _merge(by_id[ident], entry, src, contexts)
        if ident in by_id
        else indicator_from(entry, lang, src, contexts)
    )


__all__ = ["Indicator", "Role", "Where", "indicator_from", "load_indicators", "shipped_rules"]
