"""Reading the parser's data files (link kinds, footer cues) shipped beside the code.

The lists are data, not code, so that a reviewer can read them and a deployment can
see exactly what maysend treats as an unsubscribe link or a footer.
"""

from __future__ import annotations

import re
from importlib import resources
from typing import Any

import yaml

from maysend.errors import ConfigError


def load_data(name: str) -> dict[str, Any]:
    """Load one YAML mapping shipped in this package."""
    path = resources.files(__package__).joinpath(name)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read message data file: {exc}", file=name) from exc
    if not isinstance(data, dict):
        raise ConfigError("message data file is not a mapping", file=name)
    return data


def string_list(data: dict[str, Any], key: str, file: str) -> list[str]:
    """A list of strings under `key`, lower-cased; anything else is a ConfigError."""
    value = data.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"'{key}' must be a list of strings", file=file)
    return [v.lower() for v in value]


def any_of(patterns: list[str], file: str, flags: int = re.IGNORECASE) -> re.Pattern[str]:
    """One alternation of the given regular expressions (case-insensitive by default)."""
    try:
        return re.compile("|".join(f"(?:{p})" for p in patterns), flags)
    except re.error as exc:
        raise ConfigError(f"bad pattern: {exc}", file=file) from exc


__all__ = ["any_of", "load_data", "string_list"]
