"""The README documents every command the CLI has, and its test command is the one CI runs."""

from __future__ import annotations

from pathlib import Path

from typer.main import get_command

from cli import app

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def test_every_command_appears_in_the_readme():
    commands = get_command(app).commands  # type: ignore[attr-defined]
    assert commands, "the CLI has no commands"
    for name in commands:
        assert f"`tracker {name}" in README, f"tracker {name} is not documented in README.md"


def test_readme_gives_the_test_command_ci_runs():
    marker = README.index("<!-- test-command -->")
    assert "python3 -m venv .venv-test" in README[marker : marker + 300]
