"""`maysend consent ...`: record, import, show, history, proof, export, verify.

Thin commands over `maysend.ledger`; every command takes --db URL (default
MAYSEND_DATABASE_URL, else sqlite:///maysend.db) and errors become one line
on stderr with a non-zero exit.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from maysend.cli.app import app, console, err_console, fail
from maysend.errors import MaysendError
from maysend.ledger import ConsentState, EventRef, EventType, Ledger
from maysend.ledger.events import format_time
from maysend.ledger.importers import BATCH_SIZE, formats, parse_mapping
from maysend.ledger.proof import ProofRecord, event_dict

consent_app = typer.Typer(
    name="consent",
    help="The consent ledger: who agreed to what, when, and the proof.",
    no_args_is_help=True,
)
app.add_typer(consent_app, name="consent")

Db = Annotated[str | None, typer.Option("--db", help="Ledger URL (default MAYSEND_DATABASE_URL)")]
Json = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table")]
At = Annotated[str | None, typer.Option("--at", help="ISO 8601 time (default: now)")]
EXIT_ROWS_FAILED = 1


@contextmanager
def _ledger(db: str | None) -> Iterator[Ledger]:
    try:
        with Ledger.open(db) as ledger:
            yield ledger
    except MaysendError as error:
        fail(error)


def _print_json(value: object) -> None:
    console.print_json(json.dumps(value, ensure_ascii=False, default=str))


@consent_app.command("record")
def record(
    address: Annotated[str, typer.Argument(help="The subject's email address")],
    event: Annotated[str, typer.Argument(help=", ".join(e.value for e in EventType))],
    db: Db = None,
    at: At = None,
    channel: str = "email",
    purpose: str = "marketing",
    topic: str | None = None,
    country: str | None = None,
    source: str = "manual",
    notice: Annotated[str | None, typer.Option(help="Version of the notice shown")] = None,
    product: Annotated[str | None, typer.Option(help="Product category of a purchase")] = None,
    refusal_offered: Annotated[
        bool, typer.Option("--refusal-offered", help="A free refusal was offered at collection")
    ] = False,
    evidence: Annotated[str | None, typer.Option(help="Evidence as a JSON object")] = None,
    as_json: Json = False,
) -> None:
    """Record one consent event."""
    with _ledger(db) as ledger:
        stored = ledger.record(
            address,
            event,
            at=at,
            channel=channel,
            purpose=purpose,
            topic=topic,
            country=country,
            source=source,
            notice=notice,
            product=product,
            refusal_offered=refusal_offered,
            evidence=evidence,
        )
    if as_json:
        _print_json(event_dict(stored))
    else:
        console.print(f"recorded event {stored.id} ({stored.type.value}) hash {stored.hash[:16]}")


@consent_app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="CSV or JSON Lines")],
    db: Db = None,
    fmt: Annotated[
        str, typer.Option("--format", help=f"One of: {', '.join(sorted(formats()))}")
    ] = "native",
    mapping: Annotated[
        list[str] | None, typer.Option("--map", help="Rename a column: column=field")
    ] = None,
    batch_size: Annotated[int, typer.Option(min=1, help="Events per transaction")] = BATCH_SIZE,
    as_json: Json = False,
) -> None:
    """Import a file of events; bad rows are reported by line, good rows still imported."""
    try:
        columns = parse_mapping(mapping or [])
    except MaysendError as error:
        fail(error)
    progress = Progress(
        TextColumn("importing"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
        disable=as_json,
    )
    with _ledger(db) as ledger, progress:
        task = progress.add_task("import", total=file.stat().st_size)
        try:
            report = ledger.import_file(
                file,
                format=fmt,
                mapping=columns,
                batch_size=batch_size,
                on_read=lambda n: progress.advance(task, n),
            )
        except MaysendError as error:
            fail(error)
    summary = {
        "rows": report.rows,
        "events": report.events,
        "imported": report.imported,
        "duplicates": report.duplicates,
        "skipped": [{"line": line, "reason": r} for line, r in report.skipped],
        "failed": [{"line": line, "reason": r} for line, r in report.failed],
    }
    if as_json:
        _print_json(summary)
    else:
        console.print(
            f"{report.rows} rows: {report.imported} events imported, {report.duplicates} already "
            f"present, {len(report.skipped)} skipped, {len(report.failed)} failed"
        )
        for line, reason in report.skipped:
            err_console.print(f"line {line}: skipped: {reason}", highlight=False)
        for line, reason in report.failed:
            err_console.print(f"line {line}: {reason}", highlight=False)
    if report.failed:
        raise typer.Exit(EXIT_ROWS_FAILED)


def _ref_text(ref: EventRef | None) -> str:
    if ref is None:
        return "-"
    source = f" via {ref.source}" if ref.source else ""
    return f"#{ref.event_id} {ref.type.value} {format_time(ref.occurred_at)}{source}"


def state_dict(state: ConsentState) -> dict[str, Any]:
    def ref(r: EventRef | None) -> dict[str, Any] | None:
        if r is None:
            return None
        return {
            "event_id": r.event_id,
            "type": r.type.value,
            "at": format_time(r.occurred_at),
            "source": r.source,
        }

    purchase = state.last_purchase
    return {
        "subject": state.subject,
        "channel": state.channel,
        "purpose": state.purpose,
        "topic": state.topic,
        "status": state.status.value,
        "as_of": format_time(state.as_of),
        "consent": ref(state.consent),
        "confirmed": ref(state.confirmed),
        "opt_out": ref(state.opt_out),
        "last_purchase": None
        if purchase is None
        else {
            **(ref(purchase.event) or {}),
            "product": purchase.product,
            "refusal_offered": purchase.refusal_offered,
        },
        "last_inquiry": ref(state.last_inquiry),
        "country": state.country,
    }


def _why(state: ConsentState) -> str:
    if state.opted_out and state.opt_out:
        return f"opted out by {_ref_text(state.opt_out)}; only a new consent would count"
    if state.consent is None:
        return "no consent and no opt-out on record"
    if state.confirmed is None and state.status.value == "pending":
        return f"consent {_ref_text(state.consent)} awaits its double opt-in confirmation"
    return f"consent {_ref_text(state.consent)} counts (no later opt-out)"


@consent_app.command("show")
def show(
    address: str,
    db: Db = None,
    at: At = None,
    channel: str = "email",
    purpose: str = "marketing",
    topic: str | None = None,
    as_json: Json = False,
) -> None:
    """The subject's state at a time, and why."""
    with _ledger(db) as ledger:
        try:
            state = ledger.state(address, at=at, channel=channel, purpose=purpose, topic=topic)
        except MaysendError as error:
            fail(error)
    if as_json:
        _print_json({**state_dict(state), "why": _why(state)})
        return
    table = Table(title=f"{state.subject} · {channel}/{purpose}{'/' + topic if topic else ''}")
    table.add_column("fact")
    table.add_column("value")
    table.add_row("status", f"[bold]{state.status.value}[/bold]")
    table.add_row("as of", format_time(state.as_of))
    table.add_row("why", _why(state))
    table.add_row("consent", _ref_text(state.consent))
    table.add_row("confirmed", _ref_text(state.confirmed))
    table.add_row("opt-out", _ref_text(state.opt_out))
    purchase = state.last_purchase
    table.add_row(
        "last purchase",
        "-"
        if purchase is None
        else f"{_ref_text(purchase.event)} product={purchase.product} "
        f"refusal offered={'yes' if purchase.refusal_offered else 'no'}",
    )
    table.add_row("last inquiry", _ref_text(state.last_inquiry))
    table.add_row("country", state.country or "-")
    console.print(table)


