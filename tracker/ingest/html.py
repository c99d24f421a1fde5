"""HTML to text for ingest: `html_to_text` and `read_input`.

Owns: reducing an HTML page to paragraphs of plain text (scripts and styles dropped, blocks,
list items and headings kept apart) and deciding whether an input is HTML at all.

Imports the standard library only; nothing else in `tracker.ingest` is needed here.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

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


def read_input(raw: str, name: str | None = None) -> str:
    """Return the text to read: HTML (by file suffix or content) is reduced to text."""
    lower_name = (name or "").lower()
    if lower_name.endswith((".html", ".htm", ".xhtml")):
        return html_to_text(raw)
    head = raw[:4000]
    stripped = head.lstrip().lower()
    if stripped.startswith(("<!doctype html", "<html")) or len(_HTML_SNIFF.findall(head)) >= 3:
        return html_to_text(raw)
    return raw
