"""The reminder report: which open commitments have gone stale at `now`, and which are new.

`build` reads the projections; `record` appends a `reminder.issued` event (at most
one per local calendar day). The scheduler in `tracker.application.schedule` calls these
same two functions. No rendering here.

Reading the report must start fast (a report of 20,000 rows is read in a blink): the
event types, the codec and attrs are loaded only to record it.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from projections.queries import StaleCandidate, View
from tracker.application.session import Session
from tracker.domain.reminder import ReminderItem, ReminderReport
from tracker.domain.staleness import StaleRules, StatusRow, quiet_cutoff

if TYPE_CHECKING:
    from events import StoredEvent


def build(session: Session, now: date, *, full: bool = False) -> ReminderReport:
    """The report at `now`; `full`: each item also carries its whole status row (for JSON)."""
    rules = StaleRules(now, session.default_review)
    with session.store.reading() as sql:
        view = View(sql)
        # SQL reads only the rows that may be stale; the rules decide below, as everywhere.
        cutoffs: dict[str | None, str] = {}
        for interval in view.review_intervals():
            cutoff = quiet_cutoff(interval or session.default_review, now)
            if cutoff is not None:
                cutoffs[interval] = cutoff.isoformat()
        if full:
            states = view.stale_candidates(now.isoformat(), cutoffs)
        else:
            candidates = view.stale_summaries(now.isoformat(), cutoffs)
        previous = view.previous_report(now.isoformat())
    before = frozenset(previous.items) if previous else frozenset()
    items: list[ReminderItem] = []
    if full:
        for state in states:
            reasons = rules.of(state)
            if reasons:
                overdue = max(r.overdue_days for r in reasons)
                row = StatusRow(state=state, reasons=reasons)
                new = state.id not in before
                items.append(ReminderItem(StaleCandidate.of(state), reasons, overdue, new, row))
    else:
        reasons_of = rules.reasons
        for c in candidates:
            reasons = reasons_of(
                c.is_open,
                c.followup_due,
                c.followup_answered,
                c.review_every,
                c.last_activity_on,
                c.has_statement,
            )
            if reasons:
                overdue = (
                    reasons[0].overdue_days
                    if len(reasons) == 1
                    else max(r.overdue_days for r in reasons)
                )
                items.append(ReminderItem(c, reasons, overdue, c.id not in before))
    # Most overdue first, then by id: two stable sorts, cheaper than one on a tuple key.
    items.sort(key=lambda i: i.state.id)
    items.sort(key=lambda i: i.overdue_days, reverse=True)
    return ReminderReport(
        now=now, items=tuple(items), previous_day=previous.day if previous else None
    )


def record(
    session: Session, report: ReminderReport, *, schedule: str | None = None
) -> StoredEvent | None:
    """Append `reminder.issued` for the report's day, unless one is already recorded."""
    from tracker.domain import decide

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


def issue(
    session: Session, day: date, *, recording: bool, full: bool = False
) -> tuple[ReminderReport, str | None]:
    """`tracker remind [--record]`: the report for `day`, recorded when asked (once a day).

    Returns the report, marked with its record when there is one, and a line saying
    whether this run recorded it (None without `recording`).
    """
    report = build(session, day, full=full)
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
