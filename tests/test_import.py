"""`tracker import`: every line checked first, all or nothing, idempotent, crash-safe."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.both_stores


def export(run) -> list[str]:
    return run("export").stdout.splitlines()


def stripped(line: str) -> dict:
    """An event as another tool might write it: no seq, prev_hash or hash."""
    event = json.loads(line)
    for key in ("seq", "prev_hash", "hash"):
        event.pop(key, None)
    return event


def count(db: Path) -> int:
    if not db.exists():
        return 0
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT count(*) FROM events").fetchone()[0]


@pytest.fixture
def lines(run, worked_example) -> list[str]:
    return export(run)


def import_text(run, tmp_path: Path, text: str | bytes, db: str = "other.db"):
    path = tmp_path / "in.jsonl"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return run("--db", str(tmp_path / db), "import", str(path))


def edit(lines: list[str], index: int, **changes) -> list[str]:
    event = stripped(lines[index])
    event.update(changes)
    return [*lines[:index], json.dumps(event), *lines[index + 1 :]]


def test_lines_without_chain_fields_are_accepted_and_chained_anew(run, lines, tmp_path):
    text = "\n".join(json.dumps(stripped(line)) for line in lines) + "\n"
    assert import_text(run, tmp_path, text).exit_code == 0
    assert run("--db", str(tmp_path / "other.db"), "export").stdout.splitlines() == lines
    assert run("--db", str(tmp_path / "other.db"), "verify").exit_code == 0


def test_import_from_stdin(run, lines, tmp_path):
    result = run("--db", str(tmp_path / "o.db"), "import", "-", input="\n".join(lines) + "\n")
    assert result.stdout == "imported 8 events, skipped 0 already in the log\n"


def test_import_appends_after_existing_events(run, lines, tmp_path):
    other = str(tmp_path / "other.db")
    run("--db", other, "add", "local", "--title", "Local work", "--on", "2025-01-01")
    assert import_text(run, tmp_path, "\n".join(lines)).exit_code == 0
    events = [json.loads(x) for x in run("--db", other, "export").stdout.splitlines()]
    assert [e["seq"] for e in events] == list(range(1, 10))
    assert run("--db", other, "verify").exit_code == 0


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda ls: [ls[0], ls[1][:40]], "line 2: not valid JSON"),
        (lambda ls: [ls[0], "[1, 2]"], "line 2: not a JSON object"),
        (lambda ls: edit(ls, 1, type="statement.said"), "line 2: unknown event type 'statement.said'"),
        (lambda ls: edit(ls, 1, schema=9), "line 2: statement.recorded schema 9 is newer"),
        (lambda ls: edit(ls, 1, schema="1"), "line 2: schema must be a positive whole number"),
        (lambda ls: edit(ls, 1, id="not-a-uuid"), "line 2: id 'not-a-uuid' is not a UUID"),
        (lambda ls: edit(ls, 1, occurred_on="27/01/2025"), "line 2: occurred_on '27/01/2025' is not a date"),
        (lambda ls: edit(ls, 1, recorded_at="yesterday"), "line 2: recorded_at 'yesterday' is not a UTC time"),
        (lambda ls: edit(ls, 1, colour="red"), "line 2: unknown field 'colour'"),
        (lambda ls: edit(ls, 1, data={"quote": "q", "by": "A"}), "line 2: data.commitments is missing"),
        (lambda ls: [ls[0], ls[0]], "already appears on line 1"),
        (lambda ls: ls[1:], "line 1: commitment 'stip' is neither in the log nor added earlier"),
        (lambda ls: [json.dumps({"type": "x"})], "line 1: the field 'id' is missing"),
    ],
)  # fmt: skip
def test_one_bad_line_rejects_the_whole_file(run, lines, tmp_path, mutate, message):
    result = import_text(run, tmp_path, "\n".join(mutate(lines)) + "\n")
    assert result.exit_code == 2, result
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith("Error: line "), result.stderr
    assert message in result.stderr
    assert result.stderr.endswith("; nothing was imported\n")
    assert count(tmp_path / "other.db") == 0


def test_invalid_utf8_is_named(run, lines, tmp_path):
    text = ("\n".join(lines[:2]) + "\n").encode() + b'{"id": "\xff\xfe"}\n'
    result = import_text(run, tmp_path, text)
    assert result.stderr == "Error: line 3: not valid UTF-8 (byte 9); nothing was imported\n"


def test_a_text_file_is_not_an_export(run, tmp_path):
    result = import_text(run, tmp_path, "Dear diary,\ntoday I logged nothing.\n")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: line 1: not valid JSON")


def test_missing_file_and_directory(run, tmp_path):
    assert "does not exist" in run("import", str(tmp_path / "nope.jsonl")).stderr
    assert "is a directory" in run("import", str(tmp_path)).stderr


def test_same_id_with_different_content_is_refused(run, lines, tmp_path):
    import_text(run, tmp_path, "\n".join(lines))
    plain = [json.dumps(stripped(line)) for line in lines]  # another tool's lines: no hashes
    changed = edit(plain, 1, data={**stripped(lines[1])["data"], "quote": "Other words"})
    result = import_text(run, tmp_path, "\n".join(changed))
    assert result.exit_code == 2
    assert "already in the log with different content" in result.stderr
    # In an export, the same edit (its hash removed) breaks the chain across lines.
    changed = edit(lines, 1, data={**stripped(lines[1])["data"], "quote": "Other words"})
    result = import_text(run, tmp_path, "\n".join(changed), db="fresh.db")
    assert result.exit_code == 2
    assert "line 2: has no hash, but lines 1 and 3 around it have theirs" in result.stderr


def test_retraction_must_follow_its_target(run, lines, tmp_path):
    retraction = {
        "id": str(uuid.uuid4()),
        "type": "event.retracted",
        "schema": 1,
        "occurred_on": "2025-02-01",
        "recorded_at": "2025-02-01T10:00:00.000Z",
        "recorded_by": "x",
        "data": {"event": str(uuid.uuid4()), "reason": "r"},
    }
    result = import_text(run, tmp_path, "\n".join([*lines, json.dumps(retraction)]))
    assert "line 9: retracts event" in result.stderr
    retraction["data"]["event"] = json.loads(lines[1])["id"]
    assert import_text(run, tmp_path, "\n".join([*lines, json.dumps(retraction)])).exit_code == 0


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_fuzzed_import_lines_never_crash_or_write(run, tmp_path, blob):
    path = tmp_path / "fuzz.jsonl"
    path.write_bytes(blob)
    db = tmp_path / "fuzz.db"
    result = run("--db", str(db), "import", str(path))
    assert result.exit_code in (0, 2), result
    assert "Traceback" not in result.stderr
    if result.exit_code == 2:
        assert len(result.stderr.splitlines()) == 1
    assert count(db) == 0


IMPORTER = """
import sys
from cli import main
sys.argv = ["tracker", "--db", sys.argv[1], "import", sys.argv[2]]
main()
"""


def big_export(path: Path, events: int) -> None:
    """A synthetic export: 50 commitments, then statements about them."""
    with path.open("w", encoding="utf-8") as f:
        for n in range(events):
            if n < 50:
                type_name, data = "commitment.added", {"commitment": f"c{n}", "title": f"Item {n}"}
            else:
                ref = {"id": f"c{n % 50}", "status": "pending", "label": "negotiating"}
                type_name, data = (
                    "statement.recorded",
                    {"quote": f"q{n}", "by": "A", "commitments": [ref]},
                )
            f.write(json.dumps({
                "id": str(uuid.UUID(int=n + 1)), "type": type_name, "schema": 1,
                "occurred_on": "2025-01-01", "recorded_at": "2025-01-01T00:00:00.000Z",
                "recorded_by": "gen", "data": data,
            }) + "\n")  # fmt: skip


def test_kill_9_during_import_leaves_a_log_that_verifies(run, tmp_path):
    source = tmp_path / "big.jsonl"
    big_export(source, 20_000)
    db = tmp_path / "killed.db"
    run("--db", str(db), "add", "mine", "--title", "Already here", "--on", "2025-01-01")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    outcomes = set()
    for delay in (0.3, 0.8, 1.5):
        proc = subprocess.Popen([sys.executable, "-c", IMPORTER, str(db), str(source)], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        n = count(db)
        assert n in (1, 20_001), n  # nothing of the import, or all of it
        outcomes.add(n)
        assert run("--db", str(db), "verify").exit_code == 0
    result = run("--db", str(db), "import", str(source))
    assert result.exit_code == 0, result
    assert count(db) == 20_001
    assert run("--db", str(db), "verify").exit_code == 0
