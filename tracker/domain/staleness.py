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
        followup = followup_reason(state.followup_due, now)
        if followup is not None:
            reasons.append(followup)
    interval = state.review_every or default_review
    quiet = quiet_reason(state.last_activity_on, interval, state.last_statement is not None, now)
    if quiet is not None:
        reasons.append(quiet)
    return reasons


def followup_reason(followup_due: str, now: date) -> StaleReason | None:
    """The follow-up rule for an unanswered follow-up due on `followup_due`."""
    due = date.fromisoformat(followup_due)
    if not due < now:
        return None
    days = (now - due).days
    return StaleReason(
        rule=FOLLOWUP,
        overdue_days=days,
        text=f"follow-up due {due.isoformat()}, {plural(days, 'day')} overdue",
    )


def quiet_reason(
    last_activity_on: str, interval: str, has_statement: bool, now: date
) -> StaleReason | None:
    """The review rule for a commitment last active on `last_activity_on`."""
    last = date.fromisoformat(last_activity_on)
    limit = _review_limit(last, interval)
    if not limit < now:
        return None
    quiet = (now - last).days
    every = describe_duration(interval)
    if has_statement:
        text = f"no statement for {plural(quiet, 'day')}, review every {every}"
    else:
        text = f"no statement since it was added {plural(quiet, 'day')} ago, review every {every}"
    return StaleReason(rule=QUIET, overdue_days=(now - limit).days, text=text)


class StaleRules:
    """`stale_reasons` for many commitments at one `now`: the same two rules, each distinct
    due day and (last activity, interval) worked out once. A report of 20,000 rows meets
    a few thousand distinct days, so most rows cost two dictionary look-ups."""

    def __init__(self, now: date, default_review: str) -> None:
        self.now = now
        self.default_review = default_review
        self._followups: dict[str, StaleReason | None] = {}
        self._quiet: dict[tuple[str, str, bool], StaleReason | None] = {}

    def reasons(
        self,
        is_open: bool,
        followup_due: str | None,
        followup_answered: bool,
        review_every: str | None,
        last_activity_on: str,
        has_statement: bool,
    ) -> tuple[StaleReason, ...]:
        if not is_open:
            return ()
        followup = None
        if followup_due is not None and not followup_answered:
            try:
                followup = self._followups[followup_due]
            except KeyError:
                followup = self._followups[followup_due] = followup_reason(followup_due, self.now)
        key = (last_activity_on, review_every or self.default_review, has_statement)
        try:
            quiet = self._quiet[key]
        except KeyError:
            quiet = self._quiet[key] = quiet_reason(*key, self.now)
        if followup is None:
            return () if quiet is None else (quiet,)
        return (followup,) if quiet is None else (followup, quiet)

    def of(self, state: CommitmentState) -> tuple[StaleReason, ...]:
        """`stale_reasons(state, now, default_review)`, as a tuple."""
        return self.reasons(
            state.is_open,
            state.followup_due,
            state.followup_answered,
            state.review_every,
            state.last_activity_on,
            state.last_statement is not None,
        )


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
