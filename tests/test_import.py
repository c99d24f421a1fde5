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

from tracker.application.integrity import CHECK_BATCH

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
        (lambda ls: edit(ls, 1, data={"quote": "q", "speakers": ["A"]}), "line 2: data.commitments is missing"),
        (lambda ls: edit(ls, 1, data={"quote": "q", "by": "A"}), "line 2: data has unknown field 'by'"),
        (lambda ls: edit(ls, 1, schema=1, data={"quote": "q", "commitments": [{"id": "stip"}]}), "line 2: data.by is missing"),
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


@pytest.mark.slow
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


# --- lines written by hand: the event with id UUID(int=n) is the n-th a test names ---------


def line(n: int, type_name: str, data: dict, on: str = "2025-01-01", at: str = "") -> str:
    return json.dumps(
        {
            "id": str(uuid.UUID(int=n)),
            "type": type_name,
            "schema": 1,
            "occurred_on": on,
            "recorded_at": at or f"2025-01-01T00:00:{n % 60:02d}.{n % 1000:03d}Z",
            "recorded_by": "gen",
            "data": data,
        }
    )


def added(n: int, cid: str, **data) -> str:
    return line(n, "commitment.added", {"commitment": cid, "title": f"Item {cid}", **data})


def said(n: int, cid: str, status: str | None = None, **kw) -> str:
    ref = {"id": cid} if status is None else {"id": cid, "status": status}
    return line(n, "statement.recorded", {"quote": f"q{n}", "by": "A", "commitments": [ref]}, **kw)


def retract(n: int, target: int) -> str:
    data = {"event": str(uuid.UUID(int=target)), "reason": "wrong"}
    return line(n, "event.retracted", data, on="2025-02-01")


def fillers(start: int, count: int, cid: str = "c0") -> list[str]:
    """`count` plain statements about `cid`, ids from `start`."""
    return [said(start + k, cid) for k in range(count)]


