"""What `tracker ingest` reads: a file, standard input or an http(s) URL, reduced to its text.

A web page (fetched, or saved as a file) goes through trafilatura, which keeps the main
text and drops navigation, footers and comments, and reads the page's date, title and
canonical URL. A text file may start with `Source:`, `Date:` and `Title:` lines, read
the same way. The caller uses the date and URL for `--on` and `--source` when those are
not given.

Fetching is bounded: http and https only (redirects included), `FETCH_TIMEOUT` seconds,
at most `MAX_BYTES`, `MAX_REDIRECTS` redirects, and a user agent that names the tool.
Every failure is one line: a URL that cannot be fetched is a runtime failure (exit 1), a
URL or file that cannot be what ingest reads is bad input (exit 2).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NamedTuple

from tracker import __version__
from tracker.errors import RuntimeFailure, UserError

if TYPE_CHECKING:
    from urllib.request import Request

FETCH_TIMEOUT = 20  # seconds, for the connection and for each read
MAX_BYTES = 10 * 1024 * 1024  # a readout is kilobytes; ten megabytes is not a readout
MAX_REDIRECTS = 5
USER_AGENT = f"tracker/{__version__} (a tracker of public commitments; ingest)"

_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")


class Document(NamedTuple):
    """The text to read, and what the text says about itself."""

    text: str
    name: str  # how errors and notes name it: a path, a URL or "standard input"
    date: str | None  # YYYY-MM-DD, from the page or a Date: line
    url: str | None  # the page's canonical URL, the URL fetched, or a Source: line
    title: str | None


def is_url(value: str) -> bool:
    return _URL.match(value) is not None


def read_document(where: str, stdin: IO[bytes]) -> Document:
    """Read FILE, `-` or an http(s) URL into a `Document`."""
    content_type = ""
    if where == "-":
        name, url = "standard input", None
        raw = _bounded(stdin.read(MAX_BYTES + 1), name)
    elif is_url(where):
        name = where
        raw, content_type, url = fetch(where)
    else:
        name, url = where, None
        path = Path(where)
        if not path.is_file():
            raise UserError(f"{where} is not a readable file; give a text, Markdown or HTML file")
        with path.open("rb") as stream:
            raw = _bounded(stream.read(MAX_BYTES + 1), name)
    text = _decode(raw, name, content_type)
    if _looks_html(name, content_type, text):
        return from_html(text, name, url)
    return from_text(text, name, url)


def _bounded(raw: bytes, name: str) -> bytes:
    if len(raw) > MAX_BYTES:
        raise UserError(
            f"{name} is larger than {MAX_BYTES // (1024 * 1024)} MB; "
            "give ingest the readout itself, not a collection"
        )
    return raw


def _decode(raw: bytes, name: str, content_type: str) -> str:
    charset = re.search(r"charset=([\w.-]+)", content_type or "", re.I)
    encoding = charset[1] if charset else "utf-8-sig"
    try:
        return raw.decode(encoding)
    except LookupError:
        return _decode(raw, name, "")
    except UnicodeDecodeError as exc:
        raise UserError(
            f"{name} is not {'UTF-8' if encoding == 'utf-8-sig' else encoding} text "
            f"(byte {exc.start + 1}); convert it, for example with iconv"
        ) from None


def _looks_html(name: str, content_type: str, text: str) -> bool:
    """A page by its content type, else by the same sniff ingest's own reader uses."""
    from tracker.ingest import looks_like_html

    return "html" in content_type.lower() or looks_like_html(text, name)


def from_text(text: str, name: str, url: str | None = None) -> Document:
    """A text, reading the `Source:`/`Date:`/`Title:` lines it may start with."""
    from tracker.ingest import split_header

    header, body = split_header(text)
    day = _iso_day(header.date, f"{name}: the Date: line") if header.date else None
    return Document(text=body, name=name, date=day, url=header.source or url, title=header.title)


def _iso_day(value: str, what: str) -> str:
    try:
        return date.fromisoformat(value.strip()[:10]).isoformat()
    except ValueError:
        raise UserError(f"{what} says {value!r}; write the date as YYYY-MM-DD") from None


def from_html(html: str, name: str, url: str | None = None) -> Document:
    """The page's main text (paragraphs apart), date, title and canonical URL."""
    import trafilatura

    try:
        extracted = trafilatura.bare_extraction(
            html,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
        )
    except Exception as exc:  # a parser failure on hostile markup is the page's, not a bug
        raise UserError(f"{name}: the page cannot be read as HTML ({exc})") from None
    if extracted is None:
        raise UserError(f"{name}: no main text found in the page")
    found: dict[str, Any] = extracted if isinstance(extracted, dict) else extracted.as_dict()
    body = str(found.get("text") or "")
    if not body.strip():
        raise UserError(f"{name}: no main text found in the page")
    paragraphs = [line.strip() for line in body.split("\n") if line.strip()]
    day = str(found.get("date") or "")
    return Document(
        text="\n\n".join(paragraphs) + "\n",
        name=name,
        date=day[:10] if re.fullmatch(r"\d{4}-\d{2}-\d{2}.*", day) else None,
        url=str(found.get("url") or "") or url,
        title=str(found.get("title") or "") or None,
    )


def fetch(url: str) -> tuple[bytes, str, str]:
    """GET an http(s) URL, bounded; its body, content type and final URL."""
    import socket
    import urllib.error
    import urllib.request

    scheme = url.split(":", 1)[0].lower()
    if scheme not in ("http", "https"):
        raise UserError(f"{url}: ingest fetches http:// and https:// URLs only")

    class Redirects(urllib.request.HTTPRedirectHandler):
        max_redirections = MAX_REDIRECTS

        def redirect_request(
            self, req: Request, fp: IO[bytes], code: int, msg: str, headers: object, newurl: str
        ) -> Request | None:
            if newurl.split(":", 1)[0].lower() not in ("http", "https"):
                raise RuntimeFailure(
                    f"cannot fetch {url}: it redirects to {newurl}, which is not an http(s) URL"
                )
            return super().redirect_request(req, fp, code, msg, headers, newurl)  # type: ignore[arg-type]

    opener = urllib.request.build_opener(Redirects)
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "*/*"})
    try:
        with opener.open(request, timeout=FETCH_TIMEOUT) as response:
            body = response.read(MAX_BYTES + 1)
            content_type = response.headers.get("Content-Type", "")
            final = response.geturl()
    except urllib.error.HTTPError as exc:
        exc.close()
        if exc.code in (301, 302, 303, 307, 308):
            raise RuntimeFailure(
                f"cannot fetch {url}: more than {MAX_REDIRECTS} redirects"
            ) from None
        raise RuntimeFailure(f"cannot fetch {url}: HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, (TimeoutError, socket.timeout)):
            reason = f"no answer within {FETCH_TIMEOUT} s"
        raise RuntimeFailure(f"cannot fetch {url}: {reason}") from None
    except TimeoutError:
        raise RuntimeFailure(f"cannot fetch {url}: no answer within {FETCH_TIMEOUT} s") from None
    except OSError as exc:
        raise RuntimeFailure(f"cannot fetch {url}: {exc.strerror or exc}") from None
    return _bounded(body, url), content_type, final
