"""Weekday names by what the date is for, and the board as it stood on a date."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

pytestmark = pytest.mark.both_stores


def test_weekday_names_mean_the_latest_for_on_and_the_next_for_due(run):
    today = date.today()  # the CLI's clock is the real one here
    latest_monday = today - timedelta(days=today.weekday())
    next_friday = today + timedelta(days=(4 - today.weekday()) % 7 or 7)
    assert run("add", "deal", "--title", "A deal", "--on", "2020-01-01").exit_code == 0
    said = run("log", "Talks on Monday.", "--by", "Envoy", "--on", "Monday", "-c", "deal")
    assert said.exit_code == 0, said
    assert run("followup", "deal", "--due", "FRIDAY").exit_code == 0
    row = json.loads(run("status", "deal", "--format", "json").stdout)
    assert row["last_statement"]["on"] == latest_monday.isoformat()
    assert row["followup_due"] == next_friday.isoformat()
    as_of = json.loads(run("status", "--as-of", "monday", "--format", "json").stdout)
    assert [r["id"] for r in as_of] == ["deal"]


def test_report_as_of_draws_the_board_as_it_stood(run):
    run("add", "deal", "--title", "A port deal", "--party", "Kenya", "--on", "2025-01-01")
    run("log", "We pledge it.", "--by", "Minister", "--on", "2025-02-01", "-c", "deal=pledged")
    run("log", "Signed today.", "--by", "Minister", "--on", "2025-03-01", "-c", "deal=signed")
    run("add", "later", "--title", "Added in April", "--on", "2025-04-01")
    board = run("report", "--as-of", "2025-02-15", "--format", "md")
    assert board.exit_code == 0, board
    md = board.stdout
    assert md.startswith("# Commitments status board, as of 2025-02-15\n")
    assert (
        "As the log stood on 2025-02-15. 1 commitment: 1 open (0 stale), 0 closed. "
        "Staleness measured on 2025-02-15." in md
    )
    assert "committed (pledged)" in md and "We pledge it." in md
    assert "Signed today." not in md and "later" not in md
    # Measured later with --now: the quiet month makes it stale, still drawn as it stood.
    md = run("report", "--as-of", "2025-02-15", "--now", "2025-04-01", "--format", "md").stdout
    assert "1 commitment: 1 open (1 stale), 0 closed. Staleness measured on 2025-04-01." in md
    assert "Signed today." not in md
    # Without --as-of, the board as it stands.
    md = run("report", "--now", "2025-04-02", "--format", "md").stdout
    assert "Signed today." in md and "2 commitments" in md
    bad = run("report", "--as-of", "02/15/2025")
    assert bad.exit_code == 2 and "ambiguous" in bad.stderr