def write(tmp_path: Path, lines: list[str], name: str = "in.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def events(run, db: str) -> list[str]:
    return run("--db", db, "export").stdout.splitlines()


@pytest.fixture
def other(tmp_path: Path, store_kind: str, db: str) -> str:
    """An empty database to import into: the test's own one (SQLite file or PG URL)."""
    return db


# --- JSON null for an optional field: the codec reads it as absent -------------------------


def test_null_optional_fields_import_rebuild_and_verify(run, tmp_path, other):
    """Both folds must read `null` as absent, as the codec does: SQL (import, rebuild) and
    Python (single appends, verify's replay, PostgreSQL). The Python fold crashed on
    `"parties": null` and stored kind None for `"kind": null`, where the SQL fold stored
    'commitment', so verify failed after an import the tool had accepted."""
    lines = [
        added(1, "a", kind=None, parties=None, tags=None, status=None, label=None, due=None),
        added(2, "b", kind=None),
        line(3, "commitment.amended", {"commitment": "a", "title": None, "parties": None}),
        line(
            4,
            "statement.recorded",
            {
                "quote": "q",
                "by": "A",
                "source": None,
                "note": None,
                "tags": None,
                "commitments": [{"id": "a", "status": None, "label": None}, {"id": "b"}],
            },
        ),
        line(5, "followup.scheduled", {"commitment": "a", "due": "2025-02-01", "note": None}),
        line(6, "reminder.issued", {"day": "2025-01-02", "now": "2025-01-02", "items": None}),
    ]
    result = run("--db", other, "import", str(write(tmp_path, lines)))
    assert result.exit_code == 0, result
    assert run("--db", other, "verify").exit_code == 0
    rows = {r["id"]: r for r in json.loads(run("--db", other, "status", "--format", "json").stdout)}
    assert rows["a"]["kind"] == rows["b"]["kind"] == "commitment"
    assert rows["a"]["parties"] == [] and rows["a"]["tags"] == []
    # A single append after the import (the Python fold) and a rebuild agree too.
    assert run("--db", other, "log", "more", "--by", "B", "-c", "a=pending").exit_code == 0
    assert run("--db", other, "verify").exit_code == 0
    assert run("--db", other, "rebuild").exit_code == 0
    assert run("--db", other, "verify").exit_code == 0


# --- imports longer than one check batch -----------------------------------------------------


def test_duplicate_id_in_a_later_batch_first_occurrence_new(run, tmp_path, other):
    lines = [added(1, "c0"), *fillers(2, CHECK_BATCH + 10)]
    lines.append(lines[5])  # line 6 again, in the second batch
    result = run("--db", other, "import", str(write(tmp_path, lines)))
    assert result.exit_code == 2, result
    assert result.stderr == (
        f"Error: line {len(lines)}: id {uuid.UUID(int=6)} already appears on line 6; "
        "nothing was imported\n"
    )
    assert events(run, other) == []


def test_duplicate_id_in_a_later_batch_first_occurrence_in_the_log(run, tmp_path, other):
    first = [added(1, "c0"), said(2, "c0")]
    assert run("--db", other, "import", str(write(tmp_path, first, "a.jsonl"))).exit_code == 0
    before = events(run, other)
    lines = [first[1], *fillers(10, CHECK_BATCH + 10), first[1]]
    result = run("--db", other, "import", str(write(tmp_path, lines)))
    assert result.exit_code == 2, result
    assert f"line {len(lines)}: id {uuid.UUID(int=2)} already appears on line 1" in result.stderr
    assert events(run, other) == before


def test_same_id_different_content_in_a_later_batch(run, tmp_path, other):
    first = [added(1, "c0"), said(2, "c0")]
    assert run("--db", other, "import", str(write(tmp_path, first, "a.jsonl"))).exit_code == 0
    changed = json.loads(first[1])
    changed["data"]["quote"] = "other words"
    lines = [*fillers(10, CHECK_BATCH + 10), json.dumps(changed)]
    result = run("--db", other, "import", str(write(tmp_path, lines)))
    assert result.exit_code == 2
    assert f"line {len(lines)}: event {uuid.UUID(int=2)} is already in the log with different" in (
        result.stderr
    )
    assert len(events(run, other)) == 2


def test_retraction_in_a_later_batch_of_an_event_appended_earlier(run, tmp_path, other):
    lines = [added(1, "c0"), added(2, "c1"), said(3, "c1", "fulfilled", on="2025-01-05")]
    lines += fillers(100, CHECK_BATCH + 10)
    lines.append(retract(9000, 3))
    result = run("--db", other, "import", str(write(tmp_path, lines)))
    assert result.exit_code == 0, result
    row = json.loads(run("--db", other, "status", "c1", "--format", "json").stdout)
    assert row["status"] == "proposed" and row["statement_count"] == 0
    assert run("--db", other, "verify").exit_code == 0


def test_retraction_of_an_event_already_retracted_in_an_earlier_batch(run, tmp_path, other):
    lines = [added(1, "c0"), said(2, "c0"), retract(3, 2), *fillers(100, CHECK_BATCH + 10)]
    lines.append(retract(9000, 2))
    result = run("--db", other, "import", str(write(tmp_path, lines)))
    assert result.exit_code == 2
    assert f"line {len(lines)}: retracts event {uuid.UUID(int=2)}, which is already retracted" in (
        result.stderr
    )
    assert events(run, other) == []


def test_retraction_of_a_retraction_from_an_earlier_batch(run, tmp_path, other):
    lines = [added(1, "c0"), said(2, "c0"), retract(3, 2), *fillers(100, CHECK_BATCH + 10)]
    lines.append(retract(9000, 3))
    result = run("--db", other, "import", str(write(tmp_path, lines)))
    assert result.exit_code == 2
    assert f"line {len(lines)}: retracts event {uuid.UUID(int=3)}, which is itself a" in (
        result.stderr
    )
    assert events(run, other) == []


def test_a_bad_line_in_a_later_batch_rolls_everything_back(run, tmp_path, other):
    assert run("--db", other, "add", "mine", "--title", "Mine", "--on", "2025-01-01").exit_code == 0
    before = events(run, other)
    lines = [added(1, "c0"), *fillers(2, 2 * CHECK_BATCH + 5), said(99_999, "nope")]
    result = run("--db", other, "import", str(write(tmp_path, lines)))
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: line {len(lines)}: commitment 'nope' is neither in the log nor added earlier "
        "in the file; nothing was imported\n"
    )
    assert events(run, other) == before
    assert run("--db", other, "verify").exit_code == 0
    rows = json.loads(run("--db", other, "status", "--format", "json").stdout)
    assert [r["id"] for r in rows] == ["mine"]


