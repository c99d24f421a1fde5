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
    try:
        limit = add_duration(last, interval)
    except UserError:
        limit = date.max  # past the end of the calendar: never due
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
