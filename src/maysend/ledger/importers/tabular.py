"""Reading import files row by row, with line numbers and a byte count for progress.

CSV (any dialect the csv module reads with a header row, UTF-8 with or without
BOM) and JSON Lines (one object per line). A row that cannot be read at all is
yielded as its error text, so the caller reports it and goes on.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from maysend.errors import InputError

JSON_SUFFIXES = frozenset({".jsonl", ".ndjson", ".json"})
Row = tuple[int, dict[str, str] | str]
READ_BUFFER = 1 << 20


class _Counting(io.RawIOBase):
    """A binary reader that reports how many bytes have been consumed."""

    def __init__(self, raw: io.BufferedReader, on_read: Callable[[int], None] | None) -> None:
        self._raw, self._on_read = raw, on_read

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        count = self._raw.readinto(buffer)
        if self._on_read and count:
            self._on_read(count)
        return count


def read_rows(path: Path, *, on_read: Callable[[int], None] | None = None) -> Iterator[Row]:
    """(line, row) for each row of a CSV or JSON Lines file; row is error text when unreadable."""
    try:
        raw = path.open("rb")
    except OSError as exc:
        raise InputError(f"cannot open import file: {exc.strerror}", path=str(path)) from exc
    with raw:
        # Large reads: each one lets go of the interpreter lock, which an import's writer
        # thread then holds until its next switch.
        buffered = io.BufferedReader(_Counting(raw, on_read), buffer_size=READ_BUFFER)
        text = io.TextIOWrapper(buffered, encoding="utf-8-sig", newline="")
        reader = _json_rows if path.suffix.lower() in JSON_SUFFIXES else _csv_rows
        try:
            yield from reader(text)
        except UnicodeDecodeError as exc:
            raise InputError(f"import file is not UTF-8: {exc.reason}", path=str(path)) from exc


def _csv_rows(text: io.TextIOBase) -> Iterator[Row]:
    reader = csv.reader(text)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        raise InputError(f"CSV header cannot be read: {exc}") from exc
    header = [h.strip() for h in header]
    line = reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield line, f"CSV cannot be read: {exc}"
            line = reader.line_num + 1
            continue
        if "".join(cells).strip():  # a row of blank cells is no row (one C call, not one a cell)
            yield line, _cells(header, cells)
        line = reader.line_num + 1


def _cells(header: list[str], cells: list[str]) -> dict[str, str] | str:
    if len(cells) == len(header):
        return dict(zip(header, cells, strict=True))
    if len(cells) > len(header):
        return f"{len(cells)} cells but the header names {len(header)}"
    return dict(zip(header, cells + [""] * (len(header) - len(cells)), strict=True))


def _json_rows(text: io.TextIOBase) -> Iterator[Row]:
    for line, raw in enumerate(text, start=1):
        if not raw.strip():
            continue
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as exc:
            yield line, f"not JSON: {exc.msg} at column {exc.colno}"
            continue
        if not isinstance(value, Mapping):
            yield line, "a JSON Lines row must be an object"
            continue
        yield line, {str(k): _text(v) for k, v in value.items()}


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def apply_mapping(row: Mapping[str, str], mapping: Mapping[str, str]) -> dict[str, str]:
    """Rename columns: `mapping` is file column -> ledger field (`row` itself when there is none).

    Nothing downstream changes a row, so a row without a mapping is not copied.
    """
    if not mapping:
        return row if type(row) is dict else dict(row)
    lowered = {k.lower(): v for k, v in mapping.items()}
    return {lowered.get(k.strip().lower(), k): v for k, v in row.items()}


def parse_mapping(pairs: list[str]) -> dict[str, str]:
    """`col=field` pairs from the command line."""
    mapping: dict[str, str] = {}
    for pair in pairs:
        column, sep, target = pair.partition("=")
        if not sep or not column.strip() or not target.strip():
            raise InputError(f"column mapping must look like column=field, got {pair!r}")
        mapping[column.strip()] = target.strip()
    return mapping


__all__ = ["apply_mapping", "parse_mapping", "read_rows"]
