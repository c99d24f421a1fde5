"""The follow-ups as an iCalendar file, with the `icalendar` package (imported only here).

Each follow-up is one all-day event on its due date whose UID is derived from the
commitment and the event that scheduled it, so importing a later export again
updates the event instead of adding a second one. Exports of the same log are
byte-identical: DTSTAMP is when the commitment was last recorded, not the clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

import attrs

from projections.model import CommitmentState
from tracker.errors import RuntimeFailure
from tracker.output.html import status_text, web_url

PRODID = "-//tracker//follow-ups//EN"


UID_DOMAIN = "tracker"


@attrs.frozen(kw_only=True)
class DueFollowup:
    """An open commitment's open follow-up, with what a calendar entry needs."""

    state: CommitmentState
    scheduled_by: str  # the id of the event that scheduled the follow-up
    last_recorded_at: str  # the latest recorded time among the commitment's entries
    answered_by: str | None = None  # the statement that answered the follow-up, in words

    @property
    def uid(self) -> str:
        return f"{self.state.id}-{self.scheduled_by}@{UID_DOMAIN}"


def _recorded(text: str) -> datetime:
    """`recorded_at` as stored (`YYYY-MM-DDTHH:MM:SS.mmmZ`) to a UTC time, whole seconds."""
    return datetime.strptime(text[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)


def description(state: CommitmentState, answered_by: str | None = None) -> str:
    lines = [f"Status: {status_text(state.status, state.label)}, since {state.status_since}"]
    if state.followup_note:
        lines.append(f"Follow-up note: {state.followup_note}")
    if answered_by:
        lines.append(f"Answered by {answered_by}.")
    last = state.last_statement
    if last is None:
        lines.append(f"Last statement: none yet (added {state.added_on})")
    else:
        lines.append(f"Last statement: {last.on}, {last.by}: “{last.quote}”")
        if last.source:
            lines.append(f"Source: {last.source}")
    if state.parties:
        lines.append(f"Parties: {', '.join(state.parties)}")
    lines.append(f"Tracked as {state.id} (tracker status {state.id})")
    return "\n".join(lines)


def calendar_ics(items: Sequence[DueFollowup]) -> str:
    """The follow-ups as one VCALENDAR of all-day VEVENTs (CRLF line ends, as RFC 5545 says)."""
    try:
        import icalendar
    except ImportError:  # a broken install: it is a declared dependency
        raise RuntimeFailure(
            "the icalendar package is missing; reinstall tracker (pip install icalendar)"
        ) from None

    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "tracker follow-ups")
    for item in items:
        state = item.state
        due = date.fromisoformat(state.followup_due or "")
        stamp = _recorded(item.last_recorded_at)
        event = icalendar.Event()
        event.add("uid", item.uid)
        event.add("dtstamp", stamp)
        event.add("last-modified", stamp)
        event.add("dtstart", due)
        if due < date.max:  # DTEND is exclusive; without it an all-day event lasts the day
            event.add("dtend", due + timedelta(days=1))
        event.add("summary", f"Follow-up due: {state.title} ({state.id})")
        event.add("description", description(state, item.answered_by))
        event.add("categories", ["tracker", state.status])
        # A reminder on the day, not a busy block in the diary.
        event.add("transp", "TRANSPARENT")
        url = web_url(state.last_statement.source if state.last_statement else None)
        if url is not None:
            event.add("url", url)
        cal.add_component(event)
    return str(cal.to_ical().decode("utf-8"))
