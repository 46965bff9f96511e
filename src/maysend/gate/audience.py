"""Read a campaign audience (CSV or Parquet) as a stream of Arrow batches.

The audience is never loaded whole into Python objects. A CSV file is cut
into physical lines first (LF, CRLF or a lone CR ends a line, as in Spark's
text reader), so a row's number is its line number in the file (the header
is line 1) whatever the lines before it held: a blank line, a stray quote or
a broken row never shifts the numbers of the rows after it. A record may not
span lines. A line without a double quote is split on commas in Arrow; a
line with one goes through `split_line` (RFC 4180 quoting, on that line
alone). Fields stay raw bytes until decoded per value (UTF-8 where valid,
else Windows-1252), so a file with mixed encodings loses nothing. Lines with
the wrong number of fields or unclosed quoting are collected as `BrokenRow`s,
never dropped silently. Both engines apply these same rules (`line_fields`).
Parquet is read by the engines directly, with its own row positions.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from maysend.errors import InputError

ROW = "row"
ADDRESS = "address"
COUNTRY = "country"
CUSTOMER = "customer"
BATCH_BYTES = 16 << 20
ADDRESS_FALLBACKS = ("address", "email_address", "e-mail", "mail")
DELIMITER = ","
QUOTE = '"'
_LF, _CR = 10, 13


@dataclass(frozen=True, slots=True)
class AudienceColumns:
    """Which source columns hold the address, the country and the customer flag."""

    address: str = "email"
    country: str | None = "country"
    customer: str | None = "customer"

    def resolve(self, header: list[str]) -> dict[str, str]:
        """Map our names to the file's, case-insensitively; address is required."""
        by_lower = {name.strip().lower(): name for name in header}
        wanted = {ADDRESS: self.address, COUNTRY: self.country, CUSTOMER: self.customer}
        found: dict[str, str] = {}
        for ours, theirs in wanted.items():
            if theirs is None:
                continue
            source = by_lower.get(theirs.strip().lower())
            if source is None and ours == ADDRESS:
                fallbacks = [by_lower[c] for c in ADDRESS_FALLBACKS if c in by_lower]
                source = fallbacks[0] if fallbacks else None
            if source is not None:
                found[ours] = source
        if ADDRESS not in found:
            raise InputError(
                f"the audience has no address column {self.address!r}",
                columns=", ".join(header) or "(none)",
            )
        return found


def audience_format(path: Path) -> str:
    """'parquet' or 'csv', by name; Parquet is also recognised by its magic bytes."""
    if path.suffix.lower() in {".parquet", ".pq"}:
        return "parquet"
    with path.open("rb") as fh:
        if fh.read(4) == b"PAR1":
            return "parquet"
    return "csv"


def read_csv_header(path: Path) -> list[str]:
    """The header row, decoded leniently; an empty file is an error."""
    first = _first_line(path)
    if not first.strip():
        raise InputError("the audience file is empty: it has no header row", file=str(path))
    fields, reason = line_fields(first.removeprefix(codecs.BOM_UTF8))
    if fields is None:
        raise InputError(f"the audience header cannot be read: {reason}", file=str(path))
    return [decode_value(f) for f in fields]


def _first_line(path: Path) -> bytes:
    head = b""
    with path.open("rb") as fh:
        while True:
            chunk = fh.read(1 << 16)
            head += chunk
            ends = [i for i in (head.find(b"\n"), head.find(b"\r")) if i >= 0]
            if ends or not chunk:
                return head[: min(ends)] if ends else head


def split_line(raw: bytes) -> tuple[list[bytes] | None, str | None]:
    """The fields of one line with RFC 4180 quoting, or (None, why it cannot be split)."""
    text = raw.decode("latin-1")  # one character per byte: the bytes come back unchanged
    try:
        fields = next(csv.reader([text], strict=True), [])
    except csv.Error as exc:
        return None, f"malformed quoting: {exc}"
    return [f.encode("latin-1") for f in fields], None


def line_fields(raw: bytes) -> tuple[list[bytes] | None, str | None]:
    """Split one line: on commas when it holds no quote, else by `split_line`."""
    if QUOTE.encode() not in raw:
        return raw.split(DELIMITER.encode()), None
    return split_line(raw)


def wrong_width(expected: int, found: int) -> str:
    return f"expected {expected} fields, found {found}"


@dataclass(frozen=True, slots=True)
class BrokenRow:
    """A CSV line that could not be split into the header's fields."""

    row: int
    text: str
    reason: str


