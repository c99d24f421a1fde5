"""What a user sees: exact output, JSON shapes and exit codes of the commands."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import WORKED_EXAMPLE
from tests.conftest import event_count as count

pytestmark = pytest.mark.both_stores

STATUS_KEYS = {
    "id",
    "title",
    "kind",
    "status",
    "label",
    "status_since",
    "parties",
    "last_statement",
    "followup_due",
    "stale",
    "stale_reasons",
}


def status_json(run, *args):
    result = run("status", *args, "--format", "json")
    assert result.exit_code == 0, result
    return json.loads(result.stdout)


def untouched(run, db: str) -> object:
    """What must not change: the SQLite file's bytes, or a PostgreSQL log's export."""
    return Path(db).read_bytes() if "://" not in db else run("export").stdout


def event_count(db: Path) -> int:
    if not db.exists():
        return 0
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT count(*) FROM events").fetchone()[0]


def test_worked_example_statuses(run, worked_example):
    rows = {r["id"]: r for r in status_json(run)}
    assert set(rows) == {
        "stip",
        "haiti-mss-strategy",
        "us-regional-capabilities",
        "france-regional-support",
    }
    for row in rows.values():
        assert set(row) >= STATUS_KEYS
    stip = status_json(run, "stip")
    assert (stip["status"], stip["label"]) == ("pending", "pending conclusion")
    assert stip["status_since"] == "2025-01-27"
    assert stip["parties"] == ["Kenya", "United States"]
    assert stip["kind"] == "agreement"
    assert stip["last_statement"]["by"] == "William Ruto"
    assert stip["last_statement"]["on"] == "2025-01-27"
    assert [e["kind"] for e in stip["timeline"]] == ["statement", "added"]
    haiti = rows["haiti-mss-strategy"]
    assert (haiti["status"], haiti["label"]) == ("committed", "agreed")
    assert rows["france-regional-support"]["label"] == "committed"


def test_worked_example_reminders(run, worked_example):
    late = json.loads(run("remind", "--now", "2025-03-15", "--format", "json").stdout)
    assert late["now"] == "2025-03-15"
    assert len(late["items"]) == 4
    for item in late["items"]:
        assert item["stale_reasons"] == ["no statement for 47 days, review every 30 days"]
        assert item["new"] is True
    early = json.loads(run("remind", "--now", "2025-02-10", "--format", "json").stdout)
    assert early["items"] == []


def test_status_table_is_plain_and_fits_80_columns(run, worked_example, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    result = run("status", "--now", "2025-02-10")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["ID", "STATUS", "SINCE", "LAST", "STALE", "TITLE"]
    assert lines[1].split()[:5] == [
        "france-regional-support",
        "committed",
        "2025-01-27",
        "2025-01-27",
        "-",
    ]
    assert "\x1b" not in result.stdout
    assert all(len(line) <= 80 for line in lines)
    assert lines[1].endswith("…")
    monkeypatch.delenv("COLUMNS")
    assert "…" not in run("status").stdout


def test_status_filters(run, worked_example):
    assert [r["id"] for r in status_json(run, "--status", "pending conclusion")] == ["stip"]
    assert [r["id"] for r in status_json(run, "--party", "kenya")] == ["stip"]
    assert len(status_json(run, "--open")) == 4
    assert status_json(run, "--stale", "--now", "2025-02-10") == []
    assert len(status_json(run, "--stale", "--now", "2025-03-15")) == 4


def test_status_csv_and_md(run, worked_example):
    csv_out = run("status", "--format", "csv").stdout.splitlines()
    assert csv_out[0].startswith("id,title,kind,status,label,status_since")
    assert len(csv_out) == 5
    md = run("status", "--format", "md").stdout
    assert md.startswith("| id | status |")
    assert "pending conclusion" in md


def test_typo_in_id_is_refused_with_did_you_mean(run, worked_example):
    before = count(run)
    result = run("log", "x", "--by", "A", "--on", "2025-01-28", "-c", "stp=pending")
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: unknown commitment 'stp' (did you mean 'stip'?); "
        "add it with: tracker add stp --title TEXT\n"
    )
    assert result.stdout == ""
    assert count(run) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add", "STIP", "--title", "x"], "invalid commitment id 'STIP'"),
        (["add", "stip", "--title", "x"], "commitment 'stip' already exists"),
        (["add", "new", "--title", "x", "--kind", "treaty"], "unknown kind 'treaty'"),
        (["add", "new", "--title", "x", "--status", "maybe"], "unknown status 'maybe'"),
        (["add", "new", "--title", "x", "--on", "01/02/2025"], "is ambiguous"),
        (["add", "new", "--title", "x", "--on", "2025-02-30"], "does not exist on the calendar"),
        (["add", "new", "--title", "x", "--review-every", "soon"], "is not a duration"),
        (["add", "new", "--title", "x", "--supersedes", "nope"], "unknown commitment 'nope'"),
        (["log", "", "--by", "A", "-c", "stip"], "quote is empty"),
        (["log", "q", "--by", "A\u202eB", "-c", "stip"], "contains the direction control U+202E"),
        (["log", "q", "--by", "A", "-c", "stip=whatever"], "unknown status 'whatever'"),
        (["log", "q", "--by", "A"], "name the commitment the statement concerns"),
        (["log", "q", "--by", "A", "-c", "stip", "-c", "stip"], "named twice"),
        (["log", "q", "--by", "A", "-c", "stip", "--title", "T"], "already exists"),
        (["log", "q", "--by", "A", "-c", "a", "-c", "b", "--title", "T"], "exactly one -c"),
        (["log", "q", "--by", "A", "-c", "stip", "--on", "+3d"], "in the future"),
        (["amend", "stip"], "nothing to amend"),
        (["followup", "stip", "--done"], "no open follow-up"),
        (["followup", "stip"], "say when"),
        (["retract", "0b9c0000-0000-4000-8000-000000000000", "--reason", "x"], "unknown event"),
        (["status", "--format", "yaml"], "unknown format 'yaml'"),
        (["status", "nope"], "unknown commitment 'nope'"),
        (["status", "--as-of", "someday"], "is not a date"),
        (["history", "nope"], "unknown commitment 'nope'"),
        (["remind", "--notify", "cat"], "go with --cron"),
    ],
)
def test_bad_input_exits_2_with_one_line_and_writes_nothing(run, db, args, message):
    assert run(*WORKED_EXAMPLE[0]).exit_code == 0
    before = untouched(run, db)
    result = run(*args)
    assert result.exit_code == 2, result
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    assert message in lines[0]
    assert "Traceback" not in result.stderr
    assert untouched(run, db) == before


def test_two_megabyte_quote_is_refused(run):
    run(*WORKED_EXAMPLE[0])
    result = run("log", "-", "--by", "A", "-c", "stip", input="x" * 2_000_000)
    assert result.exit_code == 2
    assert "the limit is 100,000" in result.stderr
    assert count(run) == 1


def test_sql_looking_text_is_stored_verbatim(run):
    title = "Robert'); DROP TABLE events;--"
    assert run("add", "bobby", "--title", title).exit_code == 0
    assert status_json(run, "bobby")["title"] == title
    assert run("verify").exit_code == 0


def test_quote_from_stdin(run):
    run(*WORKED_EXAMPLE[0])
    result = run("log", "-", "--by", "A", "--on", "2025-02-01", "-c", "stip", input="Words\n")
    assert result.exit_code == 0
    assert status_json(run, "stip")["last_statement"]["quote"] == "Words"


def test_backfill_never_overrides_a_newer_statement(run):
    run("add", "deal", "--title", "A deal", "--on", "2025-01-01")
    run("log", "Signed today.", "--by", "A", "--on", "2025-03-01", "-c", "deal=signed")
    run("log", "Still talking.", "--by", "B", "--on", "2025-02-01", "-c", "deal=negotiating")
    deal = status_json(run, "deal")
    assert (deal["status"], deal["label"], deal["status_since"]) == (
        "fulfilled",
        "signed",
        "2025-03-01",
    )
    assert deal["last_statement"]["quote"] == "Signed today."
    then = status_json(run, "deal", "--as-of", "2025-02-15")
    assert (then["status"], then["label"]) == ("pending", "negotiating")


def test_as_of_hides_later_events_but_not_later_descriptions(run):
    run("add", "deal", "--title", "Old title", "--on", "2025-01-01")
    run("amend", "deal", "--title", "New title", "--on", "2025-02-01")
    run("log", "Agreed.", "--by", "A", "--on", "2025-03-01", "-c", "deal=agreed")
    rows = status_json(run, "--as-of", "2025-01-15")
    assert [(r["id"], r["title"], r["status"]) for r in rows] == [("deal", "New title", "proposed")]
    assert status_json(run, "--as-of", "2024-12-31") == []


def test_supersedes_marks_the_old_one(run):
    run("add", "old", "--title", "Old deal", "--on", "2025-01-01")
    assert (
        run(
            "add", "new", "--title", "New deal", "--supersedes", "old", "--on", "2025-02-01"
        ).exit_code
        == 0
    )
    old = status_json(run, "old")
    assert (old["status"], old["superseded_by"], old["status_since"]) == (
        "superseded",
        "new",
        "2025-02-01",
    )
    assert status_json(run, "new")["supersedes"] == "old"


def test_followup_staleness_and_done(run):
    run("add", "deal", "--title", "A deal", "--on", "2025-01-01")
    run("followup", "deal", "--due", "2025-02-05", "--on", "2025-01-02")
    row = status_json(run, "deal", "--now", "2025-02-10")
    assert row["followup_due"] == "2025-02-05"
    assert "follow-up due 2025-02-05, 5 days overdue" in row["stale_reasons"]
    on_due_day = status_json(run, "deal", "--now", "2025-02-05")["stale_reasons"]
    assert not [r for r in on_due_day if r.startswith("follow-up")]  # due today is not overdue
    run("followup", "deal", "--done", "--on", "2025-01-03")
    row = status_json(run, "deal", "--now", "2025-02-10")
    assert row["followup_due"] is None
    assert row["stale_reasons"] == [
        "no statement since it was added 40 days ago, review every 30 days"
    ]


def test_statement_after_followup_answers_it(run):
    run("add", "deal", "--title", "A deal", "--on", "2025-01-01", "--due", "2025-01-10")
    # Recorded after the follow-up, though effective earlier: it answers it (log order).
    run("log", "News.", "--by", "A", "--on", "2025-01-05", "-c", "deal")
    row = status_json(run, "deal", "--now", "2025-01-20")
    assert row["stale"] is False


def test_closed_commitments_are_never_stale(run):
    run("add", "deal", "--title", "A deal", "--on", "2024-01-01", "--due", "2024-02-01")
    run("log", "Done.", "--by", "A", "--on", "2024-01-02", "-c", "deal=done")
    assert status_json(run, "deal", "--now", "2025-06-01")["stale"] is False


def test_review_every_per_commitment_and_env(run, monkeypatch):
    run("add", "a", "--title", "A", "--on", "2025-01-01", "--review-every", "2w")
    run("add", "b", "--title", "B", "--on", "2025-01-01")
    stale = {r["id"] for r in status_json(run, "--stale", "--now", "2025-01-20")}
    assert stale == {"a"}
    monkeypatch.setenv("TRACKER_REVIEW_EVERY", "1w")
    stale = {r["id"] for r in status_json(run, "--stale", "--now", "2025-01-10")}
    assert stale == {"b"}


def test_retract_hides_a_statement_but_keeps_it_in_the_timeline(run):
    run("add", "deal", "--title", "A deal", "--on", "2025-01-01")
    run("log", "Talks.", "--by", "A", "--on", "2025-01-10", "-c", "deal=negotiating")
    run("log", "Signed!", "--by", "B", "--on", "2025-01-20", "-c", "deal=signed")
    signed = status_json(run, "deal")["last_statement"]["event"]
    assert run("retract", signed, "--reason", "misattributed").exit_code == 0
    deal = status_json(run, "deal")
    assert (deal["status"], deal["last_statement"]["quote"]) == ("pending", "Talks.")
    marked = [e for e in deal["timeline"] if e["retracted"]]
    assert [(e["quote"], e["retraction_reason"]) for e in marked] == [("Signed!", "misattributed")]
    again = run("retract", signed, "--reason", "twice")
    assert again.exit_code == 2 and "already retracted" in again.stderr
    retraction = json.loads(run("history", "deal", "--format", "json").stdout)[-1]
    assert retraction["type"] == "event.retracted"
    twice = run("retract", retraction["id"], "--reason", "no")
    assert twice.exit_code == 2 and "cannot be retracted" in twice.stderr
    assert run("verify").exit_code == 0


def test_history_lists_events_in_log_order_as_export_writes_them(run, worked_example):
    events = json.loads(run("history", "--format", "json").stdout)
    assert [e["seq"] for e in events] == list(range(1, 9))
    exported = [json.loads(line) for line in run("export").stdout.splitlines()]
    assert events == exported
    stip = json.loads(run("history", "stip", "--format", "json").stdout)
    assert [e["type"] for e in stip] == ["commitment.added", "statement.recorded"]


def test_export_hash_chain_matches_spec(run, worked_example):
    prev = "0" * 64
    for line in run("export").stdout.splitlines():
        event = json.loads(line)
        body = {k: v for k, v in event.items() if k != "hash"}
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert event["prev_hash"] == prev
        assert event["hash"] == hashlib.sha256(canonical.encode()).hexdigest()
        assert event["recorded_by"] == "tester"
        prev = event["hash"]


def test_export_then_import_into_empty_log_is_byte_identical(run, worked_example, tmp_path):
    exported = run("export").stdout
    dump = tmp_path / "log.jsonl"
    dump.write_text(exported, encoding="utf-8")
    other = tmp_path / "other.db"
    result = run("--db", str(other), "import", str(dump))
    assert result.exit_code == 0, result
    assert result.stdout == "imported 8 events, skipped 0 already in the log\n"
    assert run("--db", str(other), "export").stdout == exported
    again = run("--db", str(other), "import", str(dump))
    assert again.stdout == "imported 0 events, skipped 8 already in the log\n"
    assert run("--db", str(other), "verify").exit_code == 0
    stip = json.loads(run("--db", str(other), "status", "stip", "--format", "json").stdout)
    assert stip["label"] == "pending conclusion"


def test_import_rejects_a_bad_line_and_writes_nothing(run, worked_example, tmp_path):
    lines = run("export").stdout.splitlines()
    event = json.loads(lines[1])
    event["data"]["quote"] = 42
    lines[1] = json.dumps(event)
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join(lines) + "\n")
    other = tmp_path / "other.db"
    result = run("--db", str(other), "import", str(bad))
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: line 2: hash does not match the line's content (it was edited after export); "
        "nothing was imported\n"
    )
    del event["hash"], event["seq"], event["prev_hash"]
    lines[1] = json.dumps(event)
    bad.write_text("\n".join(lines) + "\n")
    result = run("--db", str(other), "import", str(bad))
    assert (
        result.stderr
        == "Error: line 2: data.quote must be a string, not a number; nothing was imported\n"
    )
    assert event_count(other) == 0


def test_verify_finds_an_edited_event(run, worked_example, db_path):
    assert run("verify").stdout.startswith("ok: 8 events")
    with sqlite3.connect(db_path) as conn:
        conn.execute("DROP TRIGGER events_no_update")
        conn.execute("UPDATE events SET data = replace(data, 'STIP', 'SPIT') WHERE seq = 2")
    result = run("verify")
    assert result.exit_code == 1
    assert "event seq 2 (id " in result.stdout
    assert "hash does not match its content" in result.stdout
    assert "immutability trigger events_no_update is missing" in result.stdout
    report = json.loads(run("verify", "--format", "json").stdout)
    assert report["ok"] is False and report["problems"][0]["seq"] == 2


def test_rebuild_replays_the_log(run, worked_example):
    before = status_json(run)
    result = run("rebuild")
    assert result.stdout == "rebuilt the projections from 8 events\n"
    assert status_json(run) == before


def test_path_prints_the_database(run, db_path):
    assert run("path").stdout == f"{db_path}\n"
    assert run("--db", "/tmp/x.db", "path").stdout == "/tmp/x.db\n"


def test_reading_a_missing_database_creates_nothing(run, db_path):
    assert status_json(run) == []
    assert not db_path.exists()


def test_remind_record_once_per_day_and_new_marking(run, worked_example):
    first = json.loads(run("remind", "--now", "2025-03-15", "--record", "--format", "json").stdout)
    assert all(i["new"] for i in first["items"])
    run("remind", "--now", "2025-03-15", "--record")
    reminders = [
        e
        for e in json.loads(run("history", "--format", "json").stdout)
        if e["type"] == "reminder.issued"
    ]
    assert len(reminders) == 1
    assert sorted(reminders[0]["data"]["items"]) == sorted(i["id"] for i in first["items"])
    run("log", "News on STIP.", "--by", "A", "--on", "2025-03-16", "-c", "stip")
    run("add", "late", "--title", "Late one", "--on", "2025-01-01")
    second = json.loads(run("remind", "--now", "2025-03-20", "--format", "json").stdout)
    new = {i["id"]: i["new"] for i in second["items"]}
    assert new == {
        "late": True,
        "haiti-mss-strategy": False,
        "us-regional-capabilities": False,
        "france-regional-support": False,
    }


def test_remind_formats(run, worked_example, tmp_path):
    text = run("remind", "--now", "2025-03-15").stdout
    assert text.startswith(
        "Reminder report for 2025-03-15: 4 stale commitments (4 new; no earlier report recorded)."
    )
    md = run("remind", "--now", "2025-03-15", "--format", "md").stdout
    assert md.startswith("# Stale commitments, 2025-03-15")
    out = tmp_path / "r.html"
    assert (
        run("remind", "--now", "2025-03-15", "--format", "html", "--output", str(out)).stdout == ""
    )
    page = out.read_text()
    assert page.startswith("<!doctype html>") and "stip" in page and "<script" not in page


def test_database_file_is_private(run, db_path):
    run(*WORKED_EXAMPLE[0])
    assert db_path.stat().st_mode & 0o777 == 0o600
    wal = db_path.with_name(db_path.name + "-wal")
    if wal.exists():
        assert wal.stat().st_mode & 0o777 == 0o600


def test_help_lists_every_command(run):
    out = run("--help").stdout
    for command in ("add", "log", "amend", "followup", "status", "history", "remind", "retract",
                    "export", "import", "verify", "rebuild", "path"):  # fmt: skip
        assert f"  {command}" in out


def complete(db: Path, words: str) -> list[str]:
    """What bash completion offers for the last of `words`."""
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "_TRACKER_COMPLETE": "complete_bash",
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(words.split()) - 1),
        "TRACKER_DB": str(db),
        "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
    }
    out = subprocess.run(
        [sys.executable, "-c", "from cli import main; main()"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return out.stdout.split()


def test_shell_completion_offers_commitment_ids(run, worked_example, db_path):
    assert complete(db_path, "tracker status s") == ["stip"]
    assert complete(db_path, "tracker log quote -c h") == ["haiti-mss-strategy"]


def test_retracting_the_latest_statement_makes_a_commitment_stale_again(run):
    run("add", "deal", "--title", "A deal", "--on", "2025-01-01")
    run("log", "Talks began.", "--by", "A", "--on", "2025-02-01", "-c", "deal")
    run("log", "Talks went on.", "--by", "A", "--on", "2025-03-01", "-c", "deal")
    assert status_json(run, "deal", "--now", "2025-03-20")["stale"] is False
    latest = status_json(run, "deal")["last_statement"]["event"]
    run("retract", latest, "--reason", "wrong date")
    row = status_json(run, "deal", "--now", "2025-03-20")
    assert row["stale_reasons"] == ["no statement for 47 days, review every 30 days"]
    # A retraction applies in every view, whatever its date.
    assert status_json(run, "deal", "--as-of", "2025-03-05")["last_statement"]["on"] == "2025-02-01"


def test_a_backfilled_statement_does_not_refresh_staleness(run):
    run("add", "deal", "--title", "A deal", "--on", "2025-01-01")
    run("log", "Recent.", "--by", "A", "--on", "2025-03-01", "-c", "deal")
    run("log", "Old news, logged late.", "--by", "B", "--on", "2025-01-05", "-c", "deal")
    row = status_json(run, "deal", "--now", "2025-04-15")
    assert row["last_statement"]["quote"] == "Recent."
    assert row["stale_reasons"] == ["no statement for 45 days, review every 30 days"]
