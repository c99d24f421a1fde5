"""Small things seen in a working session: each message says what it means."""

from __future__ import annotations

import json

import pytest

from tracker.domain.values import STATUSES, status_with_label

pytestmark = pytest.mark.both_stores


def test_the_help_an_unknown_status_points_to_lists_the_aliases(run):
    run("add", "deal", "--title", "A deal")
    bad = run("log", "Talks.", "--by", "A", "-c", "deal=in-talks")
    assert bad.exit_code == 2 and "see tracker status --help" in bad.stderr
    help_text = run("status", "--help").stdout
    for name, (_, aliases) in STATUSES.items():
        assert f"  {name}: {', '.join(aliases)}\n" in help_text
    assert "STALE (table column): how many days past its limit" in help_text


def test_a_cut_off_import_says_at_column_once(run, tmp_path):
    run("add", "deal", "--title", "A deal")
    line = run("export").stdout.splitlines()[0]
    cut = tmp_path / "cut.jsonl"
    cut.write_text(line[: line.index('"title"') + 12] + "\n", encoding="utf-8")
    result = run("--db", str(tmp_path / "other.db"), "import", str(cut))
    assert result.exit_code == 2
    assert "(Unterminated string starting at column " in result.stderr
    assert "at at" not in result.stderr


def test_remind_record_says_whether_it_recorded(run):
    run("add", "deal", "--title", "A deal", "--on", "2025-01-01")
    first = run("remind", "--now", "2025-03-01", "--record", "--format", "json")
    assert first.exit_code == 0
    recorded = json.loads(run("history", "--format", "json").stdout)[-1]
    assert recorded["type"] == "reminder.issued"
    assert first.stderr == f"recorded this report for 2025-03-01 (event 2, {recorded['id']})\n"
    assert json.loads(first.stdout)["items"][0]["id"] == "deal"  # stdout: the report alone
    again = run("remind", "--now", "2025-03-01", "--record")
    assert again.exit_code == 0
    assert again.stderr == (
        f"not recorded: a report for 2025-03-01 was already recorded (event {recorded['id']}); "
        "one is recorded per day\n"
    )
    assert run("remind", "--now", "2025-03-01").stderr == ""


def test_a_label_that_repeats_its_status_is_shown_once(run):
    run("add", "deal", "--title", "A deal", "--on", "2025-01-01")
    run("log", "Work goes on.", "--by", "A", "--on", "2025-01-02", "-c", "deal=In-Progress")
    detail = run("status", "deal").stdout
    assert "status:        in_progress, since 2025-01-02\n" in detail
    board = run("report", "--format", "md", "--now", "2025-01-03").stdout
    assert "**A deal** — in\\_progress since 2025-01-02\n" in board  # not "(In-Progress)"
    assert status_with_label("pending", "pending conclusion") == "pending (pending conclusion)"
    assert status_with_label("in_progress", "in progress") == "in_progress"


def test_a_recorded_report_says_it_was_recorded(run, worked_example):
    first = run("remind", "--now", "2025-03-15", "--record", "--format", "json")
    report = json.loads(first.stdout)
    assert report["recorded"]["now"] is True and len(report["recorded"]["event"]) == 36
    again = json.loads(run("remind", "--now", "2025-03-15", "--record", "--format", "json").stdout)
    assert again["recorded"] == {"event": report["recorded"]["event"], "now": False}
    text = run("remind", "--now", "2025-03-15", "--record").stdout
    assert "Not recorded again: the report for 2025-03-15 was recorded earlier" in text
    assert json.loads(run("remind", "--now", "2025-03-15", "--format", "json").stdout)[
        "recorded"
    ] is None  # plain remind only prints
