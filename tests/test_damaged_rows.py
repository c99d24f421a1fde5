"""No traceback from a damaged projection row or a far date: one line, and the repair."""

from __future__ import annotations

import sqlite3

import pytest

SETUP = [
    ["add", "stip", "--title", "Trade pact", "--party", "Kenya", "--due", "2030-01-01",
     "--on", "2025-01-01"],
    ["log", "We agreed", "--by", "William Ruto", "-c", "stip=agreed", "--on", "2025-01-02"],
    ["followup", "stip", "--due", "2025-06-01", "--on", "2025-01-03"],
]  # fmt: skip


@pytest.mark.parametrize(
    ("table", "column", "value", "command"),
    [
        ("commitments", "parties", "12345", ["status"]),
        ("commitments", "followup_due", "'not a day'", ["remind", "--now", "2031-01-01"]),
        ("commitments", "id", "NULL", ["status", "--format", "csv"]),
        ("commitments", "last_activity_on", "'12345'", ["status"]),
        ("commitments", "followup_seq", "12345", ["export", "--format", "ics"]),
        ("commitments", "review_every", "'forever'", ["status"]),
        ("timeline", "effective_on", "'12345'", ["status", "stip"]),
        ("timeline", "label", "CAST(X'C3FFFE' AS TEXT)", ["status", "stip"]),
        ("timeline", "tags", "12345", ["status", "stip"]),
    ],
)
def test_a_damaged_projection_row_is_one_line_and_rebuild_repairs_it(
    run, db_path, table, column, value, command
):
    for step in SETUP:
        assert run(*step).exit_code == 0
    with sqlite3.connect(db_path) as conn:
        conn.execute(f"UPDATE {table} SET {column} = {value}")
    result = run(*command)
    assert result.exit_code == 1, result
    (line,) = result.stderr.splitlines()
    assert line.startswith("Error: the database ") and " is damaged" in line, line
    assert "tracker rebuild repairs the projections" in line
    assert run("verify").exit_code == 1
    assert run("rebuild").exit_code == 0
    assert run(*command).exit_code == 0
    assert run("verify").exit_code == 0


def test_a_follow_up_due_on_the_last_day_exports_to_ics(run):
    assert run("add", "far", "--title", "Far away", "--due", "9999-12-31").exit_code == 0
    result = run("export", "--format", "ics")
    assert result.exit_code == 0, result
    assert "DTSTART;VALUE=DATE:99991231" in result.stdout
    assert "DTEND" not in result.stdout


def test_a_bug_is_not_called_damage(run, monkeypatch):
    """An error with an intact database keeps its traceback: it is a bug, not damage."""
    from tracker.application import read

    assert run(*SETUP[0]).exit_code == 0

    def broken(*args, **kwargs):
        raise TypeError("a bug")

    monkeypatch.setattr(read, "status_list", broken)
    with pytest.raises(TypeError, match="a bug"):
        run("status")
