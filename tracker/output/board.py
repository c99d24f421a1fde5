"""Drawing the status board (`tracker report`): HTML with SVG timelines, and Markdown.

Domain values in (`tracker.domain.views.Board`), a string out. HTML is one
self-contained page (inline CSS and SVG, no script, nothing fetched); every piece of
user text is escaped, and only http(s) sources become links.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date, timedelta

from projections.model import (
    ADDED,
    FOLLOWUP,
    FOLLOWUP_DONE,
    STATEMENT,
    SUPERSEDED,
    Entry,
)
from tracker.domain.history import SOON_DAYS, Span, _day
from tracker.domain.values import STATUSES, plural
from tracker.domain.views import Board, Card, _totals, groups, party_counts
from tracker.output.html import (
    NO_STATUS_COLOUR,
    STALE_COLOUR,
    STATUS_COLOURS,
    chip,
    esc,
    link,
    page,
    stale_chip,
    status_text,
)
from tracker.output.markdown import md_escape, md_link
from tracker.output.text import amended_clears, clip, fact_phrases

# A quote longer than this is cut on the board (the source has the rest): one pasted
# speech must not bury the other 999 commitments.
QUOTE_LIMIT = 1200


def _summary_line(board: Board) -> str:
    total, open_, stale = _totals(board)
    if not total:
        return "No commitments yet; add one with: tracker add ID --title TEXT"
    stood = f"As the log stood on {board.as_of.isoformat()}. " if board.as_of else ""
    return (
        f"{stood}{plural(total, 'commitment')}: {open_} open ({stale} stale), "
        f"{total - open_} closed. Staleness measured on {board.now.isoformat()}."
    )


def _title(board: Board) -> str:
    if board.as_of is not None:
        return f"Commitments status board, as of {board.as_of.isoformat()}"
    return f"Commitments status board, {board.now.isoformat()}"


WIDTH, HEIGHT = 960, 70

# A follow-up left open when its commitment closed: status, remind and the calendar agree.
NOT_AWAITED = "not awaited: the commitment is closed"


LEFT, RIGHT = 14, 946


MARK_Y, STACK = 24, 9


TRACK_Y, TRACK_H = 38, 8


AXIS_Y, LABEL_Y = 53, 66


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


FOLLOWUP_COLOURS = {"overdue": STALE_COLOUR, "waiting": "#1a56b8"}


FOLLOWUP_DONE_COLOUR = "#8a93a3"


class _Scale:
    def __init__(self, axis: Span) -> None:
        self.start = axis.start
        self.days = max(axis.days, 1)

    def __call__(self, day: date) -> float:
        return round(LEFT + (day - self.start).days / self.days * (RIGHT - LEFT), 1)


@functools.lru_cache(maxsize=8)
def ticks(axis: Span) -> list[tuple[date, str]]:
    """Dates to mark on the axis: weeks for a short span, else months (or years) in steps."""
    days = axis.days
    if days <= 70:
        first = axis.start + timedelta(days=(7 - axis.start.weekday()) % 7)  # Mondays
        marks = []
        day = first
        while day <= axis.end:
            marks.append((day, f"{day.day} {MONTHS[day.month - 1]}"))
            day += timedelta(days=7)
        return marks
    months = days / 30.4
    step = next((s for s in (1, 2, 3, 6, 12, 24, 60, 120) if months / s <= 9), 240)
    year, month = axis.start.year, axis.start.month
    marks = []
    while True:
        month += 1
        if month > 12:
            year, month = year + 1, 1
        if year > 9999:
            break
        day = date(year, month, 1)
        if day > axis.end:
            break
        if (year * 12 + month - 1) % step:
            continue
        if step >= 12:
            label = str(year)
        elif month == 1 or not marks:
            label = f"{MONTHS[month - 1]} {year}"
        else:
            label = MONTHS[month - 1]
        marks.append((day, label))
    return marks


def _tip(*parts: str | None) -> str:
    return f"<title>{esc(' — '.join(p for p in parts if p))}</title>"


def timeline_svg(c: Card, axis: Span, now: date) -> str:
    """One commitment's timeline on the shared axis, as inline SVG with tooltips."""
    x = _Scale(axis)
    s = c.row.state
    out = [
        f'<svg class="timeline" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
        f'height="{HEIGHT}" role="img" aria-label="{esc(f"Timeline of {s.id}")}" '
        'xmlns="http://www.w3.org/2000/svg">'
    ]
    for day, _ in ticks(axis):
        out.append(
            f'<line x1="{x(day)}" x2="{x(day)}" y1="6" y2="{AXIS_Y}" stroke="#eceef2" '
            'stroke-width="1"/>'
        )
    for span in c.stale:
        out.append(
            f'<rect class="stale" x="{x(span.start)}" y="4" '
            f'width="{max(x(span.end) - x(span.start), 1.5)}" height="{AXIS_Y - 4}" '
            f'fill="url(#stale-hatch)" stroke="{STALE_COLOUR}" stroke-opacity=".35">'
            + _tip(
                # Stale strictly after the limit day (SPEC: "more than"), so "after", not "from".
                f"stale after {span.start.isoformat()}, until {span.end.isoformat()}",
                plural(span.days, "day"),
            )
            + "</rect>"
        )
    # The faint line is the time before the commitment existed; the band, its status.
    out.append(
        f'<line x1="{LEFT}" x2="{RIGHT}" y1="{TRACK_Y + TRACK_H / 2}" '
        f'y2="{TRACK_Y + TRACK_H / 2}" stroke="#d6dae3" stroke-width="1" '
        'stroke-dasharray="2 3"/>'
    )
    for band in c.bands:
        width = max(x(band.end) - x(band.start), 2)
        out.append(
            f'<rect class="band" x="{x(band.start)}" y="{TRACK_Y}" width="{width}" '
            f'height="{TRACK_H}" rx="2" fill="{STATUS_COLOURS.get(band.status, NO_STATUS_COLOUR)}">'
            + _tip(
                f"{status_text(band.status, band.label)}",
                f"{band.start.isoformat()} to {band.end.isoformat()}",
            )
            + "</rect>"
        )
    for band in c.bands[1:]:
        colour = STATUS_COLOURS.get(band.status, NO_STATUS_COLOUR)
        bx = x(band.start)
        out.append(
            f'<path class="change" d="M{bx - 4.5} {TRACK_Y - 6}h9l-4.5 5.5z" fill="{colour}" '
            'stroke="#fff" stroke-width="1">'
            + _tip(
                f"{band.start.isoformat()}: status changed to "
                f"{status_text(band.status, band.label)}"
            )
            + "</path>"
        )
    for f in c.followups:
        fx, fy = x(f.due), TRACK_Y + TRACK_H / 2
        if f.overdue:
            fill, stroke, what = STALE_COLOUR, STALE_COLOUR, "overdue"
        elif f.outcome == "waiting":
            fill, stroke, what = "#fff", FOLLOWUP_COLOURS["waiting"], "awaited"
        else:
            fill, stroke = FOLLOWUP_DONE_COLOUR, "#fff"
            what = {
                "answered": "answered",
                "done": "done",
                "replaced": "replaced",
                "closed": NOT_AWAITED,
                "cleared": "cleared",
            }[f.outcome]
        out.append(
            f'<path class="due" d="M{fx} {fy - 6}l6 6-6 6-6-6z" fill="{fill}" '
            f'stroke="{stroke}" stroke-width="2">'
            + _tip(
                f"follow-up due {f.due.isoformat()} ({what})",
                f"scheduled {f.scheduled_on.isoformat()}",
                f"answered by {f.answered_by}" if f.answered_by else None,
                f.note,
            )
            + "</path>"
        )
    nx = x(now)
    out.append(
        f'<line class="now" x1="{nx}" x2="{nx}" y1="2" y2="{AXIS_Y + 3}" stroke="#1d2330" '
        'stroke-width="1.5" stroke-dasharray="3 2"/>'
    )
    stacked: Counter[str] = Counter()
    for entry in c.entries:
        if entry.role != STATEMENT or entry.retracted:
            continue  # a retracted statement is listed, marked, but is no evidence to draw
        level = min(stacked[entry.effective_on], 2)
        stacked[entry.effective_on] += 1
        colour = STATUS_COLOURS.get(entry.status or "", NO_STATUS_COLOUR)
        asserted = f"→ {entry.label}" if entry.label else "no status asserted"
        out.append(
            f'<circle class="mark" cx="{x(_day(entry.effective_on))}" '
            f'cy="{MARK_Y - level * STACK}" r="7" fill="{colour}" stroke="#fff" '
            'stroke-width="1.5">'
            + _tip(
                f"{entry.effective_on} {entry.speaker or ''}",
                asserted,
                f"“{clip(entry.quote or '', 200)}”",
            )
            + "</circle>"
        )
    out.append(
        f'<line x1="{LEFT}" x2="{RIGHT}" y1="{AXIS_Y}" y2="{AXIS_Y}" stroke="#b8bfcc" '
        'stroke-width="1"/>'
    )
    for day, label in ticks(axis):
        tx = x(day)
        if abs(tx - nx) < 26:
            continue  # "now" wins the space
        out.append(
            f'<line x1="{tx}" x2="{tx}" y1="{AXIS_Y}" y2="{AXIS_Y + 3}" stroke="#b8bfcc"/>'
            f'<text x="{tx}" y="{LABEL_Y}" text-anchor="middle" font-size="10" '
            f'fill="#5b6478">{esc(label)}</text>'
        )
    anchor = "end" if nx > RIGHT - 20 else "start" if nx < LEFT + 20 else "middle"
    out.append(
        f'<text x="{nx}" y="{LABEL_Y}" text-anchor="{anchor}" font-size="10" font-weight="700" '
        f'fill="#1d2330">now</text>'
    )
    out.append("</svg>")
    return "".join(out)


