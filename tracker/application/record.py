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
    check_event_ref,
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
    # Checked one by one in a fixed order: with several mistakes, the first is named.
    cid = check_commitment_id(cid)
    title = check_line("title", title)
    kind = parse_kind(kind)
    party_names = _names("party", parties) or ()
    tag_names = _names("tag", tags) or ()
    asserted = parse_status(status) if status is not None else None
    review = parse_duration(review_every) if review_every is not None else None
    due_on = session.date(due, "--due date", ahead=True) if due is not None else None
    replaced = check_commitment_id(supersedes) if supersedes is not None else None
    day = session.on_date(on)
    alias_names = _names("alias", aliases) or ()
    from tracker.domain import decide

    return session.record(
        lambda view: decide.add(
            view,
            cid=cid,
            title=title,
            kind=kind,
            parties=party_names,
            tags=tag_names,
            status=asserted,
            review_every=review,
            due=due_on,
            supersedes=replaced,
            on=day,
            aliases=alias_names,
        )
    )


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
    quote = check_quote(quote)
    speakers = _names("speaker (--by)", [by] if isinstance(by, str) else by) or ()
    source = check_line("source", source) if source is not None else None
    parsed_refs = [parse_ref(r) for r in refs]
    title = check_line("title", title) if title is not None else None
    tag_names = _names("tag", tags) or ()
    note = _optional_text("note", note)
    day = session.on_date(on)
    from tracker.domain import decide

    return session.record(
        lambda view: decide.log(
            view,
            quote=quote,
            speakers=speakers,
            source=source,
            refs=parsed_refs,
            title=title,
            tags=tag_names,
            note=note,
            on=day,
        )
    )


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
    cid = check_commitment_id(cid)
    title = check_line("title", title) if title is not None else None
    kind = parse_kind(kind) if kind is not None else None
    party_names = _names("party", parties)
    tag_names = _names("tag", tags)
    review = (
        parse_duration(review_every) if review_every is not None and not default_review else None
    )
    day = session.on_date(on)
    alias_names = _names("alias", aliases) or ()
    add_party_names = _names("party (--add-party)", add_parties) or ()
    remove_party_names = _names("party (--remove-party)", remove_parties) or ()
    add_tag_names = _names("tag (--add-tag)", add_tags) or ()
    remove_tag_names = _names("tag (--remove-tag)", remove_tags) or ()
    from tracker.domain import decide

    return session.record(
        lambda view: decide.amend(
            view,
            cid=cid,
            title=title,
            kind=kind,
            parties=party_names,
            tags=tag_names,
            review_every=review,
            on=day,
            aliases=alias_names,
            add_parties=add_party_names,
            remove_parties=remove_party_names,
            add_tags=add_tag_names,
            remove_tags=remove_tag_names,
            default_review=default_review,
            clear_due=clear_due,
        )
    )


def followup(
    session: Session,
    cid: str,
    *,
    due: str | None = None,
    done: bool = False,
    note: str | None = None,
    on: str | None = None,
) -> list[StoredEvent]:
    cid = check_commitment_id(cid)
    due_on = session.date(due, "--due date", ahead=True) if due is not None else None
    note = _optional_text("note", note)
    day = session.on_date(on)
    from tracker.domain import decide

    return session.record(
        lambda view: decide.followup(view, cid=cid, due=due_on, done=done, note=note, on=day)
    )


def retract(session: Session, event_id: str, *, reason: str) -> list[StoredEvent]:
    from tracker.domain import decide

    ref = check_event_ref(event_id)
    reason = check_text("reason", reason)
    on = session.today
    return session.record(lambda view: decide.retract(view, event_ref=ref, reason=reason, on=on))
