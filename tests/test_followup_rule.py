"""SPEC staleness rule 1: what answers a follow-up, and every view naming what did.

A follow-up asks for news: a statement answers it only when recorded after it and dated
on or after the day it was set; a `followup --done` recorded after it always does.
"""

from __future__ import annotations

import json
from datetime import date

import icalendar
import pytest

from projections.model import Entry, followup_fate, summarize


def detail(run, cid: str, *args: str) -> dict:
    result = run("status", cid, *args, "--format", "json")
    assert result.exit_code == 0, result
    return json.loads(result.stdout)


def ics_descriptions(run) -> dict[str, str]:
    cal = icalendar.Calendar.from_ical(run("export", "--format", "ics").stdout)
    return {str(e["SUMMARY"]): str(e["DESCRIPTION"]) for e in cal.walk("VEVENT")}


@pytest.mark.both_stores
def test_a_backfilled_statement_does_not_answer_a_later_follow_up(run):
    assert (
        run("add", "gsf", "--title", "Support the Haiti force", "--on", "2025-09-01").exit_code == 0
    )
    # The follow-up is set on 1 December, due mid-January.
    assert run("followup", "gsf", "--due", "2026-01-15", "--on", "2025-12-01").exit_code == 0
    # Recorded afterwards, but about October: not news, so the follow-up still waits.
    old = run(
        "log", "We back the force.", "--by", "Foreign ministry", "--on", "2025-10-01", "-c", "gsf"
    )
    assert old.exit_code == 0, old
    row = detail(run, "gsf", "--now", "2026-02-01")
    assert "follow-up due 2026-01-15, 17 days overdue" in row["stale_reasons"]
    assert row["followup"]["answered"] is False and row["followup"]["answered_by"] is None
    text = run("status", "gsf", "--now", "2026-02-01").stdout
    assert "follow-up due: 2026-01-15\n" in text
    assert (
        "Answered by" not in ics_descriptions(run)["Follow-up due: Support the Haiti force (gsf)"]
    )

    # Dated the day the follow-up was set: that is news, and it answers it.
    new = run(
        "log",
        "Troops leave next month.",
        "--by",
        "Defence office",
        "--on",
        "2025-12-01",
        "-c",
        "gsf",
    )
    assert new.exit_code == 0, new
    row = detail(run, "gsf", "--now", "2026-02-01")
    assert not [r for r in row["stale_reasons"] if r.startswith("follow-up")]
    answer = row["followup"]["answered_by"]
    assert (answer["kind"], answer["on"], answer["by"]) == (
        "statement",
        "2025-12-01",
        "Defence office",
    )
    text = run("status", "gsf", "--now", "2026-02-01").stdout
    assert (
        "follow-up due: 2026-01-15; answered by the statement of 2025-12-01 by Defence office\n"
        in text
    )
    description = ics_descriptions(run)["Follow-up due: Support the Haiti force (gsf)"]
    assert "Answered by the statement of 2025-12-01 by Defence office." in description
    board = run("report", "--format", "md", "--now", "2026-02-01").stdout
    assert (
        "follow-up due 2026-01-15, answered by the statement of 2025-12-01 by Defence office"
        in board
    )
    assert "follow-up due (answered), answered by the statement of 2025-12-01" in board

    # A rebuild (the SQL fold) agrees with what the appends (the Python fold) made.
    before = detail(run, "gsf", "--now", "2026-02-01")
    assert run("rebuild").exit_code == 0
    assert detail(run, "gsf", "--now", "2026-02-01") == before
    assert run("verify").exit_code == 0


@pytest.mark.both_stores
def test_done_answers_and_is_named(run):
    run("add", "deal", "--title", "A deal", "--on", "2025-01-01", "--due", "2025-02-01")
    run("followup", "deal", "--done", "--on", "2025-01-20")
    row = detail(run, "deal", "--now", "2025-02-10")
    assert row["followup_due"] is None
    assert row["followup"]["open"] is False
    assert row["followup"]["answered_by"]["kind"] == "followup_done"
    text = run("status", "deal", "--now", "2025-02-10").stdout
    assert (
        "follow-up due: - (the last, due 2025-02-01, was answered by followup --done on 2025-01-20)"
        in text
    )