# Patterns live once per page, in an SVG of no size that every timeline refers to.
_DEFS = (
    '<svg width="0" height="0" style="position:absolute" aria-hidden="true" '
    'xmlns="http://www.w3.org/2000/svg"><defs>'
    '<pattern id="stale-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
    'patternTransform="rotate(45)">'
    '<rect width="6" height="6" fill="#fdecea"/>'
    f'<line x1="0" y1="0" x2="0" y2="6" stroke="{STALE_COLOUR}" stroke-width="2.2" '
    'stroke-opacity=".45"/></pattern></defs></svg>'
)


def _stacked_bar(parts: Sequence[tuple[str, int]], width: int, height: int) -> str:
    """Every commitment's status at once, with the count written where it fits."""
    total = sum(n for _, n in parts) or 1
    out = [
        f'<svg class="bar" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        'role="img" aria-label="commitments by status" xmlns="http://www.w3.org/2000/svg">'
    ]
    left = 0.0
    for status, n in parts:
        w = n / total * width
        out.append(
            f'<rect x="{round(left, 2)}" y="0" width="{round(w, 2)}" height="{height}" '
            f'fill="{STATUS_COLOURS.get(status, NO_STATUS_COLOUR)}">'
            f"{_tip(f'{status}: {n}')}</rect>"
        )
        text = f"{status.replace('_', ' ')} {n}"
        if w > len(text) * 7 + 8:
            out.append(
                f'<text x="{round(left + 6, 2)}" y="{height / 2 + 4.5}" font-size="12.5" '
                f'font-weight="600" fill="#fff">{esc(text)}</text>'
            )
        left += w
    out.append("</svg>")
    return "".join(out)


