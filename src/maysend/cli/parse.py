"""`maysend parse FILE [--json]`: show what maysend reads in a message or template.

Headers, blocks (with kind and region), links, images, attachments and defects,
as Rich tables or as one JSON object. A file that cannot be read is one error
line and exit code 2.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from maysend.cli.app import app, console, fail
from maysend.errors import MaysendError, UnreadableMessage
from maysend.message import Message, load_message, message_to_dict, parse_bytes


def _read(source: str) -> Message:
    if source == "-":
        return parse_bytes(sys.stdin.buffer.read())
    path = Path(source)
    if not path.is_file():
        raise UnreadableMessage("no such file", path=source)
    return load_message(path)


def _table(title: str, *columns: str) -> Table:
    table = Table(title=title, title_justify="left", show_lines=False, expand=False)
    for column in columns:
        table.add_column(column, overflow="fold")
    return table


def _headers(message: Message) -> Table:
    headers = message.headers
    table = _table("Headers", "header", "value")
    sender = headers.from_
    rows = {
        "From": f"{sender.display_name} <{sender.address}>" if sender else "",
        "Reply-To": ", ".join(a.address for a in headers.reply_to),
        "To": ", ".join(a.address for a in headers.to),
        "Subject": headers.subject,
        "Date": headers.date.isoformat() if headers.date else "",
        "Message-ID": headers.message_id,
        "List-Unsubscribe": headers.list_unsubscribe,
        "List-Unsubscribe-Post": headers.list_unsubscribe_post,
        "List-Id": headers.list_id,
        "Precedence": headers.precedence,
        "Auto-Submitted": headers.auto_submitted,
        "Feedback-ID": headers.feedback_id,
    }
    for name, value in rows.items():
        if value:
            table.add_row(name, value)
    table.caption = f"{message.source.value}, {message.size} bytes" + (
        ", HTML" if message.has_html else ""
    )
    return table


def _render(message: Message) -> None:
    console.print(_headers(message))
    blocks = _table("Blocks", "#", "kind", "region", "text")
    for block in message.blocks:
        blocks.add_row(str(block.index), block.kind.value, block.region.value, block.text)
    console.print(blocks)
    if message.links:
        links = _table("Links", "kind", "domain", "text", "href")
        for link in message.links:
            links.add_row(link.kind.value, link.domain, link.text, link.href)
        console.print(links)
    if message.images:
        images = _table("Images", "alt", "src")
        for image in message.images:
            images.add_row(image.alt, image.src)
        console.print(images)
    if message.attachments:
        attachments = _table("Attachments", "filename", "type", "bytes", "message")
        for a in message.attachments:
            attachments.add_row(
                a.filename, a.content_type, str(a.size), "yes" if a.is_message else ""
            )
        console.print(attachments)
    if message.merge_tags:
        console.print("[bold]Merge tags:[/bold] " + ", ".join(message.merge_tags), highlight=False)
    if message.defects:
        console.print("[bold yellow]Defects:[/bold yellow]")
        for defect in message.defects:
            console.print(f"  - {defect}", highlight=False, markup=False)


@app.command("parse")
def parse_command(
    file: Annotated[str, typer.Argument(help="An .eml file, a template (.yaml/.json/.html), or -")],
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON object instead of tables")
    ] = False,
) -> None:
    """Show the parsed message: headers, blocks, links, images, attachments, defects."""
    try:
        message = _read(file)
    except MaysendError as error:
        fail(error)
    if as_json:
        sys.stdout.write(json.dumps(message_to_dict(message), ensure_ascii=False) + "\n")
    else:
        _render(message)
