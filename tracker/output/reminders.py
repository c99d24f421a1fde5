"""The reminder report in each format: text (optionally coloured), Markdown, JSON and HTML.

`render_report` picks the format; `remind`, `remind --cron` and its notify command all
print through it, so every delivery of a report reads the same.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tracker.domain.values import plural
from tracker.output.markdown import md_escape
from tracker.output.structured import status_json
from tracker.output.text import clip, hang, status_label

if TYPE_CHECKING:  # only named in annotations: `status` starts faster without them
    from tracker.domain.views import ReminderItem, ReminderReport


def render_report(
    report: ReminderReport, fmt: str, review_default: str, *, color: bool = False
) -> str:
    from tracker.output import reminders, structured

    if fmt == "json":
        return structured.dumps(reminders.reminder_json(report, review_default)) + "\n"
    if fmt == "md":
        return reminders.reminder_md(report)
    if fmt == "html":
        return reminders.reminder_html(report)
    return reminders.reminder_text(report, color=color)


def reminder_json(report: ReminderReport, review_default: str) -> dict[str, Any]:
    items = []
    for item in report.items:
        data = status_json(item.row, review_default)
        data["new"] = item.new
        items.append(data)
    recorded = (
        None
        if report.recorded_event is None
        else {"event": report.recorded_event, "now": report.recorded_now}
    )
    return {
        "now": report.now.isoformat(),
        "previous_report": report.previous_day,
        "recorded": recorded,
        "items": items,
    }


def _groups(report: ReminderReport) -> list[tuple[str, list[ReminderItem]]]:
    followups: list[ReminderItem] = []
    quiet: list[ReminderItem] = []
    for item in report.items:  # one pass: a membership test per item was quadratic
        overdue = any(r.rule == "followup" for r in item.row.reasons)
        (followups if overdue else quiet).append(item)
    return [
        ("Follow-ups overdue", followups),
        ("Gone quiet (no statement within the review interval)", quiet),
    ]


def _summary(report: ReminderReport) -> str:
    return _counts(report) + _record_note(report)


def _record_note(report: ReminderReport) -> str:
    if report.recorded_event is None:
        return ""
    if report.recorded_now:
        return f" Recorded as the report for {report.now} (event {report.recorded_event})."
    return (
        f" Not recorded again: the report for {report.now} was recorded earlier "
        f"(event {report.recorded_event})."
    )


def _counts(report: ReminderReport) -> str:
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
            lines.append(f"  {flag}{_ansi('1', s.id, color)} [{status_label(s)}] {s.title}")
            for reason in item.row.reasons:
                lines.append(f"        {_ansi('33', reason.text, color)}")
            last = s.last_statement
            if last:
                src = f" ({last.source})" if last.source else ""
                start = f"        last: {last.on}, {last.by}: “"
                lines.append(f"{start}{hang(last.quote, len(start), 160)}”{src}")
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
                f"- **{md_escape(s.id)}**{new}: {md_escape(s.title)} ({md_escape(status_label(s))})"
            )
            for reason in item.row.reasons:
                lines.append(f"  - {md_escape(reason.text)}")
            last = s.last_statement
            if last:
                lines.append(
                    f"  - last statement {last.on}, {md_escape(last.by)}: "
                    f"“{md_escape(clip(last.quote, 300))}”"
                    + (f" — {md_escape(last.source)}" if last.source else "")
                )
    return "\n".join(lines) + "\n"


def reminder_html(report: ReminderReport) -> str:
    """One self-contained page in the status board's look (`tracker.output.html`)."""
    from tracker.output import html

    esc = html.esc
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
                f'<div class="head">{html.chip(s.status, s.label)} '
                f'<span class="id">{esc(s.id)}</span> <span class="title">{esc(s.title)}</span> '
                f"{html.stale_chip(item.row.overdue_days)}{new}</div>"
            )
            for reason in item.row.reasons:
                parts.append(f'<div class="reason">{esc(reason.text)}</div>')
            last = s.last_statement
            if last:
                parts.append(f"<blockquote>“{esc(last.quote)}”</blockquote>")
                source = html.link(last.source)
                parts.append(
                    f'<div class="meta">{esc(last.on)}, {esc(last.by)}'
                    + (f" — {source}" if source else "")
                    + "</div>"
                )
            else:
                parts.append(f'<div class="meta">no statement yet (added {esc(s.added_on)})</div>')
            parts.append("</div>")
    return html.page(title, "\n".join(parts))