BOARD_CSS = """
body{max-width:66rem}
header{margin-bottom:1rem}
.kpis{display:flex;flex-wrap:wrap;gap:.6rem;margin:.8rem 0}
.kpi{border:1px solid var(--line);border-radius:8px;padding:.35rem .9rem;min-width:7.5rem;
background:var(--tint)}
.kpi b{display:block;font-size:1.6rem;line-height:1.9rem}
.kpi.stale{border-color:var(--stale);background:#fdecea;color:#8a1c13}
.bar{width:100%;height:auto;border-radius:4px;display:block}
.summary{display:grid;grid-template-columns:minmax(16rem,1fr) minmax(20rem,1.4fr);gap:1.2rem;
align-items:start}
@media (max-width:50rem){.summary{grid-template-columns:1fr}}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{text-align:left;padding:.2rem .45rem;border-bottom:1px solid var(--line);
vertical-align:middle}
th{font-size:.78rem;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}
td.n{text-align:right;font-variant-numeric:tabular-nums}
td.n.hot{color:#8a1c13;font-weight:700}
.mini{display:flex;height:10px;min-width:6rem;border-radius:3px;overflow:hidden}
.mini span{background:var(--c)}
.legend{display:flex;flex-wrap:wrap;gap:.35rem 1rem;align-items:center;font-size:.85rem;
border:1px solid var(--line);border-radius:8px;padding:.5rem .8rem;margin:1rem 0;
background:var(--tint)}
.legend svg{vertical-align:middle}
.toc .grp{margin:.45rem 0}
.toc .ids{margin:.15rem 0 0 .2rem;line-height:1.7;font-size:.84rem}
.toc .ids a{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;
text-decoration:none;padding:0 .25rem;border-radius:3px;margin-right:.15rem;
white-space:nowrap}
.toc .ids a.hot{color:#a3170d;font-weight:700}
.toc .ids a.soon{color:#8a5300;font-weight:600}
.toc .ids a.hot::before{content:"";display:inline-block;width:.45rem;height:.45rem;
border-radius:50%;background:var(--stale);margin-right:.2rem;vertical-align:.08rem}
.group-head{display:flex;gap:.5rem;align-items:center}
.timeline{display:block;width:100%;height:auto;margin:.4rem 0 .2rem}
.entries{list-style:none;margin:.2rem 0 0;padding:0}
.entries li{padding:.3rem 0;border-top:1px dotted var(--line);font-size:.92rem}
.entries li.ev{color:var(--muted);font-size:.85rem}
.entries time{font-variant-numeric:tabular-nums;color:var(--muted);margin-right:.35rem}
.entries .who{font-weight:600}
.entries li.retracted blockquote{text-decoration:line-through;color:var(--muted)}
.entries li.retracted .chip:not(.retracted){opacity:.45}
.src{font-size:.82rem;color:var(--muted);overflow-wrap:anywhere}
.more{font-size:.8rem;color:var(--muted)}
@media print{
.toc .ids{font-size:7.5pt}
.timeline{max-width:100%}
.item{margin:.4rem 0}
}
"""


