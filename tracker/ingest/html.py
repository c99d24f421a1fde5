"""Inputs for ingest: `html_to_text`, `read_input` and `split_header`.

Owns: reducing an HTML page to paragraphs of plain text (scripts and styles dropped, blocks,
list items and headings kept apart), deciding whether an input is HTML at all, and reading
the `Source:`/`Date:`/`Title:` lines a saved text may start with.

Imports the standard library and attrs only; nothing else in `tracker.ingest` is needed here.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import attrs

_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "head", "svg", "iframe"})
_BLOCK_TAGS = frozenset(
    {
        "p", "div", "section", "article", "header", "footer", "main", "aside", "nav",
        "blockquote", "pre", "table", "tr", "ul", "ol", "dl", "dt", "dd", "figure",
        "figcaption", "hr", "address", "body", "html", "form", "fieldset", "details",
        "summary", "caption", "thead", "tbody", "tfoot",
    }
)  # fmt: skip
_HEADING_TAGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self.skipping += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "li":
            # A list item keeps a Markdown marker so the sentence splitter and the
            # lead-in rule ("The Heads of State:" + items) see it as a list.
            self.parts.append("\n\n- ")
        elif tag in _HEADING_TAGS:
            # Headings are marked so they are never proposed as statements.
            self.parts.append("\n\n" + "#" * _HEADING_TAGS[tag] + " ")
        elif tag in _BLOCK_TAGS or tag in ("td", "th"):
            self.parts.append("\n\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCK_TAGS or tag in _HEADING_TAGS or tag in ("li", "td", "th"):
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(html: str) -> str:
    """Reduce HTML to plain text: scripts and styles dropped, blocks become paragraphs."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    raw = "".join(parser.parts)
    lines = [" ".join(line.split()) for line in raw.split("\n")]
    text = "\n".join(lines)
    text = re.sub(r"\n{3,}", "\n\n", text)
    # An empty list marker or heading left by an empty element carries nothing.
    text = re.sub(r"(?m)^(?:-|#{1,6})\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


_HTML_SNIFF = re.compile(
    r"<!doctype\s+html|<html[\s>]|<body[\s>]|<head[\s>]"
    r"|<(?:p|div|br|h[1-6]|ul|ol|li|article|section|span|a|table|strong|em)(?:\s[^<>]*)?/?>",
    re.IGNORECASE,
)


def looks_like_html(raw: str, name: str | None = None) -> bool:
    """Whether a text is HTML: by its file suffix, or by its first 4,000 characters."""
    if (name or "").lower().endswith((".html", ".htm", ".xhtml")):
        return True
    head = raw[:4000]
    stripped = head.lstrip().lower()
    return stripped.startswith(("<!doctype html", "<html")) or len(_HTML_SNIFF.findall(head)) >= 3


def read_input(raw: str, name: str | None = None) -> str:
    """Return the text to read: HTML (by file suffix or content) is reduced to text."""
    return html_to_text(raw) if looks_like_html(raw, name) else raw


@attrs.frozen(kw_only=True)
class Header:
    """What a text's opening `Source:`, `Date:` and `Title:` lines say (None when absent)."""

    source: str | None = None
    date: str | None = None
    title: str | None = None


_HEADER_LINE = re.compile(
    r"(?P<key>Source|Date|Title|URL)[ \t]*:[ \t]*(?P<value>\S[^\n]*?)[ \t]*\n"
)


def split_header(text: str) -> tuple[Header, str]:
    """Split off the `Source:`/`Date:`/`Title:` lines a saved readout starts with.

    The lines must come first, one per key, up to the first blank line; anything else
    (a text that does not start that way) gives an empty header and the text unchanged.
    The date is returned as written; the caller checks it.
    """
    values: dict[str, str] = {}
    pos = len(text) - len(text.lstrip("\ufeff"))
    while True:
        match = _HEADER_LINE.match(text, pos)
        if match is None:
            break
        key = match.group("key").lower()
        if key in values:
            break
        values["source" if key == "url" else key] = match.group("value")
        pos = match.end()
    if not values or (text[pos : pos + 1] not in ("\n", "\r") and pos < len(text)):
        return Header(), text
    return Header(**values), text[pos:].lstrip("\r\n")
