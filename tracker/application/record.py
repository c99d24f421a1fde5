"""Recording: `add`, `log`, `amend`, `followup` and `retract`.

Each takes raw user values (strings), validates them into domain values (raising
`UserError` before anything is written), runs a pure decision (`tracker.domain.decide`)
inside the store's write transaction, and returns the stored events. No SQL here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from tracker.application.session import Session
from tracker.domain.values import (
    check_commitment_id,
    check_line,
    check_name,
    check_quote,
    check_text,
    parse_duration,
    parse_kind,
    parse_status,
)
from tracker.errors import UserError

if TYPE_CHECKING:
    from events import StoredEvent


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
    aliases: Sequence[str] = (),
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
        "aliases": _names("alias", aliases) or (),
    }
    from tracker.domain import decide

    return session.record(lambda view: decide.add(view, **values))  # type: ignore[arg-type]


def log(
    session: Session,
    quote: str,
    *,
    by: str | Sequence[str],
    refs: Sequence[str],
    on: str | None = None,
    source: str | None = None,
    title: str | None = None,
    tags: Sequence[str] = (),
    note: str | None = None,
) -> list[StoredEvent]:
    values = {
        "quote": check_quote(quote),
        "speakers": _names("speaker (--by)", [by] if isinstance(by, str) else by) or (),
        "source": check_line("source", source) if source is not None else None,
        "refs": [parse_ref(r) for r in refs],
        "title": check_line("title", title) if title is not None else None,
        "tags": _names("tag", tags) or (),
        "note": _optional_text("note", note),
        "on": session.on_date(on),
    }
    from tracker.domain import decide

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
    aliases: Sequence[str] = (),
    add_parties: Sequence[str] = (),
    remove_parties: Sequence[str] = (),
    add_tags: Sequence[str] = (),
    remove_tags: Sequence[str] = (),
    clear_due: bool = False,
) -> list[StoredEvent]:
    """`--review-every default` puts the default interval back (clears the commitment's own)."""
    default_review = review_every is not None and review_every.strip().lower() == "default"
    values = {
        "cid": check_commitment_id(cid),
        "title": check_line("title", title) if title is not None else None,
        "kind": parse_kind(kind) if kind is not None else None,
        "parties": _names("party", parties),
        "tags": _names("tag", tags),
        "review_every": parse_duration(review_every)
        if review_every is not None and not default_review
        else None,
        "add_parties": _names("party (--add-party)", add_parties) or (),
        "remove_parties": _names("party (--remove-party)", remove_parties) or (),
        "add_tags": _names("tag (--add-tag)", add_tags) or (),
        "remove_tags": _names("tag (--remove-tag)", remove_tags) or (),
        "default_review": default_review,
        "clear_due": clear_due,
        "on": session.on_date(on),
        "aliases": _names("alias", aliases) or (),
    }
    from tracker.domain import decide

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
    from tracker.domain import decide

    return session.record(lambda view: decide.followup(view, **values))  # type: ignore[arg-type]


def retract(session: Session, event_id: str, *, reason: str) -> list[StoredEvent]:
    from tracker.domain import decide

    event_id = event_id.strip().lower()
    reason = check_text("reason", reason)
    on = session.today
    return session.record(
        lambda view: decide.retract(view, event_id=event_id, reason=reason, on=on)
    )