def _legend_html() -> str:
    def icon(body: str, width: int = 22) -> str:
        return (
            f'<svg width="{width}" height="16" viewBox="0 0 {width} 16" aria-hidden="true" '
            f'xmlns="http://www.w3.org/2000/svg">{body}</svg>'
        )

    swatches = " ".join(
        f'<span class="s-{s}"><span class="swatch"></span>{esc(s.replace("_", " "))}</span>'
        for s in STATUSES
    )
    items = [
        swatches,
        '<span class="s-none"><span class="swatch"></span>no status asserted</span>',
        icon(f'<circle cx="11" cy="8" r="5.5" fill="{STATUS_COLOURS["committed"]}"/>')
        + "statement (colour: the status it asserted)",
        icon(f'<rect x="0" y="5" width="22" height="6" rx="2" fill="{STATUS_COLOURS["pending"]}"/>')
        + "status over time",
        icon(f'<path d="M6.5 3h9l-4.5 5.5z" fill="{STATUS_COLOURS["fulfilled"]}"/>', 22)
        + "status change",
        icon(f'<path d="M11 2l6 6-6 6-6-6z" fill="{STALE_COLOUR}"/>') + "follow-up overdue",
        icon('<path d="M11 2l6 6-6 6-6-6z" fill="#fff" stroke="#1a56b8" stroke-width="2"/>')
        + "follow-up awaited",
        icon(f'<path d="M11 2l6 6-6 6-6-6z" fill="{FOLLOWUP_DONE_COLOUR}"/>')
        + "follow-up answered, done or not awaited",
        icon('<rect x="0" y="0" width="22" height="16" fill="url(#stale-hatch)"/>', 22)
        + "stale (nobody followed it up in time)",
        icon(
            '<line x1="11" y1="0" x2="11" y2="16" stroke="#1d2330" stroke-width="1.5" '
            'stroke-dasharray="3 2"/>',
            22,
        )
        + "now",
        '<span class="chip retracted">retracted</span> listed, not drawn',
        f"{stale_chip(12)} stale, 12 days overdue",
        f'<span class="chip soon">stale in 3d</span> goes stale within {SOON_DAYS} days',
    ]
    return (
        '<section class="legend" aria-label="legend">'
        + "".join(f"<span>{i}</span>" for i in items)
        + "</section>"
    )


