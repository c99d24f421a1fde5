"""Undoing a commitment added by mistake: retract its `commitment.added` event."""

from __future__ import annotations

import json

import icalendar
import pytest

pytestmark = pytest.mark.both_stores


def ids(run, *args: str) -> list[str]:
    return [r["id"] for r in json.loads(run("status", *args, "--format", "json").stdout)]


def mistake(run) -> None:
    """A bad ingest: a commitment that was never one, with a statement and a follow-up."""
    assert (
        run(
            "add", "real", "--title", "A real pledge", "--party", "Kenya", "--on", "2025-01-01"
        ).exit_code
        == 0
    )
    add = run(
        "add", "bogus", "--title", "Not a pledge", "--party", "Atlantis", "--on", "2025-01-02"
    )
    assert add.exit_code == 0
    run(
        "log",
        "Words taken for a pledge.",
        "--by",
        "Wire",
        "--on",
        "2025-01-03",
        "-c",
        "bogus=pledged",
    )
    run("log", "Both mentioned.", "--by", "Desk", "--on", "2025-01-04", "-c", "bogus", "-c", "real")
    run("followup", "bogus", "--due", "2025-01-10", "--on", "2025-01-04")


def test_retracting_the_adding_removes_it_everywhere_and_frees_the_id(run, tmp_path):
    mistake(run)
    added = json.loads(run("history", "bogus", "--format", "json").stdout)[0]
    assert added["type"] == "commitment.added"
    result = run("retract", added["id"][:8], "--reason", "bad ingest: not a commitment")
    assert result.exit_code == 0, result

    assert ids(run) == ["real"]
    assert ids(run, "--stale", "--now", "2025-06-01") == ["real"]
    gone = run("status", "bogus")
    assert gone.exit_code == 2
    assert gone.stderr.startswith("Error: unknown commitment 'bogus'")
    # The joint statement still counts for the other commitment.
    real = json.loads(run("status", "real", "--format", "json").stdout)
    assert real["statement_count"] == 1
    board = run("report", "--format", "md", "--now", "2025-06-01").stdout
    assert "bogus" not in board and "Atlantis" not in board
    assert "1 commitment" in board
    remind = run("remind", "--now", "2025-06-01", "--format", "json").stdout
    assert "bogus" not in remind
    cal = icalendar.Calendar.from_ical(run("export", "--format", "ics").stdout)
    assert not cal.walk("VEVENT")
    assert ids(run, "--as-of", "2025-01-05") == ["real"]
    # history still lists everything recorded about it, the adding marked as retracted.
    listed = run("history", "bogus").stdout
    assert "[RETRACTED by 6] added bogus: Not a pledge" in listed
    assert "Words taken for a pledge." in listed and "follow-up on bogus due 2025-01-10" in listed

    # The id can be used again, and starts afresh: nothing of the mistake carries over.
    again = run("add", "bogus", "--title", "A pledge after all", "--on", "2025-02-01")
    assert again.exit_code == 0, again
    row = json.loads(run("status", "bogus", "--format", "json").stdout)
    assert (row["title"], row["status"], row["statement_count"]) == (
        "A pledge after all",
        "proposed",
        0,
    )
    assert (row["parties"], row["followup_due"], row["last_statement"]) == ([], None, None)
    assert [e["on"] for e in row["timeline"]] == ["2025-02-01"]
    before = run("status", "--format", "json", "--now", "2025-06-01").stdout
    assert run("verify").exit_code == 0
    assert run("rebuild").exit_code == 0
    assert run("status", "--format", "json", "--now", "2025-06-01").stdout == before

    # An import accepts what the CLI allowed: the export replays into a new log.
    exported = tmp_path / "log.jsonl"
    assert run("export", "--output", str(exported)).exit_code == 0
    other = str(tmp_path / "other.db")
    assert run("--db", other, "import", str(exported)).exit_code == 0
    assert run("--db", other, "status", "--format", "json", "--now", "2025-06-01").stdout == before


def test_a_superseded_commitment_cannot_be_undone_before_what_supersedes_it(run):
    run("add", "old", "--title", "Old deal", "--on", "2025-01-01")
    run("add", "new", "--title", "New deal", "--supersedes", "old", "--on", "2025-01-05")
    refused = run("retract", "1", "--reason", "mistake")
    assert refused.exit_code == 2
    assert refused.stderr.startswith("Error: event 1 (")
    assert refused.stderr.endswith(
        "added 'old', which 'new' supersedes; retract the adding of 'new' first\n"
    )
    # Undoing the newer one first puts the old one back as it was.
    assert run("retract", "2", "--reason", "mistake").exit_code == 0
    old = json.loads(run("status", "old", "--format", "json").stdout)
    assert (old["status"], old["superseded_by"]) == ("proposed", None)
    assert run("retract", "1", "--reason", "mistake").exit_code == 0
    assert ids(run) == []
    assert run("verify").exit_code == 0


def test_an_undone_commitments_statements_are_not_already_logged_once_it_is_added_again(run, db):
    from projections.queries import View
    from tracker.application.session import open_session

    def logged() -> bool:
        session = open_session(db, actor="tester", create=False)
        try:
            with session.store.reading() as sql:
                return View(sql).has_statement("deal", "Agreed.", "Envoy", "2025-01-02")
        finally:
            session.store.close()

    run("add", "deal", "--title", "A deal", "--on", "2025-01-01")
    run("log", "Agreed.", "--by", "Envoy", "--on", "2025-01-02", "-c", "deal=agreed")
    assert logged()  # `ingest --apply all` leaves it out
    assert run("retract", "1", "--reason", "bad ingest").exit_code == 0
    assert run("add", "deal", "--title", "The right deal", "--on", "2025-01-01").exit_code == 0
    assert not logged()  # the same words may be logged on the commitment as it is now


def test_the_statement_view_leaves_out_an_undone_commitment(run, db_path):
    import sqlite3

    run("add", "deal", "--title", "A deal", "--on", "2025-01-01")
    run("add", "port", "--title", "A port", "--on", "2025-01-01")
    run("log", "Both agreed.", "--by", "Envoy", "--on", "2025-01-02", "-c", "deal", "-c", "port")
    assert run("retract", "1", "--reason", "bad ingest").exit_code == 0
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute("SELECT commitment, quote FROM statement_timeline").fetchall()
    assert rows == [("port", "Both agreed.")]


def test_search_and_names_forget_an_undone_commitment(run):
    mistake(run)
    assert "Wire" in run("names").stdout
    found = json.loads(run("search", "taken", "--format", "json").stdout)
    assert [h["commitment"] for h in found] == ["bogus"]
    history = json.loads(run("history", "bogus", "--format", "json").stdout)
    added = next(e for e in history if e["type"] == "commitment.added")
    assert run("retract", added["id"][:8], "--reason", "bad ingest").exit_code == 0
    assert json.loads(run("search", "taken", "--format", "json").stdout) == []
    assert json.loads(run("search", "mentioned", "--format", "json").stdout)[0]["commitment"] == (
        "real"
    )
    assert "Wire" not in run("names").stdout
    # added again: the old statements stay with the undone commitment
    assert run("add", "bogus", "--title", "A pledge after all").exit_code == 0
    assert json.loads(run("search", "taken", "--format", "json").stdout) == []
