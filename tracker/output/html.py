"""The look every HTML page of tracker shares: status colours, CSS, chips, links, the page shell.

The status board (`tracker report`) and the reminder report (`remind --format html`)
both build on this, so a status reads the same colour everywhere. Pure string
building: every piece of user text goes through `esc`, and only http(s) URLs ever
become links. Must not import the store, the application or the other renderers.
"""

from __future__ import annotations

import html
from urllib.parse import urlsplit

from tracker.domain.values import STATUSES, label_repeats, status_with_label

# One colour per status, chosen to read apart for the common colour-vision deficiencies
# too: open statuses are blues and teals (with amber and orange for the doubtful ones),
# closed ones green for kept, red for broken, muted for the rest.
STATUS_COLOURS: dict[str, str] = {
    "proposed": "#9c8ade",
    "pending": "#5aa9e6",
    "committed": "#1f5fbf",
    "in_progress": "#0f9d8f",
    "stalled": "#e08a1e",
    "fulfilled": "#2e8b3e",
    "partial": "#a3b82c",
    "broken": "#b3261e",
    "withdrawn": "#8d7b6f",
    "superseded": "#5b6b78",
}

assert tuple(STATUS_COLOURS) == tuple(STATUSES)


NO_STATUS_COLOUR = "#a9afb8"  # a statement that asserts no status


STALE_COLOUR = "#d93025"


TEXT_COLOUR = "#1d2330"


MUTED_COLOUR = "#5b6478"


def esc(text: object) -> str:
    """Escape user text for HTML text and attribute values alike (inline SVG included)."""
    return html.escape(str(text), quote=True)


def web_url(source: str | None) -> str | None:
    """`source` if it is an http(s) URL a browser can follow safely, else None.

    Anything else (a citation, `javascript:`, `data:`, a URL with spaces or control
    characters) stays text.
    """
    if not source or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in source):
        return None
    try:
        parts = urlsplit(source)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return source


def link(source: str | None) -> str:
    """A source as HTML: a link when it is an http(s) URL, escaped text otherwise."""
    if not source:
        return ""
    url = web_url(source)
    if url is None:
        return esc(source)
    return f'<a href="{esc(url)}" rel="noopener noreferrer">{esc(source)}</a>'


def status_text(status: str, label: str) -> str:
    """'pending (pending conclusion)', or just 'committed' when the label adds nothing."""
    return status_with_label(status, label)


def chip(status: str, label: str | None = None) -> str:
    """A coloured status chip; the label (the word the source used) follows when it differs."""
    shown = esc(status.replace("_", " "))
    extra = "" if label_repeats(status, label) else f' <span class="label">{esc(label)}</span>'
    return f'<span class="chip s-{esc(status)}">{shown}</span>{extra}'


def stale_chip(days: int) -> str:
    return f'<span class="chip stale">stale {days}d</span>'


_STATUS_CSS = (
    "".join(f".s-{name}{{--c:{colour}}}" for name, colour in STATUS_COLOURS.items())
    + f".s-none{{--c:{NO_STATUS_COLOUR}}}"
)


CSS = (
    f"""
:root{{--text:{TEXT_COLOUR};--muted:{MUTED_COLOUR};--line:#d6dae3;--stale:{STALE_COLOUR};
--paper:#fff;--tint:#f6f7fa}}
*{{box-sizing:border-box}}
body{{overflow-wrap:anywhere;
font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--text);
background:var(--paper);max-width:62rem;margin:1.5rem auto;padding:0 1rem;
-webkit-print-color-adjust:exact;print-color-adjust:exact}}
h1{{font-size:1.45rem;margin:0 0 .25rem}}
h2{{font-size:1.15rem;margin:2rem 0 .6rem;border-bottom:2px solid var(--line);
padding-bottom:.25rem}}
h3{{font-size:1rem;margin:0}}
a{{color:#1a56b8}}
.meta,.muted{{color:var(--muted);font-size:.87rem}}
.chip{{display:inline-block;border-radius:999px;padding:0 .55rem;font-size:.78rem;
font-weight:600;line-height:1.45rem;white-space:nowrap;color:#fff;background:var(--c,#777);
vertical-align:middle}}
.chip.stale{{background:var(--stale)}}
.chip.soon{{background:#fff4e0;color:#8a5300;border:1px solid #e0a040;line-height:1.3rem}}
.chip.new{{background:#7a1fa2}}
.chip.retracted{{background:#fff;color:var(--muted);border:1px dashed var(--muted);
line-height:1.3rem}}
.label{{color:var(--muted);font-size:.85rem;font-style:italic}}
.swatch{{display:inline-block;width:.8rem;height:.8rem;border-radius:50%;
background:var(--c,#777);vertical-align:-.08rem;margin-right:.25rem}}
blockquote{{margin:.3rem 0 .15rem;padding-left:.7rem;border-left:3px solid var(--c,#ccd);
font-style:italic;overflow-wrap:anywhere}}
.item{{border:1px solid var(--line);border-left:6px solid var(--c,#999);border-radius:6px;
padding:.55rem .85rem;margin:.8rem 0;background:var(--paper)}}
.item.is-stale{{background:linear-gradient(90deg,#fdecea,var(--paper) 14rem)}}
.item .head{{display:flex;flex-wrap:wrap;gap:.4rem;align-items:center}}
.item .id{{font-weight:700;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;
font-size:.92rem}}
.item .title{{font-weight:600}}
.reason{{margin:.15rem 0;color:#8a1c13;font-size:.9rem}}
.reason::before{{content:"⚠ "}}
"""
    + _STATUS_CSS
    + """
@media print{
body{max-width:none;margin:0;font-size:11pt}
.item,.group-head,.summary,tr{break-inside:avoid}
h2{break-after:avoid}
a{color:inherit;text-decoration:none}
}
"""
)


def page(title: str, body: str, extra_css: str = "") -> str:
    """A whole self-contained HTML document: inline CSS, no scripts, nothing fetched."""
    return (
        "<!doctype html>\n"
        '<html lang="en"><head><meta charset="utf-8">\n'
        # Belt and braces: even a markup slip could neither run a script nor fetch anything.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n<style>{CSS}{extra_css}</style></head>\n"
        f"<body>\n{body}\n</body></html>\n"
    )
