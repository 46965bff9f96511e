"""Import formats as data: `formats.yaml` says how each export's rows become events.

`row_events` applies one format to one row: it raises InvalidEvent (naming the
field) for a bad row, returns a `Skip` for a row that is well-formed but not a
consent event (a bounce), and otherwise the validated events.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache, lru_cache
from importlib import resources
from typing import Any

import yaml

from maysend.errors import ConfigError, InvalidEvent
from maysend.ledger.events import NewEvent, new_event

NATIVE = "native"
TOPIC_ALL = frozenset({"", "*"})


@dataclass(frozen=True, slots=True)
class Skip:
    reason: str


@dataclass(frozen=True, slots=True)
class FormatSpec:
    name: str
    description: str
    source: str
    fields: Mapping[str, tuple[str, ...]]
    rules: tuple[Mapping[str, Any], ...] = ()
    permissions: Mapping[str, str] = field(default_factory=dict)
    granted: frozenset[str] = frozenset()


@cache
def formats() -> dict[str, FormatSpec]:
    """Every shipped import format by name."""
    text = resources.files("maysend.ledger.importers").joinpath("formats.yaml").read_text("utf-8")
    try:
        data = yaml.safe_load(text)
        return {name: _spec(name, body) for name, body in data.items()}
    except (yaml.YAMLError, KeyError, TypeError, AttributeError) as exc:
        raise ConfigError(f"importers/formats.yaml cannot be used: {exc}") from exc


def _spec(name: str, body: Mapping[str, Any]) -> FormatSpec:
    permissions = body.get("permissions") or {}
    return FormatSpec(
        name=name,
        description=body["description"],
        source=body["source"],
        fields={k: tuple(v) for k, v in body["fields"].items()},
        rules=tuple(body.get("rules") or ()),
        permissions=dict(permissions.get("columns") or {}),
        granted=frozenset(str(v).lower() for v in permissions.get("granted") or ()),
    )


def get_format(name: str) -> FormatSpec:
    known = formats()
    if name not in known:
        raise ConfigError(f"unknown import format {name!r} (one of {', '.join(sorted(known))})")
    return known[name]


@lru_cache(maxsize=256)
def _field_columns(fmt: str, header: tuple[str, ...]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """For each field of the shipped format `fmt` the row has columns for, those columns in order.

    Worked out once per header instead of once per row: columns match case-blind
    and ignoring surrounding blanks, and of two columns that match alike the
    later one counts.
    """
    named = {column.strip().lower(): column for column in header}
    found = (
        (name, tuple(named[c.lower()] for c in columns if c.lower() in named))
        for name, columns in get_format(fmt).fields.items()
    )
    return tuple((name, columns) for name, columns in found if columns)


def field_values(spec: FormatSpec, row: Mapping[str, str]) -> dict[str, str]:
    """Each field's value in `row`: the first non-empty of its columns, stripped, else ''."""
    values = dict.fromkeys(spec.fields, "")
    for name, columns in _field_columns(spec.name, tuple(row)):
        for column in columns:
            value = row[column]
            # A file's values are text already; others (a caller's own rows) are made text.
            text = value.strip() if type(value) is str else _text_of(value)
            if text:
                values[name] = text
                break
    return values


def _text_of(value: object) -> str:
    return str(value).strip() if value is not None else ""


def row_events(spec: FormatSpec, row: Mapping[str, str], *, now: datetime) -> list[NewEvent] | Skip:
    """The events one row stands for, or why it is skipped; raise InvalidEvent if it is bad."""
    if spec.name == NATIVE:
        return [_native(row, now)]
    values = field_values(spec, row)
    if not values.get("address"):
        raise InvalidEvent("no address in this row", field="address")
    for rule in spec.rules:
        if _matches(rule.get("when") or {}, values):
            if "skip" in rule:
                return Skip(str(rule["skip"]))
            evidence_row = {"format": spec.name, "row": dict(row)}
            emitted = [
                event
                for template in rule["events"]
                for event in _emit(spec, template, values, row, evidence_row, now)
            ]
            return emitted or Skip("no marketing permission is granted in this row")
    raise InvalidEvent("row matches no rule of this format", field="status")


