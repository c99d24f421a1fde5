"""`tracker report`: the status board in HTML and Markdown, and the history it draws.

The HTML must parse, draw one timeline per commitment with one mark per live statement,
fetch nothing, keep hostile text as text, and render to a non-blank page in a real
browser. The stale stretches must follow SPEC's staleness rules and agree with `status`.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import tempfile
import time
import zlib
from collections import Counter
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.conftest import make_session
from tests.synthetic import synthetic_export
from tracker.application import board as gathering
from tracker.application import record
from tracker.domain import views
from tracker.domain.history import Span
from tracker.output import board as drawing
from tracker.output.html import CSS, STALE_COLOUR, STATUS_COLOURS

HOSTILE_QUOTE = (
    '<script>alert(1)</script><img src=x onerror="alert(2)"> '
    '<a href="javascript:alert(3)">click</a> ]]> --> <!-- </title></svg>'
)
HOSTILE_TITLE = '"><svg onload=alert(4)>Deal </title><script>alert(5)</script>'
HOSTILE_SPEAKER = "Eve <b onmouseover=alert(6)>"
FETCHING_TAGS = {"link", "script", "img", "style", "font", "iframe", "object", "embed",
                 "source", "audio", "video", "image", "use", "frame", "input", "track"}  # fmt: skip


class Board(HTMLParser):
    """What a browser would build from the page: elements, attributes, text, timelines."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.marks: Counter[str] = Counter()  # commitment id -> statement marks drawn
        self.timelines: list[str] = []
        self.titles: list[str] = []  # SVG tooltips
        self._card: str | None = None
        self._svg: str | None = None
        self._in_title = False
        self.feed(page)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.tags.append((tag, found))
        classes = (found.get("class") or "").split()
        if tag == "article":
            self._card = (found.get("id") or "").removeprefix("c-")
        elif tag == "svg" and "timeline" in classes:
            assert self._card is not None, "a timeline outside a commitment's card"
            self._svg = self._card
            self.timelines.append(self._card)
        elif tag == "circle" and "mark" in classes and self._svg is not None:
            self.marks[self._svg] += 1
        elif tag == "title" and self._svg is not None:
            self._in_title = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self._svg = None
        elif tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._in_title:
            self.titles.append(data)

    @property
    def all_text(self) -> str:
        return "".join(self.text)


def assert_fetches_nothing(page: str, board: Board) -> None:
    assert "<script" not in page.lower()
    for tag, attrs in board.tags:
        assert tag not in ("script", "img", "iframe", "object", "embed", "link"), tag
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            if tag in FETCHING_TAGS and name in ("src", "href", "xlink:href", "srcset", "data"):
                assert not re.match(r"\s*(https?:)?//", value or "", re.I), (tag, name, value)
            if name == "href":
                assert re.match(r"(#|https?://)", value or ""), (tag, value)
    assert not re.search(r"@import|url\(\s*['\"]?(https?:)?//", page, re.I)
    assert "default-src 'none'" in page


def record_history(run) -> None:
    """The worked example grown: statements over time, a follow-up, a retraction."""
    steps = [
        ["followup", "stip", "--due", "2025-03-01", "--note", "talks expected to resume", "--on", "2025-02-03"],
        ["log", "Negotiators met again.", "--by", "USTR", "--on", "2025-03-12", "-c", "stip=negotiating",
         "--source", "https://ustr.gov/stip"],
        ["log", "France delivered the support package.", "--by", "Élysée", "--on", "2025-03-05",
         "-c", "france-regional-support=delivered", "--source", "Élysée readout, 5 March 2025"],
        ["log", "US flights continued.", "--by", "AFRICOM", "--on", "2025-02-20", "-c", "us-regional-capabilities"],
    ]  # fmt: skip
    for step in steps:
        assert run(*step).exit_code == 0, step
    wrong = run("log", "STIP signed.", "--by", "Wire", "--on", "2025-03-13", "-c", "stip=signed")
    event = wrong.stdout.split()[2]
    assert run("retract", event, "--reason", "misreported").exit_code == 0


LIVE_STATEMENTS = {
    "stip": 2,  # the retracted one is listed, not drawn
    "haiti-mss-strategy": 1,
    "us-regional-capabilities": 2,
    "france-regional-support": 2,
}


