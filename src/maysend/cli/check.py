"""`maysend check MESSAGE --to ADDR ...`: may this message go to these people, now?

Classify the message once, look each recipient up in the consent ledger,
decide, and print per recipient the action with its reasons and citations
(`--json`: one object per line). A problem with one recipient (an address that
does not parse, a bad row in --recipients) holds that recipient and the others
are still decided; an unreadable message or an unreachable ledger holds them
all. Any such problem is also a line on stderr, and the exit code is 2.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from maysend.classify import classify
from maysend.classify.verdict import Kind, PrimaryPurpose, Verdict
from maysend.cli.app import EXIT_ERROR, app, console, err_console, fail
from maysend.errors import (
    ClassifierError,
    InputError,
    LedgerError,
    LedgerUnavailable,
    MaysendError,
    MessageError,
)
from maysend.ledger import ConsentState, Ledger
from maysend.message import load_message
from maysend.message.model import Message
from maysend.policy import (
    Action,
    Decision,
    PolicyConfig,
    Recipient,
    decide,
    hold_decision,
    load_policy,
)

COLOURS = {
    Action.SEND: "green",
    Action.SUPPRESS: "red",
    Action.BLOCK: "magenta",
    Action.HOLD: "yellow",
}
ADDRESS_COLUMNS = ("address", "email", "recipient")
INPUT_PROBLEMS = frozenset(
    {"HOLD_INVALID_ADDRESS", "HOLD_INVALID_COUNTRY", "HOLD_LEDGER_UNAVAILABLE"}
)


@dataclass(frozen=True, slots=True)
class Target:
    """One recipient as given: address, country, and where it came from."""

    address: str
    country: str | None
    origin: str


def parse_at(value: str | None) -> datetime:
    if not value:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError as error:
        raise InputError(f"--at is not an ISO 8601 time: {value!r}") from error
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def file_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"cannot read recipients file: {error}", path=str(path)) from error
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        cells = [c.strip() for c in row]
        if any(cells) and not cells[0].startswith("#"):
            yield number, cells


def read_recipients(path: Path, country: str | None) -> list[Target]:
    """A list of addresses, optionally `address,country`, or a CSV with an address column."""
    rows = list(file_rows(path))
    columns = {"address": 0, "country": 1}
    if rows and any(c.lower() in ADDRESS_COLUMNS for c in rows[0][1]):
        header = [c.lower() for c in rows.pop(0)[1]]
        columns = {
            "address": next(header.index(c) for c in ADDRESS_COLUMNS if c in header),
            "country": header.index("country") if "country" in header else -1,
        }
    targets = []
    for number, cells in rows:
        address = cells[columns["address"]] if columns["address"] < len(cells) else ""
        own = cells[columns["country"]] if 0 <= columns["country"] < len(cells) else ""
        targets.append(Target(address, own or country, f"{path.name}:{number}"))
    return targets


def unreadable(error: MaysendError) -> Verdict:
    """No message, no verdict: a gap that holds every recipient."""
    return Verdict(Kind.MARKETING, 1.0, "unknown", PrimaryPurpose.COMMERCIAL, gap=str(error))


def report(error: MaysendError | str) -> None:
    err_console.print(f"[red]error:[/red] {escape(str(error))}", highlight=False, soft_wrap=True)


def read_message(path: Path) -> tuple[Message | None, Verdict, bool]:
    """The message and its verdict; the flag says it could not be read or classified."""
    try:
        message = load_message(path)
    except MessageError as error:
        report(error)
        return None, unreadable(error), True
    try:
        return message, classify(message), False
    except ClassifierError as error:
        report(error)
        return message, unreadable(error), True


def look_up(ledger: Ledger, target: Target, at: datetime) -> ConsentState | None:
    """The ledger's answer; None when the address cannot be a subject (decide holds it)."""
    try:
        return ledger.state(target.address, at=at)
    except LedgerUnavailable:
        raise
    except LedgerError:
        return None