def _entry(seq: int, role: str, on: str, **fields: str) -> Entry:
    return Entry(
        commitment_id="x",
        seq=seq,
        event_id=f"e{seq}",
        role=role,
        effective_on=on,
        recorded_at="2025-03-01T00:00:00.000Z",
        recorded_by="t",
        **fields,
    )


def test_the_rule_in_the_pure_fold():
    added = _entry(1, "added", "2025-01-01", title="T")
    followup = _entry(2, "followup", "2025-02-01", due="2025-03-01")
    before = _entry(3, "statement", "2025-01-31", speaker="A", quote="q")
    on_the_day = _entry(4, "statement", "2025-02-01", speaker="B", quote="q")
    state = summarize([added, followup, before])
    assert state is not None and not state.followup_answered
    state = summarize([added, followup, before, on_the_day])
    assert state is not None and state.followup_answered
    fate = followup_fate([added, followup, before, on_the_day])
    assert fate is not None and fate.answer == on_the_day
    # Recorded before the follow-up (log order), even if dated after it: not an answer.
    early = _entry(2, "statement", "2025-02-05", speaker="C", quote="q")
    late_followup = _entry(3, "followup", "2025-02-01", due="2025-03-01")
    state = summarize([added, early, late_followup])
    assert state is not None and not state.followup_answered
    assert summarize([added, early, late_followup], as_of=date(2025, 2, 10)) is not None


# --- follow-ups on closed commitments ---------------------------------------------------------


@pytest.mark.both_stores
def test_a_follow_up_on_a_closed_commitment_is_refused(run):
    run("add", "health", "--title", "Health funding", "--on", "2025-01-01")
    run("log", "We signed it.", "--by", "Ministry", "--on", "2025-02-01", "-c", "health=signed")
    before = run("export").stdout
    refused = run("followup", "health", "--due", "2027-01-15")
    assert refused.exit_code == 2
    assert refused.stderr == (
        "Error: 'health' is closed (fulfilled (signed) since 2025-02-01) and closed "
        "commitments are never reminded; to expect more news, reopen it first: "
        "tracker log QUOTE --by SPEAKER -c health=STATUS\n"
    )
    started_closed = run(
        "add", "gone", "--title", "G", "--status", "dropped", "--due", "2027-01-01"
    )
    assert started_closed.exit_code == 2
    assert "--due goes with an open status" in started_closed.stderr
    assert run("export").stdout == before


@pytest.mark.both_stores
def test_a_follow_up_left_open_when_it_closed_is_not_awaited_anywhere(run):
    run("add", "health", "--title", "Health funding", "--on", "2025-01-01")
    run("followup", "health", "--due", "2025-03-01", "--on", "2025-01-02")
    run("log", "Old news.", "--by", "Ministry", "--on", "2025-01-01", "-c", "health=signed")
    text = run("status", "health", "--now", "2025-06-01").stdout
    assert "follow-up due: 2025-03-01; not awaited: the commitment is closed\n" in text
    row = detail(run, "health", "--now", "2025-06-01")
    assert (row["stale"], row["followup"]["awaited"]) == (False, False)
    board = run("report", "--format", "md", "--now", "2025-06-01").stdout
    assert "follow-up due 2025-03-01 (not awaited: the commitment is closed)" in board
    assert "◇ follow-up due (not awaited: the commitment is closed)" in board
    card = board[board.index("### health") :]
    assert "(awaited)" not in card and "overdue" not in card
    assert "health" not in run("remind", "--now", "2025-06-01", "--format", "json").stdout
    assert ics_descriptions(run) == {}