def _entry_html(entry: Entry) -> str:
    when = f"<time>{esc(entry.effective_on)}</time>"
    if entry.role == STATEMENT:
        colour_class = f"s-{entry.status}" if entry.status else "s-none"
        asserted = (
            f" → {chip(entry.status, entry.label)}"
            if entry.status
            else ' <span class="muted">(no status asserted)</span>'
        )
        quote = " ".join((entry.quote or "").split())
        shown, more = quote, ""
        if len(quote) > QUOTE_LIMIT:
            shown = quote[: QUOTE_LIMIT - 1] + "…"
            more = (
                f' <span class="more">({len(quote) - QUOTE_LIMIT + 1:,} more characters: '
                "see the source or tracker status)</span>"
            )
        retracted = ""
        classes = f"st {colour_class}"
        if entry.retracted:
            classes += " retracted"
            retracted = (
                ' <span class="chip retracted">retracted</span> '
                f'<span class="muted">{esc(entry.retraction_reason or "")}</span>'
            )
        source = f'<div class="src">source: {link(entry.source)}</div>' if entry.source else ""
        note = f'<div class="src">note: {esc(entry.note)}</div>' if entry.note else ""
        return (
            f'<li class="{classes}">{when}<span class="who">{esc(entry.speaker or "")}</span>'
            f"{asserted}{retracted}<blockquote>“{esc(shown)}”{more}</blockquote>"
            f"{source}{note}</li>"
        )
    return f'<li class="ev">{when}{esc(_event_text(entry))}</li>'


def _event_text(entry: Entry) -> str:
    """A non-statement entry in words (the statements carry quotes instead)."""
    mark = " [retracted]" if entry.retracted else ""
    if entry.role == ADDED:
        text = f"added by {entry.recorded_by}"
        if entry.status:
            text += f", starting {status_text(entry.status, entry.label or entry.status)}"
        if entry.due:
            text += f", follow-up due {entry.due}"
        if entry.link:
            text += f", superseding {entry.link}"
    elif entry.role == FOLLOWUP:
        text = f"follow-up scheduled, due {entry.due}" + (f": {entry.note}" if entry.note else "")
    elif entry.role == FOLLOWUP_DONE:
        text = "follow-up done" + (f": {entry.note}" if entry.note else "")
    elif entry.role == SUPERSEDED:
        text = f"superseded by {entry.link}"
    else:
        text = f"description amended by {entry.recorded_by}" + amended_clears(entry)
    return text + mark


def _answered(c: Card, escape: Callable[[str], str]) -> str:
    """What became of the open follow-up: answered by a statement, or not awaited."""
    last = c.followups[-1] if c.followups else None
    if last is not None and last.outcome == "closed":
        return f" ({escape(NOT_AWAITED)})"
    if last is None or last.outcome != "answered" or not last.answered_by:
        return ""
    return f", answered by {escape(last.answered_by)}"


