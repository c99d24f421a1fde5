"""What a terminal shows: the status table, a commitment in detail, the history table.

Pure string building, fitted to the terminal's width when known.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from tracker.domain.values import describe_duration

if TYPE_CHECKING:  # only named in annotations: `status` starts faster without them
    from events import StoredEvent
    from projections.model import Entry
    from tracker.domain.staleness import Detail, StatusRow


def _clip(text: str, width: int) -> str:
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
            parts = [_clip(part, max(width - len(head) - 2, 10)) for part in parts]
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
        what = f"description amended by {entry.recorded_by}"
    elif entry.role == "followup":
        what = f"follow-up due {entry.due}"
    elif entry.role == "followup_done":
        what = "follow-up done"
    else:
        what = f"superseded by {entry.link}"
        asserted = ""
    mark = "  [RETRACTED]" if entry.retracted else ""
    return f"{entry.effective_on}  {what}{asserted}{mark}"


def detail_text(detail: Detail, review_default: str, width: int | None) -> str:
    r = detail.row
    s = r.state
    lines = [f"{s.id}: {s.title}"]
    lines.append(f"status:        {status_label(s)}, since {s.status_since}")
    lines.append(f"kind:          {s.kind}")
    lines.append(f"parties:       {', '.join(s.parties) or '-'}")
    if s.tags:
        lines.append(f"tags:          {', '.join(s.tags)}")
    lines.append(f"statements:    {s.statement_count}")
    due = s.followup_due or "-"
    if s.followup_due and s.followup_note:
        due += f" ({s.followup_note})"
    lines.append(f"follow-up due: {hang(due, 15)}")
    lines.append(f"review every:  {describe_duration(s.review_every or review_default)}")
    lines.append(f"stale:         {'; '.join(x.text for x in r.reasons) if r.stale else 'no'}")
    if s.supersedes:
        lines.append(f"supersedes:    {s.supersedes}")
    if s.superseded_by:
        lines.append(f"superseded by: {s.superseded_by}")
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


def history_table(events: Iterable[StoredEvent], width: int | None) -> str:
    rows = []
    for e in events:
        data = json.loads(e.data)
        about = (
            data.get("commitment")
            or ", ".join(c["id"] for c in data.get("commitments", []))
            or data.get("event")
            or data.get("day")
            or ""
        )
        summary = (
            data.get("quote") or data.get("title") or data.get("reason") or data.get("due") or ""
        )
        rows.append((str(e.seq), e.occurred_on, e.type, e.recorded_by, about, summary))
    if not rows:
        return "the log is empty\n"
    return table(("SEQ", "ON", "TYPE", "BY", "ABOUT", "SUMMARY"), rows, width)


def status_label(state: Any) -> str:
    """'pending (pending conclusion)', or just 'committed' when the label adds nothing."""
    return state.status if state.label == state.status else f"{state.status} ({state.label})"