@consent_app.command("history")
def history(address: str, db: Db = None, as_json: Json = False) -> None:
    """Every event of the subject, in the order the fold reads them."""
    with _ledger(db) as ledger:
        try:
            events = ledger.history(address)
        except MaysendError as error:
            fail(error)
    if as_json:
        _print_json([event_dict(e) for e in events])
        return
    table = Table(title=f"history of {address.strip()}")
    for column in ("id", "occurred", "recorded", "event", "channel/purpose/topic", "source"):
        table.add_column(column)
    for e in events:
        table.add_row(
            str(e.id),
            format_time(e.occurred_at),
            format_time(e.recorded_at),
            e.type.value,
            f"{e.channel}/{e.purpose}/{e.topic or '*'}",
            e.source,
        )
    console.print(table)


def _print_proof(record: ProofRecord) -> None:
    console.print(
        f"[bold]Consent proof for {record.subject}[/bold]  (generated "
        f"{format_time(record.generated_at)}{', subject erased' if record.erased else ''})"
    )
    if not record.consents:
        console.print("No consent on record.")
    for item in record.consents:
        c = item.consent
        console.print(f"\n[bold]Consent #{c.id}[/bold] {c.channel}/{c.purpose}/{c.topic or '*'}")
        console.print(
            f"  occurred {format_time(c.occurred_at)}, recorded "
            f"{format_time(c.recorded_at)}, source {c.source}"
        )
        if item.notice:
            text = item.notice.text or "(wording not on file)"
            console.print(f"  notice {item.notice.version}: {text}", highlight=False)
        console.print(f"  evidence: {json.dumps(c.evidence) if c.evidence else '(none)'}")
        confirmation = item.confirmation
        console.print(
            "  confirmed: "
            + (
                f"#{confirmation.id} {format_time(confirmation.occurred_at)}"
                if confirmation
                else "no"
            )
        )
        if item.ended_by:
            console.print(
                f"  ended by #{item.ended_by.id} {item.ended_by.type.value} "
                f"{format_time(item.ended_by.occurred_at)}"
            )
        console.print(f"  chain hash {c.hash}")
    for e in record.relationships:
        console.print(
            f"\n{e.type.value.capitalize()} #{e.id} {format_time(e.occurred_at)} "
            f"product={e.product or '-'} refusal offered={'yes' if e.refusal_offered else 'no'}"
        )
    for e in record.opt_outs:
        console.print(
            f"\nOpt-out #{e.id} {e.type.value} {format_time(e.occurred_at)} via {e.source}"
        )