def decide_all(
    message: Message | None,
    verdict: Verdict,
    targets: list[Target],
    at: datetime,
    db: str | None,
    policy: PolicyConfig,
) -> list[Decision]:
    try:
        with Ledger.open(db) as ledger:
            return [
                decide(
                    message,
                    verdict,
                    Recipient(t.address, t.country, look_up(ledger, t, at)),
                    at,
                    config=policy,
                )
                for t in targets
            ]
    except LedgerError as error:
        report(error)
        return [
            hold_decision(t.address, "HOLD_LEDGER_UNAVAILABLE", str(error), config=policy)
            for t in targets
        ]


def fact_line(facts: dict[str, object]) -> str:
    """The ledger events a reason relied on, briefly: 'consent #12 2025-03-04'."""
    shown = []
    for name in ("consent", "confirmed", "opt_out", "last_purchase", "last_inquiry"):
        event = facts.get(name)
        if isinstance(event, dict):
            shown.append(f"{name} #{event['event_id']} {str(event['occurred_at'])[:10]}")
    return ", ".join(shown)


def print_decision(decision: Decision) -> None:
    colour = COLOURS[decision.action]
    where = ", ".join(x for x in (decision.jurisdiction, decision.kind) if x) or "undecided"
    console.print(
        f"[bold]{escape(decision.recipient)}[/bold]  [{colour}]{decision.action.value.upper()}"
        f"[/{colour}]  ({escape(where)})",
        highlight=False,
    )
    for reason in decision.reasons:
        events = fact_line(dict(reason.facts))
        console.print(
            f"  {reason.code}  [dim]{escape(reason.citation)}[/dim]\n"
            f"      {escape(reason.explanation)}"
            + (f" [dim]({escape(events)})[/dim]" if events else ""),
            highlight=False,
        )
    for requirement in decision.requirements:
        console.print(
            f"  [magenta]lacks[/magenta] {requirement.code} ({requirement.severity.value}): "
            f"{escape(requirement.description)} [dim]{escape(requirement.citation)}[/dim]",
            highlight=False,
        )


MessagePath = Annotated[
    Path,
    typer.Argument(metavar="MESSAGE", help="The message: .eml, or a template (.yaml/.json/.html)"),
]
To = Annotated[
    list[str] | None, typer.Option("--to", metavar="ADDR", help="A recipient (repeatable)")
]
Recipients = Annotated[
    Path | None,
    typer.Option(
        metavar="FILE", help="Recipients: address[,country] lines, or a CSV with a header"
    ),
]
Country = Annotated[
    str | None, typer.Option(metavar="CC", help="ISO 3166 country of recipients without one")
]
At = Annotated[str | None, typer.Option(metavar="ISO8601", help="Decide as at (default: now)")]
Product = Annotated[
    str | None, typer.Option(metavar="CATEGORY", help="Product category the message promotes")
]
Db = Annotated[
    str | None, typer.Option(metavar="URL", help="Ledger URL (default MAYSEND_DATABASE_URL)")
]
Json = Annotated[bool, typer.Option("--json", help="One JSON object per recipient per line")]


@app.command("check")
def check(
    message: MessagePath,
    to: To = None,
    recipients: Recipients = None,
    country: Country = None,
    at: At = None,
    product: Product = None,
    db: Db = None,
    as_json: Json = False,
) -> None:
    """May this message go to these recipients now? Actions with reasons and citations."""
    try:
        moment = parse_at(at)
        policy = load_policy(product=product)
        targets = [Target(a, country, "--to") for a in to or []]
        if recipients is not None:
            targets += read_recipients(recipients, country)
    except MaysendError as error:
        fail(error)
    if not targets:
        fail(InputError("no recipients: give --to ADDR or --recipients FILE"))
    body, verdict, problems = read_message(message)
    for target, decision in zip(
        targets, decide_all(body, verdict, targets, moment, db, policy), strict=True
    ):
        if decision.code in INPUT_PROBLEMS:
            problems = True
            if decision.code != "HOLD_LEDGER_UNAVAILABLE":
                report(f"{target.origin}: {decision.reasons[0].explanation}")
        if as_json:
            typer.echo(json.dumps(decision.to_dict(), ensure_ascii=False))
        else:
            print_decision(decision)
    if problems:
        raise typer.Exit(EXIT_ERROR)
