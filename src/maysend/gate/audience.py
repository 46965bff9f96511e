"""Read a campaign audience (CSV or Parquet) as a stream of Arrow batches.

The audience is never loaded whole into Python objects: CSV is read by
pyarrow's streaming reader with every column as raw bytes (so a file with
mixed encodings is decoded per batch, falling back to Windows-1252 only for
the values that are not UTF-8), and each row gets its line number in the
file (the header is line 1; a record may not span lines) so rejected rows
can be reported by row. Rows with the wrong number of fields are collected
as `BrokenRow`s, never dropped silently. Parquet is read by DuckDB
directly (with its own row numbers), which keeps the large case parallel.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from maysend.errors import InputError

ROW = "row"
ADDRESS = "address"
COUNTRY = "country"
CUSTOMER = "customer"
BATCH_BYTES = 16 << 20
ADDRESS_FALLBACKS = ("address", "email_address", "e-mail", "mail")


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
    with path.open("rb") as fh:
        first = fh.readline()
    if not first.strip():
        raise InputError("the audience file is empty: it has no header row", file=str(path))
    text = _decode(first.removeprefix(codecs.BOM_UTF8)).rstrip("\r\n")
    return next(csv.reader(io.StringIO(text)))


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

    @property
    def schema(self) -> pa.Schema:
        return pa.schema([(ROW, pa.int64())] + [(ours, pa.string()) for ours in self.mapping])

    def batches(self) -> Iterator[pa.RecordBatch]:
        reader = pacsv.open_csv(
            self.path,
            read_options=pacsv.ReadOptions(
                column_names=self.header, skip_rows=1, block_size=BATCH_BYTES, use_threads=False
            ),
            parse_options=pacsv.ParseOptions(
                newlines_in_values=False, invalid_row_handler=self._on_invalid_row
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.binary() for name in self.header},
                include_columns=list(self.mapping.values()),
                strings_can_be_null=False,
            ),
        )
        next_line = 2
        for batch in reader:
            if batch.num_rows == 0:
                continue
            lines, next_line = self._line_numbers(next_line, batch.num_rows)
            arrays = [lines] + [_to_text(batch.column(c)) for c in self.mapping.values()]
            yield pa.RecordBatch.from_arrays(arrays, schema=self.schema)

    def _on_invalid_row(self, row: pacsv.InvalidRow) -> str:
        reason = f"expected {row.expected_columns} fields, found {row.actual_columns}"
        self.broken.append(BrokenRow(row.number or 0, _clip(row.text), reason))
        return "skip"

    def _line_numbers(self, start: int, count: int) -> tuple[pa.Array, int]:
        """Line numbers of `count` good rows from `start`, stepping over broken lines."""
        skipped = {b.row for b in self.broken if b.row >= start}
        if not skipped:
            return pa.array(range(start, start + count), pa.int64()), start + count
        lines: list[int] = []
        line = start
        while len(lines) < count:
            if line not in skipped:
                lines.append(line)
            line += 1
        return pa.array(lines, pa.int64()), line


def open_csv_audience(path: Path, columns: AudienceColumns) -> CsvAudience:
    """Check the header and the columns now; stream the rows later."""
    header = read_csv_header(path)
    return CsvAudience(path, header, columns.resolve(header), [])


def _clip(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _to_text(column: pa.Array) -> pa.Array:
    """Decode a binary column: UTF-8 for the whole batch when it is valid, else per value."""
    try:
        return pc.cast(column, pa.string())
    except pa.ArrowInvalid:
        return pa.array(
            [None if v is None else _decode(v) for v in column.to_pylist()], pa.string()
        )


def _decode(raw: bytes) -> str:
    """UTF-8 where valid; otherwise Windows-1252 (a superset of Latin-1 in practice)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")
