"""The reminder report in each format: text (optionally coloured), Markdown, JSON and HTML.

`render_report` picks the format; `remind`, `remind --cron` and its notify command all
print through it, so every delivery of a report reads the same.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tracker.domain.staleness import FOLLOWUP
from tracker.domain.values import plural, status_with_label
from tracker.output.markdown import md_escape
from tracker.output.text import clip, hang

if TYPE_CHECKING:  # only named in annotations: `status` starts faster without them
    from tracker.domain.staleness import StaleReason
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
    from tracker.output.structured import status_json

    items = []
    for item in report.items:
        if item.row is None:
            raise ValueError("the JSON report lists whole status rows: build it with full=True")
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
        # A follow-up overdue is always the first reason (`StaleRules`, `stale_reasons`).
        (followups if item.reasons[0].rule == FOLLOWUP else quiet).append(item)
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


# The text report's last statement: its quote is cut at QUOTE_LIMIT characters, and any
# further line of it starts under its first character (`hang`).
QUOTE_LIMIT = 160
_LAST_INDENT = len("        last: , : “")


def _ansi(code: str, text: str, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color else text


def reminder_text(report: ReminderReport, *, color: bool = False) -> str:
    """Plain text; with `color` (a terminal), headings bold and what matters in colour.

    Written for reports of thousands of items: one string per item, each status label
    and each distinct set of reasons worked out once, and the usual quote (one printable
    line, short enough) written as it is without a call to `hang`.
    """
    lines = [_ansi("1", _summary(report), color)]
    append = lines.append
    labels: dict[tuple[str, str], str] = {}
    said: dict[tuple[StaleReason, ...], str] = {}
    new_flag = _ansi("1;31", "NEW ", color)
    for heading, items in _groups(report):
        if not items:
            continue
        lines += ["", _ansi("1;4", f"{heading}:", color)]
        for item in items:
            s = item.state
            key = (s.status, s.label)
            label = labels.get(key)
            if label is None:
                label = labels[key] = status_with_label(s.status, s.label)
            reasons = said.get(item.reasons)
            if reasons is None:
                reasons = said[item.reasons] = "".join(
                    f"        {_ansi('33', r.text, color)}\n" for r in item.reasons
                )
            flag = new_flag if item.new else "    "
            head = f"  {flag}{_ansi('1', s.id, color)} [{label}] {s.title}"
            if s.has_statement:
                quote = s.last_quote
                if len(quote) > QUOTE_LIMIT or not quote.isprintable() or quote[-1:].isspace():
                    quote = hang(quote, _LAST_INDENT + len(s.last_on) + len(s.last_by), QUOTE_LIMIT)
                src = f" ({s.last_source})" if s.last_source else ""
                append(f"{head}\n{reasons}        last: {s.last_on}, {s.last_by}: “{quote}”{src}")
            else:
                append(f"{head}\n{reasons}        last: no statement yet (added {s.added_on})")
    return "\n".join(lines) + "\n"


def reminder_md(report: ReminderReport) -> str:
    lines = [f"# Stale commitments, {report.now}", "", md_escape(_summary(report))]
    for heading, items in _groups(report):
        if not items:
            continue
        lines += ["", f"## {heading}", ""]
        for item in items:
            s = item.state
            new = " **new**" if item.new else ""
            label = status_with_label(s.status, s.label)
            lines.append(f"- **{md_escape(s.id)}**{new}: {md_escape(s.title)} ({md_escape(label)})")
            for reason in item.reasons:
                lines.append(f"  - {md_escape(reason.text)}")
            if s.has_statement:
                lines.append(
                    f"  - last statement {s.last_on}, {md_escape(s.last_by)}: "
                    f"“{md_escape(clip(s.last_quote, 300))}”"
                    + (f" — {md_escape(s.last_source)}" if s.last_source else "")
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
            s = item.state
            new = ' <span class="chip new">new</span>' if item.new else ""
            parts.append(f'<div class="item is-stale s-{esc(s.status)}">')
            parts.append(
                f'<div class="head">{html.chip(s.status, s.label)} '
                f'<span class="id">{esc(s.id)}</span> <span class="title">{esc(s.title)}</span> '
                f"{html.stale_chip(item.overdue_days)}{new}</div>"
            )
            for reason in item.reasons:
                parts.append(f'<div class="reason">{esc(reason.text)}</div>')
            if s.has_statement:
                parts.append(f"<blockquote>“{esc(s.last_quote)}”</blockquote>")
                source = html.link(s.last_source)
                parts.append(
                    f'<div class="meta">{esc(s.last_on)}, {esc(s.last_by)}'
                    + (f" — {source}" if source else "")
                    + "</div>"
                )
            else:
                parts.append(f'<div class="meta">no statement yet (added {esc(s.added_on)})</div>')
            parts.append("</div>")
    return html.page(title, "\n".join(parts))
