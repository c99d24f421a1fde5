"""Services: one function per command, tying parsing, decisions, the store and projections.

They take raw user values (strings), validate them into domain values (raising
`UserError` before anything is written), run a pure decision inside the store's
write transaction, and return domain values for the CLI to render. The clock is
injected (`Session.clock`), never read inside the domain. No SQL here.

Reading the status (`status_list`, `status_detail`) must start fast, so this module
loads neither attrs nor the event codec: the recording commands import the decisions
and the codec where they use them, and the values here are plain classes and
`typing.NamedTuple`s.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from projections.model import CommitmentState, Entry, summarize
from projections.queries import View
from tracker.domain import (
    check_commitment_id,
    check_line,
    check_name,
    check_quote,
    check_text,
    parse_date,
    parse_duration,
    parse_kind,
    parse_status,
    unknown_commitment,
)
from tracker.errors import UserError
from tracker.staleness import StaleReason, default_review_every, stale_reasons
from tracker.store import EventStore

if TYPE_CHECKING:
    from events import Event, NewEvent, StoredEvent
    from tracker import decide


def utc_now() -> datetime:
    return datetime.now(UTC)


def local_today() -> date:
    return datetime.now().astimezone().date()


def format_recorded_at(moment: datetime) -> str:
    """UTC with milliseconds and a Z, as SPEC's example writes it."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class Session:
    """Who is recording, into which store, by which clock."""

    __slots__ = ("actor", "clock", "review_default", "store", "today_fn")
    _FIELDS = ("store", "actor", "clock", "today_fn", "review_default")

    def __init__(
        self,
        *,
        store: EventStore,
        actor: str,
        clock: Callable[[], datetime] = utc_now,
        today_fn: Callable[[], date] = local_today,
        review_default: str | None = None,
    ) -> None:
        self.store = store
        self.actor = actor
        self.clock = clock
        self.today_fn = today_fn
        self.review_default = review_default

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._FIELDS)
        return f"Session({fields})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in self._FIELDS)

    @property
    def today(self) -> date:
        return self.today_fn()

    @property
    def default_review(self) -> str:
        return self.review_default or default_review_every(os.environ.get("TRACKER_REVIEW_EVERY"))

    def record(self, decision: Callable[[View], decide.Decision]) -> list[StoredEvent]:
        def run(sql: object) -> list[NewEvent]:
            # Read the clock under the write lock, so recorded times follow log order even
            # when several writers queue for the lock.
            recorded_at = format_recorded_at(self.clock())
            return [
                self.new_event(event, on, recorded_at)
                for event, on in decision(View(sql))  # type: ignore[arg-type]
            ]

        return self.store.append(run)

    def new_event(self, event: Event, on: date, recorded_at: str) -> NewEvent:
        import uuid

        from events.codec import CODEC, NewEvent

        type_name, schema, data = CODEC.encode(event)
        return NewEvent(
            id=str(uuid.uuid4()),
            type=type_name,
            schema=schema,
            occurred_on=on.isoformat(),
            recorded_at=recorded_at,
            recorded_by=self.actor,
            data=data,
        )

    # --- parsing shared by the commands -------------------------------------------------

    def on_date(self, value: str | None) -> date:
        """An effective date: defaults to today, and a development cannot be in the future."""
        if value is None:
            return self.today
        day = parse_date(value, today=self.today, what="--on date")
        if day > self.today:
            raise UserError(
                f"--on {value} is {day.isoformat()}, in the future; a statement or change is "
                "recorded on the day it happened (use --due for what is expected)"
            )
        return day

    def date(self, value: str, what: str) -> date:
        return parse_date(value, today=self.today, what=what)


def _names(what: str, values: Sequence[str] | None) -> tuple[str, ...] | None:
    if values is None:
        return None
    names = tuple(check_name(what, v) for v in values)
    return tuple(dict.fromkeys(names))  # repeated names once, order kept


def _optional_text(what: str, value: str | None) -> str | None:
    return None if value is None else check_text(what, value)