@pytest.mark.both_stores
def test_board_parses_with_one_timeline_per_commitment_and_a_mark_per_statement(
    run, worked_example, tmp_path
):
    record_history(run)
    out = tmp_path / "board.html"
    result = run("report", "--now", "2025-03-20", "--output", str(out))
    assert result.exit_code == 0 and result.stdout == "", result
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>")
    board = Board(page)
    assert sorted(board.timelines) == sorted(LIVE_STATEMENTS)
    assert dict(board.marks) == LIVE_STATEMENTS
    assert_fetches_nothing(page, board)
    text = board.all_text
    # Counts, groups, a table of contents linking to every commitment, the evidence.
    assert "4 commitments: 3 open (1 stale), 1 closed." in text
    hrefs = {attrs.get("href") for tag, attrs in board.tags if tag == "a"}
    assert {f"#c-{cid}" for cid in LIVE_STATEMENTS} <= hrefs
    assert {"#status-pending", "#status-committed", "#status-fulfilled"} <= hrefs
    assert "https://ustr.gov/stip" in hrefs
    assert "Élysée readout, 5 March 2025" in text  # a citation stays text
    assert "“STIP signed.”" in text and "misreported" in text  # retracted: shown, marked
    assert "follow-up due 2025-03-01" in "".join(board.titles)
    assert STALE_COLOUR in page and "url(#stale-hatch)" in page
    # The same page goes to standard output without --output.
    assert run("report", "--now", "2025-03-20").stdout == page


@pytest.mark.both_stores
def test_board_markdown_has_the_same_content(run, worked_example):
    record_history(run)
    md = run("report", "--now", "2025-03-20", "--format", "md").stdout
    assert md.startswith("# Commitments status board, 2025-03-20\n")
    assert "4 commitments: 3 open (1 stale), 1 closed." in md
    assert "| [pending](#status-pending) | 1 | 0 |" in md
    assert "| Kenya | 1 | 1 | 0 | pending 1 |" in md
    for cid in LIVE_STATEMENTS:
        assert f"\n### {cid}\n" in md and f"[{cid}](#{cid})" in md
    assert "<svg" not in md
    assert "- `2025-03-12` ● statement by USTR → negotiating" in md
    assert "- `2025-03-01` ◇ follow-up due (answered)" in md
    assert "░ stale after this day" in md and "┃ now" in md
    assert "[https://ustr.gov/stip](https://ustr.gov/stip)" in md
    assert "~~“STIP signed.”~~ **retracted**: misreported" in md


def test_hostile_text_stays_text_in_html_svg_and_markdown(run, tmp_path):
    assert (
        run(
            "add",
            "deal",
            "--title",
            HOSTILE_TITLE,
            "--party",
            "Mallory & <Co>",
            "--on",
            "2025-01-01",
        ).exit_code
        == 0
    )
    for source in ("javascript:alert(7)", "JAVASCRIPT:alert(8)", "data:text/html,<script>x</script>",
                   "https://example.org/a?b=<c>&d=(e)\"f'", "//evil.example/x"):  # fmt: skip
        result = run("log", HOSTILE_QUOTE, "--by", HOSTILE_SPEAKER, "--on", "2025-02-01",
                     "-c", "deal=agreed", "--source", source)  # fmt: skip
        assert result.exit_code == 0, result
    page = run("report", "--now", "2025-03-01").stdout
    board = Board(page)
    assert_fetches_nothing(page, board)
    assert {tag for tag, _ in board.tags} <= {
        "html", "head", "meta", "title", "style", "body", "svg", "defs", "pattern", "rect",
        "line", "header", "h1", "h2", "h3", "p", "div", "b", "span", "section", "table", "tr",
        "th", "td", "a", "nav", "main", "article", "path", "circle", "text", "ol", "li", "time",
        "blockquote",
    }  # fmt: skip
    text = board.all_text
    assert HOSTILE_QUOTE in text and HOSTILE_TITLE in text and HOSTILE_SPEAKER in text
    assert any(HOSTILE_QUOTE[:60] in t for t in board.titles)  # SVG tooltips: text too
    assert "javascript:alert(7)" in text and "data:text/html," in text
    links = [a.get("href") for tag, a in board.tags if tag == "a" and not a["href"].startswith("#")]
    assert links == ["https://example.org/a?b=<c>&d=(e)\"f'"]  # the one http(s) URL

    md = run("report", "--now", "2025-03-01", "--format", "md").stdout
    assert "<script" not in md and "<svg" not in md and "<img" not in md and "<b " not in md
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in md
    assert "](javascript" not in md.lower() and "](data:" not in md and "](//" not in md
    targets = re.findall(r"\]\(([^)]*)\)", md)
    assert "https://example.org/a?b=%3Cc%3E&d=%28e%29%22f%27" in targets
    assert all(t.startswith(("#", "https://")) for t in targets), targets


def test_remind_html_wears_the_board_look(run, worked_example):
    page = run("remind", "--now", "2025-03-15", "--format", "html").stdout
    assert CSS in page and 'class="chip s-pending"' in page and "stale 17d" in page
    assert_fetches_nothing(page, Board(page))