@dataclass
class CsvAudience:
    """A streaming CSV audience; `broken` fills while `batches()` is consumed."""

    path: Path
    header: list[str]
    mapping: dict[str, str]
    broken: list[BrokenRow]
    block_bytes: int = BATCH_BYTES

    @property
    def schema(self) -> pa.Schema:
        return pa.schema([(ROW, pa.int64())] + [(ours, pa.string()) for ours in self.mapping])

    @property
    def positions(self) -> list[int]:
        """Where each mapped column sits in a line's fields."""
        return [self.header.index(name) for name in self.mapping.values()]

    def batches(self) -> Iterator[pa.RecordBatch]:
        for first, lines in iter_lines(self.path, self.block_bytes):
            rows = pa.array(np.arange(first, first + len(lines), dtype=np.int64))
            if first == 1:  # the header
                lines, rows = lines.slice(1), rows.slice(1)
            batch = self._split(lines, rows)
            if batch.num_rows:
                yield batch

    def _split(self, lines: pa.Array, rows: pa.Array) -> pa.RecordBatch:
        """The good rows of one block of lines; broken ones go to `self.broken`."""
        quoted = pc.match_substring(lines, QUOTE)
        plain = pc.invert(quoted)
        plain_rows, plain_columns = self._split_plain(rows.filter(plain), lines.filter(plain))
        quoted_rows, quoted_columns = self._split_quoted(rows.filter(quoted), lines.filter(quoted))
        arrays = [pa.concat_arrays([plain_rows, pa.array(quoted_rows, pa.int64())])]
        for column, values in zip(plain_columns, quoted_columns, strict=True):
            extra = pa.array(values, pa.large_binary())
            arrays.append(_to_text(pa.concat_arrays([column.cast(pa.large_binary()), extra])))
        return pa.RecordBatch.from_arrays(arrays, schema=self.schema)

    def _split_plain(self, rows: pa.Array, lines: pa.Array) -> tuple[pa.Array, list[pa.Array]]:
        """Lines without quotes: split on commas in Arrow."""
        width = len(self.header)
        parts = pc.split_pattern(lines, DELIMITER)
        counts = pc.list_value_length(parts)
        fits = pc.equal(counts, width)
        unfit = pc.invert(fits)
        for row, raw, count in zip(
            rows.filter(unfit).to_pylist(),
            lines.filter(unfit).to_pylist(),
            counts.filter(unfit).to_pylist(),
            strict=True,
        ):
            self._reject(row, raw, wrong_width(width, count))
        good = parts.filter(fits)
        return rows.filter(fits), [pc.list_element(good, p) for p in self.positions]

    def _split_quoted(self, rows: pa.Array, lines: pa.Array) -> tuple[list[int], list[list[bytes]]]:
        width, positions = len(self.header), self.positions
        kept: list[int] = []
        values: list[list[bytes]] = [[] for _ in positions]
        for row, raw in zip(rows.to_pylist(), lines.to_pylist(), strict=True):
            fields, reason = split_line(raw)
            if fields is None or len(fields) != width:
                self._reject(row, raw, reason or wrong_width(width, len(fields or [])))
                continue
            kept.append(row)
            for column, p in zip(values, positions, strict=True):
                column.append(fields[p])
        return kept, values

    def _reject(self, row: int, raw: bytes, reason: str) -> None:
        self.broken.append(BrokenRow(row, clip(decode_value(raw)), reason))


def open_csv_audience(path: Path, columns: AudienceColumns) -> CsvAudience:
    """Check the header and the columns now; stream the rows later."""
    header = read_csv_header(path)
    return CsvAudience(path, header, columns.resolve(header), [])


def iter_lines(path: Path, block_bytes: int = BATCH_BYTES) -> Iterator[tuple[int, pa.Array]]:
    """(number of the first line, the lines without terminators) for each block, in order."""
    first, carry = 1, b""
    with path.open("rb") as fh:
        while True:
            chunk = fh.read(block_bytes)
            data = carry + chunk
            lines, used = _cut_lines(data, at_end=not chunk)
            if len(lines):
                yield first, lines
                first += len(lines)
            carry = data[used:]
            if not chunk:
                return


def _cut_lines(data: bytes, *, at_end: bool) -> tuple[pa.Array, int]:
    """The complete lines in `data` as one binary array, and how many bytes they used."""
    raw = np.frombuffer(data, dtype=np.uint8)
    lf, cr = raw == _LF, raw == _CR
    lf_next = np.zeros_like(cr)
    lf_next[:-1] = lf[1:]
    ends = np.flatnonzero(lf | (cr & ~lf_next))
    if not at_end and len(raw) and cr[-1]:
        ends = ends[ends < len(raw) - 1]  # a CR at the edge may be half of a CRLF
    used = int(ends[-1]) + 1 if len(ends) else 0
    if at_end and used < len(raw):
        ends, used = np.append(ends, len(raw)), len(raw)
    keep = ~(lf | cr)[:used]
    kept_before = np.concatenate([[0], np.cumsum(keep, dtype=np.int64)])
    offsets = np.concatenate([[0], kept_before[ends]]).astype(np.int64)
    body = raw[:used][keep]
    buffers = [None, pa.py_buffer(offsets), pa.py_buffer(body.tobytes())]
    return pa.Array.from_buffers(pa.large_binary(), len(ends), buffers), used


def clip(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _to_text(column: pa.Array) -> pa.Array:
    """Decode a binary column: UTF-8 for the whole batch when it is valid, else per value."""
    try:
        return pc.cast(pc.cast(column, pa.large_string()), pa.string())
    except pa.ArrowInvalid:
        return pa.array(
            [None if v is None else decode_value(v) for v in column.to_pylist()], pa.string()
        )


def decode_value(raw: bytes) -> str:
    """UTF-8 where valid; otherwise Windows-1252 (a superset of Latin-1 in practice)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")
