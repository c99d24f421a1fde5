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
from tracker.domain.search import Candidate, Hit, NameCount, rank, terms, words
from tracker.domain.staleness import Detail, StaleRules, StatusRow
from tracker.domain.values import (
    check_commitment_id,
    check_name,
    parse_kind,
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
    rules = StaleRules(now, session.default_review)  # each distinct day worked out once
    return [StatusRow(state=s, reasons=rules.of(s)) for s in states]


SORTS = ("stale", "id", "since", "last")


def status_list(
    session: Session,
    *,
    as_of: str | None = None,
    now: str | None = None,
    statuses: Sequence[str] = (),
    party: str | None = None,
    open_only: bool = False,
    stale_only: bool = False,
    by: str | None = None,
    tag: str | None = None,
    kind: str | None = None,
    sort: str | None = None,
) -> tuple[date, list[StatusRow]]:
    as_of_day, now_day = clock_dates(session, as_of, now)
    wanted = tuple(dict.fromkeys(parse_status(s)[0] for s in statuses))
    party_name = check_name("party", party).casefold() if party is not None else None
    speaker = check_name("speaker (--by)", by).casefold() if by is not None else None
    tag_name = check_name("tag", tag).casefold() if tag is not None else None
    kind_name = parse_kind(kind) if kind is not None else None
    order = sort if sort is not None else "stale"
    if order not in SORTS:
        raise UserError(f"unknown sort {sort!r}; use one of: {', '.join(SORTS)}")
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
        if speaker is not None:
            spoke = _spoken_on(view, speaker, as_of_day)
            states = [s for s in states if s.id in spoke]
    if party_name is not None:
        states = [s for s in states if party_name in (p.casefold() for p in s.parties)]
    if tag_name is not None:
        states = [s for s in states if tag_name in (t.casefold() for t in s.tags)]
    if kind_name is not None:
        states = [s for s in states if s.kind == kind_name]
    rows = with_staleness(session, states, now_day)
    if stale_only:
        rows = [r for r in rows if r.stale]
    return now_day, sort_rows(rows, order)


def _spoken_on(view: View, speaker: str, as_of: date | None) -> set[str]:
    """The commitments with a live statement (by `as_of`) naming this speaker, case ignored."""
    import json

    cutoff = as_of.isoformat() if as_of is not None else None
    return {
        cid
        for cid, on, speakers in view.statement_speakers()
        if (cutoff is None or on <= cutoff)
        and speaker in (name.casefold() for name in json.loads(speakers or "[]"))
    }


def sort_rows(rows: list[StatusRow], order: str) -> list[StatusRow]:
    """`stale`: most overdue first, then id (as `remind`); `id`; `since` and `last`: the
    latest first (a commitment with no statement last), then id."""
    rows = sorted(rows, key=lambda r: r.state.id)
    if order == "stale":
        rows.sort(key=lambda r: -r.overdue_days)
    elif order == "since":
        rows.sort(key=lambda r: r.state.status_since, reverse=True)
    elif order == "last":
        rows.sort(
            key=lambda r: r.state.last_statement.on if r.state.last_statement else "",
            reverse=True,
        )
    return rows


def search(session: Session, query: str, *, limit: int | None = 20) -> list[Hit]:
    """The live statements matching every word of `query`, best first (tracker.domain.search)."""
    wanted = terms(query)
    if not wanted:
        raise UserError("give the words to search for, e.g. tracker search harbour ships")
    if limit is not None and limit < 1:
        raise UserError(f"--limit must be at least 1, not {limit}")
    with session.store.reading() as sql:
        view = View(sql)
        titled = [
            cid
            for cid, title in view.titles()
            if any(w.lower().startswith(t) for w in words(title) for t in wanted)
        ]
        rows = view.statements(
            fts_query=" AND ".join(f'"{t}"*' for t in wanted),
            patterns=["%" + _like_escape(t) + "%" for t in wanted],
            commitments=titled,
        )
    import json

    candidates = (
        Candidate(
            commitment_id=r["commitment_id"],
            title=r["title"],
            seq=r["seq"],
            event_id=r["event_id"],
            on=r["effective_on"],
            speaker=r["speaker"] or "",
            speakers=(),  # read below, for the hits shown only
            quote=r["quote"] or "",
            source=r["source"],
        )
        for r in rows
    )
    hits = rank(candidates, query, limit)
    listed = {(r["seq"], r["commitment_id"]): r["speakers"] for r in rows}
    return [
        h._replace(
            candidate=h.candidate._replace(
                speakers=tuple(
                    json.loads(listed[(h.candidate.seq, h.candidate.commitment_id)] or "[]")
                )
            )
        )
        for h in hits
    ]


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def names(session: Session) -> list[NameCount]:
    """Every distinct speaker and party, spelled as typed, with how often each occurs."""
    import json
    from collections import Counter

    with session.store.reading() as sql:
        view = View(sql)
        speakers = Counter(
            name for listed in view.speaker_lists() for name in json.loads(listed or "[]")
        )
        parties = Counter(name for s in view.states() for name in s.parties)
    every = set(speakers) | set(parties)
    ordered = sorted(every, key=lambda n: (n.casefold(), n))
    return [NameCount(n, speakers[n], parties[n]) for n in ordered]


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
