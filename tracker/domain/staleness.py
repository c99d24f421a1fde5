"""SPEC's two staleness rules at a moment `now`; stale is a flag, not a status.

`stale_reasons` applies them to a commitment's state; `StatusRow` and `Detail` carry a
state with its staleness to the renderers. The same rules over a whole timeline (when a
commitment was stale, when it will be) are in `tracker.domain.history`, which builds on
the constants here. Pure: no clock, no I/O. `now` is a calendar date.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, NamedTuple

from tracker.domain.values import add_duration, describe_duration, parse_duration, plural
from tracker.errors import UserError

if TYPE_CHECKING:
    from projections.model import CommitmentState


from projections.model import (
    Entry,
)

DEFAULT_REVIEW_EVERY = "30d"


FOLLOWUP = "followup"


QUIET = "quiet"


class StaleReason(NamedTuple):
    """Why a commitment is stale, and by how many days."""

    rule: str
    overdue_days: int
    text: str


def default_review_every(env_value: str | None) -> str:
    """`TRACKER_REVIEW_EVERY` if set, else 30 days."""
    if env_value is None or not env_value.strip():
        return DEFAULT_REVIEW_EVERY
    try:
        return parse_duration(env_value)
    except UserError:
        raise UserError(
            f"TRACKER_REVIEW_EVERY={env_value!r} is not a duration; set it to such as 30d, 2w or 3m"
        ) from None


def stale_reasons(state: CommitmentState, now: date, default_review: str) -> list[StaleReason]:
    """Both rules of SPEC "Staleness"; closed commitments are never stale."""
    if not state.is_open:
        return []
    reasons = []
    if state.followup_due is not None and not state.followup_answered:
        due = date.fromisoformat(state.followup_due)
        if due < now:
            days = (now - due).days
            reasons.append(
                StaleReason(
                    rule=FOLLOWUP,
                    overdue_days=days,
                    text=f"follow-up due {due.isoformat()}, {plural(days, 'day')} overdue",
                )
            )
    interval = state.review_every or default_review
    last = date.fromisoformat(state.last_activity_on)
    limit = _review_limit(last, interval)
    if limit < now:
        quiet = (now - last).days
        every = describe_duration(interval)
        if state.last_statement is not None:
            text = f"no statement for {plural(quiet, 'day')}, review every {every}"
        else:
            text = (
                f"no statement since it was added {plural(quiet, 'day')} ago, review every {every}"
            )
        reasons.append(StaleReason(rule=QUIET, overdue_days=(now - limit).days, text=text))
    return reasons


class StatusRow(NamedTuple):
    """A commitment's state with its staleness at `now`."""

    state: CommitmentState
    reasons: tuple[StaleReason, ...]

    @property
    def stale(self) -> bool:
        return bool(self.reasons)

    @property
    def overdue_days(self) -> int:
        return max((r.overdue_days for r in self.reasons), default=0)


class Detail(NamedTuple):
    row: StatusRow
    timeline: tuple[Entry, ...]


def _review_limit(last: date, interval: str) -> date:
    """The day after which a commitment quiet since `last` is stale (as `stale_reasons`)."""
    try:
        return add_duration(last, interval)
    except UserError:
        return date.max  # past the end of the calendar: never due


def quiet_cutoff(interval: str, now: date) -> date | None:
    """The first day of last activity that is not yet stale at `now` under `interval`.

    A commitment quiet since `last` is stale by the quiet rule exactly when
    `last < quiet_cutoff(interval, now)`; None when no day is (the interval ends past the
    calendar). Adding a duration never moves a later day before an earlier one, so the
    days that are stale form a prefix of the calendar, found here by bisection. This is
    what lets a store select the candidate rows without ever missing a stale one.
    """
    low, high = date.min.toordinal(), date.max.toordinal() + 1
    while low < high:  # the first ordinal whose limit is not before now
        mid = (low + high) // 2
        if _review_limit(date.fromordinal(mid), interval) < now:
            low = mid + 1
        else:
            high = mid
    # `date.max` itself is never stale (its limit is not before any `now`), so low fits.
    return date.fromordinal(low) if low > date.min.toordinal() else None
