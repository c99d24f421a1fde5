"""`tracker ingest`: propose statements from a text, and log the chosen ones in one transaction.

The extraction is `tracker.ingest`'s (pure, offline); this module reads the tracked
commitments for it, parses `--apply` selections, and records the chosen proposals, adding
the commitments they suggest, inside one write transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from projections.model import CommitmentState, Entry, summarize
from projections.queries import View
from tracker.application.session import Session
from tracker.domain.values import (
    check_commitment_id,
    check_line,
    check_name,
    check_quote,
    parse_status,
)
from tracker.errors import UserError

if TYPE_CHECKING:
    from events import StoredEvent
    from tracker.domain import decide


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
    from tracker.domain import decide

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