@pytest.mark.slow
def test_multi_batch_export_reimported_and_reproduced(run, tmp_path, other, store_kind):
    lines = [added(1, "c0"), added(2, "c1", supersedes="c0", status="committed", due="2025-03-01")]
    lines += fillers(10, CHECK_BATCH, "c1")
    lines += [retract(5000, 12), said(5001, "c0", "broken"), *fillers(6000, CHECK_BATCH, "c0")]
    lines += [retract(9000, 6005), line(9001, "followup.completed", {"commitment": "c1"})]
    assert run("--db", other, "import", str(write(tmp_path, lines))).exit_code == 0
    exported = events(run, other)
    assert len(exported) == len(lines)
    # Re-importing the export adds nothing.
    again = run("--db", other, "import", str(write(tmp_path, exported, "export.jsonl")))
    assert again.stdout == f"imported 0 events, skipped {len(lines)} already in the log\n"
    assert events(run, other) == exported
    # Importing the export into an empty log reproduces it exactly, tables included.
    fresh = str(tmp_path / "fresh.db")
    result = run("--db", fresh, "import", str(tmp_path / "export.jsonl"))
    assert result.exit_code == 0, result
    assert events(run, fresh) == exported
    assert run("--db", fresh, "verify").exit_code == 0
    assert run("--db", other, "verify").exit_code == 0
    status = [
        run("--db", d, "status", "--format", "json", "--now", "2025-06-01") for d in (other, fresh)
    ]
    assert status[0].stdout == status[1].stdout


def test_import_into_a_non_empty_log_retracting_its_events(run, tmp_path, other, store_kind):
    """Indexes kept (a non-empty timeline) and the search index marks old rows retracted."""
    first = [added(1, "c0"), said(2, "c0", "pending"), *fillers(3, 50)]
    assert run("--db", other, "import", str(write(tmp_path, first, "a.jsonl"))).exit_code == 0
    lines = [*fillers(1000, CHECK_BATCH + 10), retract(9000, 2), said(9001, "c0", "stalled")]
    assert run("--db", other, "import", str(write(tmp_path, lines))).exit_code == 0
    assert run("--db", other, "verify").exit_code == 0
    row = json.loads(run("--db", other, "status", "c0", "--format", "json").stdout)
    assert row["status"] == "stalled"
    assert row["statement_count"] == 50 + CHECK_BATCH + 10 + 1
    if store_kind == "sqlite":
        with sqlite3.connect(other) as conn:
            flags = dict(
                conn.execute(
                    "SELECT event_id, retracted FROM timeline_fts WHERE event_id IN (?, ?)",
                    (str(uuid.UUID(int=2)), str(uuid.UUID(int=9001))),
                ).fetchall()
            )
            indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        assert flags == {str(uuid.UUID(int=2)): 1, str(uuid.UUID(int=9001)): 0}
        assert {"timeline_key", "timeline_seq"} <= indexes


def test_a_statement_naming_a_commitment_twice_is_bad_input(run, tmp_path, other):
    """The CLI refuses `-c a -c a`; an import line doing the same is refused as bad input
    (exit 2, its line named), not reported as a damaged database (exit 1)."""
    twice = line(
        2, "statement.recorded", {"quote": "q", "by": "A", "commitments": [{"id": "c0"}] * 2}
    )
    result = run("--db", other, "import", str(write(tmp_path, [added(1, "c0"), twice])))
    assert result.exit_code == 2, result
    assert result.stderr.startswith("Error: line 2: ")
    assert "twice" in result.stderr
    result = run("--db", other, "import", str(write(tmp_path, [added(1, "c0", supersedes="c0")])))
    assert result.exit_code == 2, result
    assert result.stderr.startswith("Error: line 1: ")
    assert events(run, other) == []


def test_import_progress_reaches_the_line_count(session, tmp_path, store_kind):
    if store_kind != "sqlite":
        pytest.skip("the in-memory session is SQLite")
    from tracker.application.integrity import import_events

    lines = [added(1, "c0"), *fillers(2, 2 * CHECK_BATCH + 5)]
    stages: list[tuple[str, int, int]] = []
    with write(tmp_path, lines).open("rb") as f:
        result = import_events(session, f, lambda *call: stages.append(call))
    assert result.added == len(lines)
    for stage in ("checking", "appending"):
        calls = [(done, total) for name, done, total in stages if name == stage]
        assert len(calls) >= 3, stage  # one per batch of lines, then the end
        assert calls[-1] == (len(lines), len(lines))
        assert [done for done, _ in calls] == sorted(done for done, _ in calls)
        assert all(done <= total for done, total in calls)
