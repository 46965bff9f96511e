"""The README and the command line agree: every command the tour shows exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from maysend.cli import app

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")


def tour_commands() -> list[list[str]]:
    """The command words (before the first argument or option) of each `maysend` line."""
    commands = []
    blocks = re.findall(r"```sh\n(.*?)```", README, flags=re.DOTALL)
    for line in "\n".join(blocks).splitlines():
        match = re.match(r"maysend ((?:[a-z-]+ ?)+)", line)
        if match:
            words = match.group(1).split()
            commands.append([w for w in words if not w.startswith("-")][:2])
    return commands


@pytest.mark.parametrize("words", tour_commands(), ids=lambda w: " ".join(w))
def test_readme_command_exists(words: list[str]) -> None:
    # The second word may be an argument (a file name); try the longest command first.
    runner = CliRunner()
    results = [runner.invoke(app, [*words[:n], "--help"]) for n in (len(words), 1)]
    assert any(r.exit_code == 0 for r in results), results[-1].output


def test_readme_gives_the_two_commands() -> None:
    assert "make demo" in README
    assert "make test" in README


def test_tour_is_not_empty() -> None:
    assert len(tour_commands()) >= 8


def test_changelog_has_unreleased_additions() -> None:
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## [Unreleased]" in changelog
    assert changelog.count("\n- ") >= 5
