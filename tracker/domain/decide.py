"""Pure decisions: given the current state and the parsed input, which events to record.

Each function takes a `View`-like reader and already-validated values, and returns
(event, effective date) pairs or raises `UserError`. No clock, no I/O of its own,
no SQL: the store runs these inside its write transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Protocol

from events import (
    CommitmentAdded,
    CommitmentAmended,
    CommitmentRef,
    Event,
    EventRetracted,
    FollowupCompleted,
    FollowupScheduled,
    ReminderIssued,
    StatementRecorded,
)
from events.rules import OPEN_STATUS_NAMES
from projections.model import CommitmentState
from projections.queries import EventInfo, Report
from tracker.domain.values import EVENT_REF_HINT, status_with_label, unknown_commitment
from tracker.errors import UserError

Decision = list[tuple[Event, date]]


class Reader(Protocol):
    def get(self, cid: str) -> CommitmentState | None: ...

    def ids(self) -> list[str]: ...

    def find_events(self, ref: str) -> list[EventInfo]: ...

    def report_for(self, day: str) -> Report | None: ...


def _existing(view: Reader, cid: str) -> CommitmentState:
    state = view.get(cid)
    if state is None:
        raise unknown_commitment(cid, view.ids())
    return state


def _refuse_existing(view: Reader, cid: str) -> None:
    if view.get(cid) is not None:
        raise UserError(
            f"commitment {cid!r} already exists; log statements about it with "
            f"-c {cid}, or correct it with: tracker amend {cid}"
        )


def add(
    view: Reader,
    *,
    cid: str,
    title: str,
    kind: str,
    parties: tuple[str, ...],
    tags: tuple[str, ...],
    status: tuple[str, str] | None,
    review_every: str | None,
    due: date | None,
    supersedes: str | None,
    on: date,
    aliases: tuple[str, ...] = (),
) -> Decision:
    _refuse_existing(view, cid)
    if due is not None and status is not None and status[0] not in OPEN_STATUS_NAMES:
        raise UserError(
            f"--due goes with an open status: {cid!r} would start {status[1]!r}, which is "
            "closed, and closed commitments are never reminded; drop --due or --status"
        )
    if supersedes is not None:
        if supersedes == cid:
            raise UserError(f"commitment {cid!r} cannot supersede itself")
        _existing(view, supersedes)
    event = CommitmentAdded(
        commitment=cid,
        title=title,
        kind=kind,
        parties=parties,
        tags=tags,
        aliases=_unique(aliases),
        status=status[0] if status else None,
        label=status[1] if status else None,
        review_every=review_every,
        due=due.isoformat() if due else None,
        supersedes=supersedes,
    )
    return [(event, on)]


def log(
    view: Reader,
    *,
    quote: str,
    speakers: tuple[str, ...],
    source: str | None,
    refs: Sequence[tuple[str, tuple[str, str] | None]],
    title: str | None,
    tags: tuple[str, ...],
    note: str | None,
    on: date,
) -> Decision:
    if not speakers:
        raise UserError("say who said it with --by SPEAKER (repeat --by for a joint statement)")
    if not refs:
        raise UserError("name the commitment the statement concerns with -c ID (or -c ID=STATUS)")
    seen: set[str] = set()
    for cid, _ in refs:
        if cid in seen:
            raise UserError(f"commitment {cid!r} is named twice; give each -c once")
        seen.add(cid)
    decision: Decision = []
    if title is not None:
        if len(refs) != 1:
            raise UserError(
                "--title adds a new commitment, so it goes with exactly one -c; "
                "add the others first with: tracker add ID --title TEXT"
            )
        cid = refs[0][0]
        _refuse_existing(view, cid)
        decision.append((CommitmentAdded(commitment=cid, title=title), on))
    else:
        for cid, _ in refs:
            _existing(view, cid)
    statement = StatementRecorded(
        quote=quote,
        speakers=speakers,
        source=source,
        commitments=tuple(
            CommitmentRef(
                id=cid,
                status=status[0] if status else None,
                label=status[1] if status else None,
            )
            for cid, status in refs
        ),
        tags=tags,
        note=note,
    )
    decision.append((statement, on))
    return decision


def _edited(
    what: str,
    current: tuple[str, ...],
    replace: tuple[str, ...] | None,
    add: tuple[str, ...],
    remove: tuple[str, ...],
    cid: str,
) -> tuple[str, ...] | None:
    """A list after `--WHAT` (replace) or `--add-WHAT`/`--remove-WHAT`; None: not touched.

    Names match as typed, except that case is ignored to find one to remove or one
    already there (the spelling on record is kept).
    """
    if replace is not None and (add or remove):
        raise UserError(
            f"--{what} replaces the whole list; give it alone, or use --add-{what} and "
            f"--remove-{what} to change it"
        )
    if replace is not None:
        return replace
    if not add and not remove:
        return None
    both = {n.casefold() for n in add} & {n.casefold() for n in remove}
    if both:
        name = next(n for n in add if n.casefold() in both)
        raise UserError(f"{name!r} is both added and removed; give it once")
    result = list(current)
    for name in remove:
        match = [n for n in result if n.casefold() == name.casefold()]
        if not match:
            listed = ", ".join(repr(n) for n in current) or "none"
            raise UserError(
                f"{name!r} is not a {what} of {cid!r} ({what} now: {listed}); nothing to remove"
            )
        result.remove(match[0])
    for name in add:
        if not any(n.casefold() == name.casefold() for n in result):
            result.append(name)
    return tuple(result)


def amend(
    view: Reader,
    *,
    cid: str,
    title: str | None,
    kind: str | None,
    parties: tuple[str, ...] | None,
    tags: tuple[str, ...] | None,
    review_every: str | None,
    on: date,
    aliases: tuple[str, ...] = (),
    add_parties: tuple[str, ...] = (),
    remove_parties: tuple[str, ...] = (),
    add_tags: tuple[str, ...] = (),
    remove_tags: tuple[str, ...] = (),
    default_review: bool = False,
    clear_due: bool = False,
) -> Decision:
    state = _existing(view, cid)
    taught = _unique((*state.aliases, *aliases))  # --alias adds to the names already taught
    if default_review and review_every is not None:
        raise UserError("give --review-every once: a duration, or 'default'")
    new_parties = _edited("party", state.parties, parties, add_parties, remove_parties, cid)
    new_tags = _edited("tag", state.tags, tags, add_tags, remove_tags, cid)
    if clear_due and state.followup_due is None:
        raise UserError(f"{cid!r} has no open follow-up to clear; nothing is due")
    clear = tuple(
        field
        for field, wanted in (
            ("review_every", default_review and state.review_every is not None),
            ("due", clear_due),
        )
        if wanted
    )
    # Only what differs from the commitment as it reads now is recorded.
    event = CommitmentAmended(
        commitment=cid,
        title=title if title != state.title else None,
        kind=kind if kind != state.kind else None,
        parties=new_parties if new_parties != state.parties else None,
        tags=new_tags if new_tags != state.tags else None,
        aliases=taught if taught != state.aliases else None,
        review_every=review_every if review_every != state.review_every else None,
        clear=clear or None,
    )
    changed = (
        event.title,
        event.kind,
        event.parties,
        event.tags,
        event.aliases,
        event.review_every,
        event.clear,
    )
    if all(value is None for value in changed):
        given = title, kind, new_parties, new_tags, review_every
        if all(value is None for value in given) and not default_review and not aliases:
            raise UserError(
                f"nothing to amend on {cid!r}; give --title, --kind, --party, --add-party, "
                "--remove-party, --tag, --add-tag, --remove-tag, --alias, --review-every "
                "or --clear-due"
            )
        raise UserError(f"{cid!r} already reads that way; nothing to amend")
    return [(event, on)]


def followup(
    view: Reader,
    *,
    cid: str,
    due: date | None,
    done: bool,
    note: str | None,
    on: date,
) -> Decision:
    state = _existing(view, cid)
    if done:
        if due is not None:
            raise UserError("give either --due DATE (schedule) or --done (complete), not both")
        if state.followup_due is None:
            raise UserError(
                f"{cid!r} has no open follow-up to mark done; schedule one with: "
                f"tracker followup {cid} --due DATE"
            )
        return [(FollowupCompleted(commitment=cid, note=note), on)]
    if due is None:
        raise UserError(f"say when: tracker followup {cid} --due DATE (or --done)")
    if not state.is_open:
        # A closed commitment is never stale, so `remind` and the calendar would never
        # bring the follow-up up: refuse it rather than record a reminder nobody gets.
        label = status_with_label(state.status, state.label)
        raise UserError(
            f"{cid!r} is closed ({label} since {state.status_since}) and closed commitments "
            f"are never reminded; to expect more news, reopen it first: "
            f"tracker log QUOTE --by SPEAKER -c {cid}=STATUS"
        )
    return [(FollowupScheduled(commitment=cid, due=due.isoformat(), note=note), on)]


def find_event(view: Reader, ref: str) -> EventInfo:
    """The one event a checked reference (`check_event_ref`) names, or a clear refusal."""
    found = view.find_events(ref)
    if not found:
        if ref.isdigit() and len(ref) < 8:
            raise UserError(f"no event at log position {ref}; {EVENT_REF_HINT}")
        raise UserError(f"unknown event {ref!r}; {EVENT_REF_HINT}")
    if len(found) > 1:
        which = " and ".join(f"{e.seq} ({e.id})" for e in found[:2])
        raise UserError(
            f"event reference {ref!r} is ambiguous: it names events {which}; "
            "give more characters of the id, or the log position"
        )
    return found[0]


def retract(view: Reader, *, event_ref: str, reason: str, on: date) -> Decision:
    info = find_event(view, event_ref)
    name = f"event {info.seq} ({info.id})"
    if info.type == EventRetracted.TYPE:
        raise UserError(f"{name} is itself a retraction; a retraction cannot be retracted")
    if info.retracted_by is not None:
        raise UserError(f"{name} was already retracted by {info.retracted_by}")
    if info.type == CommitmentAdded.TYPE and info.commitment is not None:
        # Undoing a commitment added by mistake: it leaves every view, and what was
        # recorded about it goes with it; a commitment superseding it would point nowhere.
        state = view.get(info.commitment)
        if state is not None and state.superseded_by is not None:
            raise UserError(
                f"{name} added {info.commitment!r}, which {state.superseded_by!r} supersedes; "
                f"retract the adding of {state.superseded_by!r} first"
            )
    return [(EventRetracted(event=info.id, reason=reason), on)]


def record_reminder(
    view: Reader,
    *,
    day: date,
    now: date,
    items: tuple[str, ...],
    schedule: str | None,
) -> Decision:
    """At most one recorded report per local calendar day: a second one records nothing."""
    if view.report_for(day.isoformat()) is not None:
        return []
    event = ReminderIssued(day=day.isoformat(), now=now.isoformat(), items=items, schedule=schedule)
    return [(event, day)]


def _unique(names: tuple[str, ...]) -> tuple[str, ...]:
    """Names in the order given, each once (compared without regard to case)."""
    seen: set[str] = set()
    kept = []
    for name in names:
        if name.casefold() not in seen:
            seen.add(name.casefold())
            kept.append(name)
    return tuple(kept)