def _card_html(c: Card, board: Board) -> str:
    s = c.row.state
    classes = f"item s-{s.status}" + (" is-stale" if c.row.stale else "")
    head = [
        chip(s.status, s.label),
        f'<span class="id">{esc(s.id)}</span>',
        f'<span class="title">{esc(s.title)}</span>',
    ]
    if c.row.stale:
        head.append(stale_chip(c.row.overdue_days))
    elif c.stale_in is not None:
        head.append(f'<span class="chip soon">stale in {c.stale_in}d</span>')
    facts = [
        f'{esc(f.name)} <a href="#c-{esc(f.link)}">{esc(f.link)}</a>'
        if f.link
        else esc(f.value) + (_answered(c, esc) if f.name == "follow-up due" else "")
        for f in fact_phrases(s, board.review_default, since=True)
    ]
    reasons = "".join(f'<div class="reason">{esc(r.text)}</div>' for r in c.row.reasons)
    entries = "".join(_entry_html(e) for e in c.entries)
    return (
        f'<article class="{classes}" id="c-{esc(s.id)}">'
        f'<div class="head">{" ".join(head)}</div>'
        f'<div class="meta">{" · ".join(facts)}</div>{reasons}'
        f"{timeline_svg(c, board.axis, board.now)}"
        f'<ol class="entries">{entries}</ol></article>'
    )


def _mini_bar(by_status: Sequence[tuple[str, int]]) -> str:
    return (
        '<div class="mini">'
        + "".join(
            f'<span class="s-{esc(s)}" style="flex:{n}" title="{esc(s)}: {n}"></span>'
            for s, n in by_status
        )
        + "</div>"
    )


HOT = ' class="hot"'


SOON = ' class="soon"'


def board_html(board: Board) -> str:
    """The board as one self-contained HTML page."""
    total, open_, stale = _totals(board)
    grouped = groups(board)
    title = _title(board)
    parts = [
        _DEFS,
        f"<header><h1>{esc(title)}</h1>",
        f'<p class="meta">{esc(_summary_line(board))} Timelines share one axis, '
        f"{esc(board.axis.start.isoformat())} to {esc(board.axis.end.isoformat())}.</p>",
        '<div class="kpis">',
        f'<div class="kpi"><b>{total}</b>commitments</div>',
        f'<div class="kpi"><b>{open_}</b>open</div>',
        f'<div class="kpi stale"><b>{stale}</b>stale</div>',
        f'<div class="kpi"><b>{total - open_}</b>closed</div>',
        "</div>",
        _stacked_bar([(s, len(cs)) for s, cs in grouped], 1000, 24),
        "</header>",
    ]
    status_rows = "".join(
        f'<tr><td><a href="#status-{s}">{chip(s)}</a></td><td class="n">{len(cs)}</td>'
        f'<td class="n{" hot" if any(c.row.stale for c in cs) else ""}">'
        f"{sum(1 for c in cs if c.row.stale)}</td></tr>"
        for s, cs in grouped
    )
    party_rows = "".join(
        f"<tr><td>{esc(p.party)}</td><td class='n'>{p.total}</td><td class='n'>{p.open}</td>"
        f"<td class='n{' hot' if p.stale else ''}'>{p.stale}</td>"
        f"<td>{_mini_bar(p.by_status)}</td></tr>"
        for p in party_counts(board)
    )
    if board.cards:
        parts.append(
            '<section class="summary">'
            "<div><h2>By status</h2><table><tr><th>status</th><th>commitments</th>"
            f"<th>stale</th></tr>{status_rows}</table></div>"
            "<div><h2>By party</h2><table><tr><th>party</th><th>commitments</th><th>open</th>"
            f"<th>stale</th><th>statuses</th></tr>{party_rows}</table></div>"
            "</section>"
        )
        parts.append(_legend_html())
        toc = ['<nav class="toc" aria-label="contents"><h2>Contents</h2>']
        for status, cards in grouped:
            hot = sum(1 for c in cards if c.row.stale)
            ids = " ".join(
                f'<a href="#c-{esc(c.id)}"{HOT if c.row.stale else SOON if c.stale_in else ""} '
                f'title="{esc(c.row.state.title)}">{esc(c.id)}</a>'
                for c in cards
            )
            parts_hot = f", {hot} stale" if hot else ""
            toc.append(
                f'<div class="grp"><a href="#status-{status}">{chip(status)}</a> '
                f'<span class="muted">{plural(len(cards), "commitment")}{parts_hot}</span>'
                f'<div class="ids">{ids}</div></div>'
            )
        toc.append("</nav>")
        parts.extend(toc)
    parts.append("<main>")
    for status, cards in grouped:
        hot = sum(1 for c in cards if c.row.stale)
        parts.append(
            f'<section class="group" id="status-{status}">'
            f'<h2 class="group-head">{chip(status)} {plural(len(cards), "commitment")}'
            f"{f' — {hot} stale' if hot else ''}</h2>"
        )
        parts.extend(_card_html(c, board) for c in cards)
        parts.append("</section>")
    parts.append("</main>")
    return page(title, "\n".join(parts), BOARD_CSS)


