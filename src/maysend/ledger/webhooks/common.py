"""What every webhook parser shares: loading JSON, naming missing fields, topic names."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

import yaml

from maysend.errors import InvalidEvent


@cache
def mapping() -> dict[str, Any]:
    text = resources.files("maysend.ledger.webhooks").joinpath("mapping.yaml").read_text("utf-8")
    loaded: dict[str, Any] = yaml.safe_load(text)
    return loaded


def load_json(
    payload: bytes | str | Mapping[str, Any] | list[Any], *, field: str = "payload"
) -> Any:
    """Parse a JSON payload (or pass a parsed one through); bad JSON names the field."""
    if isinstance(payload, Mapping | list):
        return payload
    try:
        return json.loads(payload)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        reason = exc.msg if isinstance(exc, json.JSONDecodeError) else "not UTF-8"
        raise InvalidEvent(f"malformed JSON: {reason}", field=field) from None


def require(data: Any, path: str) -> Any:
    """data[a][b]... for path 'a.b', or InvalidEvent naming the missing field."""
    value = data
    for part in path.split("."):
        if not isinstance(value, Mapping) or value.get(part) in (None, ""):
            raise InvalidEvent("missing or empty", field=path)
        value = value[part]
    return value


def as_object(value: Any, field: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise InvalidEvent("expected a JSON object", field=field)
    return value


def topic_name(raw: object) -> str:
    """A provider's list, group or topic name as a ledger topic (lower-case, no spaces)."""
    text = re.sub(r"[^a-z0-9_.:-]+", "-", str(raw).strip().lower()).strip("-")
    return text[:64] or "topic"


__all__ = ["as_object", "load_json", "mapping", "require", "topic_name"]
