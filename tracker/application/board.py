"""The status board (`tracker report`): what it shows, read in one snapshot.

`gather` reads every commitment and its timeline through `View` and measures staleness
at `now` exactly as `status` does; `tracker.domain.views.build` turns them into the board
and `tracker.output.board` draws it.
"""

from __future__ import annotations

from projections.model import current
from projections.queries import View
from tracker.application.read import clock_dates, with_staleness
from tracker.application.session import Session
from tracker.domain.views import Board, build


def gather(session: Session, *, as_of: str | None = None, now: str | None = None) -> Board:
    """Every commitment as it stands (or stood on `as_of`), with its timeline, measured for
    staleness at `now` (else the as-of date, else today) exactly as `status` does."""
    as_of_day, now_day = clock_dates(session, as_of, now)
    with session.store.reading() as sql:
        view = View(sql)
        states = view.states() if as_of_day is None else view.states_as_of(as_of_day)
        timelines = {s.id: current(view.timeline(s.id)) for s in states}
    if as_of_day is not None:
        cutoff = as_of_day.isoformat()
        timelines = {
            cid: [e for e in entries if e.effective_on <= cutoff]
            for cid, entries in timelines.items()
        }
    rows = with_staleness(session, states, now_day)
    return build(rows, timelines, now_day, session.default_review, as_of=as_of_day)