def parse_ref(value: str) -> tuple[str, tuple[str, str] | None]:
    """`ID` or `ID=STATUS` as given to -c."""
    cid, sep, word = value.partition("=")
    cid = check_commitment_id(cid.strip())
    if not sep:
        return cid, None
    if not word.strip():
        raise UserError(f"-c {value!r} has '=' but no status; write -c {cid}=STATUS or -c {cid}")
    return cid, parse_status(word)


# --- recording commands ----------------------------------------------------------------------


def add(
    session: Session,
    cid: str,
    *,
    title: str,
    kind: str = "commitment",
    parties: Sequence[str] = (),
    status: str | None = None,
    due: str | None = None,
    review_every: str | None = None,
    tags: Sequence[str] = (),
    supersedes: str | None = None,
    on: str | None = None,
) -> list[StoredEvent]:
    cid = check_commitment_id(cid)
    values = {
        "cid": cid,
        "title": check_line("title", title),
        "kind": parse_kind(kind),
        "parties": _names("party", parties) or (),
        "tags": _names("tag", tags) or (),
        "status": parse_status(status) if status is not None else None,
        "review_every": parse_duration(review_every) if review_every is not None else None,
        "due": session.date(due, "--due date") if due is not None else None,
        "supersedes": check_commitment_id(supersedes) if supersedes is not None else None,
        "on": session.on_date(on),
    }
    from tracker import decide

    return session.record(lambda view: decide.add(view, **values))  # type: ignore[arg-type]


def log(
    session: Session,
    quote: str,
    *,
    by: str,
    refs: Sequence[str],
    on: str | None = None,
    source: str | None = None,
    title: str | None = None,
    tags: Sequence[str] = (),
    note: str | None = None,
) -> list[StoredEvent]:
    values = {
        "quote": check_quote(quote),
        "by": check_name("speaker (--by)", by),
        "source": check_line("source", source) if source is not None else None,
        "refs": [parse_ref(r) for r in refs],
        "title": check_line("title", title) if title is not None else None,
        "tags": _names("tag", tags) or (),
        "note": _optional_text("note", note),
        "on": session.on_date(on),
    }
    from tracker import decide

    return session.record(lambda view: decide.log(view, **values))  # type: ignore[arg-type]


def amend(
    session: Session,
    cid: str,
    *,
    title: str | None = None,
    kind: str | None = None,
    parties: Sequence[str] | None = None,
    review_every: str | None = None,
    tags: Sequence[str] | None = None,
    on: str | None = None,
) -> list[StoredEvent]:
    values = {
        "cid": check_commitment_id(cid),
        "title": check_line("title", title) if title is not None else None,
        "kind": parse_kind(kind) if kind is not None else None,
        "parties": _names("party", parties),
        "tags": _names("tag", tags),
        "review_every": parse_duration(review_every) if review_every is not None else None,
        "on": session.on_date(on),
    }
    from tracker import decide

    return session.record(lambda view: decide.amend(view, **values))  # type: ignore[arg-type]


def followup(
    session: Session,
    cid: str,
    *,
    due: str | None = None,
    done: bool = False,
    note: str | None = None,
    on: str | None = None,
) -> list[StoredEvent]:
    values = {
        "cid": check_commitment_id(cid),
        "due": session.date(due, "--due date") if due is not None else None,
        "done": done,
        "note": _optional_text("note", note),
        "on": session.on_date(on),
    }
    from tracker import decide

    return session.record(lambda view: decide.followup(view, **values))  # type: ignore[arg-type]


def retract(session: Session, event_id: str, *, reason: str) -> list[StoredEvent]:
    from tracker import decide

    event_id = event_id.strip().lower()
    reason = check_text("reason", reason)
    on = session.today
    return session.record(
        lambda view: decide.retract(view, event_id=event_id, reason=reason, on=on)
    )


# --- reading commands ----------------------------------------------------------------------


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


def _clock_dates(session: Session, as_of: str | None, now: str | None) -> tuple[date | None, date]:
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
    as_of_day, now_day = _clock_dates(session, as_of, now)
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


class Detail(NamedTuple):
    row: StatusRow
    timeline: tuple[Entry, ...]


def status_detail(
    session: Session, cid: str, *, as_of: str | None = None, now: str | None = None
) -> Detail:
    cid = check_commitment_id(cid)
    as_of_day, now_day = _clock_dates(session, as_of, now)
    with session.store.reading() as sql:
        view = View(sql)
        entries = view.timeline(cid)
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


