"""A commitment's history by SPEC's rules: status bands, follow-ups and stale stretches.

Derived from its timeline entries alone, for the status board: which status held from
when to when (the latest assertion by effective date wins, as in the fold), what became
of each follow-up, the stretches it was stale (rules 1 and 2 of `tracker.domain.staleness`
applied day by day), and in how many days an open commitment turns stale. Pure.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

import attrs

from projections.model import (
    ADDED,
    FOLLOWUP_DONE,
    STATEMENT,
    Entry,
    FollowupFate,
    answers,
    describe_answer,
    followup_fates,
    sets_followup,
)
from tracker.domain.staleness import FOLLOWUP, StatusRow
from tracker.domain.values import add_duration, is_open
from tracker.errors import UserError


@attrs.frozen(kw_only=True)
class Span:
    """A stretch of days on the axis, `start` to `end`."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days


@attrs.frozen(kw_only=True)
class Band:
    """The status a commitment stood at from `start` to `end`."""

    start: date
    end: date
    status: str
    label: str


@attrs.frozen(kw_only=True)
class Followup:
    """One follow-up as scheduled, and what became of it."""

    event_id: str
    scheduled_on: date
    due: date
    note: str | None
    # waiting, answered (a statement came after it), done, replaced, cleared (amend
    # --clear-due), or closed (the commitment closed while it waited: never reminded)
    outcome: str
    overdue: bool  # waiting past its due date on an open commitment: what makes it stale
    answered_by: str | None = None  # what answered it, in words (the statement, or --done)


# A week's notice: enough to chase a source before the reminder report flags it.
SOON_DAYS = 7


def days_until_stale(row: StatusRow, now: date, review_default: str) -> int | None:
    """In how many days an open, not yet stale commitment turns stale, if within SOON_DAYS.

    Stale means past the day (SPEC: a due date before NOW; a last statement more than the
    interval before NOW), so it turns stale the day after its due date or review limit.
    """
    state = row.state
    if not state.is_open or row.stale:
        return None
    days = []
    if state.followup_due is not None and not state.followup_answered:
        days.append((_day(state.followup_due) - now).days + 1)
    limit = _limit(_day(state.last_activity_on), state.review_every or review_default)
    if limit != date.max:
        days.append((limit - now).days + 1)
    soonest = min(days, default=None)
    return soonest if soonest is not None and 0 < soonest <= SOON_DAYS else None


def _day(text: str) -> date:
    return date.fromisoformat(text)


def _live(entries: Iterable[Entry]) -> list[Entry]:
    return [e for e in entries if not e.retracted]


def status_bands(entries: Sequence[Entry], *, end: date) -> tuple[Band, ...]:
    """The status over time: the latest assertion by effective date wins, as in the fold."""
    live = _live(entries)
    if not any(e.role == ADDED for e in live):
        return ()
    # From the first thing on record: statements may predate the adding.
    start = min(_day(e.effective_on) for e in live)
    status, label, since = "proposed", "proposed", start
    bands: list[Band] = []
    for entry in live:  # already by effective date, ties by the later-recorded
        if entry.status is None:
            continue
        on = max(_day(entry.effective_on), start)
        if on > since and entry.status != status:
            bands.append(Band(start=since, end=on, status=status, label=label))
            since = on
        status, label = entry.status, entry.label or entry.status
    bands.append(Band(start=since, end=max(end, since), status=status, label=label))
    return tuple(bands)


def followup_history(entries: Sequence[Entry], now: date, row: StatusRow) -> tuple[Followup, ...]:
    """Each follow-up in log order, and what answered, closed or replaced it (SPEC rule 1)."""
    fates = followup_fates(entries)
    found = []
    for i, fate in enumerate(fates):
        if fate.done is not None:
            outcome = "done" if fate.done.role == FOLLOWUP_DONE else "cleared"
        elif fate.answer is not None:
            outcome = "answered"
        elif i < len(fates) - 1:
            outcome = "replaced"
        else:  # a follow-up left open when the commitment closed is awaited no more
            outcome = "waiting" if row.state.is_open else "closed"
        found.append(_followup(fate, outcome, now, row))
    return tuple(found)


