"""`maysend gate`: a whole campaign audience through the policy."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from maysend.classify import classify
from maysend.classify.verdict import Kind
from maysend.cli.app import app, console, fail
from maysend.errors import MaysendError
from maysend.gate import ENGINES, AudienceColumns, GateReport, GateRequest, run_gate
from maysend.ledger.events import parse_timestamp


@app.command("gate")
def gate_command(
    message: Annotated[Path, typer.Option("--message", help="The campaign: .eml or template")],
    audience: Annotated[Path, typer.Option("--audience", help="CSV or Parquet of recipients")],
    out: Annotated[Path, typer.Option("--out", help="Folder for the send and suppression lists")],
    declared: Annotated[
        Kind | None, typer.Option("--declared", help="What the sender calls it")
    ] = None,
    product: Annotated[
        str | None, typer.Option("--product", help="Product category the campaign promotes")
    ] = None,
    topic: Annotated[
        str | None,
        typer.Option("--topic", help="Marketing topic the campaign belongs to (e.g. newsletter)"),
    ] = None,
    at: Annotated[str | None, typer.Option("--at", help="Decision time, ISO 8601")] = None,
    db: Annotated[str | None, typer.Option("--db", help="Ledger database URL")] = None,
    ledger_snapshot: Annotated[
        Path | None, typer.Option("--ledger-snapshot", help="A `consent export` Parquet file")
    ] = None,
    engine: Annotated[str, typer.Option("--engine", help="duckdb or spark")] = "duckdb",
    address_column: Annotated[str, typer.Option("--address-column")] = "email",
    country_column: Annotated[str, typer.Option("--country-column")] = "country",
    memory_limit: Annotated[str, typer.Option("--memory-limit")] = "4GB",
    as_json: Annotated[bool, typer.Option("--json", help="Print summary.json only")] = False,
) -> None:
    """Decide a campaign audience: who may receive it, who must not, and why."""
    if db and ledger_snapshot:
        fail("give --db or --ledger-snapshot, not both")
    if engine not in ENGINES:
        fail(f"--engine must be one of {', '.join(ENGINES)}")
    try:
        moment: datetime | None = parse_timestamp(at) if at else None
        request = GateRequest(
            message=message,
            audience=audience,
            out_dir=out,
            at=moment,
            declared=declared,
            product=product,
            topic=topic,
            db_url=db,
            snapshot=ledger_snapshot,
            engine=engine,
            columns=AudienceColumns(address_column, country_column),
            memory_limit=memory_limit,
        )
        report = _run(request, quiet=as_json)
    except MaysendError as error:
        fail(error)
    if as_json:
        typer.echo(json.dumps(report.to_dict(), indent=2))
    else:
        render(report)


def _run(request: GateRequest, *, quiet: bool) -> GateReport:
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True, disable=quiet) as progress:
        task = progress.add_task("starting", total=None)

        def step(name: str) -> None:
            progress.update(task, description=name)

        return run_gate(request, classify=classify, step=step)


def render(report: GateReport) -> None:
    """The printed summary: a disputed label first, then the verdict, then the counts."""
    verdict, counts = report.verdict, report.counts
    if report.label_disputed and report.declared is not None:
        console.print(
            f"[bold red]The sender calls this message {report.declared.value}; "
            f"its content makes it {verdict.kind.value}.[/bold red]"
        )
        if report.unlawful_if_trusted:
            console.print(
                f"[bold red]{report.unlawful_if_trusted:,} recipients would have received "
                "marketing without a lawful basis had the label been trusted.[/bold red]"
            )
    console.print(
        f"Verdict: [bold]{verdict.kind.value}[/bold] (score {verdict.score:.2f}, "
        f"language {verdict.language})" + (f" — gap: {verdict.gap}" if verdict.gap else "")
    )
    for evidence in sorted(verdict.evidence, key=lambda e: -e.weight)[:5]:
        console.print(
            f"  {evidence.indicator} [dim]({evidence.category.value}, {evidence.where})[/dim]: "
            f"“{evidence.text}”",
            highlight=False,
        )
    scope = f"topic {report.topic}" if report.topic else "marketing as a whole"
    console.print(
        f"Consent checked for {scope}. "
        f"Audience rows {counts.audience_rows:,}; rejected {counts.rejected:,}; "
        f"duplicates removed {counts.duplicates:,}; recipients {counts.recipients:,}"
    )
    console.print(_table("Action", counts.by_action))
    console.print(_table("Reason", counts.by_reason))
    juris = Table("Jurisdiction", "Action", "Recipients")
    for code, actions in counts.by_jurisdiction.items():
        for action, n in actions.items():
            juris.add_row(code, action, f"{n:,}")
    console.print(juris)
    console.print(f"Written to {report.out_dir}/")


def _table(title: str, counts: dict[str, int]) -> Table:
    table = Table(title, "Recipients")
    for key, n in counts.items():
        table.add_row(key, f"{n:,}")
    return table
