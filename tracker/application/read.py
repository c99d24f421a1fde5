"""Reading: the status list, one commitment in detail, the history, the ids.

Measures staleness at `now` (or the as-of date) with `tracker.domain.staleness`. It must
start fast (`tracker status` is typed all day): it loads neither attrs nor the codec.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import TYPE_CHECKING

from projections.model import CommitmentState, current, summarize
from projections.queries import View
from tracker.application.session import Session
from tracker.domain.staleness import Detail, StatusRow, stale_reasons
from tracker.domain.values import (
    check_commitment_id,
    check_name,
    parse_status,
    unknown_commitment,
)
from tracker.errors import UserError

if TYPE_CHECKING:
    from events import StoredEvent


def clock_dates(session: Session, as_of: str | None, now: str | None) -> tuple[date | None, date]:
    as_of_day = session.date(as_of, "--as-of date") if as_of is not None else None
    # With --as-of and no --now, staleness is measured at the as-of date.
    now_day = session.date(now, "--now date") if now is not None else as_of_day or session.today
    return as_of_day, now_day


def with_staleness(
    session: Session, states: Sequence[CommitmentState], now: date
) -> list[StatusRow]:
    default = session.default_review
    return [StatusRow(state=s, reasons=tuple(stale_reasons(s, now, default))) for s in states]


def status_list(
    session: Session,
    *,
    as_of: str | None = None,
    now: str | None = None,
    statuses: Sequence[str] = (),
    party: str | None = None,
    open_only: bool = False,
    stale_only: bool = False,
) -> tuple[date, list[StatusRow]]:
    as_of_day, now_day = clock_dates(session, as_of, now)
    wanted = tuple(dict.fromkeys(parse_status(s)[0] for s in statuses))
    party_name = check_name("party", party).casefold() if party is not None else None
    with session.store.reading() as sql:
        view = View(sql)
        if as_of_day is not None:
            states = view.states_as_of(as_of_day)
            if wanted:
                states = [s for s in states if s.status in wanted]
            if open_only:
                states = [s for s in states if s.is_open]
        else:
            states = view.states(statuses=wanted, open_only=open_only)
    if party_name is not None:
        states = [s for s in states if party_name in (p.casefold() for p in s.parties)]
    rows = with_staleness(session, states, now_day)
    if stale_only:
        rows = [r for r in rows if r.stale]
    return now_day, rows


def status_detail(
    session: Session, cid: str, *, as_of: str | None = None, now: str | None = None
) -> Detail:
    cid = check_commitment_id(cid)
    as_of_day, now_day = clock_dates(session, as_of, now)
    with session.store.reading() as sql:
        view = View(sql)
        # Not tracked: never added, or its adding was retracted (`current` is then empty).
        entries = current(view.timeline(cid))
        if not entries:
            raise unknown_commitment(cid, view.ids())
    state = summarize(entries, as_of_day)
    if state is None:
        raise UserError(
            f"{cid!r} has nothing on record on or before {as_of_day}; try a later --as-of"
        )
    if as_of_day is not None:
        entries = [e for e in entries if e.effective_on <= as_of_day.isoformat()]
    timeline = sorted(entries, key=lambda e: e.order)
    return Detail(row=with_staleness(session, [state], now_day)[0], timeline=tuple(timeline))


def history(session: Session, cid: str | None = None) -> Iterator[StoredEvent]:
    if cid is None:
        yield from session.store.read()
        return
    cid = check_commitment_id(cid)
    with session.store.reading() as sql:
        view = View(sql)
        seqs = view.event_seqs_for(cid)
        if not seqs:
            raise unknown_commitment(cid, view.ids())
    yield from session.store.read(seqs=seqs)


def commitment_ids(session: Session) -> list[str]:
    with session.store.reading() as sql:
        return View(sql).ids()
