"""The reminder report: which open commitments have gone stale at `now`, and which are new.

`build` reads the projections; `record` appends a `reminder.issued` event (at most
one per local calendar day). The scheduler in `tracker.application.schedule` calls these
same two functions. No rendering here.
"""

from __future__ import annotations

from datetime import date

from events import StoredEvent
from projections.queries import View
from tracker.application.read import with_staleness
from tracker.application.session import Session
from tracker.domain import decide
from tracker.domain.staleness import quiet_cutoff
from tracker.domain.views import ReminderItem, ReminderReport


def build(session: Session, now: date) -> ReminderReport:
    with session.store.reading() as sql:
        view = View(sql)
        # SQL reads only the rows that may be stale; the rules decide below, as everywhere.
        cutoffs: dict[str | None, str] = {}
        for interval in view.review_intervals():
            cutoff = quiet_cutoff(interval or session.default_review, now)
            if cutoff is not None:
                cutoffs[interval] = cutoff.isoformat()
        states = view.stale_candidates(now.isoformat(), cutoffs)
        previous = view.previous_report(now.isoformat())
    rows = [r for r in with_staleness(session, states, now) if r.stale]
    rows.sort(key=lambda r: (-r.overdue_days, r.state.id))
    before = set(previous.items) if previous else set()
    items = tuple(ReminderItem(row=r, new=r.state.id not in before) for r in rows)
    return ReminderReport(now=now, items=items, previous_day=previous.day if previous else None)


def record(
    session: Session, report: ReminderReport, *, schedule: str | None = None
) -> StoredEvent | None:
    """Append `reminder.issued` for the report's day, unless one is already recorded."""
    stored = session.record(
        lambda view: decide.record_reminder(
            view, day=report.now, now=report.now, items=report.ids, schedule=schedule
        )
    )
    return stored[0] if stored else None


def recorded_for(session: Session, day: date) -> str | None:
    """The id of the `reminder.issued` event recorded for this local day, if any."""
    with session.store.reading() as sql:
        report = View(sql).report_for(day.isoformat())
    return report.event_id if report else None


def issue(session: Session, day: date, *, recording: bool) -> tuple[ReminderReport, str | None]:
    """`tracker remind [--record]`: the report for `day`, recorded when asked (once a day).

    Returns the report, marked with its record when there is one, and a line saying
    whether this run recorded it (None without `recording`).
    """
    report = build(session, day)
    if not recording:
        return report, None
    stored = record(session, report)
    if stored is not None:
        note = f"recorded this report for {day} (event {stored.seq}, {stored.id})"
        return report.recorded(stored.id, now=True), note
    earlier = recorded_for(session, day)
    note = (
        f"not recorded: a report for {day} was already recorded (event "
        f"{earlier}); one is recorded per day"
    )
    return (report if earlier is None else report.recorded(earlier, now=False)), note
