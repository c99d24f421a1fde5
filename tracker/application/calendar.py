"""`tracker export --format ics`: the open commitments' follow-ups, read for the calendar.

`collect` reads the open follow-ups through `View`; `tracker.output.ics` writes them.
"""

from __future__ import annotations

from projections.model import current, describe_answer, followup_fate
from projections.queries import View
from tracker.application.session import Session
from tracker.output.ics import DueFollowup, calendar_ics


def collect(session: Session) -> list[DueFollowup]:
    """Every open commitment with an open follow-up, by due date then id."""
    found = []
    with session.store.reading() as sql:
        view = View(sql)
        for state in view.states(open_only=True):
            if state.followup_due is None or state.followup_seq is None:
                continue
            entries = current(view.timeline(state.id))
            scheduled = next(e for e in entries if e.seq == state.followup_seq)
            fate = followup_fate(entries)
            found.append(
                DueFollowup(
                    state=state,
                    scheduled_by=scheduled.event_id,
                    last_recorded_at=max(e.recorded_at for e in entries),
                    answered_by=describe_answer(fate) if fate is not None else None,
                )
            )
    found.sort(key=lambda d: (d.state.followup_due or "", d.state.id))
    return found


def export_ics(session: Session) -> str:
    return calendar_ics(collect(session))
