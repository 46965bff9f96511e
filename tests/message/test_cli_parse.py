"""`maysend parse FILE [--json]`."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from maysend.cli import app

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
runner = CliRunner()


def test_json_is_one_object_with_every_part() -> None:
    result = runner.invoke(app, ["parse", str(CORPUS / "02-html-preheader-footer.eml"), "--json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["headers"]["from"] == {
        "address": "news@lantern.example.com",
        "display_name": "Lantern Books",
        "domain": "lantern.example.com",
    }
    assert data["headers"]["date"] == "2025-06-06T07:00:00+00:00"
    assert data["preheader"] == "Our staff picks are here — 20% off until Monday"
    assert data["blocks"][1] == {
        "index": 1,
        "kind": "heading",
        "region": "body",
        "text": "Staff picks for June",
    }
    assert [link["kind"] for link in data["links"]] == ["unsubscribe", "web"]
    assert data["defects"] == []
    assert set(data) >= {"images", "attachments", "merge_tags", "source", "size", "has_html"}


def test_json_lists_attachments_and_defects() -> None:
    result = runner.invoke(app, ["parse", str(CORPUS / "05-rfc822-attached.eml"), "--json"])
    data = json.loads(result.stdout)
    assert data["attachments"] == [
        {"filename": "lease.eml", "content_type": "message/rfc822", "size": 73, "is_message": True}
    ]
    result = runner.invoke(app, ["parse", str(CORPUS / "11-mislabelled-utf8.eml"), "--json"])
    assert json.loads(result.stdout)["defects"] == [
        "charset mislabelled: declared utf-8, decoded as windows-1252"
    ]


def test_tables_show_headers_blocks_links_and_defects() -> None:
    result = runner.invoke(app, ["parse", str(CORPUS / "23-german-newsletter.eml")])
    assert result.exit_code == 0
    for text in ("Headers", "Blocks", "Links", "preheader", "footer", "Jetzt entdecken"):
        assert text in result.stdout
    result = runner.invoke(app, ["parse", str(CORPUS / "14-missing-boundary.eml")])
    assert "Defects" in result.stdout
    assert "NoBoundaryInMultipartDefect" in result.stdout


def test_template_file_and_stdin(tmp_path: Path) -> None:
    path = tmp_path / "campaign.yaml"
    path.write_text("subject: Hello {{first_name}}\ntext: Our spring range is here.\n")
    data = json.loads(runner.invoke(app, ["parse", str(path), "--json"]).stdout)
    assert data["source"] == "template"
    assert data["merge_tags"] == ["{{first_name}}"]
    raw = (CORPUS / "01-plain-en.eml").read_bytes()
    result = runner.invoke(app, ["parse", "-", "--json"], input=raw)
    assert (
        json.loads(result.stdout)["headers"]["subject"] == "Minutes of Tuesday's planning meeting"
    )


def test_errors_exit_2_with_one_line(tmp_path: Path) -> None:
    result = runner.invoke(app, ["parse", str(tmp_path / "missing.eml")])
    assert result.exit_code == 2
    assert "no such file" in result.stderr
    empty = tmp_path / "empty.eml"
    empty.write_bytes(b"")
    result = runner.invoke(app, ["parse", str(empty), "--json"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "no headers and no text" in result.stderr