def test_report_refuses_bad_input_with_one_line(run, worked_example, tmp_path):
    for args, fragment in (
        (["--format", "pdf"], "unknown format 'pdf'; use one of: html, md"),
        (["--now", "01/02/2025"], "ambiguous"),
        (["--output", str(tmp_path)], "is a directory"),
        (["--output", str(tmp_path / "no" / "b.html")], "does not exist"),
    ):
        result = run("report", *args)
        assert result.exit_code == 2, (args, result)
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: ") and fragment in lines[0]


def test_report_on_an_empty_log(run):
    page = run("report", "--now", "2025-03-01").stdout
    assert "No commitments yet" in page and Board(page).timelines == []
    assert "No commitments yet" in run("report", "--format", "md").stdout


# --- the history drawn, by SPEC's rules ------------------------------------------------------


@pytest.fixture
def late_session():
    s = make_session(today=date(2025, 12, 31))
    yield s
    s.store.close()


def card(session, cid: str, now: str) -> views.Card:
    board = gathering.gather(session, now=now)
    return next(c for c in board.cards if c.id == cid)


def test_stale_stretch_runs_from_the_first_rule_that_fired_until_now(late_session):
    record.add(late_session, "deal", title="A deal", on="2025-01-01")
    record.log(late_session, "Talks open.", by="A", refs=["deal=pending"], on="2025-01-27")
    record.followup(late_session, "deal", due="2025-03-01", on="2025-02-03")
    c = card(late_session, "deal", "2025-03-15")
    assert c.row.stale
    # Quiet since 2025-01-27 + 30 days (02-26) comes before the follow-up due 03-01.
    assert c.stale == (Span(start=date(2025, 2, 26), end=date(2025, 3, 15)),)
    assert [f.outcome for f in c.followups] == ["waiting"] and c.followups[0].overdue


def test_past_stale_stretches_end_at_the_news_and_not_while_closed(late_session):
    record.add(late_session, "deal", title="A deal", on="2025-01-01")
    record.log(late_session, "Talks open.", by="A", refs=["deal=pending"], on="2025-01-27")
    record.followup(late_session, "deal", due="2025-03-01", on="2025-02-03")
    record.log(late_session, "Still talking.", by="A", refs=["deal"], on="2025-03-10")
    c = card(late_session, "deal", "2025-03-20")
    assert not c.row.stale
    assert c.stale == (Span(start=date(2025, 2, 26), end=date(2025, 3, 10)),)
    assert [f.outcome for f in c.followups] == ["answered"]

    record.log(late_session, "Signed.", by="A", refs=["deal=signed"], on="2025-04-01")
    c = card(late_session, "deal", "2025-09-01")
    assert [(b.status, b.start, b.end) for b in c.bands] == [
        ("proposed", date(2025, 1, 1), date(2025, 1, 27)),
        ("pending", date(2025, 1, 27), date(2025, 4, 1)),
        ("fulfilled", date(2025, 4, 1), date(2025, 9, 1)),
    ]
    # 03-10 + 30 days is after the signing, and once it is closed nothing is stale.
    assert c.stale == (Span(start=date(2025, 2, 26), end=date(2025, 3, 10)),)


def test_statements_before_the_adding_count_from_their_own_date(late_session):
    record.log(late_session, "Agreed.", by="A", refs=["deal=agreed"], on="2025-01-10",
                 title="A deal")  # fmt: skip
    record.log(late_session, "Under way.", by="A", refs=["deal=underway"], on="2025-04-10")
    c = card(late_session, "deal", "2025-04-20")
    assert c.stale == (Span(start=date(2025, 2, 9), end=date(2025, 4, 10)),)
    assert c.bands[0].start == date(2025, 1, 10)


def test_board_agrees_with_status_at_scale(run, tmp_path):
    export = tmp_path / "log.jsonl"
    export.write_text(synthetic_export(300), encoding="utf-8")
    assert run("import", str(export)).exit_code == 0
    now = date(2025, 8, 1)
    session = make_session(Path(os.environ["TRACKER_DB"]), today=now)
    try:
        board = gathering.gather(session, now=now.isoformat())
    finally:
        session.store.close()
    assert len(board.cards) == 300
    for c in board.cards:
        ongoing = [s for s in c.stale if s.end == now]
        assert bool(ongoing) == c.row.stale, c.id
        if c.row.stale:  # the stretch is at least as long as the most overdue reason
            assert ongoing[0].days >= c.row.overdue_days, c.id
        assert all(s.start < s.end <= now for s in c.stale), c.id


