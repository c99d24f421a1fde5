"""What happens when the database, the files around it or an import are not what they should be."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import uuid
from pathlib import Path

import pytest

from events.codec import canonical_json, event_hash
from tests.conftest import WORKED_EXAMPLE


def one_line(result, code: int, fragment: str) -> None:
    assert result.exit_code == code, result
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert fragment in lines[0], lines[0]


def append_raw(db: Path, type_name: str, data: dict, schema: int = 1) -> None:
    """Append an event the way a hostile script would: chain fields right, content wrong."""
    with sqlite3.connect(db) as conn:
        seq, prev = conn.execute(
            "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1"
        ).fetchone()
        body = {
            "id": str(uuid.uuid4()),
            "seq": seq + 1,
            "type": type_name,
            "schema": schema,
            "occurred_on": "2025-02-01",
            "recorded_at": "2025-02-01T00:00:00.000Z",
            "recorded_by": "intruder",
            "data": data,
            "prev_hash": prev,
        }
        row = {**body, "data": canonical_json(data), "hash": event_hash(body)}
        conn.execute(
            "INSERT INTO events (seq, id, type, schema, occurred_on, recorded_at, recorded_by, "
            "data, prev_hash, hash) VALUES (:seq, :id, :type, :schema, :occurred_on, "
            ":recorded_at, :recorded_by, :data, :prev_hash, :hash)",
            row,
        )


def test_first_command_creates_the_default_folder(run, tmp_path, monkeypatch):
    monkeypatch.delenv("TRACKER_DB")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("HOME", str(tmp_path))
    result = run(*WORKED_EXAMPLE[0])
    assert result.exit_code == 0, result
    path = Path(run("path").stdout.strip())
    assert path.exists() and path.parent.stat().st_mode & 0o777 == 0o700


def test_review_intervals_are_bounded_and_never_overflow(run):
    one_line(run("add", "x", "--title", "X", "--review-every", "9999y"), 2, "longer than a century")
    assert (
        run("add", "x", "--title", "X", "--review-every", "100y", "--on", "2025-01-01").exit_code
        == 0
    )
    row = json.loads(run("status", "x", "--format", "json", "--now", "2025-06-01").stdout)
    assert row["stale"] is False


def test_an_unreadable_event_is_one_line_and_verify_names_it(run, worked_example, db_path):
    append_raw(db_path, "statement.recorded", {"quote": "x"})
    one_line(run("status"), 1, "the log holds an event this tracker cannot read")
    result = run("verify")
    assert result.exit_code == 1
    assert "event seq 9 (id " in result.stdout and "data.by is missing" in result.stdout


def test_an_event_from_a_newer_version_is_refused_with_exit_2(run, worked_example, db_path):
    append_raw(db_path, "statement.recorded", {"quote": "x"}, schema=3)
    one_line(run("status"), 2, "written by a newer tracker")


def test_removing_the_last_event_is_detected(run, worked_example, db_path):
    with sqlite3.connect(db_path) as conn:
        conn.execute("DROP TRIGGER events_no_delete")
        conn.execute("DELETE FROM events WHERE seq = 8")
    one_line(run("status"), 1, "ends at seq 7 but its projections have seen seq 8")
    result = run("verify")
    assert result.exit_code == 1
    assert "events were removed from it" in result.stdout
    assert "immutability trigger events_no_delete is missing" in result.stdout


def test_a_no_op_trigger_under_the_right_name_is_caught(run, worked_example, db_path):
    with sqlite3.connect(db_path) as conn:
        conn.execute("DROP TRIGGER events_no_update")
        conn.execute("CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN SELECT 1; END")
    result = run("verify")
    assert result.exit_code == 1
    assert "immutability trigger events_no_update was altered" in result.stdout


def test_a_dropped_projection_table_is_a_clear_failure(run, worked_example, db_path):
    with sqlite3.connect(db_path) as conn:
        conn.execute("DROP TABLE commitments")
    one_line(run("status"), 1, "no such table: commitments")
    assert "projection table commitments cannot be read" in run("verify").stdout
    assert run("rebuild").exit_code == 0
    assert run("verify").exit_code == 0


def test_refused_first_commands_leave_no_database_behind(run, tmp_path):
    fresh = tmp_path / "fresh.db"
    for args in (
        ["log", "q", "--by", "A", "-c", "nope"],
        ["retract", "abc", "--reason", "r"],
        ["rebuild"],
    ):
        run("--db", str(fresh), *args)
        assert not fresh.exists(), args


def test_remind_record_with_a_bad_output_writes_nothing(run, worked_example, tmp_path):
    result = run(
        "remind", "--record", "--now", "2025-03-15", "--output", str(tmp_path / "no" / "r.md")
    )
    one_line(result, 2, "does not exist")
    history = json.loads(run("history", "--format", "json").stdout)
    assert not [e for e in history if e["type"] == "reminder.issued"]


def test_output_paths_are_checked(run, worked_example, tmp_path, db_path):
    one_line(run("export", "--output", str(tmp_path)), 2, "is a directory")
    one_line(run("export", "--output", str(db_path)), 2, "is the database itself")


def is_device(path: str) -> bool:
    return Path(path).exists() and stat.S_ISCHR(os.stat(path).st_mode)


@pytest.mark.skipif(not is_device("/dev/full"), reason="needs the /dev/full device")
def test_a_full_disk_is_one_line_and_exit_1(run, worked_example):
    one_line(run("export", "--output", "/dev/full"), 1, "cannot write")
    assert is_device("/dev/full")  # written into, never renamed over


def test_reading_with_an_empty_as_still_works(run, worked_example):
    assert run("--as", "", "status").exit_code == 0
    one_line(run("--as", "", "add", "x", "--title", "X"), 2, "--as name is empty")


def test_crlf_quotes_from_stdin_are_stored_with_lf(run, worked_example):
    run("log", "-", "--by", "A", "--on", "2025-02-01", "-c", "stip", input="one\r\ntwo\r\n")
    row = json.loads(run("status", "stip", "--format", "json").stdout)
    assert row["last_statement"]["quote"] == "one\ntwo"


def test_titles_are_one_line(run):
    one_line(run("add", "x", "--title", "two\nlines"), 2, "contains the control character U+000A")


def test_dates_take_ascii_digits_only(run, worked_example):
    one_line(run("status", "--as-of", "٢٠٢٥-٠١-٢٧"), 2, "is not a date")


def test_party_filter_matches_composed_and_decomposed_accents(run):
    run("add", "x", "--title", "X", "--party", "Co\u0302te d'Ivoire")
    rows = json.loads(run("status", "--party", "C\u00f4te d'Ivoire", "--format", "json").stdout)
    assert [r["id"] for r in rows] == ["x"]


# --- import: what the CLI refuses, an import refuses too -------------------------------------


def line(type_name: str, data: dict, **envelope) -> str:
    event = {
        "id": str(uuid.uuid4()),
        "type": type_name,
        "schema": 1,
        "occurred_on": "2025-01-27",
        "recorded_at": "2025-01-27T10:00:00.000Z",
        "recorded_by": "importer",
        "data": data,
        **envelope,
    }
    return json.dumps(event)


ADD = {"commitment": "deal", "title": "A deal"}


def import_lines(run, tmp_path, *lines: str, db: str = "imp.db"):
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return run("--db", str(tmp_path / db), "import", str(path))


def test_import_refuses_what_the_cli_refuses(run, tmp_path):
    add = line("commitment.added", ADD, id="11111111-1111-4111-8111-111111111111")
    stmt_id = "22222222-2222-4222-8222-222222222222"
    stmt = line(
        "statement.recorded", {"quote": "q", "by": "A", "commitments": [{"id": "deal"}]}, id=stmt_id
    )
    retract = line("event.retracted", {"event": stmt_id, "reason": "r"})
    cases = [
        ([add, stmt, retract, line("event.retracted", {"event": stmt_id, "reason": "again"})],
         "line 4: retracts event 22222222-2222-4222-8222-222222222222, which is already retracted"),
        # Retracting an adding undoes the commitment: nothing may name it afterwards...
        ([add, line("event.retracted", {"event": "11111111-1111-4111-8111-111111111111", "reason": "r"}), stmt],
         "line 3: commitment 'deal' is neither in the log nor added earlier in the file"),
        # ...and it cannot be undone while another commitment supersedes it.
        ([add, line("commitment.added", {"commitment": "deal-2", "title": "t", "supersedes": "deal"}),
          line("event.retracted", {"event": "11111111-1111-4111-8111-111111111111", "reason": "r"})],
         "line 3: retracts event 11111111-1111-4111-8111-111111111111, which added 'deal', "
         "a commitment another supersedes"),
        ([add, line("statement.recorded", {"quote": "\ud800", "by": "A", "commitments": [{"id": "deal"}]})],
         "line 2: data.quote is not valid UTF-8 text"),
        ([line("commitment.added", ADD, id="AAAAAAAA-1111-4111-8111-111111111111")],
         "line 1: id 'AAAAAAAA-1111-4111-8111-111111111111' must be written in lower case"),
        ([line("commitment.added", {"commitment": "a--b", "title": "t"})], "line 1: data.commitment 'a--b' is not a commitment id"),
        ([add, line("statement.recorded", {"quote": "q", "by": "A\x1b[2J", "commitments": [{"id": "deal"}]})],
         "line 2: data.by contains the control character U+001B"),
        ([line("commitment.added", ADD, recorded_by="a\nb")], "line 1: recorded_by contains the control character U+000A"),
        ([line("commitment.added", ADD, recorded_at="2025-01-27T10:00:00Z")], "line 1: recorded_at"),
    ]  # fmt: skip
    for lines, message in cases:
        result = import_lines(run, tmp_path, *lines)
        assert result.exit_code == 2, (message, result)
        assert message in result.stderr, (message, result.stderr)
        assert "Traceback" not in result.stderr
        assert not (tmp_path / "imp.db").exists()


def test_import_accepts_a_byte_order_mark(run, tmp_path):
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + line("commitment.added", ADD).encode() + b"\n")
    assert run("--db", str(tmp_path / "b.db"), "import", str(path)).exit_code == 0


def test_ties_on_the_same_day_go_to_the_later_recorded_whatever_the_file_order(run, tmp_path):
    add = line(
        "commitment.added", ADD, occurred_on="2025-01-01", recorded_at="2025-01-01T09:00:00.000Z"
    )
    later = line(
        "statement.recorded",
        {
            "quote": "Done.",
            "by": "A",
            "commitments": [{"id": "deal", "status": "fulfilled", "label": "done"}],
        },
        occurred_on="2025-03-01",
        recorded_at="2025-03-02T09:00:00.000Z",
    )
    earlier = line("statement.recorded",
                   {"quote": "Broken.", "by": "B", "commitments": [{"id": "deal", "status": "broken", "label": "broken"}]},
                   occurred_on="2025-03-01", recorded_at="2025-03-01T09:00:00.000Z")  # fmt: skip
    assert import_lines(run, tmp_path, add, later, earlier).exit_code == 0
    row = json.loads(
        run("--db", str(tmp_path / "imp.db"), "status", "deal", "--format", "json").stdout
    )
    assert (row["status"], row["last_statement"]["quote"]) == ("fulfilled", "Done.")


def test_private_default_folder_and_files(run, worked_example, db_path):
    assert os.stat(db_path).st_mode & 0o777 == 0o600


def test_verify_reports_one_edited_event_once(run, worked_example, db_path):
    with sqlite3.connect(db_path) as conn:
        conn.execute("DROP TRIGGER events_no_update")
        conn.execute("UPDATE events SET recorded_by = 'someone else' WHERE seq = 2")
    report = json.loads(run("verify", "--format", "json").stdout)
    assert report["events"] == 8
    whats = [p["problem"] for p in report["problems"]]
    assert not [w for w in whats if "events were" in w], whats


def test_a_table_name_damaged_into_bytes_that_are_not_text_is_one_line(
    run, worked_example, db_path
):
    """A flipped byte in the schema's name of a table (found by the fault campaign) broke
    the opening of the log with a traceback; every command now says the file is damaged."""
    with sqlite3.connect(db_path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(db_path.read_bytes())
    at = data.find(b"retractionsretractions")  # the schema row's name, then its tbl_name
    assert at > 0
    data[at] = 0x83  # a UTF-8 continuation byte cannot start a character
    db_path.write_bytes(bytes(data))
    for command in (["status"], ["export"], ["verify"], ["verify", "--full"]):
        result = run(*command)
        assert result.exit_code == 1, (command, result)
        assert result.stderr == (
            f"Error: the database {db_path} is damaged where it names its tables (bytes that "
            "are not UTF-8 text: invalid start byte); tracker cannot open it. Restore it from "
            "a copy or an export\n"
        )
