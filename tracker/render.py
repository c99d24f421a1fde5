"""Turns domain values into what users read: tables, JSON, CSV, Markdown and HTML.

Pure string building; the CLI decides where it goes. JSON keys are stable (SPEC's
status row keys first). Must not import the store.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from tracker.domain import describe_duration, plural

if TYPE_CHECKING:  # only named in annotations: `status` starts faster without them
    from events import StoredEvent
    from projections.model import Entry
    from tracker.remind import ReminderReport
    from tracker.services import Detail, StatusRow


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)


def status_json(row: StatusRow, review_default: str) -> dict[str, Any]:
    s = row.state
    last = s.last_statement
    return {
        "id": s.id,
        "title": s.title,
        "kind": s.kind,
        "status": s.status,
        "label": s.label,
        "status_since": s.status_since,
        "parties": list(s.parties),
        "last_statement": None
        if last is None
        else {
            "on": last.on,
            "by": last.by,
            "quote": last.quote,
            "source": last.source,
            "event": last.event,
        },
        "followup_due": s.followup_due,
        "stale": row.stale,
        "stale_reasons": [r.text for r in row.reasons],
        "overdue_days": row.overdue_days,
        "open": s.is_open,
        "tags": list(s.tags),
        "review_every": s.review_every or review_default,
        "added_on": s.added_on,
        "statement_count": s.statement_count,
        "followup_note": s.followup_note,
        "supersedes": s.supersedes,
        "superseded_by": s.superseded_by,
    }


def entry_json(entry: Entry) -> dict[str, Any]:
    return {
        "event": entry.event_id,
        "seq": entry.seq,
        "kind": entry.role,
        "on": entry.effective_on,
        "by": entry.speaker,
        "quote": entry.quote,
        "source": entry.source,
        "note": entry.note,
        "status": entry.status,
        "label": entry.label,
        "due": entry.due,
        "recorded_at": entry.recorded_at,
        "recorded_by": entry.recorded_by,
        "retracted": entry.retracted,
        "retraction_reason": entry.retraction_reason,
    }


def detail_json(detail: Detail, review_default: str) -> dict[str, Any]:
    data = status_json(detail.row, review_default)
    data["timeline"] = [entry_json(e) for e in detail.timeline]
    return data


# --- tables --------------------------------------------------------------------------------


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], width: int | None) -> str:
    """Fixed-width columns; the last column is clipped to `width` (None: never clipped)."""
    if not rows:
        return ""
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers[:-1])]
    lines = []
    for cells in [list(headers), *map(list, rows)]:
        head = "  ".join(c.ljust(w) for c, w in zip(cells[:-1], widths, strict=False))
        last = cells[-1]
        if width is not None:
            last = _clip(last, max(width - len(head) - 2, 10))
        lines.append(f"{head}  {last}".rstrip())
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


CSV_COLUMNS = (
    "id",
    "title",
    "kind",
    "status",
    "label",
    "status_since",
    "parties",
    "last_statement_on",
    "last_statement_by",
    "last_statement_quote",
    "last_statement_source",
    "followup_due",
    "stale",
    "stale_reasons",
)


def status_csv(rows: Sequence[StatusRow]) -> str:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in rows:
        s, last = r.state, r.state.last_statement
        writer.writerow(
            (
                s.id,
                s.title,
                s.kind,
                s.status,
                s.label,
                s.status_since,
                "; ".join(s.parties),
                last.on if last else "",
                last.by if last else "",
                last.quote if last else "",
                (last.source or "") if last else "",
                s.followup_due or "",
                "yes" if r.stale else "no",
                "; ".join(x.text for x in r.reasons),
            )
        )
    return out.getvalue()


def md_escape(text: str) -> str:
    """Make user text inert in Markdown: no markup, links, HTML or table breaks."""
    import html

    text = " ".join(text.split())
    text = html.escape(text, quote=False)
    # Without [ and ] no link can form, so ( ) ! and # (never at a line start here) stay.
    for ch in "\\`*_[]|~":
        text = text.replace(ch, "\\" + ch)
    return text


def status_md(rows: Sequence[StatusRow]) -> str:
    lines = [
        "| id | status | label | since | last statement | stale | title |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        s = r.state
        last = (
            f"{s.last_statement.on}, {md_escape(s.last_statement.by)}" if s.last_statement else ""
        )
        stale = "; ".join(md_escape(x.text) for x in r.reasons) or "no"
        lines.append(
            f"| {md_escape(s.id)} | {s.status} | {md_escape(s.label)} | {s.status_since} | "
            f"{last} | {stale} | {md_escape(s.title)} |"
        )
    return "\n".join(lines) + "\n"


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
    lines.append(f"status:        {_status(s)}, since {s.status_since}")
    lines.append(f"kind:          {s.kind}")
    lines.append(f"parties:       {', '.join(s.parties) or '-'}")
    if s.tags:
        lines.append(f"tags:          {', '.join(s.tags)}")
    lines.append(f"statements:    {s.statement_count}")
    due = s.followup_due or "-"
    if s.followup_due and s.followup_note:
        due += f" ({s.followup_note})"
    lines.append(f"follow-up due: {due}")
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
            quote = entry.quote if width is None else _clip(entry.quote, width * 3)
            lines.append(f"      “{quote}”")
        if entry.source:
            lines.append(f"      source: {entry.source}")
        if entry.note:
            lines.append(f"      note: {entry.note}")
        if entry.retracted:
            lines.append(f"      retracted: {entry.retraction_reason}")
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


# --- reminders -----------------------------------------------------------------------------


def reminder_json(report: ReminderReport, review_default: str) -> dict[str, Any]:
    items = []
    for item in report.items:
        data = status_json(item.row, review_default)
        data["new"] = item.new
        items.append(data)
    return {"now": report.now.isoformat(), "previous_report": report.previous_day, "items": items}


def _status(state: Any) -> str:
    """'pending (pending conclusion)', or just 'committed' when the label adds nothing."""
    return state.status if state.label == state.status else f"{state.status} ({state.label})"


def _groups(report: ReminderReport) -> list[tuple[str, list[Any]]]:
    followups: list[Any] = []
    quiet: list[Any] = []
    for item in report.items:  # one pass: a membership test per item was quadratic
        overdue = any(r.rule == "followup" for r in item.row.reasons)
        (followups if overdue else quiet).append(item)
    return [
        ("Follow-ups overdue", followups),
        ("Gone quiet (no statement within the review interval)", quiet),
    ]


def _summary(report: ReminderReport) -> str:
    new = sum(1 for i in report.items if i.new)
    if not report.items:
        return f"Reminder report for {report.now}: nothing is stale."
    since = (
        f"since the report of {report.previous_day}"
        if report.previous_day
        else "no earlier report recorded"
    )
    return (
        f"Reminder report for {report.now}: {plural(len(report.items), 'stale commitment')} "
        f"({new} new; {since})."
    )


def _ansi(code: str, text: str, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color else text


def reminder_text(report: ReminderReport, *, color: bool = False) -> str:
    """Plain text; with `color` (a terminal), headings bold and what matters in colour."""
    lines = [_ansi("1", _summary(report), color)]
    for heading, items in _groups(report):
        if not items:
            continue
        lines += ["", _ansi("1;4", f"{heading}:", color)]
        for item in items:
            s = item.row.state
            flag = _ansi("1;31", "NEW ", color) if item.new else "    "
            lines.append(f"  {flag}{_ansi('1', s.id, color)} [{_status(s)}] {s.title}")
            for reason in item.row.reasons:
                lines.append(f"        {_ansi('33', reason.text, color)}")
            last = s.last_statement
            if last:
                src = f" ({last.source})" if last.source else ""
                lines.append(f"        last: {last.on}, {last.by}: “{_clip(last.quote, 160)}”{src}")
            else:
                lines.append(f"        last: no statement yet (added {s.added_on})")
    return "\n".join(lines) + "\n"


def reminder_md(report: ReminderReport) -> str:
    lines = [f"# Stale commitments, {report.now}", "", md_escape(_summary(report))]
    for heading, items in _groups(report):
        if not items:
            continue
        lines += ["", f"## {heading}", ""]
        for item in items:
            s = item.row.state
            new = " **new**" if item.new else ""
            lines.append(
                f"- **{md_escape(s.id)}**{new}: {md_escape(s.title)} ({md_escape(_status(s))})"
            )
            for reason in item.row.reasons:
                lines.append(f"  - {md_escape(reason.text)}")
            last = s.last_statement
            if last:
                lines.append(
                    f"  - last statement {last.on}, {md_escape(last.by)}: "
                    f"“{md_escape(_clip(last.quote, 300))}”"
                    + (f" — {md_escape(last.source)}" if last.source else "")
                )
    return "\n".join(lines) + "\n"


def reminder_html(report: ReminderReport) -> str:
    """One self-contained page in the status board's look (`tracker.htmlstyle`)."""
    from tracker import htmlstyle as look

    esc = look.esc
    title = f"Stale commitments, {report.now}"
    parts = [f"<h1>{esc(title)}</h1>", f'<p class="meta">{esc(_summary(report))}</p>']
    for heading, items in _groups(report):
        if not items:
            continue
        parts.append(f"<h2>{esc(heading)}</h2>")
        for item in items:
            s = item.row.state
            new = ' <span class="chip new">new</span>' if item.new else ""
            parts.append(f'<div class="item is-stale s-{esc(s.status)}">')
            parts.append(
                f'<div class="head">{look.chip(s.status, s.label)} '
                f'<span class="id">{esc(s.id)}</span> <span class="title">{esc(s.title)}</span> '
                f"{look.stale_chip(item.row.overdue_days)}{new}</div>"
            )
            for reason in item.row.reasons:
                parts.append(f'<div class="reason">{esc(reason.text)}</div>')
            last = s.last_statement
            if last:
                parts.append(f"<blockquote>“{esc(last.quote)}”</blockquote>")
                source = look.link(last.source)
                parts.append(
                    f'<div class="meta">{esc(last.on)}, {esc(last.by)}'
                    + (f" — {source}" if source else "")
                    + "</div>"
                )
            else:
                parts.append(f'<div class="meta">no statement yet (added {esc(s.added_on)})</div>')
            parts.append("</div>")
    return look.page(title, "\n".join(parts))


# --- ingest --------------------------------------------------------------------------------


def proposal_json(proposal: Any) -> dict[str, Any]:
    return {
        "n": proposal.n,
        "quote": proposal.quote,
        "by": proposal.by,
        "on": proposal.on,
        "source": proposal.source,
        "commitment": proposal.commitment,
        "new": proposal.new,
        "title": proposal.title,
        "status": proposal.status,
        "label": proposal.label,
        "cue": proposal.cue,
    }


def proposals_table(proposals: Sequence[Any], width: int | None) -> str:
    if not proposals:
        return "no statement about a commitment found\n"
    rows = [
        (
            str(p.n),
            p.commitment + (" (new)" if p.new else ""),
            p.status if p.label == p.status else f"{p.status} ({p.label})",
            p.by or "-",
            p.quote,
        )
        for p in proposals
    ]
    return table(("N", "COMMITMENT", "STATUS", "BY", "QUOTE"), rows, width)
