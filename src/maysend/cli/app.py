"""The Typer application and the helpers every command shares."""

from __future__ import annotations

import sys
from typing import NoReturn

import typer
from rich.console import Console

from maysend.errors import MaysendError

app = typer.Typer(
    name="maysend",
    help="Is this email marketing, and did this person agree? Decide before sending; keep proof.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)

EXIT_ERROR = 2


def fail(error: MaysendError | str, code: int = EXIT_ERROR) -> NoReturn:
    """Print one line to stderr and exit: the CLI's translation of an error."""
    err_console.print(f"[red]error:[/red] {error}", highlight=False, soft_wrap=True)
    sys.exit(code)