TEXT_WIDTH = 60


def text_strip(c: Card, axis: Span, now: date) -> str:
    """The timeline as one line of characters on the shared axis (for Markdown)."""

    def col(day: date) -> int:
        return min(
            TEXT_WIDTH - 1, max(0, (day - axis.start).days * TEXT_WIDTH // max(axis.days, 1))
        )

    cells = [" "] * TEXT_WIDTH
    for band in c.bands:
        for i in range(col(band.start), col(band.end) + 1):
            cells[i] = "─"
    for span in c.stale:
        for i in range(col(span.start), col(span.end) + 1):
            cells[i] = "░"
    for f in c.followups:
        cells[col(f.due)] = "◆" if f.outcome == "waiting" else "◇"
    for e in c.entries:
        if e.role == STATEMENT and not e.retracted:
            cells[col(_day(e.effective_on))] = "●"
    cells[col(now)] = "┃"
    return "".join(cells)


def _text_events(c: Card, now: date) -> list[tuple[date, int, str]]:
    """Dated lines of the text timeline: statements, status changes, follow-ups, stale stretches."""
    lines: list[tuple[date, int, str]] = []
    for entry in c.entries:
        if entry.role != STATEMENT:
            continue
        asserted = f" → {md_escape(entry.label)}" if entry.label else ""
        mark = " (retracted, not counted)" if entry.retracted else ""
        lines.append(
            (
                _day(entry.effective_on),
                1,
                f"● statement by {md_escape(entry.speaker or '')}{asserted}{mark}",
            )
        )
    for band in c.bands[1:]:
        lines.append(
            (
                band.start,
                0,
                f"▲ status changed to {md_escape(status_text(band.status, band.label))}",
            )
        )
    for f in c.followups:
        lines.append(
            (
                f.scheduled_on,
                2,
                f"◇ follow-up scheduled, due {f.due.isoformat()}"
                + (f": {md_escape(f.note)}" if f.note else ""),
            )
        )
        state = (
            "overdue"
            if f.overdue
            else {"waiting": "awaited", "closed": NOT_AWAITED}.get(f.outcome, f.outcome)
        )
        symbol = "◆" if f.outcome == "waiting" else "◇"
        answered = f", answered by {md_escape(f.answered_by)}" if f.answered_by else ""
        lines.append((f.due, 3, f"{symbol} follow-up due ({state}){answered}"))
    for span in c.stale:
        ongoing = span.end == now and c.row.stale
        until = "until now" if ongoing else f"until {span.end.isoformat()}"
        lines.append(
            (span.start, 4, f"░ stale after this day, {until} ({plural(span.days, 'day')})")
        )
    lines.append((now, 5, "┃ now"))
    return sorted(lines, key=lambda line: (line[0], line[1]))


def _md_card(c: Card, board: Board) -> list[str]:
    s = c.row.state
    stale = f" — **stale {c.row.overdue_days}d**" if c.row.stale else ""
    if c.stale_in is not None:
        stale = f" — stale in {c.stale_in}d"
    lines = [
        f"### {s.id}",
        "",
        f"**{md_escape(s.title)}** — {md_escape(status_text(s.status, s.label))} since "
        f"{s.status_since}{stale}",
        "",
    ]
    facts = [
        f"{f.name} [{f.link}](#{f.link})"
        if f.link
        else md_escape(f.value) + (_answered(c, md_escape) if f.name == "follow-up due" else "")
        for f in fact_phrases(s, board.review_default, since=False)
    ]
    lines.append(" · ".join(facts))
    if c.row.reasons:
        lines.append("")
    lines += [f"- ⚠ {md_escape(reason.text)}" for reason in c.row.reasons]
    lines += ["", f"`{text_strip(c, board.axis, board.now)}`", ""]
    lines += [f"- `{day.isoformat()}` {text}" for day, _, text in _text_events(c, board.now)]
    statements = [e for e in c.entries if e.role == STATEMENT]
    if statements:
        lines += ["", "Statements:", ""]
    for entry in statements:
        quote = md_escape(clip(entry.quote or "", QUOTE_LIMIT))
        quote = (
            f"~~“{quote}”~~ **retracted**: {md_escape(entry.retraction_reason or '')}"
            if (entry.retracted)
            else f"“{quote}”"
        )
        asserted = f" → {md_escape(entry.label)}" if entry.label else ""
        source = f" — {md_link(entry.source)}" if entry.source else ""
        lines.append(
            f"> {entry.effective_on}, **{md_escape(entry.speaker or '')}**{asserted}: "
            f"{quote}{source}"
        )
        lines.append("")
    lines.append("")
    return lines


def board_md(board: Board) -> str:
    """The same board in Markdown: tables for the counts, a text timeline per commitment."""
    grouped = groups(board)
    lines = [f"# {_title(board)}", "", _summary_line(board), ""]
    if board.cards:
        lines += ["## By status", "", "| status | commitments | stale |", "|---|---:|---:|"]
        for status, cards in grouped:
            lines.append(
                f"| [{status}](#status-{status}) | {len(cards)} | "
                f"{sum(1 for c in cards if c.row.stale)} |"
            )
        lines += [
            "",
            "## By party",
            "",
            "| party | commitments | open | stale | statuses |",
            "|---|---:|---:|---:|---|",
        ]
        for p in party_counts(board):
            statuses = ", ".join(f"{s} {n}" for s, n in p.by_status)
            lines.append(
                f"| {md_escape(p.party)} | {p.total} | {p.open} | {p.stale} | {statuses} |"
            )
        lines += [
            "",
            "Timeline key: `●` statement, `─` tracked, `◆` follow-up due (awaited), "
            "`◇` follow-up answered, done, replaced or not awaited (closed), `░` stale, `┃` now. "
            f"Every strip spans {board.axis.start.isoformat()} to {board.axis.end.isoformat()}. "
            f"In the contents, ⚠ is stale and ⏳ goes stale within {SOON_DAYS} days.",
            "",
            "## Contents",
            "",
        ]
        for status, cards in grouped:
            ids = ", ".join(
                f"[{c.id}](#{c.id}){' ⚠' if c.row.stale else ' ⏳' if c.stale_in else ''}"
                for c in cards
            )
            hot = sum(1 for c in cards if c.row.stale)
            lines.append(
                f"- **[{status}](#status-{status})** ({len(cards)}"
                f"{f', {hot} stale' if hot else ''}): {ids}"
            )
        lines.append("")
    for status, cards in grouped:
        lines += [f"## status: {status}", ""]
        for c in cards:
            lines += _md_card(c, board)
    return "\n".join(lines).rstrip("\n") + "\n"
