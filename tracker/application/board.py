"""The status board (`tracker report`): what it shows, read in one snapshot.

`gather` reads every commitment and its timeline through `View` and measures staleness
at `now` exactly as `status` does; `tracker.domain.views.build` turns them into the board
and `tracker.output.board` draws it.
"""

from __future__ import annotations

from projections.queries import View
from tracker.application.read import with_staleness
from tracker.application.session import Session
from tracker.domain.views import Board, build


def gather(session: Session, *, now: str | None = None) -> Board:
    """Every commitment as it stands, with its timeline, measured for staleness at `now`."""
    now_day = session.date(now, "--now date") if now is not None else session.today
    with session.store.reading() as sql:
        view = View(sql)
        states = view.states()
        timelines = {s.id: view.timeline(s.id) for s in states}
    rows = with_staleness(session, states, now_day)
    return build(rows, timelines, now_day, session.default_review)
