"""`maysend check`: the CLI contract, per-recipient holds, and failing closed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from maysend.cli import app
from maysend.ledger import Ledger

runner = CliRunner()
KEYS = ["recipient", "action", "kind", "jurisdiction", "reasons", "requirements"]

OFFER = """\
From: Example Shop <news@example.com>
To: someone@example.org
Subject: 30% off everything this weekend
Date: Mon, 2 Jun 2025 09:00:00 +0000
Message-ID: <offer-1@example.com>
List-Unsubscribe: <https://example.com/u/t0k3n>, <mailto:unsub@example.com>
List-Unsubscribe-Post: List-Unsubscribe=One-Click
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Save 30% on every order this weekend only. Shop now and use code SPRING30 at checkout.

Unsubscribe: https://example.com/u/t0k3n
Example Shop Inc., 100 Main Street, Springfield, IL 62701. This email is an advertisement.
"""

RESET = """\
From: Example Shop <security@example.com>
To: someone@example.org
Subject: Your password reset code
Date: Mon, 2 Jun 2025 09:00:00 +0000
Message-ID: <reset-1@example.com>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Someone asked to reset the password of your account. Your one-time code is 482913.
It expires in 10 minutes. If this was not you, you can ignore this email.
"""


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'check.db'}"
    with Ledger.open(url) as ledger:
        ledger.record("fan@example.org", "consent", at="2025-01-10T10:00:00Z", country="GB")
        ledger.record("gone@example.org", "consent", at="2024-01-10T10:00:00Z", country="GB")
        ledger.record("gone@example.org", "withdraw", at="2025-05-01T10:00:00Z")
    return url


def eml(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def check(*args: str) -> tuple[int, list[dict[str, object]], str]:
    result = runner.invoke(app, ["check", *args, "--at", "2025-06-02T12:00:00Z", "--json"])
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    return result.exit_code, lines, result.stderr


def test_marketing_per_recipient(db: str, tmp_path: Path) -> None:
    message = eml(tmp_path, "offer.eml", OFFER)
    code, out, _ = check(
        message,
        "--to",
        "fan@example.org",
        "--to",
        "gone@example.org",
        "--to",
        "nobody@example.org",
        "--db",
        db,
    )
    assert code == 0
    assert [list(o) for o in out] == [KEYS] * 3
    assert [(o["recipient"], o["action"]) for o in out] == [
        ("fan@example.org", "send"),
        ("gone@example.org", "suppress"),
        ("nobody@example.org", "suppress"),
    ]
    first = out[1]["reasons"][0]  # type: ignore[index]
    assert first["rule"] == "OPTED_OUT"
    assert first["citation"].startswith("UK PECR")
    assert first["facts"]["opt_out"]["type"] == "withdraw"
    assert out[0]["kind"] == "marketing"
    assert out[0]["jurisdiction"] == "UK"


def test_service_mail_reaches_an_opted_out_person(db: str, tmp_path: Path) -> None:
    code, out, _ = check(eml(tmp_path, "reset.eml", RESET), "--to", "gone@example.org", "--db", db)
    assert code == 0
    assert (out[0]["action"], out[0]["kind"]) == ("send", "service")
    assert out[0]["reasons"][0]["rule"] == "SERVICE_MESSAGE"  # type: ignore[index]


def test_recipients_file_rows_are_decided_one_by_one(db: str, tmp_path: Path) -> None:
    listing = tmp_path / "audience.csv"
    listing.write_text(
        "email,country\nfan@example.org,\nnot an address,GB\nx@example.org,ZZ\nus@example.org,US\n",
        encoding="utf-8",
    )
    code, out, err = check(
        eml(tmp_path, "offer.eml", OFFER), "--recipients", str(listing), "--db", db
    )
    assert code == 2
    assert [(o["recipient"], o["action"], o["jurisdiction"]) for o in out] == [
        ("fan@example.org", "send", "UK"),
        ("not an address", "hold", None),
        ("x@example.org", "hold", None),
        ("us@example.org", "send", "US"),
    ]
    assert [o["reasons"][0]["rule"] for o in out[1:3]] == [  # type: ignore[index]
        "HOLD_INVALID_ADDRESS",
        "HOLD_INVALID_COUNTRY",
    ]
    assert "audience.csv:3" in err
    assert "audience.csv:4" in err


def test_plain_list_with_country_option(db: str, tmp_path: Path) -> None:
    listing = tmp_path / "list.txt"
    listing.write_text("# campaign list\nnobody@example.org\nother@example.org,CA\n", "utf-8")
    code, out, _ = check(
        eml(tmp_path, "offer.eml", OFFER),
        "--recipients",
        str(listing),
        "--country",
        "DE",
        "--db",
        db,
    )
    assert code == 0
    assert [(o["jurisdiction"], o["reasons"][0]["rule"]) for o in out] == [  # type: ignore[index]
        ("DE", "DE_NO_CONSENT"),
        ("CA", "CASL_NO_CONSENT"),
    ]


def test_declared_product_enables_the_soft_opt_in(db: str, tmp_path: Path) -> None:
    with Ledger.open(db) as ledger:
        ledger.record(
            "buyer@example.org",
            "purchase",
            at="2025-02-01T10:00:00Z",
            country="GB",
            product="Broadband",
            refusal_offered=True,
        )
    message = eml(tmp_path, "offer.eml", OFFER)
    _, without, _ = check(message, "--to", "buyer@example.org", "--db", db)
    _, declared, _ = check(
        message, "--to", "buyer@example.org", "--db", db, "--product", "broadband"
    )
    assert without[0]["reasons"][0]["rule"] == "UK_NO_CONSENT"  # type: ignore[index]
    assert "declares no product" in without[0]["reasons"][0]["explanation"]  # type: ignore[index]
    assert (declared[0]["action"], declared[0]["reasons"][0]["rule"]) == (  # type: ignore[index]
        "send",
        "UK_SOFT_OPT_IN",
    )


def test_unreadable_message_holds_everyone(db: str, tmp_path: Path) -> None:
    code, out, err = check(
        str(tmp_path / "missing.eml"),
        "--to",
        "fan@example.org",
        "--to",
        "gone@example.org",
        "--db",
        db,
    )
    assert code == 2
    assert {o["action"] for o in out} == {"hold"}
    assert {o["reasons"][0]["rule"] for o in out} == {"HOLD_UNREADABLE_MESSAGE"}  # type: ignore[index]
    assert "missing.eml" in err


def test_unreachable_ledger_holds_everyone_even_service_mail(tmp_path: Path) -> None:
    down = "postgresql+psycopg://postgres@127.0.0.1:1/none"
    for text in (OFFER, RESET):
        code, out, err = check(
            eml(tmp_path, "m.eml", text), "--to", "fan@example.org", "--db", down
        )
        assert code == 2
        assert [(o["action"], o["reasons"][0]["rule"]) for o in out] == [  # type: ignore[index]
            ("hold", "HOLD_LEDGER_UNAVAILABLE")
        ]
        assert "unavailable" in err


def test_text_output_names_rules_and_citations(db: str, tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "check",
            eml(tmp_path, "offer.eml", OFFER),
            "--to",
            "gone@example.org",
            "--db",
            db,
            "--at",
            "2025-06-02T12:00:00Z",
        ],
    )
    assert result.exit_code == 0
    assert "SUPPRESS" in result.stdout
    assert "OPTED_OUT" in result.stdout
    assert "UK PECR reg 22(2)" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--to", "a@example.org", "--at", "yesterday"], "ISO 8601"), ([], "no recipients")],
    ids=["bad --at", "no recipients"],
)
def test_unusable_options_exit_2(tmp_path: Path, db: str, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["check", eml(tmp_path, "o.eml", OFFER), "--db", db, *args])
    assert result.exit_code == 2
    assert message in result.stderr


FEEDBACK = """\
From: Example Shop <orders@example.com>
To: someone@example.org
Subject: Your order 48213 has shipped
Date: Mon, 2 Jun 2025 09:00:00 +0000
Message-ID: <feedback-1@example.com>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8

Hello Sam,

Your order 48213 has been dispatched and should arrive on Thursday.

We'd love your feedback on your delivery: it takes two minutes.

Thanks,
The Shop team
"""


def test_a_feedback_request_is_weighed_per_country(db: str, tmp_path: Path) -> None:
    """The classifier's rule and model both read the request; the UK weighs it as market
    research (not marketing alone), Germany as advertising (BGH VI ZR 225/17)."""
    listing = tmp_path / "customers.csv"
    listing.write_text("email,country\nuk@example.org,GB\nde@example.org,DE\n", "utf-8")
    message = eml(tmp_path, "feedback.eml", FEEDBACK)
    code, out, _ = check(message, "--recipients", str(listing), "--db", db)
    assert code == 0
    assert [(o["recipient"], o["action"], o["kind"]) for o in out] == [
        ("uk@example.org", "send", "service"),
        ("de@example.org", "suppress", "marketing"),
    ]
    rules = [[r["rule"] for r in o["reasons"]] for o in out]  # type: ignore[union-attr]
    assert "UK_GENUINE_SURVEY" in rules[0]
    assert "DE_REVIEW_REQUEST_ADVERTISING" in rules[1]