def _followup(fate: FollowupFate, outcome: str, now: date, row: StatusRow) -> Followup:
    entry = fate.followup
    due = _day(entry.due or entry.effective_on)
    return Followup(
        event_id=entry.event_id,
        scheduled_on=_day(entry.effective_on),
        due=due,
        note=entry.note,
        outcome=outcome,
        overdue=outcome == "waiting" and due < now and row.state.is_open,
        answered_by=describe_answer(fate),
    )


def stale_stretches(
    row: StatusRow,
    entries: Sequence[Entry],
    bands: Sequence[Band],
    followups: Sequence[Followup],
    now: date,
    review_default: str,
) -> tuple[Span, ...]:
    """The stretches in which the commitment was stale, up to `now`.

    The stretch running at `now` comes from the same `stale_reasons` as `status` and
    `remind`, so the board never disagrees with them. Earlier stretches are read off
    the timeline by effective date: a review interval passing with no statement, and a
    follow-up due with nothing after it until the entry that answered, closed or replaced
    it; none while the commitment stood closed.
    """
    live = _live(entries)
    state = row.state
    interval = state.review_every or review_default
    spans: list[Span] = []

    # Rule 2, in the past: the last statement (or, with none yet, the adding) ages until
    # the next statement. Statements may predate the adding (a commitment is often added
    # the day an analyst first reads about it), so each counts from its own date.
    added = _day(state.added_on)
    said = sorted({_day(e.effective_on) for e in live if e.role == STATEMENT})
    pieces = [(added, next(iter(said), None))] if not said or said[0] > added else []
    pieces += [(day, said[i + 1] if i + 1 < len(said) else None) for i, day in enumerate(said)]
    for since, until in pieces:
        limit = _limit(since, interval)
        if until is None and not state.is_open:
            until = now  # quiet until it closed: the closed bands cut it below
        if until is not None and limit < until:
            spans.append(Span(start=limit, end=until))

    # Rule 1, in the past: from the due date to whatever ended the wait: the entry that
    # answered it (a --done, or a statement dated on or after the day it was set) or the
    # follow-up that replaced it.
    by_log = sorted(live, key=lambda e: e.seq)
    for followup in followups:
        set_by = next(e for e in by_log if e.event_id == followup.event_id and sets_followup(e))
        ended = next(
            (
                _day(e.effective_on)
                for e in by_log
                if e.seq > set_by.seq
                and (answers(set_by, e) or sets_followup(e) or e.closes_followup)
            ),
            None if state.is_open else now,
        )
        if ended is not None and ended > followup.due:
            spans.append(Span(start=followup.due, end=ended))

    past = [Span(start=s.start, end=min(s.end, now)) for s in spans if s.start < now]
    past = _minus(past, [Span(start=b.start, end=b.end) for b in bands if not is_open(b.status)])
    # While it is open, the stretch running at `now` is the one `stale_reasons` sees.
    if row.stale:
        starts = [
            _day(state.followup_due)
            if reason.rule == FOLLOWUP and state.followup_due
            else _limit(_day(state.last_activity_on), interval)
            for reason in row.reasons
        ]
        past.append(Span(start=min(starts), end=now))
    return tuple(_merge(past))


def _limit(last: date, interval: str) -> date:
    try:
        return add_duration(last, interval)
    except UserError:
        return date.max  # past the end of the calendar: never due


def _merge(spans: Iterable[Span]) -> list[Span]:
    merged: list[Span] = []
    for span in sorted((s for s in spans if s.end > s.start), key=lambda s: (s.start, s.end)):
        if merged and span.start <= merged[-1].end:
            last = merged[-1]
            merged[-1] = Span(start=last.start, end=max(last.end, span.end))
        else:
            merged.append(span)
    return merged


def _minus(spans: Iterable[Span], holes: Sequence[Span]) -> list[Span]:
    out = list(spans)
    for hole in holes:
        cut: list[Span] = []
        for s in out:
            if hole.end <= s.start or hole.start >= s.end:
                cut.append(s)
                continue
            if s.start < hole.start:
                cut.append(Span(start=s.start, end=hole.start))
            if hole.end < s.end:
                cut.append(Span(start=hole.end, end=s.end))
        out = cut
    return out
