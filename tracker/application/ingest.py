"""`tracker ingest`: propose statements from a text, and log the chosen ones in one transaction.

The extraction is `tracker.ingest`'s (pure, offline); this module reads the tracked
commitments for it, parses `--apply` selections, and records the chosen proposals, adding
the commitments they suggest, inside one write transaction.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, NamedTuple

from projections.model import CommitmentState, Entry, summarize
from projections.queries import View
from tracker.application.session import Session
from tracker.application.sources import Document
from tracker.domain.values import (
    check_commitment_id,
    check_line,
    check_name,
    check_quote,
    parse_status,
)
from tracker.errors import UserError

if TYPE_CHECKING:  # only named in annotations
    from events import StoredEvent
    from projections.queries import EventInfo, Report
    from tracker.application.llm import LLMSettings
    from tracker.domain import decide
    from tracker.ingest import Proposal


class Choice(NamedTuple):
    """One proposal to log, and what the analyst changed about it."""

    n: int
    commitment: str | None = None  # `:ID`: log it against this commitment instead
    status: str | None = None  # `=STATUS`: assert this status (the word as typed) instead
    by: str | None = None  # a speaker given in review


class Proposals(NamedTuple):
    """What ingest proposes from one document, and which proposals are already logged."""

    document: Document
    items: list[Proposal]
    logged: frozenset[int]  # proposal numbers whose statement is already on the timeline
    engine: str = "rules"  # what made the proposals: "rules", or "llm" (the model's name below)
    model: str | None = None
    dropped: int = 0  # statements of the model's reply left out as untrustworthy
    why_dropped: str = ""


def ingest_proposals(
    session: Session,
    document: Document,
    *,
    by: str | None = None,
    on: str | None = None,
    source: str | None = None,
    llm: LLMSettings | None = None,
    use_cache: bool = True,
) -> Proposals:
    """Propose the statements of a document; nothing is written.

    `--on` and `--source` win over the document's own date and URL; `--by`, when given,
    is the speaker of every proposal (the text's attributions are only a guess). With
    `llm` settings the model proposes (`tracker.application.llm`), else the rules do.
    """
    import attrs

    from tracker.ingest import KnownCommitment, propose

    speaker = check_name("speaker (--by)", by) if by is not None else None
    day = session.on_date(on if on is not None else document.date).isoformat()
    cited = source if source is not None else document.url
    cited = check_line("source", cited) if cited is not None else None
    with session.store.reading() as sql:
        view = View(sql)
        known = [
            KnownCommitment(id=s.id, title=s.title, aliases=s.aliases, kind=s.kind)
            for s in view.states()
        ]
    text = document.text  # already reduced to text by tracker.application.sources
    extraction = None
    if llm is not None:
        from tracker.application.llm import llm_propose

        extraction = llm_propose(
            text, known, llm, by=speaker, on=day, source=cited, use_cache=use_cache
        )
        items = extraction.proposals
    else:
        items = propose(text, known, by=speaker, on=day, source=cited, title=document.title)
    with session.store.reading() as sql:
        view = View(sql)
        if speaker is not None:
            items = [attrs.evolve(p, by=speaker) for p in items]
        logged = frozenset(
            p.n
            for p in items
            if p.by is not None
            and not p.new
            and view.has_statement(p.commitment, p.quote, p.by, day)
        )
    if extraction is None:
        return Proposals(document=document, items=items, logged=logged)
    return Proposals(
        document=document,
        items=items,
        logged=logged,
        engine="llm",
        model=llm.model if llm is not None else None,
        dropped=extraction.dropped,
        why_dropped=extraction.why_dropped,
    )


_ITEM = re.compile(r"(?P<n>\d+)(?::(?P<cid>[^=:,]+))?(?:=(?P<status>[^=:,]+))?\Z")


def parse_selection(value: str, proposals: Proposals) -> list[Choice]:
    """`--apply all`, or items such as `1,2:haiti-mss,3=pending,4:haiti-gsf=proposed`.

    `all` leaves out the proposals already logged. Each item is checked against what was
    proposed, its id against the id rules and its status against SPEC's, before anything
    is written.
    """
    count = len(proposals.items)
    if value.strip().lower() == "all":
        return [Choice(n) for n in range(1, count + 1) if n not in proposals.logged]
    chosen: dict[int, Choice] = {}
    for part in value.split(","):
        part = part.strip()
        match = _ITEM.match(part)
        if match is None or not 1 <= int(match["n"]) <= count:
            raise UserError(
                f"--apply {value!r}: {part!r} is not a proposal from the table (1 to {count}); "
                "write N, N:ID, N=STATUS or N:ID=STATUS, such as --apply 1,3:stip=pending, "
                "or --apply all"
            )
        cid = match["cid"]
        status = match["status"]
        if cid is not None:
            cid = check_commitment_id(cid.strip())
        if status is not None:
            parse_status(status.strip())
            status = status.strip()
        chosen[int(match["n"])] = Choice(int(match["n"]), cid, status)
    return list(chosen.values())


def ingest_apply(
    session: Session, proposals: Proposals, chosen: Sequence[Choice]
) -> list[StoredEvent]:
    """Log the chosen proposals in one transaction, through the same decision as `tracker log`.

    A proposal already on the timeline (the same words, speaker and day) is skipped. Any
    problem names the proposal it is in, and nothing is written.
    """
    from tracker.domain import decide

    by_n = {p.n: p for p in proposals.items}
    values: list[_Planned] = []
    for choice in chosen:
        p = by_n[choice.n]
        try:
            speaker = choice.by or p.by
            if speaker is None:
                raise UserError("it has no speaker; give one with --by")
            renamed = choice.commitment is not None and choice.commitment != p.commitment
            values.append(
                _Planned(
                    n=p.n,
                    quote=check_quote(p.quote),
                    by=check_name("speaker", speaker),
                    source=p.source,
                    cid=check_commitment_id(choice.commitment or p.commitment),
                    status=parse_status(choice.status or p.label),
                    title=check_line("title", p.title) if p.new and not renamed else None,
                    on=date.fromisoformat(p.on) if p.on else session.today,
                )
            )
        except UserError as exc:
            raise UserError(f"proposal {p.n}: {exc}") from None

    def decision(view: View) -> decide.Decision:
        pending = _PendingAdds(view)
        events: decide.Decision = []
        for v in values:
            if view.has_statement(v.cid, v.quote, v.by, v.on.isoformat()):
                continue  # applied before: the same words, speaker and day are not logged twice
            title = v.title if v.title is not None and not pending.has(v.cid) else None
            try:
                events += decide.log(
                    pending,
                    quote=v.quote,
                    speakers=(v.by,),
                    source=v.source,
                    refs=[(v.cid, v.status)],
                    title=title,
                    tags=(),
                    note=None,
                    on=v.on,
                )
            except UserError as exc:
                raise UserError(f"proposal {v.n}: {exc}") from None
            if title is not None:
                pending.add(v.cid, title, v.on)
        return events

    return session.record(decision)


class _Planned(NamedTuple):
    n: int
    quote: str
    by: str
    source: str | None
    cid: str
    status: tuple[str, str]
    title: str | None
    on: date


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

    def find_events(self, ref: str) -> list[EventInfo]:
        return self.view.find_events(ref)

    def report_for(self, day: str) -> Report | None:
        return self.view.report_for(day)