@pytest.mark.slow
def test_a_thousand_commitments_stay_legible(run, tmp_path):
    export = tmp_path / "log.jsonl"
    export.write_text(synthetic_export(1000), encoding="utf-8")
    assert run("import", str(export)).exit_code == 0
    started = time.monotonic()
    result = run("report", "--now", "2025-08-01")
    elapsed = time.monotonic() - started
    assert result.exit_code == 0
    page = result.stdout
    board = Board(page)
    assert len(board.timelines) == 1000
    toc = [
        a["href"] for tag, a in board.tags if tag == "a" and (a.get("href") or "").startswith("#c-")
    ]
    assert len(set(toc)) == 1000  # every commitment is one click from the top
    groups = [a["id"] for tag, a in board.tags if tag == "section" and a.get("class") == "group"]
    assert groups == [g for g in (f"status-{s}" for s in STATUS_COLOURS) if g in groups]
    assert len(page) < 12_000_000 and elapsed < 30, (len(page), elapsed)
    assert "break-inside:avoid" in page and "@media print" in page
    md = run("report", "--now", "2025-08-01", "--format", "md").stdout
    assert md.count("\n### ") == 1000


# --- in a real browser -------------------------------------------------------------------------


def chromium() -> str | None:
    return next((p for p in map(shutil.which, ("chromium", "chromium-browser")) if p), None)


def png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """Decode an 8-bit RGB or RGBA, non-interlaced PNG (what Chromium writes) into rows."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        chunk = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunk)
            assert depth == 8 and colour in (2, 6) and interlace == 0
            bpp = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    raw, rows, prev = zlib.decompress(idat), [], bytes(width * bpp)
    stride = width * bpp + 1
    for y in range(height):
        kind, line = raw[y * stride], bytearray(raw[y * stride + 1 : (y + 1) * stride])
        for i in range(len(line)):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = bytes(line)
    return width, bpp, rows


def test_board_renders_in_headless_chromium(run, worked_example, tmp_path):
    browser = chromium()
    if browser is None:
        if os.environ.get("CI"):
            pytest.fail("CI must render the board: .ci/run installs Debian's chromium")
        pytest.skip("chromium is not installed (apt-get install chromium); CI installs it")
    record_history(run)
    page = tmp_path / "board.html"
    assert run("report", "--now", "2025-03-20", "--output", str(page)).exit_code == 0
    shot = tmp_path / "board.png"
    profile = tempfile.mkdtemp(dir=tmp_path)
    args = [browser, "--headless", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--user-data-dir={profile}", f"--screenshot={shot}", "--window-size=1000,1400",
            "--hide-scrollbars", page.as_uri()]  # fmt: skip
    if os.geteuid() == 0:
        args.insert(1, "--no-sandbox")  # root cannot use Chromium's sandbox
    subprocess.run(args, capture_output=True, timeout=120, check=False)
    assert shot.exists() and shot.stat().st_size > 10_000, "chromium wrote no screenshot"
    width, bpp, rows = png_pixels(shot.read_bytes())
    colours: Counter[tuple[int, int, int]] = Counter()
    for row in rows[::2]:
        for x in range(0, width * bpp, bpp * 2):
            colours[(row[x], row[x + 1], row[x + 2])] += 1
    white = colours[(255, 255, 255)]
    assert white < 0.97 * sum(colours.values()), "the page rendered blank"

    def seen(hex_colour: str) -> bool:
        want = tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
        return any(
            n > 3 and all(abs(c - w) <= 12 for c, w in zip(rgb, want, strict=True))
            for rgb, n in colours.items()
        )

    # The status colours and the stale red are on screen: it reads without any text.
    for status in ("pending", "committed", "fulfilled"):
        assert seen(STATUS_COLOURS[status]), status
    assert seen(STALE_COLOUR)


def test_going_stale_within_a_week_is_flagged_the_day_it_counts(late_session):
    record.add(late_session, "deal", title="A deal", on="2025-01-01")
    record.log(late_session, "Talks open.", by="A", refs=["deal=pending"], on="2025-01-27")
    # Reviewed every 30 days: 2025-02-26 is the last day it is not stale.
    for now, stale_in, stale in (
        ("2025-02-10", None, False),
        ("2025-02-23", 4, False),
        ("2025-02-26", 1, False),
        ("2025-02-27", None, True),
    ):
        c = card(late_session, "deal", now)
        assert (c.stale_in, c.row.stale) == (stale_in, stale), now
    page = drawing.board_html(gathering.gather(late_session, now="2025-02-23"))
    assert '<span class="chip soon">stale in 4d</span>' in page
    assert "— stale in 4d" in drawing.board_md(gathering.gather(late_session, now="2025-02-23"))


def test_a_very_long_quote_is_cut_on_the_board(late_session):
    quote = "word " * 2000
    record.log(late_session, quote, by="A", refs=["deal"], on="2025-01-27", title="A deal")
    board = gathering.gather(late_session, now="2025-02-01")
    page = drawing.board_html(board)
    assert "word " * 200 in page and quote.strip() not in page
    assert "8,800 more characters" in page
    assert quote.strip() not in drawing.board_md(board)
