"""`verify` and `rebuild` under faults: writers at the same time, damaged files, foreign triggers."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.conftest import WORKED_EXAMPLE

WRITER = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    from typer.testing import CliRunner
    from cli import app
    stop = Path(sys.argv[1])
    runner = CliRunner()
    n = 0
    while not stop.exists():
        n += 1
        title = ["--title", "A looping pledge"] if n <= 7 else []
        result = runner.invoke(
            app, ["log", f"Pledge number {n} repeated", "--by", "A Speaker",
                  "-c", f"loop-{n % 7}=committed", *title],
        )
        assert result.exit_code == 0, result.output
    print(n)
    """
)


@pytest.mark.both_stores
def test_verify_never_cries_wolf_while_another_process_appends(run, db, tmp_path):
    for step in WORKED_EXAMPLE:
        assert run(*step).exit_code == 0
    stop = tmp_path / "stop"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(stop)],
        cwd=Path(__file__).parent.parent,
        env={**os.environ, "TRACKER_DB": db},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        time.sleep(1.0)  # the writer is appending by now
        reports = [run("verify", "--format", "json") for _ in range(8)]
    finally:
        stop.touch()
        out, _ = writer.communicate(timeout=60)
    assert writer.returncode == 0
    assert int(out) > 1  # it really was writing while verify ran
    for result in reports:
        assert result.exit_code == 0, result.stdout
        assert json.loads(result.stdout)["ok"] is True
    counts = [json.loads(r.stdout)["events"] for r in reports]
    assert counts == sorted(counts)


@pytest.mark.both_stores
def test_verify_on_a_new_database_is_empty_and_intact(run):
    result = run("verify")
    assert result.exit_code == 0, result
    assert result.stdout == "ok: 0 events; the database is new or empty, and intact\n"


@pytest.mark.parametrize("kind", ["missing", "empty file"])
def test_verify_on_a_missing_or_empty_file_is_ok_and_writes_nothing(run, tmp_path, kind):
    target = tmp_path / "nothing.db"
    if kind == "empty file":
        target.touch()
    result = run("--db", str(target), "verify")
    assert result.exit_code == 0, result
    assert "0 events" in result.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == (
        ["nothing.db"] if kind == "empty file" else []
    )
    if kind == "empty file":
        assert target.stat().st_size == 0


def test_verify_names_an_unexpected_trigger_on_events(run, worked_example, db_path):
    with sqlite3.connect(db_path) as conn:
        conn.execute(
            "CREATE TRIGGER swallow BEFORE INSERT ON events BEGIN SELECT RAISE(IGNORE); END"
        )
    result = run("verify")
    assert result.exit_code == 1
    assert "FAIL: unexpected trigger swallow on events (not made by tracker)" in result.stdout


def _damage_page(db: Path, name: str) -> None:
    """Zero the root page of the index or table `name`, as a failing disk would."""
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (name,)).fetchone()
    with db.open("r+b") as f:
        f.seek((root[0] - 1) * page_size)
        f.write(b"\0" * page_size)


def _index_of_events(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events'"
        ).fetchone()[0]


@pytest.mark.parametrize("target", ["reminders_day", "timeline_fts_data", "commitments"])
def test_verify_catches_a_zeroed_projection_page_and_rebuild_repairs_it(
    run, worked_example, db_path, target
):
    _damage_page(db_path, target)
    result = run("verify")
    assert result.exit_code == 1, result
    assert "FAIL: the database file is damaged (SQLite quick_check:" in result.stdout
    repaired = run("rebuild")
    assert repaired.exit_code == 0, repaired
    assert run("verify", "--full").exit_code == 0
    assert run("export").stdout.count("\n") == 8


@pytest.mark.parametrize("target", ["events index", "events"])
def test_rebuild_names_damage_in_the_log_and_the_recovery_works(
    run, worked_example, db_path, tmp_path, target
):
    before = run("export").stdout
    _damage_page(db_path, _index_of_events(db_path) if target == "events index" else target)
    assert run("verify").exit_code == 1
    result = run("rebuild")
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert "is damaged in the log or its indexes" in line, line
    assert "export --output saved.jsonl, then tracker --db NEW.db import saved.jsonl" in line
    if target == "events index":  # the events themselves still read: nothing is lost
        saved = tmp_path / "saved.jsonl"
        assert run("export", "--output", str(saved)).exit_code == 0
        assert saved.read_text() == before
        fresh = str(tmp_path / "new.db")
        assert run("--db", fresh, "import", str(saved)).exit_code == 0
        assert run("--db", fresh, "verify", "--full").exit_code == 0
