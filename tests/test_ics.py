"""`tracker export --format ics`: open follow-ups as an iCalendar file a calendar can re-import."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import icalendar
import pytest

pytestmark = pytest.mark.both_stores

STIP_TITLE = "Strategic Trade and Investment Partnership (STIP)"


def events(text: str) -> dict[str, icalendar.Event]:
    cal = icalendar.Calendar.from_ical(text)
    assert cal["VERSION"] == "2.0" and cal["PRODID"]
    found = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    assert len(found) == len(cal.walk("VEVENT")), "duplicate UIDs"
    return found


def event_id(run, commitment: str, kind: str) -> str:
    history = json.loads(run("history", commitment, "--format", "json").stdout)
    return next(e["id"] for e in reversed(history) if e["type"] == kind)


def test_follow_ups_round_trip_with_stable_uids(run, worked_example, tmp_path):
    run(
        "followup",
        "stip",
        "--due",
        "2025-03-01",
        "--note",
        "talks; resume, maybe",
        "--on",
        "2025-02-03",
    )
    run("log", "Agreed; funding follows.", "--by", "UN", "--on", "2025-02-10", "-c", "haiti-mss-strategy",
        "--source", "https://un.org/haiti?x=1&y=2")  # fmt: skip
    run("followup", "haiti-mss-strategy", "--due", "2025-04-15", "--on", "2025-02-10")
    run("add", "closed-deal", "--title", "Closed", "--due", "2025-05-01", "--on", "2025-01-01")
    run("log", "Signed.", "--by", "A", "--on", "2025-01-02", "-c", "closed-deal=signed")

    first = run("export", "--format", "ics")
    assert first.exit_code == 0, first
    out = tmp_path / "follow-ups.ics"
    assert run("export", "--format", "ics", "--output", str(out)).stdout == ""
    written = out.read_bytes().decode("utf-8")
    assert written.startswith("BEGIN:VCALENDAR\r\n") and written.endswith("END:VCALENDAR\r\n")
    # The same calendar every time (the test runner shows standard output with LF ends).
    assert written.replace("\r\n", "\n") == first.stdout

    found = events(first.stdout)
    stip_uid = f"stip-{event_id(run, 'stip', 'followup.scheduled')}@tracker"
    haiti_uid = (
        f"haiti-mss-strategy-{event_id(run, 'haiti-mss-strategy', 'followup.scheduled')}@tracker"
    )
    assert set(found) == {stip_uid, haiti_uid}  # the closed commitment's follow-up is left out

    stip = found[stip_uid]
    assert str(stip["SUMMARY"]) == f"Follow-up due: {STIP_TITLE} (stip)"
    assert stip.decoded("DTSTART") == date(2025, 3, 1)  # all day: a date, not a time
    assert stip.decoded("DTEND") == date(2025, 3, 2)
    assert isinstance(stip.decoded("DTSTAMP"), datetime) and stip.decoded(
        "DTSTAMP"
    ).utcoffset() == timedelta(0)
    description = str(stip["DESCRIPTION"])
    assert "Status: pending (pending conclusion), since 2025-01-27" in description
    assert "Follow-up note: talks; resume, maybe" in description
    assert "Last statement: 2025-01-27, William Ruto: “We discussed the need" in description
    assert "URL" not in stip  # the last statement has no source

    haiti = found[haiti_uid]
    assert str(haiti["URL"]) == "https://un.org/haiti?x=1&y=2"
    assert "Last statement: 2025-02-10, UN: “Agreed; funding follows.”" in str(haiti["DESCRIPTION"])

    # News on a commitment updates its event (same UID) rather than adding another.
    run("log", "Talks resumed.", "--by", "USTR", "--on", "2025-02-20", "-c", "stip=negotiating",
        "--source", "javascript:alert(1)")  # fmt: skip
    again = events(run("export", "--format", "ics").stdout)
    assert set(again) == {stip_uid, haiti_uid}
    assert "Status: pending (negotiating), since 2025-02-20" in str(again[stip_uid]["DESCRIPTION"])
    assert again[stip_uid].decoded("DTSTAMP") >= stip.decoded("DTSTAMP")
    assert "URL" not in again[stip_uid]  # only an http(s) source becomes the URL

    # Done: the follow-up leaves the calendar; a new one is a new event.
    run("followup", "stip", "--done")
    assert set(events(run("export", "--format", "ics").stdout)) == {haiti_uid}


def test_an_empty_calendar_is_still_a_calendar(run, worked_example):
    text = run("export", "--format", "ics").stdout
    assert events(text) == {}


def test_export_refuses_an_unknown_format(run):
    result = run("export", "--format", "ical")
    assert result.exit_code == 2
    assert result.stderr == "Error: unknown format 'ical'; use one of: jsonl, ics\n"
