"""What a terminal shows: the status table, a commitment in detail, the history table.

Pure string building, fitted to the terminal's width when known.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from projections.model import describe_answer, followup_fate
from tracker.domain.values import describe_duration, plural, status_with_label

if TYPE_CHECKING:  # only named in annotations: `status` starts faster without them
    from events import StoredEvent
    from projections.model import CommitmentState, Entry
    from tracker.domain.search import Hit, NameCount
    from tracker.domain.staleness import Detail, StatusRow


def clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def hang(text: str, indent: int, limit: int | None = None) -> str:
    """Text of several lines, each line after the first starting `indent` columns in.

    Every text renderer writes a quote (or note) this way: its first line where the
    entry puts it, the rest aligned under that first character. So no line of a quote
    can start at the margin and pass for an entry of its own (a forged "2025-01-20 … →
    fulfilled" line). `limit` cuts long text short (with …), keeping its lines.
    """
    if limit is not None and len(text) > limit:
        text = text[: max(limit - 1, 0)] + "…"
    if text.isprintable() and not text[-1:].isspace():
        # One line already (every line boundary is unprintable), nothing to strip: as is.
        return text
    first, *rest = [line.rstrip() for line in text.splitlines()] or [""]
    return "\n".join([first, *(" " * indent + line if line else "" for line in rest)])


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], width: int | None) -> str:
    """Fixed-width columns; the last column is clipped to `width` (None: never clipped)."""
    if not rows:
        return ""
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers[:-1])]
    lines = []
    for cells in [list(headers), *map(list, rows)]:
        head = "  ".join(c.ljust(w) for c, w in zip(cells[:-1], widths, strict=False))
        parts = cells[-1].splitlines() or [""]
        if width is not None:
            parts = [clip(part, max(width - len(head) - 2, 10)) for part in parts]
        lines.append(f"{head}  {hang(chr(10).join(parts), len(head) + 2)}".rstrip())
    return "\n".join(lines) + "\n"


def _stale_cell(row: StatusRow) -> str:
    return f"{row.overdue_days}d" if row.stale else "-"


def status_table(rows: Sequence[StatusRow], width: int | None) -> str:
    if not rows:
        return "no commitments match; add one with: tracker add ID --title TEXT\n"
    cells = [
        (
            r.state.id,
            r.state.status,
            r.state.status_since,
            r.state.last_statement.on if r.state.last_statement else "-",
            _stale_cell(r),
            r.state.title,
        )
        for r in rows
    ]
    return table(("ID", "STATUS", "SINCE", "LAST", "STALE", "TITLE"), cells, width)


def _entry_heading(entry: Entry) -> str:
    asserted = f"  → {entry.label}" if entry.label else ""
    if entry.role == "statement":
        what = entry.speaker or ""
    elif entry.role == "added":
        what = f"added by {entry.recorded_by}"
        if entry.due:
            what += f", follow-up due {entry.due}"
    elif entry.role == "amended":
        what = f"description amended by {entry.recorded_by}" + amended_clears(entry)
    elif entry.role == "followup":
        what = f"follow-up due {entry.due}"
    elif entry.role == "followup_done":
        what = "follow-up done"
    else:
        what = f"superseded by {entry.link}"
        asserted = ""
    mark = "  [RETRACTED]" if entry.retracted else ""
    return f"{entry.effective_on}  {what}{asserted}{mark}"


class Fact(NamedTuple):
    """One fact about a commitment, as its detail and the status board state it."""

    name: str  # what it is, as the detail labels it
    value: str  # plain text, not escaped; "" when the commitment has none
    link: str | None = None  # the commitment it names, where a page can link to it


def facts(state: CommitmentState, review_default: str) -> list[Fact]:
    """What `status ID` lists under a commitment's title and the board's cards show on one
    line, in that order; each renderer says which it shows and how."""
    return [
        Fact("kind", state.kind),
        Fact("parties", ", ".join(state.parties)),
        Fact("tags", ", ".join(state.tags)),
        Fact("also called", ", ".join(state.aliases)),
        Fact("since", state.status_since),
        Fact("statements", str(state.statement_count)),
        Fact("follow-up due", state.followup_due or ""),
        Fact("review every", describe_duration(state.review_every or review_default)),
        Fact("supersedes", state.supersedes or "", state.supersedes),
        Fact("superseded by", state.superseded_by or "", state.superseded_by),
    ]


def fact_phrases(state: CommitmentState, review_default: str, *, since: bool) -> list[Fact]:
    """The facts of a board card's one line, each value now a phrase ('3 statements');
    a fact the commitment does not have is left out, or said ('no party named')."""
    phrases = []
    for fact in facts(state, review_default):
        name, value = fact.name, fact.value
        if name in ("tags", "also called") or (name == "since" and not since):
            continue
        if name == "parties":
            value = value or "no party named"
        elif name == "statements":
            value = plural(state.statement_count, "statement")
        elif not value:
            continue
        elif name != "kind":
            value = f"{name} {value}"
        phrases.append(fact._replace(value=value))
    return phrases


def _followup_text(detail: Detail) -> str:
    """The open follow-up and what answered it; or the last one, closed, and how."""
    s = detail.row.state
    fate = followup_fate(detail.timeline)
    answer = describe_answer(fate) if fate is not None else None
    if s.followup_due is None:
        if fate is None or answer is None:
            return "-"
        return f"- (the last, due {fate.followup.due}, was answered by {answer})"
    text = s.followup_due
    if s.followup_note:
        text += f" ({s.followup_note})"
    if answer is not None:
        text += f"; answered by {answer}"
    elif not s.is_open:
        text += "; not awaited: the commitment is closed"
    return text


def detail_text(detail: Detail, review_default: str, width: int | None) -> str:
    r = detail.row
    s = r.state
    lines = [f"{s.id}: {s.title}"]
    lines.append(f"status:        {status_label(s)}, since {s.status_since}")
    for name, value, _ in facts(s, review_default):
        optional = ("tags", "also called", "supersedes", "superseded by")
        if name == "since" or (not value and name in optional):
            continue
        if name == "follow-up due":
            value = _followup_text(detail)
        lines.append(f"{name + ':':<15}{hang(value or '-', 15)}")
        if name == "review every":
            stale = "; ".join(x.text for x in r.reasons) if r.stale else "no"
            lines.append(f"{'stale:':<15}{stale}")
    lines.append("")
    lines.append("timeline:")
    for entry in detail.timeline:
        lines.append(f"  {_entry_heading(entry)}")
        if entry.quote:
            limit = None if width is None else width * 3
            lines.append(f"      “{hang(entry.quote, 7, limit)}”")
        if entry.source:
            lines.append(f"      source: {entry.source}")
        if entry.note:
            lines.append(f"      note: {hang(entry.note, 12)}")
        if entry.retracted:
            lines.append(f"      retracted: {hang(entry.retraction_reason or '', 17)}")
    return "\n".join(lines) + "\n"


def _refs(data: dict[str, Any]) -> str:
    return ", ".join(
        c["id"] + (f" → {c.get('label') or c['status']}" if c.get("status") else "")
        for c in data.get("commitments", [])
    )


def event_summary(type_name: str, data: dict[str, Any], seqs: dict[str, int]) -> str:
    """What an event did, in a few words (`seqs`: log positions by event id)."""
    cid = data.get("commitment", "")
    if type_name == "commitment.added":
        extra = [data.get("kind") or "commitment"]
        if data.get("status"):
            extra.append(data.get("label") or data["status"])
        if data.get("due"):
            extra.append(f"follow-up due {data['due']}")
        if data.get("supersedes"):
            extra.append(f"supersedes {data['supersedes']}")
        return f"added {cid}: {data.get('title', '')} ({'; '.join(extra)})"
    if type_name == "statement.recorded":
        return f"statement on {_refs(data)}: “{data.get('quote', '')}”"
    if type_name == "commitment.amended":
        fields = ("title", "kind", "parties", "tags", "review_every")
        changed = [f for f in fields if data.get(f) is not None]
        return f"amended {cid}: {', '.join(changed) or 'nothing'}"
    if type_name == "followup.scheduled":
        note = f": {data['note']}" if data.get("note") else ""
        return f"follow-up on {cid} due {data.get('due', '')}{note}"
    if type_name == "followup.completed":
        note = f": {data['note']}" if data.get("note") else ""
        return f"follow-up on {cid} done{note}"
    if type_name == "event.retracted":
        target = data.get("event", "")
        where = f"event {seqs[target]}" if target in seqs else f"event {target[:8]}"
        return f"retracted {where}: {data.get('reason', '')}"
    if type_name == "reminder.issued":
        items = data.get("items") or []
        return f"reminder report for {data.get('day', '')}, {len(items)} flagged"
    return type_name


def history_table(events: Iterable[StoredEvent], width: int | None) -> str:
    """The log as a table: position, short id (both accepted by `retract`), effective date,
    speaker, who recorded it, and what it did; retracted events are marked with what
    retracted them."""
    listed = [(e, json.loads(e.data)) for e in events]
    if not listed:
        return "the log is empty\n"
    seqs = {e.id: e.seq for e, _ in listed}
    retracted_by = {
        data.get("event", ""): e.seq for e, data in listed if e.type == "event.retracted"
    }
    rows = []
    for e, data in listed:
        what = event_summary(e.type, data, seqs)
        if e.id in retracted_by:
            what = f"[RETRACTED by {retracted_by[e.id]}] {what}"
        speaker = None
        if e.type == "statement.recorded":  # `by` joins the speakers; `speakers` lists them
            speaker = data.get("by") or ", ".join(data.get("speakers") or ())
        rows.append((str(e.seq), e.id[:8], e.occurred_on, speaker or "-", e.recorded_by, what))
    return table(("SEQ", "ID", "ON", "SPEAKER", "RECORDED BY", "WHAT"), rows, width)


def status_label(state: CommitmentState) -> str:
    """'pending (pending conclusion)', or just 'committed' when the label adds nothing."""
    return status_with_label(state.status, state.label)


def amended_clears(entry: Entry) -> str:
    """What an amendment cleared, as a clause: ', follow-up withdrawn' and the like."""
    said = {"due": "follow-up withdrawn", "review_every": "review interval back to the default"}
    return "".join(f", {said[field]}" for field in entry.clears if field in said)


def search_table(hits: Sequence[Hit], query: str, width: int | None) -> str:
    if not hits:
        return f"no statement matches {query!r}\n"
    cells = [
        (
            h.candidate.on,
            h.candidate.commitment_id,
            h.candidate.speaker,
            ", ".join(h.matches),
            h.candidate.quote,
        )
        for h in hits
    ]
    return table(("ON", "COMMITMENT", "BY", "MATCHED", "QUOTE"), cells, width)


def names_table(counts: Sequence[NameCount], width: int | None) -> str:
    if not counts:
        return "no speakers or parties yet\n"
    cells = [(str(c.statements), str(c.commitments), c.name) for c in counts]
    return table(("STATEMENTS", "COMMITMENTS", "NAME"), cells, width)
