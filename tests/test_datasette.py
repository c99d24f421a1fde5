"""The SQLite file opens well in Datasette: readable views, foreign keys, full-text search.

All of it is checked with sqlite3 itself; the last test also opens the file in
Datasette when it is installed (it is not a dependency of tracker).
"""

from __future__ import annotations

import asyncio
import importlib.util
import sqlite3

import pytest

from projections.commitments import SQLITE_FOREIGN_KEYS


def connect(db_path) -> sqlite3.Connection:
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    return conn


@pytest.fixture
def history(run, worked_example):
    run("followup", "stip", "--due", "2025-03-01", "--note", "talks resume", "--on", "2025-02-03")
    run("log", "Negotiators met; the STIP text is close.", "--by", "USTR", "--on", "2025-03-12",
        "-c", "stip=negotiating", "--source", "https://ustr.gov/stip")  # fmt: skip
    wrong = run("log", "STIP signed.", "--by", "Wire", "--on", "2025-03-13", "-c", "stip=signed")
    run("retract", wrong.stdout.split()[2], "--reason", "misreported")
    run("add", "stip-2", "--title", "STIP, second phase", "--supersedes", "haiti-mss-strategy",
        "--on", "2025-03-14")  # fmt: skip


def test_views_read_like_the_status_table(history, db_path):
    with connect(db_path) as conn:
        stip = dict(conn.execute("SELECT * FROM commitment_status WHERE id = 'stip'").fetchone())
        timeline = [
            dict(r)
            for r in conn.execute(
                "SELECT * FROM statement_timeline WHERE commitment = 'stip' ORDER BY date"
            )
        ]
    assert {
        k: stip[k] for k in ("id", "status", "label", "since", "open_or_closed", "parties")
    } == {
        "id": "stip",
        "status": "pending",
        "label": "negotiating",
        "since": "2025-03-12",
        "open_or_closed": "open",
        "parties": "Kenya, United States",
    }
    assert stip["last_statement_date"] == "2025-03-12" and stip["last_statement_by"] == "USTR"
    assert stip["last_statement_quote"].startswith("Negotiators met")
    assert stip["followup_due"] == "2025-03-01"
    assert [
        (t["date"], t["speaker"], t["status_asserted"], t["label"], t["retracted"])
        for t in timeline
    ] == [
        ("2025-01-27", "William Ruto", "pending", "pending conclusion", 0),
        ("2025-03-12", "USTR", "pending", "negotiating", 0),
        ("2025-03-13", "Wire", "fulfilled", "signed", 1),
    ]
    assert timeline[1]["source"] == "https://ustr.gov/stip"
    assert timeline[1]["commitment_title"] == "Strategic Trade and Investment Partnership (STIP)"


def test_foreign_keys_are_declared_and_hold(history, db_path):
    with connect(db_path) as conn:
        declared = {
            (table, r["from"], r["table"], r["to"])
            for table in SQLITE_FOREIGN_KEYS
            for r in conn.execute(f"PRAGMA foreign_key_list({table})")
        }
        assert ("timeline", "commitment_id", "commitments", "id") in declared
        assert ("commitments", "supersedes", "commitments", "id") in declared
        assert ("retractions", "target", "events", "id") in declared
        conn.execute("PRAGMA foreign_keys = ON")
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


def test_full_text_search_over_quotes_follows_the_timeline(run, history, db_path):
    def search(words: str) -> list[tuple[str, str, int]]:
        with connect(db_path) as conn:
            return [
                (r["commitment_id"], r["date"], r["retracted"])
                for r in conn.execute(
                    "SELECT * FROM timeline_fts WHERE timeline_fts MATCH ? ORDER BY rank", (words,)
                )
            ]

    assert search("negotiators") == [("stip", "2025-03-12", 0)]
    assert search("signed") == [("stip", "2025-03-13", 1)]  # retracted: found, and marked
    assert search("USTR") == [("stip", "2025-03-12", 0)]  # speakers are searchable too
    run(
        "log", "A Haiti update nobody expected.", "--by", "UN", "--on", "2025-03-15", "-c", "stip-2"
    )
    assert search("nobody") == [("stip-2", "2025-03-15", 0)]
    with connect(db_path) as conn:
        before = conn.execute("SELECT count(*) FROM timeline_fts").fetchone()[0]
        quotes = conn.execute(
            "SELECT count(*) FROM events WHERE type = 'statement.recorded'"
        ).fetchone()[0]
    assert before == quotes
    # A rebuild replays the index with the tables; verify still compares the tables only.
    assert run("rebuild").exit_code == 0
    assert run("verify").exit_code == 0
    assert search("negotiators") == [("stip", "2025-03-12", 0)]
    with connect(db_path) as conn:
        assert conn.execute("SELECT count(*) FROM timeline_fts").fetchone()[0] == before


def test_an_older_projection_is_rebuilt_with_the_views(run, history, db_path):
    with sqlite3.connect(db_path) as conn:
        conn.execute("DROP VIEW commitment_status")
        conn.execute("DROP TABLE timeline_fts")
        conn.execute("UPDATE projection_checkpoints SET version = 2")
    assert run("status").exit_code == 0  # the old version is dropped and replayed on open
    assert run("verify").exit_code == 0
    with connect(db_path) as conn:
        assert conn.execute("SELECT count(*) FROM commitment_status").fetchone()[0] == 5
        assert conn.execute("SELECT count(*) FROM timeline_fts").fetchone()[0] > 0


@pytest.mark.skipif(
    importlib.util.find_spec("datasette") is None,
    reason="datasette is not installed (pip install datasette); the sqlite3 checks above still ran",
)
def test_datasette_opens_the_database(history, db_path):  # pragma: no cover - optional
    from datasette.app import Datasette

    async def fetch() -> tuple[dict, list, list]:
        ds = Datasette([str(db_path)])
        name = db_path.stem
        listing = (await ds.client.get(f"/{name}.json")).json()
        status = (await ds.client.get(f"/{name}/commitment_status.json?_shape=array")).json()
        found = (
            await ds.client.get(f"/{name}/timeline_fts.json?_search=negotiators&_shape=array")
        ).json()
        return listing, status, found

    listing, status, found = asyncio.run(fetch())
    assert {"commitment_status", "statement_timeline"} <= {v["name"] for v in listing["views"]}
    assert {r["id"] for r in status} >= {"stip", "stip-2"}
    assert [r["commitment_id"] for r in found] == ["stip"]
