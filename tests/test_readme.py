"""The README and docs/commands.md: every command is in the reference, every link the README
gives resolves, and the README names the test command CI runs."""

from __future__ import annotations

from pathlib import Path

from typer.main import get_command

from cli import app

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
REFERENCE = (ROOT / "docs" / "commands.md").read_text(encoding="utf-8")


def test_every_command_appears_in_the_command_reference():
    commands = get_command(app).commands  # type: ignore[attr-defined]
    assert commands, "the CLI has no commands"
    for name in commands:
        assert f"`tracker {name}" in REFERENCE, f"tracker {name} is not in docs/commands.md"


def test_every_page_the_readme_points_to_exists():
    import re

    for target in re.findall(r"\]\((docs/[^)#]+)", README):
        assert (ROOT / target).is_file(), target


def test_readme_gives_the_test_command_ci_runs():
    marker = README.index("<!-- test-command -->")
    assert "python3 -m venv .venv-test" in README[marker : marker + 300]
