"""Event references people can type (log position, id prefix) and the history table."""

from __future__ import annotations

import json

import pytest

from tests.conftest import event_count

pytestmark = pytest.mark.both_stores


def history(run, *args: str) -> list[dict]:
    return json.loads(run("history", *args, "--format", "json").stdout)


def one_line(result, text: str) -> None:
    assert result.exit_code == 2, result
    assert result.stderr == f"Error: {text}\n"


def setup_deal(run) -> None:
    assert run("add", "deal", "--title", "A port deal", "--on", "2025-01-01").exit_code == 0
    run(
        "log",
        "Talks begin.",
        "--by",
        "Port authority",
        "--on",
        "2025-01-10",
        "-c",
        "deal=negotiating",
    )
    run("log", "Signed today.", "--by", "Newswire", "--on", "2025-01-20", "-c", "deal=signed")


def test_retract_by_log_position(run):
    setup_deal(run)
    signed = history(run)[2]
    assert signed["seq"] == 3
    result = run("retract", "3", "--reason", "misattributed")
    assert result.exit_code == 0, result
    assert result.stdout.startswith(f"retracted {signed['id']} (event ")
    deal = json.loads(run("status", "deal", "--format", "json").stdout)
    assert deal["status"] == "pending"


def test_retract_by_id_prefix_in_any_case(run):
    setup_deal(run)
    signed = history(run)[2]["id"]
    assert run("retract", signed[:8].upper(), "--reason", "misattributed").exit_code == 0
    assert history(run)[-1]["data"]["event"] == signed


def test_bad_references_are_one_line_and_write_nothing(run):
    setup_deal(run)
    before = event_count(run)
    hint = (
        "give its log position (tracker retract 42) or its id, whole or its first 8 or more "
        "characters; both are in: tracker history"
    )
    one_line(run("retract", "99", "--reason", "r"), f"no event at log position 99; {hint}")
    one_line(
        run("retract", "0b9c", "--reason", "r"), f"event id prefix '0b9c' is too short; {hint}"
    )
    one_line(
        run("retract", "seq-3!", "--reason", "r"), f"'seq-3!' is not an event reference; {hint}"
    )
    one_line(run("retract", "ffffffff-f", "--reason", "r"), f"unknown event 'ffffffff-f'; {hint}")
    assert event_count(run) == before


def test_an_ambiguous_prefix_is_refused(run):
    import uuid

    # Two events whose ids share their first eight characters.
    ids = iter(
        [
            uuid.UUID("12345678-aaaa-4aaa-8aaa-aaaaaaaaaaaa"),
            uuid.UUID("12345678-bbbb-4bbb-8bbb-bbbbbbbbbbbb"),
        ]
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(uuid, "uuid4", lambda: next(ids))
        run("add", "a", "--title", "A", "--on", "2025-01-01")
        run("add", "b", "--title", "B", "--on", "2025-01-01")
    run("log", "Word.", "--by", "X", "--on", "2025-01-02", "-c", "a")
    result = run("retract", "12345678", "--reason", "r")
    one_line(
        result,
        "event reference '12345678' is ambiguous: it names events "
        "1 (12345678-aaaa-4aaa-8aaa-aaaaaaaaaaaa) and 2 (12345678-bbbb-4bbb-8bbb-bbbbbbbbbbbb); "
        "give more characters of the id, or the log position",
    )


def test_history_table_shows_position_date_speaker_what_and_retractions(run):
    setup_deal(run)
    assert run("retract", "3", "--reason", "misattributed").exit_code == 0
    assert run("followup", "deal", "--due", "2025-03-01", "--on", "2025-01-21").exit_code == 0
    events = history(run)
    out = run("history").stdout.splitlines()
    assert out[0].split() == ["SEQ", "ID", "ON", "SPEAKER", "RECORDED", "BY", "WHAT"]
    rows = out[1:]
    assert rows[1].split()[:4] == ["2", events[1]["id"][:8], "2025-01-10", "Port"]
    assert "Port authority  tester" in rows[1]
    assert rows[1].endswith("statement on deal → negotiating: “Talks begin.”")
    assert rows[2].endswith("[RETRACTED by 4] statement on deal → signed: “Signed today.”")
    assert rows[3].endswith("retracted event 3: misattributed")
    assert rows[4].endswith("follow-up on deal due 2025-03-01")
    assert rows[0].endswith("added deal: A port deal (commitment)")
    # The table for one commitment shows the retraction of its event too.
    assert run("history", "deal").stdout == run("history").stdout
