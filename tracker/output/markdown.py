"""Markdown: escaping user text so it stays inert, source links, the status list."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING
from urllib.parse import quote as url_quote

if TYPE_CHECKING:  # only named in annotations: `status` starts faster without them
    from tracker.domain.staleness import StatusRow


_MD_URL_UNSAFE = " <>()[]\"'`\\*_"


def md_link(source: str | None) -> str:
    """A source in Markdown: a link only for an http(s) URL; the text is always escaped."""
    if not source:
        return ""
    from tracker.output.html import web_url

    url = web_url(source)
    if url is None:
        return md_escape(source)
    # Percent-encode what could end the destination or start markup; the URL means the same.
    target = "".join(url_quote(ch, safe="") if ch in _MD_URL_UNSAFE else ch for ch in url)
    return f"[{md_escape(source)}]({target})"


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
