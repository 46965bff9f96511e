"""Reading a CSV audience: every row keeps its line number, whatever came before it."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maysend.errors import InputError
from maysend.gate.audience import (
    AudienceColumns,
    BrokenRow,
    iter_lines,
    line_fields,
    open_csv_audience,
    read_csv_header,
)


def reference_lines(data: bytes) -> list[bytes]:
    """Lines as a text reader sees them: LF, CRLF or a lone CR ends one."""
    lines = re.split(rb"\r\n|\r|\n", data)
    return lines[:-1] if lines and lines[-1] == b"" else lines


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=60).map(lambda b: bytes(b'ab,"\r\n\xe9'[x % 7] for x in b)))
def test_lines_are_cut_the_same_in_any_block_size(data: bytes) -> None:
    with tempfile.NamedTemporaryFile() as fh:
        fh.write(data)
        fh.flush()
        for block in (1, 2, 3, 7, 64):
            numbered = [
                (first + i, line)
                for first, lines in iter_lines(Path(fh.name), block)
                for i, line in enumerate(lines.to_pylist())
            ]
            assert numbered == list(enumerate(reference_lines(data), start=1))


@pytest.mark.parametrize(
    ("raw", "fields"),
    [
        (b"a,b", [b"a", b"b"]),
        (b"", [b""]),
        (b'"a,b",c', [b"a,b", b"c"]),
        (b'"a""b",c', [b'a"b', b"c"]),
        (b'ab"cd,e', [b'ab"cd', b"e"]),
        (b'"caf\xe9",x', [b"caf\xe9", b"x"]),
    ],
)
def test_line_fields(raw: bytes, fields: list[bytes]) -> None:
    assert line_fields(raw) == (fields, None)


@pytest.mark.parametrize("raw", [b'"open,x', b'"a"b,c'])
def test_malformed_quoting_is_a_reason(raw: bytes) -> None:
    fields, reason = line_fields(raw)
    assert fields is None
    assert reason is not None
    assert reason.startswith("malformed quoting")


AUDIENCE = (
    b"\xef\xbb\xbfE-Mail,Country\r\n"  # a BOM, and a fallback address column name
    b"ann@example.com,GB\r\n"
    b"\r\n"
    b'"unclosed,GB\n'
    b'"bob@example.com","DE"\r'
    b"zo\xeb@example.com,FR\n"
    b"too,many,fields\n"
    b"last@example.com,US"
)


@pytest.mark.parametrize("block", [5, 16, 1 << 20])
def test_rows_keep_their_line_numbers(tmp_path: Path, block: int) -> None:
    path = tmp_path / "audience.csv"
    path.write_bytes(AUDIENCE)
    audience = open_csv_audience(path, AudienceColumns())
    audience.block_bytes = block
    rows = sorted(
        (r for batch in audience.batches() for r in batch.to_pylist()), key=lambda r: r["row"]
    )
    assert audience.mapping == {"address": "E-Mail", "country": "Country"}
    assert rows == [
        {"row": 2, "address": "ann@example.com", "country": "GB"},
        {"row": 5, "address": "bob@example.com", "country": "DE"},
        {"row": 6, "address": "zoë@example.com", "country": "FR"},
        {"row": 8, "address": "last@example.com", "country": "US"},
    ]
    assert sorted(audience.broken, key=lambda b: b.row) == [
        BrokenRow(3, "", "expected 2 fields, found 1"),
        BrokenRow(4, '"unclosed,GB', "malformed quoting: unexpected end of data"),
        BrokenRow(7, "too,many,fields", "expected 2 fields, found 3"),
    ]


def test_header_may_be_quoted(tmp_path: Path) -> None:
    path = tmp_path / "audience.csv"
    path.write_bytes(b'"email","country, if known"\r\n')
    assert read_csv_header(path) == ["email", "country, if known"]


@pytest.mark.parametrize("content", [b"", b"\n", b"  \r\nann@example.com\n"])
def test_empty_header_is_an_input_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "audience.csv"
    path.write_bytes(content)
    with pytest.raises(InputError, match="empty"):
        read_csv_header(path)
