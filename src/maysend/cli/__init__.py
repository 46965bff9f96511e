"""The `maysend` command line: thin commands over the domain packages.

Each command group lives in its own module and registers itself on `app`;
errors from `maysend.errors` become a one-line message and an exit code here.
"""

from __future__ import annotations

from maysend.cli import check as _check  # noqa: F401  (registers commands)
from maysend.cli import classify as _classify  # noqa: F401  (registers commands)
from maysend.cli import consent as _consent  # noqa: F401  (registers commands)
from maysend.cli import gate as _gate  # noqa: F401  (registers commands)
from maysend.cli import parse as _parse  # noqa: F401  (registers commands)
from maysend.cli.app import app


def main() -> None:
    app()


__all__ = ["app", "main"]
