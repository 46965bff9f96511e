"""The few spellings in which DuckDB SQL and Spark SQL differ, so the gate's SQL is written once.

Every other function the gate's expressions use (split_part, length, lower,
trim, coalesce, nullif, LIKE, CASE, BETWEEN, INTERVAL n DAY, IN, unhex) is
spelled and behaves the same in both engines for the values it meets.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

_WHITESPACE = "".join(chr(c) for c in range(0x110000) if chr(c).isspace())
BLANK = "[" + "".join(f"\\x{{{ord(c):x}}}" for c in _WHITESPACE) + "]*"
"""A regular expression (RE2 and Java) for the values Python's `str.strip()` empties."""
SPACE_TAB = " \t"
END_OF_TEXT = "\\z"  # Java: `$` would also match before a final line break


@dataclass(frozen=True, slots=True)
class Dialect:
    name: str

    @property
    def spark(self) -> bool:
        return self.name == "spark"

    def literal(self, text: str) -> str:
        """A string literal: DuckDB doubles quotes; Spark unescapes backslashes."""
        if self.spark:
            return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"
        return "'" + text.replace("'", "''") + "'"

    def full_match(self, column: str, pattern: str) -> str:
        """`column` matches `pattern` (RE2 / Java syntax alike) from start to end."""
        if self.spark:
            anchored = "^(?:" + pattern + ")" + END_OF_TEXT
            return f"({column} RLIKE {self.literal(anchored)})"
        return f"regexp_full_match({column}, {self.literal(pattern)})"

    def trim_blanks(self, column: str) -> str:
        """`column` without surrounding spaces and tabs."""
        if self.spark:
            return f"trim(BOTH {self.literal(SPACE_TAB)} FROM {column})"
        return f"trim({column}, {self.literal(SPACE_TAB)})"

    def sha256_hex(self, expression: str) -> str:
        return f"sha2({expression}, 256)" if self.spark else f"sha256({expression})"

    def blob(self, data: bytes) -> str:
        return f"X'{data.hex()}'" if self.spark else f"from_hex('{data.hex()}')"

    def utf8(self, column: str) -> str:
        return f"encode({column}, 'UTF-8')" if self.spark else f"encode({column})"

    def timestamp(self, moment: datetime) -> str:
        text = moment.astimezone(UTC).isoformat()
        return f"TIMESTAMP '{text}'" if self.spark else f"TIMESTAMPTZ '{text}'"


DUCKDB = Dialect("duckdb")
SPARK = Dialect("spark")

__all__ = ["BLANK", "DUCKDB", "SPARK", "Dialect"]