# --- ingest ------------------------------------------------------------------------------------


def ingest_proposals(
    session: Session,
    raw: bytes,
    name: str | None,
    *,
    by: str | None = None,
    on: str | None = None,
    source: str | None = None,
) -> list[Any]:
    """Propose the statements of an article or readout; nothing is written."""
    from tracker.ingest import KnownCommitment, propose, read_input

    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UserError(
            f"{name or 'standard input'} is not UTF-8 text (byte {exc.start + 1}); "
            "convert it, for example with iconv"
        ) from None
    speaker = check_name("speaker (--by)", by) if by is not None else None
    day = session.on_date(on).isoformat()
    cited = check_line("source", source) if source is not None else None
    with session.store.reading() as sql:
        view = View(sql)
        known = [KnownCommitment(id=s.id, title=s.title) for s in view.states()]
    return propose(read_input(text, name), known, by=speaker, on=day, source=cited)


def parse_selection(value: str, count: int) -> list[int]:
    """`--apply all` or `--apply 1,3`: proposal numbers, checked against what was proposed."""
    if value.strip().lower() == "all":
        return list(range(1, count + 1))
    chosen: list[int] = []
    for part in value.split(","):
        part = part.strip()
        if not part.isdigit() or not 1 <= int(part) <= count:
            raise UserError(
                f"--apply {value!r}: {part!r} is not a proposal number (1 to {count}); "
                "use numbers from the table, such as --apply 1,3, or --apply all"
            )
        if int(part) not in chosen:
            chosen.append(int(part))
    return chosen


def ingest_apply(
    session: Session, proposals: Sequence[Any], chosen: Sequence[int]
) -> list[StoredEvent]:
    """Log the chosen proposals in one transaction, through the same decision as `tracker log`."""
    from tracker import decide

    picked = [p for p in proposals if p.n in chosen]
    values: list[dict[str, Any]] = []
    for p in picked:
        if p.by is None:
            raise UserError(f"proposal {p.n} has no speaker; give one with --by")
        values.append(
            {
                "quote": check_quote(p.quote),
                "by": check_name("speaker", p.by),
                "source": p.source,
                "cid": check_commitment_id(p.commitment),
                "status": parse_status(p.label),
                "title": check_line("title", p.title) if p.new else None,
                "on": date.fromisoformat(p.on) if p.on else session.today,
            }
        )

    def decision(view: View) -> decide.Decision:
        pending = _PendingAdds(view)
        events: decide.Decision = []
        for v in values:
            if view.has_statement(v["cid"], v["quote"], v["by"], v["on"].isoformat()):
                continue  # applied before: the same words, speaker and day are not logged twice
            title = v["title"] if v["title"] is not None and not pending.has(v["cid"]) else None
            events += decide.log(
                pending,
                quote=v["quote"],
                by=v["by"],
                source=v["source"],
                refs=[(v["cid"], v["status"])],
                title=title,
                tags=(),
                note=None,
                on=v["on"],
            )
            if title is not None:
                pending.add(v["cid"], title, v["on"])
        return events

    return session.record(decision)


class _PendingAdds:
    """A view that also sees the commitments added earlier in the same transaction."""

    def __init__(self, view: View) -> None:
        self.view = view
        self.added: dict[str, CommitmentState] = {}

    def has(self, cid: str) -> bool:
        return cid in self.added or self.view.get(cid) is not None

    def add(self, cid: str, title: str, on: date) -> None:
        entry = Entry(
            commitment_id=cid,
            seq=0,
            event_id="",
            role="added",
            effective_on=on.isoformat(),
            recorded_at="",
            recorded_by="",
            title=title,
            kind="commitment",
            parties="[]",
            tags="[]",
        )
        state = summarize([entry])
        assert state is not None
        self.added[cid] = state

    def get(self, cid: str) -> CommitmentState | None:
        return self.added.get(cid) or self.view.get(cid)

    def ids(self) -> list[str]:
        return sorted({*self.view.ids(), *self.added})

    def event(self, event_id: str) -> Any:
        return self.view.event(event_id)

    def report_for(self, day: str) -> Any:
        return self.view.report_for(day)
