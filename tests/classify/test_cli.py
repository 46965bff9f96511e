"""`maysend classify`, `eval` and `train`: the contract other tools rely on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from maysend.cli import app

from .conftest import eml

KEYS = {
    "source",
    "kind",
    "score",
    "language",
    "primary_purpose",
    "service_basis",
    "evidence",
    "flags",
    "gap",
}
EVIDENCE_KEYS = {"indicator", "category", "text", "where", "weight"}


@pytest.fixture
def mail(tmp_path: Path) -> Path:
    (tmp_path / "nested").mkdir()
    (tmp_path / "a.eml").write_bytes(
        eml("Sale", text="Get 30% off everything today only.", label="marketing")
    )
    (tmp_path / "nested" / "b.eml").write_bytes(
        eml(
            "Your parcel",
            text="Your parcel has been dispatched. Tracking number 12345.",
            label="service",
        )
    )
    (tmp_path / "notes.txt").write_text("not a message")
    return tmp_path


def test_classify_json_one_line_per_message(mail: Path) -> None:
    result = CliRunner().invoke(app, ["classify", "--json", str(mail)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [Path(d["source"]).name for d in lines] == ["a.eml", "b.eml"]
    assert all(set(d) == KEYS for d in lines)
    assert lines[0]["kind"] == "marketing"
    assert lines[1]["kind"] == "service"
    assert all(set(e) == EVIDENCE_KEYS for d in lines for e in d["evidence"])
    assert lines[1]["service_basis"] == "delivery"


def test_classify_stdin(mail: Path) -> None:
    data = (mail / "a.eml").read_bytes()
    result = CliRunner().invoke(app, ["classify", "--json", "-"], input=data)
    assert result.exit_code == 0
    assert json.loads(result.stdout)["source"] == "-"


def test_unreadable_input_is_reported_and_the_rest_classified(mail: Path) -> None:
    missing = mail / "missing.eml"
    result = CliRunner().invoke(app, ["classify", "--json", str(missing), str(mail / "a.eml")])
    assert result.exit_code == 2
    assert "missing.eml" in result.stderr
    assert len(result.stdout.splitlines()) == 1


def test_classify_renders_evidence_in_context(mail: Path) -> None:
    result = CliRunner().invoke(app, ["classify", str(mail / "a.eml")])
    assert result.exit_code == 0
    assert "MARKETING" in result.stdout
    assert "OFFER_DISCOUNT" in result.stdout


def test_eval_prints_figures_per_language(mail: Path) -> None:
    result = CliRunner().invoke(app, ["eval", str(mail)])
    assert result.exit_code == 0, result.output
    for word in ("precision", "recall", "F1", "confusion matrix"):
        assert word in result.stdout


def test_eval_lists_misclassified_files(tmp_path: Path) -> None:
    (tmp_path / "wrong.eml").write_bytes(
        eml("Hello", text="Your parcel has been dispatched today.", label="marketing")
    )
    result = CliRunner().invoke(app, ["eval", str(tmp_path)])
    assert "wrong.eml" in result.stdout
    assert "marketing→service" in result.stdout


def test_train_writes_an_artifact(tmp_path: Path) -> None:
    from maysend.classify import frequency

    from .test_training import MARKETING, SERVICE

    for n, (subject, text) in enumerate(MARKETING + SERVICE):
        label = "marketing" if n < len(MARKETING) else "service"
        (tmp_path / f"{n}.eml").write_bytes(eml(subject, text=text, label=label))
    out = tmp_path / "model.joblib"
    result = CliRunner().invoke(app, ["train", "--corpus", str(tmp_path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.is_file()
    # the corpus's word frequencies go beside the model, where a classifier loading it looks
    assert frequency.load(frequency.beside(out))["your"] >= 1
    check = CliRunner().invoke(
        app, ["classify", "--json", "--model", str(out), str(tmp_path / "0.eml")]
    )
    assert check.exit_code == 0
