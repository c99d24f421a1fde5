"""Every append reads back what it inserted: a silent drop is a failure, never "logged"."""

from __future__ import annotations

import sqlite3

import pytest

from tests.conftest import WORKED_EXAMPLE, event_count, pg_cursor


def add_swallowing_trigger(db: str, *, rewrite: bool = False) -> None:
    """What a script behind tracker's back might add: a trigger that drops (or edits) inserts."""
    if db.startswith("postgresql"):
        body = "NEW.recorded_by := 'someone else'; RETURN NEW;" if rewrite else "RETURN NULL;"
        with pg_cursor(db) as conn:
            conn.execute(
                "CREATE FUNCTION swallow() RETURNS trigger LANGUAGE plpgsql AS "
                f"$$ BEGIN {body} END $$"
            )
            conn.execute(
                "CREATE TRIGGER swallow BEFORE INSERT ON events "
                "FOR EACH ROW EXECUTE FUNCTION swallow()"
            )
        return
    with sqlite3.connect(db) as conn:
        conn.execute(
            "CREATE TRIGGER swallow BEFORE INSERT ON events BEGIN SELECT RAISE(IGNORE); END"
        )


def refused(result) -> str:
    assert result.exit_code == 1, result
    (line,) = result.stderr.splitlines()
    assert line.startswith("Error: the database ") and "did not store the events as given" in line
    assert "nothing was written" in line
    assert result.stdout == ""
    return line


@pytest.mark.both_stores
def test_a_silently_dropped_statement_is_a_failure_not_logged(run, db):
    assert run(*WORKED_EXAMPLE[0]).exit_code == 0
    add_swallowing_trigger(db)
    refused(run(*WORKED_EXAMPLE[1]))
    refused(run("add", "another", "--title", "Another pledge"))
    assert event_count(run) == 1
    assert "unexpected trigger swallow on events" in run("verify").stdout


@pytest.mark.both_stores
def test_a_silently_dropped_import_is_a_failure(run, db, tmp_path):
    for step in WORKED_EXAMPLE:
        assert run(*step).exit_code == 0
    saved = tmp_path / "saved.jsonl"
    assert run("export", "--output", str(saved)).exit_code == 0
    other = str(tmp_path / "other.db") if not db.startswith("postgresql") else db
    if other == db:
        pytest.skip("needs a second database: the PostgreSQL case is covered by the log test")
    assert run("--db", other, "add", "seed", "--title", "A seed").exit_code == 0
    add_swallowing_trigger(other)
    refused(run("--db", other, "import", str(saved)))
    assert len(run("--db", other, "export").stdout.splitlines()) == 1


@pytest.mark.both_stores
def test_an_edited_insert_is_a_failure(run, db, store_kind):
    if store_kind != "postgresql":
        pytest.skip("SQLite triggers cannot rewrite the row being inserted")
    assert run(*WORKED_EXAMPLE[0]).exit_code == 0
    add_swallowing_trigger(db, rewrite=True)
    line = refused(run(*WORKED_EXAMPLE[1]))
    assert "0 of 1 rows as meant" in line, line
    assert event_count(run) == 1
