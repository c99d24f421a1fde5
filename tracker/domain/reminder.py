"""The reminder report: the stale open commitments at `now`, and which are new.

Plain values (no attrs: `remind` must start fast). Each item carries what the report
shows of a commitment (`StaleCandidate`, a few columns of its status row) and why it is
stale; the whole status row only when the report was built for JSON, which lists it all.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from projections.queries import StaleCandidate
    from tracker.domain.staleness import StaleReason, StatusRow


class ReminderItem(NamedTuple):
    state: StaleCandidate
    reasons: tuple[StaleReason, ...]
    overdue_days: int
    new: bool
    row: StatusRow | None = None  # the whole status row: only in a report built for JSON


class ReminderReport(NamedTuple):
    """Every stale open commitment at `now`, most overdue first."""

    now: date
    items: tuple[ReminderItem, ...]
    previous_day: str | None
    # After `--record`: the `reminder.issued` event that records this day's report, and
    # whether this run recorded it (False: one was already recorded for the day).
    recorded_event: str | None = None
    recorded_now: bool = False

    def recorded(self, event_id: str, *, now: bool) -> ReminderReport:
        return self._replace(recorded_event=event_id, recorded_now=now)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(item.state.id for item in self.items)