# The native format's fields in the order `_native` takes them.
_NATIVE_ORDER = (
    "address", "event", "at", "channel", "purpose", "topic",
    "source", "country", "notice", "product", "refusal_offered", "evidence",
)  # fmt: skip


@lru_cache(maxsize=256)
def _native_plan(header: tuple[str, ...]) -> tuple[tuple[int, str, tuple[str, ...]], ...]:
    """For each native field the row has columns for: its place in `_NATIVE_ORDER`, its
    first column and any further ones (`_field_columns`, worked out once per header)."""
    found = dict(_field_columns(NATIVE, header))
    return tuple(
        (index, found[name][0], found[name][1:])
        for index, name in enumerate(_NATIVE_ORDER)
        if name in found
    )


def _native(row: Mapping[str, str], now: datetime) -> NewEvent:
    """`field_values` of the native format without the dict: a list in `_NATIVE_ORDER`.

    Most rows of most imports are native, so this is the per-row path.
    """
    values = [""] * len(_NATIVE_ORDER)
    for index, column, more in _native_plan(tuple(row)):
        value = row[column]
        text = value.strip() if type(value) is str else _text_of(value)
        if not text and more:
            text = next(filter(None, (_text_of(row[c]) for c in more)), "")
        values[index] = text
    (
        address, event, at, channel, purpose, topic,
        source, country, notice, product, refusal_offered, evidence,
    ) = values  # fmt: skip
    if not event:
        raise InvalidEvent("no event in this row", field="event")
    return new_event(
        address,
        event,
        at=at or None,
        channel=channel or "email",
        purpose=purpose or "marketing",
        topic=topic or None,
        source=source or "import",
        country=country or None,
        notice=notice or None,
        product=product or None,
        refusal_offered=refusal_offered or False,
        evidence=evidence or None,
        now=now,
    )


def _matches(when: Mapping[str, Any], values: Mapping[str, str]) -> bool:
    for name, wanted in when.items():
        if name == "present" and not values.get(wanted):
            return False
        if name == "absent" and values.get(wanted):
            return False
        if name not in ("present", "absent"):
            allowed = {str(w).lower() for w in wanted}
            if values.get(name, "").lower() not in allowed:
                return False
    return True


def _emit(
    spec: FormatSpec,
    template: Mapping[str, Any],
    values: Mapping[str, str],
    row: Mapping[str, str],
    evidence_row: Mapping[str, Any],
    now: datetime,
) -> list[NewEvent]:
    condition = template.get("if")
    if condition and not values.get(condition):
        return []
    at = next((values[f] for f in template.get("at", ()) if values.get(f)), "")
    if not at:
        raise InvalidEvent("no time for this event", field=str(template.get("at", ["at"])[0]))
    extra = {k: values[f] for k, f in (template.get("evidence") or {}).items() if values.get(f)}
    channels = _channels(spec, row) if template.get("permissions") else ["email"]
    if not channels:
        return []
    topics: list[str | None] = [None]
    if template.get("topics_from"):
        listed = [t.strip() for t in values.get(template["topics_from"], "").split(",")]
        topics = [None] if any(t in TOPIC_ALL for t in listed) else list(dict.fromkeys(listed))
    return [
        new_event(
            values["address"],
            template["event"],
            at=at,
            channel=channel,
            topic=topic,
            source=spec.source,
            country=values.get("country") or None,
            evidence={**evidence_row, **extra},
            now=now,
        )
        for channel in channels
        for topic in topics
    ]


def _channels(spec: FormatSpec, row: Mapping[str, str]) -> list[str]:
    """Channels a row's marketing-permission columns grant (email when the file has none)."""
    lowered = {k.strip().lower(): (v or "").strip().lower() for k, v in row.items()}
    present = {c.lower(): ch for c, ch in spec.permissions.items() if c.lower() in lowered}
    if not present:
        return ["email"]
    granted = {ch for c, ch in present.items() if lowered[c] in spec.granted}
    return sorted(granted)


__all__ = [
    "NATIVE",
    "FormatSpec",
    "Skip",
    "field_values",
    "formats",
    "get_format",
    "row_events",
]
