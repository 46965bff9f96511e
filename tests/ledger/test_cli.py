"""`maysend consent ...` end to end through the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from maysend.cli import app

runner = CliRunner()


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.db'}"


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_record_show_history_proof(db: str, tmp_path: Path) -> None:
    wording = tmp_path / "v1.txt"
    wording.write_text("Yes, send me offers by email. Unsubscribe any time.", encoding="utf-8")
    assert run("consent", "notice", "v1", str(wording), "--db", db)[0] == 0
    code, out = run(
        "consent",
        "record",
        "ann@example.com",
        "consent",
        "--at",
        "2024-01-01T00:00:00Z",
        "--notice",
        "v1",
        "--source",
        "form",
        "--evidence",
        '{"ip": "192.0.2.1"}',
        "--db",
        db,
    )
    assert code == 0, out
    assert "recorded event 1" in out
    code, out = run("consent", "show", "ann@example.com", "--db", db, "--json")
    assert code == 0
    shown = json.loads(out)
    assert shown["status"] == "consented"
    assert shown["consent"]["event_id"] == 1
    code, out = run("consent", "show", "ann@example.com", "--db", db)
    assert "consented" in out
    code, out = run("consent", "history", "ann@example.com", "--db", db, "--json")
    assert [e["type"] for e in json.loads(out)] == ["consent"]
    code, out = run("consent", "proof", "ann@example.com", "--db", db, "--json")
    proof = json.loads(out)
    assert proof["consents"][0]["notice"]["text"].startswith("Yes, send me offers")
    code, out = run("consent", "proof", "ann@example.com", "--db", db)
    assert "Unsubscribe any time" in out


def test_bad_event_is_one_line_error(db: str) -> None:
    code, out = run("consent", "record", "ann@example.com", "subscribe", "--db", db)
    assert code != 0
    assert "field=event" in out


def test_import_export_verify(db: str, tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text(
        "mail,event,at\nb@example.com,consent,2024-01-01T00:00:00Z\nbroken,consent,2024-01-01\n",
        encoding="utf-8",
    )
    code, out = run("consent", "import", str(src), "--map", "mail=address", "--db", db, "--json")
    assert code == 1
    report = json.loads(out)
    assert report["imported"] == 1
    assert report["failed"][0]["line"] == 3
    out_file = tmp_path / "state.parquet"
    code, out = run("consent", "export", "--out", str(out_file), "--db", db)
    assert code == 0, out
    assert pq.read_table(out_file).column("status").to_pylist() == ["consented"]
    code, out = run(
        "consent",
        "export",
        "--out",
        str(tmp_path / "s.csv"),
        "--format",
        "csv",
        "--at",
        "2023-06-01T00:00:00Z",
        "--db",
        db,
    )
    assert code == 0
    assert run("consent", "verify", "--db", db)[0] == 0


def test_verify_fails_naming_the_event(db: str) -> None:
    run("consent", "record", "c@example.com", "consent", "--at", "2024-01-01T00:00:00Z", "--db", db)
    import sqlite3

    path = db.removeprefix("sqlite:///")
    with sqlite3.connect(path) as connection:
        connection.execute("DROP TRIGGER events_no_update")
        connection.execute("UPDATE events SET source = 'forged'")
    code, out = run("consent", "verify", "--db", db)
    assert code == 1
    assert "event 1: changed" in out


def test_unreachable_ledger_exits_non_zero() -> None:
    code, out = run(
        "consent", "show", "d@example.com", "--db", "postgresql+psycopg://postgres@127.0.0.1:1/test"
    )
    assert code != 0
    assert "unavailable" in out
