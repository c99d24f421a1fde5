"""The SQLite store: what it refuses to open, what it refuses to change, and concurrent writers."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import WORKED_EXAMPLE
from tests.synthetic import synthetic_export


def one_error_line(result, fragment: str) -> None:
    assert result.exit_code == 2, result
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and fragment in lines[0], (
        result.stderr
    )


def test_events_cannot_be_updated_or_deleted(run, worked_example, db_path):
    with sqlite3.connect(db_path) as conn:
        for statement in ("UPDATE events SET recorded_by = 'x'", "DELETE FROM events"):
            with pytest.raises(sqlite3.IntegrityError, match="events are immutable"):
                conn.execute(statement)


def test_an_insert_that_does_not_extend_the_chain_is_refused(run, worked_example, db_path):
    with sqlite3.connect(db_path) as conn:
        row = conn.execute("SELECT * FROM events WHERE seq = 8").fetchone()
        forged = (9, "f" * 8 + "-0000-4000-8000-000000000000", *row[2:8], "0" * 64, "1" * 64)
        with pytest.raises(sqlite3.IntegrityError, match="does not extend the hash chain"):
            conn.execute("INSERT INTO events VALUES (?,?,?,?,?,?,?,?,?,?)", forged)


@pytest.mark.parametrize("kind", ["foreign", "text", "directory", "newer", "garbage-sqlite"])
def test_refuses_what_is_not_a_tracker_database_and_leaves_it_untouched(run, tmp_path, kind):
    target = tmp_path / "target.db"
    if kind == "foreign":
        with sqlite3.connect(target) as conn:
            conn.execute("CREATE TABLE recipes (name TEXT)")
        fragment = "is an SQLite database but not a tracker database (it holds recipes)"
    elif kind == "text":
        target.write_text("shopping list\n")
        fragment = "is not a tracker database (not an SQLite file)"
    elif kind == "directory":
        target.mkdir()
        fragment = "is a directory"
    elif kind == "newer":
        assert run("--db", str(target), *WORKED_EXAMPLE[0]).exit_code == 0
        with sqlite3.connect(target) as conn:
            conn.execute(
                "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
                "VALUES ('tracker', 'm999_future', 'later')"
            )
            conn.commit()
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        fragment = "was written by a newer version of tracker (schema step m999_future)"
    else:
        target.write_bytes(b"SQLite format 3\x00" + b"\x07" * 2000)
        fragment = "is not a tracker database"
    before = target.read_bytes() if target.is_file() else None
    for args in (["status"], [*WORKED_EXAMPLE[0]], ["verify"]):
        one_error_line(run("--db", str(target), *args), fragment)
    if before is not None:
        assert target.read_bytes() == before
        assert not Path(f"{target}-wal").exists() or kind == "newer"


def test_missing_folder_is_a_clear_error(run, tmp_path):
    one_error_line(
        run("--db", str(tmp_path / "nope" / "x.db"), *WORKED_EXAMPLE[0]), "does not exist"
    )


def test_verify_notices_a_projection_edited_behind_its_back(run, worked_example, db_path):
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE commitments SET status = 'fulfilled' WHERE id = 'stip'")
    result = run("verify")
    assert result.exit_code == 1
    assert "projection table commitments differs from a fresh replay" in result.stdout
    run("rebuild")
    assert run("verify").exit_code == 0



@pytest.mark.parametrize("window", [2, 50_000])
def test_verify_counts_the_same_differences_whatever_its_window(
    run, worked_example, db_path, monkeypatch, window
):
    """verify compares tables keyed by log position a window at a time (bounded memory);
    a change in a later window and a row gone from an earlier one count as with one window."""
    from tracker.application import integrity

    monkeypatch.setattr(integrity, "COMPARE_WINDOW", window)
    with sqlite3.connect(db_path) as conn:
        conn.execute(
            "UPDATE timeline SET status = 'broken' WHERE seq = (SELECT max(seq) FROM timeline)"
        )
        conn.execute("DELETE FROM timeline WHERE seq = (SELECT min(seq) FROM timeline)")
    result = run("verify")
    assert result.exit_code == 1
    # the edited row counts twice (ours and the replay's), the deleted one once
    assert "projection table timeline differs from a fresh replay of the log in 3 rows" in (
        result.stdout
    )

WRITER = textwrap.dedent(
    """
    import sys
    from cli import main
    worker = sys.argv[1]
    for i in range(25):
        sys.argv = ["tracker", "log", f"statement {worker}-{i}", "--by", f"writer {worker}",
                    "--on", "2025-01-27", "-c", "stip"]
        try:
            main()
        except SystemExit as exc:
            if exc.code:
                raise
    """
)


@pytest.mark.slow
@pytest.mark.both_stores
def test_concurrent_writers_lose_nothing_and_keep_one_chain(run):
    assert run(*WORKED_EXAMPLE[0]).exit_code == 0
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(n)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for n in range(4)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
    events = [json.loads(line) for line in run("export").stdout.splitlines()]
    assert len(events) == 1 + 4 * 25
    quotes = {e["data"]["quote"] for e in events if e["type"] == "statement.recorded"}
    assert quotes == {f"statement {w}-{i}" for w in range(4) for i in range(25)}
    assert run("verify").exit_code == 0
    stip = json.loads(run("status", "stip", "--format", "json").stdout)
    assert stip["statement_count"] == 100


@pytest.mark.slow
@pytest.mark.both_stores
def test_two_processes_adding_the_same_id_add_it_once(run):
    adder = "import sys\nfrom cli import main\nsys.argv = ['tracker', 'add', 'race', '--title', sys.argv[1]]\nmain()"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    procs = [
        subprocess.Popen([sys.executable, "-c", adder, f"T{n}"], env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for n in range(4)
    ]  # fmt: skip
    codes = sorted(p.wait(timeout=60) for p in procs)
    assert codes == [0, 2, 2, 2]
    assert len(run("export").stdout.splitlines()) == 1


@pytest.mark.parametrize("cache_kib", [64, 100_000])
def test_verify_finds_the_same_when_its_scratch_replay_spills_to_disk(
    run, db_path, tmp_path, monkeypatch, cache_kib
):
    """verify replays into an anonymous temporary database, one uncommitted transaction
    with no journal: with a cache of 64 KiB most of its pages go to SQLite's temporary
    file, and the verdicts must be those of a replay held wholly in the cache."""
    from tracker.persistence import sqlite as sqlite_store

    export = tmp_path / "log.jsonl"
    export.write_text(synthetic_export(500), encoding="utf-8")
    assert run("import", str(export)).exit_code == 0
    monkeypatch.setattr(sqlite_store, "CACHE_KIB", cache_kib)
    scratch = sqlite_store.SQLiteStore.scratch()
    try:
        assert scratch.conn.execute("PRAGMA cache_size").fetchone()[0] == -cache_kib
        assert scratch.conn.execute("PRAGMA journal_mode").fetchone()[0] == "off"
        assert scratch.conn.in_transaction
    finally:
        scratch.close()
    assert run("verify").stdout.endswith("hash chain intact, projections match the log\n")
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE timeline SET note = 'edited' WHERE rowid = (SELECT min(rowid) FROM timeline WHERE seq >= 700)")
        conn.execute("DELETE FROM commitments WHERE rowid = 3")
    result = run("verify")
    assert result.exit_code == 1
    assert "projection table timeline differs from a fresh replay of the log in 2 rows" in (
        result.stdout
    )
    assert "projection table commitments differs from a fresh replay of the log in 1 rows" in (
        result.stdout
    )


def test_no_room_for_verifys_scratch_replay_names_the_temporary_folder(
    run, db_path, tmp_path, monkeypatch
):
    """A scratch replay that cannot grow is said as such, with the folder and the fix; not
    as a full disk under the log, which verify never writes."""
    from tracker.persistence import sqlite as sqlite_store

    export = tmp_path / "log.jsonl"
    export.write_text(synthetic_export(50), encoding="utf-8")
    assert run("import", str(export)).exit_code == 0

    scratch = sqlite_store.SQLiteStore.scratch

    def cramped() -> sqlite_store.SQLiteStore:
        store = scratch()
        pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
        store.conn.execute(f"PRAGMA max_page_count = {pages}")  # "database or disk is full"
        return store

    monkeypatch.setattr(sqlite_store.SQLiteStore, "scratch", cramped)
    monkeypatch.setenv("SQLITE_TMPDIR", str(tmp_path))
    before = db_path.read_bytes()
    result = run("verify")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: verify has no room for its scratch replay in the temporary folder {tmp_path} "
        "(database or disk is full); free space there, or set TMPDIR to a folder with room\n"
    )
    assert db_path.read_bytes() == before


def test_verify_notices_a_column_added_to_a_projection_and_a_row_below_position_1(
    run, worked_example, db_path
):
    with sqlite3.connect(db_path) as conn:
        conn.execute("ALTER TABLE commitments ADD COLUMN extra INTEGER NOT NULL DEFAULT 0")
        conn.execute(
            "INSERT INTO timeline SELECT commitment_id, 0, role, effective_on, recorded_at, "
            "note, status, label, due, title, kind, parties, tags, review_every, link, "
            "cleared, retracted_by, retraction_reason, aliases FROM timeline LIMIT 1"
        )
    result = run("verify")
    assert result.exit_code == 1
    assert (
        "projection table commitments has columns a fresh replay has not (extra); "
        "run: tracker rebuild" in result.stdout
    )
    assert "projection table timeline differs from a fresh replay of the log in 1 rows" in (
        result.stdout
    )
    assert run("rebuild").exit_code == 0
    assert run("verify").exit_code == 0


def test_a_scratch_failure_names_the_folder_or_the_folders_tried(tmp_path, monkeypatch):
    from tracker.persistence import sqlite as sqlite_store

    no_temp_path = sqlite3.OperationalError("disk I/O error")
    no_temp_path.sqlite_errorcode = sqlite_store.SQLITE_IOERR_GETTEMPPATH  # type: ignore[attr-defined]
    monkeypatch.setenv("SQLITE_TMPDIR", str(tmp_path))
    assert str(sqlite_store.scratch_failure(no_temp_path)) == (
        f"verify has no room for its scratch replay in the temporary folder {tmp_path} "
        "(disk I/O error); free space there, or set TMPDIR to a folder with room"
    )
    monkeypatch.setattr(sqlite_store, "temporary_folder", lambda: None)
    assert str(sqlite_store.scratch_failure(no_temp_path)) == (
        "verify found no temporary folder it may write in for its scratch replay (tried "
        "$SQLITE_TMPDIR, $TMPDIR, /var/tmp, /usr/tmp, /tmp); set TMPDIR to a folder with room"
    )
    other = sqlite3.OperationalError("database is locked")
    other.sqlite_errorcode = 5  # type: ignore[attr-defined]
    assert sqlite_store.scratch_failure(other) is None
