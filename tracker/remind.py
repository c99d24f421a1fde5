"""The reminder report: which open commitments have gone stale at `now`, and which are new.

`build` reads the projections; `record` appends a `reminder.issued` event (at most
one per local calendar day). The scheduler in `tracker.scheduler` calls these same
two functions. No rendering here.
"""

from __future__ import annotations

from datetime import date

import attrs

from events import StoredEvent
from projections.queries import View
from tracker import decide
from tracker.services import Session, StatusRow, with_staleness


@attrs.frozen(kw_only=True)
class ReminderItem:
    row: StatusRow
    new: bool


@attrs.frozen(kw_only=True)
class ReminderReport:
    """Every stale open commitment at `now`, most overdue first."""

    now: date
    items: tuple[ReminderItem, ...]
    previous_day: str | None

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(item.row.state.id for item in self.items)


def build(session: Session, now: date) -> ReminderReport:
    with session.store.reading() as sql:
        view = View(sql)
        states = view.states(open_only=True)
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