@consent_app.command("proof")
def proof(address: str, db: Db = None, as_json: Json = False) -> None:
    """A printable evidence record: each consent with the wording shown, time, source."""
    with _ledger(db) as ledger:
        try:
            record_ = ledger.proof(address)
        except MaysendError as error:
            fail(error)
    if as_json:
        _print_json(record_.to_dict())
    else:
        _print_proof(record_)


@consent_app.command("notice")
def notice(
    version: str,
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="The wording shown")],
    db: Db = None,
) -> None:
    """File the wording of a consent notice under a version (versions never change)."""
    with _ledger(db) as ledger:
        try:
            filed = ledger.add_notice(version, file.read_text(encoding="utf-8"))
        except MaysendError as error:
            fail(error)
    console.print(f"notice {filed.version} filed (sha256 {filed.text_sha256})")


@consent_app.command("export")
def export(
    out: Annotated[Path, typer.Option("--out", help="File to write")],
    db: Db = None,
    at: At = None,
    fmt: Annotated[str, typer.Option("--format", help="parquet or csv")] = "parquet",
) -> None:
    """The state of every subject at a time, for the batch gate."""
    with _ledger(db) as ledger:
        try:
            count = ledger.export(out, at=at, fmt=fmt)
        except MaysendError as error:
            fail(error)
    console.print(f"{count} rows written to {out}")


@consent_app.command("verify")
def verify(db: Db = None, as_json: Json = False) -> None:
    """Check the hash chain; exit non-zero naming every event changed, removed or inserted."""
    with _ledger(db) as ledger:
        result = ledger.verify()
    if as_json:
        _print_json(
            {"intact": result.intact, "checked": result.checked, "problems": result.problems}
        )
    elif result.intact:
        console.print(f"chain intact: {result.checked} events verified")
    else:
        for problem in result.problems:
            err_console.print(problem, highlight=False)
    if not result.intact:
        raise typer.Exit(1)
