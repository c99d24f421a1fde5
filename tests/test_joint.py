"""Joint statements: `log --by A --by B` keeps every speaker, and logs from before read unchanged.

A statement names its speakers as a list (statement.recorded schema 2); a log written
before that holds schema 1 events with one `by`, which read as a one-speaker list while
their stored bytes, and so their hashes, stay exactly as written.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.both_stores

# A log written before joint statements: statement.recorded in schema 1, with `by`.
# Written out literally (hashes included) so that any change to how old events are
# stored, exported or hashed shows here.
SCHEMA_1_EXPORT = (
    '{"id":"00000000-0000-4000-8000-000000000001","seq":1,"type":"commitment.added","schema":1,"occurred_on":"2025-01-20","recorded_at":"2025-02-01T10:00:00.000Z","recorded_by":"analyst","data":{"commitment":"port-deal","kind":"agreement","parties":["Norway","Ghana"],"tags":[],"title":"Reopen the harbour to grain ships"},"prev_hash":"0000000000000000000000000000000000000000000000000000000000000000","hash":"9ec2cc09546acb071a4d0a2465d8c214fc4d916af00813e1cccec936a72b8b21"}\n'
    '{"id":"00000000-0000-4000-8000-000000000002","seq":2,"type":"statement.recorded","schema":1,"occurred_on":"2025-01-27","recorded_at":"2025-02-02T10:00:00.000Z","recorded_by":"analyst","data":{"by":"Harbour Authority","commitments":[{"id":"port-deal","label":"pending","status":"pending"}],"quote":"Talks on the harbour resume next week.","source":"https://example.org/harbour"},"prev_hash":"9ec2cc09546acb071a4d0a2465d8c214fc4d916af00813e1cccec936a72b8b21","hash":"917ba94659f0567766f502573c762f617f541a3c77e0711a49121fd710712bf6"}\n'
    '{"id":"00000000-0000-4000-8000-000000000003","seq":3,"type":"statement.recorded","schema":1,"occurred_on":"2025-02-03","recorded_at":"2025-02-03T10:00:00.000Z","recorded_by":"analyst","data":{"by":"Ama Mensah","commitments":[{"id":"port-deal"}],"quote":"We expect ships by spring."},"prev_hash":"917ba94659f0567766f502573c762f617f541a3c77e0711a49121fd710712bf6","hash":"be038d232166021a735eeaa05ecfb61d808f701b9e36b1a86c2c9c4559741137"}\n'
)  # fmt: skip

JOINT = "We will open the harbour to grain ships before the rains."


def ok(result):
    assert result.exit_code == 0, result
    return result.stdout


def test_a_log_written_before_joint_statements_reads_verifies_and_exports_unchanged(
    run, tmp_path: Path
):
    export = tmp_path / "old.jsonl"
    export.write_text(SCHEMA_1_EXPORT, encoding="utf-8")
    assert ok(run("import", str(export))) == "imported 3 events, skipped 0 already in the log\n"
    assert ok(run("verify")).startswith("ok: 3 events, hash chain intact")
    assert ok(run("export")) == SCHEMA_1_EXPORT  # byte for byte, hashes untouched
    row = json.loads(ok(run("status", "port-deal", "--format", "json", "--now", "2025-02-10")))
    assert row["last_statement"]["by"] == "Ama Mensah"
    assert row["last_statement"]["speakers"] == ["Ama Mensah"]
    assert [e["speakers"] for e in row["timeline"]] == [None, ["Harbour Authority"], ["Ama Mensah"]]
    assert row["status"] == "pending"
    # A rebuild replays the old events the same way, and a new joint statement sits beside them.
    assert ok(run("rebuild")) == "rebuilt the projections from 3 events\n"
    ok(run("log", JOINT, "--by", "Ama Mensah", "--by", "Kari Nordmann", "-c", "port-deal"))
    assert ok(run("verify")).startswith("ok: 4 events")
    assert ok(run("export")).startswith(SCHEMA_1_EXPORT)
    new = json.loads(ok(run("export")).splitlines()[3])
    assert (new["schema"], new["data"]["speakers"]) == (2, ["Ama Mensah", "Kari Nordmann"])
    assert "by" not in new["data"]


def test_an_export_with_both_schemas_imports_into_an_empty_log_exactly(run, tmp_path: Path):
    export = tmp_path / "old.jsonl"
    export.write_text(SCHEMA_1_EXPORT, encoding="utf-8")
    ok(run("import", str(export)))
    ok(run("log", JOINT, "--by", "Ama Mensah", "--by", "Kari Nordmann", "-c", "port-deal"))
    both = ok(run("export"))
    again = tmp_path / "both.jsonl"
    again.write_text(both, encoding="utf-8")
    ok(run("--db", str(tmp_path / "copy.db"), "import", str(again)))
    assert ok(run("--db", str(tmp_path / "copy.db"), "export")) == both
    assert ok(run("--db", str(tmp_path / "copy.db"), "verify")).startswith("ok: 4 events")


def test_a_joint_statement_keeps_every_speaker_in_the_order_given(run):
    ok(run("add", "port-deal", "--title", "Reopen the harbour", "--party", "Ghana"))
    ok(
        run(
            "log", JOINT, "--by", "Marco Rubio", "--by", "William Ruto", "--by", "Marco Rubio",
            "-c", "port-deal=committed", "--on", "2025-01-27",
        )
    )  # fmt: skip
    row = json.loads(ok(run("status", "port-deal", "--format", "json", "--now", "2025-03-15")))
    last = row["last_statement"]
    assert (last["by"], last["speakers"]) == (
        "Marco Rubio, William Ruto",
        ["Marco Rubio", "William Ruto"],  # a name repeated is kept once
    )
    said = [e for e in row["timeline"] if e["kind"] == "statement"]
    assert said[0]["speakers"] == ["Marco Rubio", "William Ruto"]
    listed = json.loads(ok(run("status", "--format", "json", "--now", "2025-03-15")))
    assert listed[0]["last_statement"]["speakers"] == ["Marco Rubio", "William Ruto"]
    assert "2025-01-27  Marco Rubio, William Ruto  → committed" in ok(run("status", "port-deal"))
    history = json.loads(ok(run("history", "--format", "json")))
    assert history[-1]["data"]["speakers"] == ["Marco Rubio", "William Ruto"]
    remind = ok(run("remind", "--now", "2025-03-15"))
    assert "last: 2025-01-27, Marco Rubio, William Ruto:" in remind
    assert "Marco Rubio, William Ruto" in ok(run("report", "--format", "md", "--now", "2025-03-15"))
    csv = ok(run("status", "--format", "csv", "--now", "2025-03-15"))
    assert '"Marco Rubio, William Ruto"' in csv


def test_a_bad_second_speaker_writes_nothing(run):
    ok(run("add", "port-deal", "--title", "Reopen the harbour"))
    before = ok(run("export"))
    result = run("log", JOINT, "--by", "Ama Mensah", "--by", " ", "-c", "port-deal")
    assert result.exit_code == 2
    assert "speaker (--by)" in result.stderr
    assert ok(run("export")) == before


def test_verify_passes_on_a_log_whose_projections_an_older_tracker_made(run, tmp_path, db_path):
    import sqlite3

    export = tmp_path / "old.jsonl"
    export.write_text(SCHEMA_1_EXPORT, encoding="utf-8")
    ok(run("import", str(export)))
    with sqlite3.connect(db_path) as conn:  # as the previous version left them
        conn.execute("UPDATE projection_checkpoints SET version = version - 1")
        conn.execute("UPDATE commitments SET last_statement_speakers = NULL")
        conn.execute("UPDATE timeline SET label = NULL")
    assert ok(run("verify")).startswith("ok: 3 events, hash chain intact")
    assert ok(run("export")) == SCHEMA_1_EXPORT
