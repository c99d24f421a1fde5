"""Review of the SQL fold (296ba5c) and the batch-by-batch import (e470189).

Imports longer than one check batch (`CHECK_BATCH` lines), with the lines that interact
(duplicate ids, retractions, bad lines) in different batches; and exports whose optional
fields are JSON null, which the codec reads as absent.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from pathlib import Path

import pytest

from tracker.application.integrity import CHECK_BATCH

pytestmark = pytest.mark.both_stores


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


# --- JSON null for an optional field: the codec reads it as absent --------------------------


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
        assert {"timeline_key", "timeline_event"} <= indexes


def test_a_failed_first_import_leaves_the_indexes(tmp_path, store_kind):
    """The SQL fold drops the timeline's indexes to load an empty timeline; an error after
    that (here a statement naming one commitment twice) must roll the drop back too."""
    if store_kind != "sqlite":
        pytest.skip("the SQL fold and its indexes are SQLite's")
    from tests.conftest import make_session
    from tracker.application.integrity import _parse_line

    twice = line(
        2, "statement.recorded", {"quote": "q", "by": "A", "commitments": [{"id": "c0"}] * 2}
    )
    new = [_parse_line(raw.encode())[1] for raw in (added(1, "c0"), twice)]
    path = tmp_path / "kept.db"
    session = make_session(path)
    try:  # past the import's checks (which refuse the line), straight to the fold
        with pytest.raises(sqlite3.IntegrityError), session.store.writing():
            session.store.append_stream([new])
    finally:
        session.store.close()
    with sqlite3.connect(path) as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        assert conn.execute("SELECT count(*) FROM events").fetchone()[0] == 0
    assert {"timeline_key", "timeline_event", "timeline_fts_insert"} <= names


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
    calls: list[tuple[int, int]] = []
    with write(tmp_path, lines).open("rb") as f:
        result = import_events(session, f, lambda done, total: calls.append((done, total)))
    assert result.added == len(lines)
    assert calls[-1] == (len(lines), len(lines))
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)
    assert all(done <= total for done, total in calls)
