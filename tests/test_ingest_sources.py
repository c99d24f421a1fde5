"""`tracker ingest` on real inputs: web pages (served from 127.0.0.1), headers, overrides, review.

The readout here is written for these tests; pages are served by a local HTTP server.
"""

from __future__ import annotations

import json
import os
import pty
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from tests.conftest import event_count
from tracker.application import sources

ROOT = Path(__file__).resolve().parents[1]

BODY = [
    "The Secretary of State spoke today with Foreign Minister Amina Diallo of Ruritania.",
    "The Secretary and the Foreign Minister agreed to conclude the Coastal Fisheries "
    "Agreement (CFA) by June.",
    "They discussed the need to reopen the northern border crossing for humanitarian convoys.",
]
TEXT = (
    "Source: https://example.org/readouts/ruritania\n"
    "Date: 2025-03-04\n"
    "Title: Readout of the Secretary's call with Foreign Minister Diallo\n"
    "\n" + "\n\n".join(BODY) + "\n"
)
PAGE = f"""<!doctype html>
<html><head><title>Readout of the call with Foreign Minister Diallo</title>
<meta property="article:published_time" content="2025-03-04T10:00:00Z">
<link rel="canonical" href="https://example.org/readouts/ruritania"></head>
<body><nav><a href="/">Home</a> | <a href="/press">Press releases</a> | We pledged to subscribe</nav>
<article><h1>Readout of the call with Foreign Minister Diallo</h1>
{"".join(f"<p>{p}</p>" for p in BODY)}
</article>
<footer>The department agreed to keep this site accessible. Privacy policy.</footer>
</body></html>"""


class Pages(BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, tuple[int, dict[str, str], bytes]]] = {
        "/readout.html": (200, {"Content-Type": "text/html; charset=utf-8"}, PAGE.encode()),
        "/readout.txt": (200, {"Content-Type": "text/plain; charset=utf-8"}, TEXT.encode()),
        "/missing": (404, {}, b"not here"),
        "/to-ftp": (302, {"Location": "ftp://example.org/readout.txt"}, b""),
        "/loop": (302, {"Location": "/loop"}, b""),
        "/moved": (301, {"Location": "/readout.html"}, b""),
    }

    def do_GET(self) -> None:  # http.server's name
        if self.path == "/slow":
            time.sleep(3)
        if self.path == "/agent":
            body = self.headers.get("User-Agent", "").encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(body)
            return
        if self.path == "/huge":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            chunk = b"x" * 65536
            try:
                for _ in range(sources.MAX_BYTES // len(chunk) + 2):
                    self.wfile.write(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass
            return
        status, headers, body = self.routes.get(self.path, (404, {}, b""))
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Pages)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


@pytest.fixture
def cfa(run):
    result = run("add", "cfa", "--kind", "agreement", "--title", "Coastal Fisheries Agreement")
    assert result.exit_code == 0


def ingest_json(run, *args: str) -> list[dict]:
    result = run("ingest", *args, "--format", "json")
    assert result.exit_code == 0, result
    return json.loads(result.stdout)


def test_a_url_gives_the_pages_main_text_date_and_canonical_url(run, cfa, site):
    found = ingest_json(run, f"{site}/readout.html")
    assert found, "the readout's statements were not found"
    assert {p["on"] for p in found} == {"2025-03-04"}
    assert {p["source"] for p in found} == {"https://example.org/readouts/ruritania"}
    quotes = [p["quote"] for p in found]
    assert BODY[1] in quotes
    assert not any("subscribe" in q or "accessible" in q for q in quotes)  # nav and footer
    assert event_count(run) == 1


def test_a_saved_page_reads_the_same_as_the_url(run, cfa, site, tmp_path):
    saved = tmp_path / "readout.html"
    saved.write_text(PAGE, encoding="utf-8")
    assert ingest_json(run, str(saved)) == ingest_json(run, f"{site}/readout.html")


def test_a_text_with_source_and_date_lines(run, cfa, tmp_path):
    path = tmp_path / "readout.txt"
    path.write_text(TEXT, encoding="utf-8")
    found = ingest_json(run, str(path))
    assert {(p["on"], p["source"]) for p in found} == {
        ("2025-03-04", "https://example.org/readouts/ruritania")
    }
    assert not any(p["quote"].startswith(("Source:", "Date:", "Title:")) for p in found)


def test_on_and_source_win_over_the_text(run, cfa, tmp_path):
    path = tmp_path / "readout.txt"
    path.write_text(TEXT, encoding="utf-8")
    found = ingest_json(run, str(path), "--on", "2025-03-05", "--source", "Cable 12")
    assert {(p["on"], p["source"]) for p in found} == {("2025-03-05", "Cable 12")}


def test_an_undated_text_says_so_on_stderr(run, cfa, tmp_path):
    path = tmp_path / "readout.txt"
    path.write_text("\n\n".join(BODY) + "\n", encoding="utf-8")
    result = run("ingest", str(path))
    assert result.exit_code == 0
    assert result.stderr == (
        f"note: {path} gives no date, so the statements are dated today; "
        "give --on DATE if they were made on another day\n"
    )


def test_a_bad_date_line_is_refused(run, tmp_path):
    path = tmp_path / "readout.txt"
    path.write_text(TEXT.replace("2025-03-04", "4 March"), encoding="utf-8")
    result = run("ingest", str(path))
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {path}: the Date: line says '4 March'; write the date as YYYY-MM-DD\n"
    )


def test_by_overrides_every_speaker(run, cfa, site):
    found = ingest_json(run, f"{site}/readout.html", "--by", "Ruritania MFA")
    assert {p["by"] for p in found} == {"Ruritania MFA"}


def test_redirects_are_followed_and_the_user_agent_names_the_tool(site):
    document = sources.read_document(f"{site}/moved", sys.stdin.buffer)
    assert document.date == "2025-03-04"
    raw, _, _ = sources.fetch(f"{site}/agent")
    assert raw.decode().startswith("tracker/")


@pytest.mark.parametrize(
    ("path", "code", "message"),
    [
        ("/missing", 1, "cannot fetch {site}/missing: HTTP 404 Not Found"),
        ("/to-ftp", 1, "which is not an http(s) URL"),
        ("/loop", 1, "cannot fetch {site}/loop: more than 5 redirects"),
        ("/huge", 2, "is larger than 10 MB"),
    ],
)
def test_a_url_that_fails_is_one_clear_line(run, site, path, code, message):
    result = run("ingest", f"{site}{path}")
    assert result.exit_code == code, result
    assert len(result.stderr.splitlines()) == 1
    assert message.format(site=site) in result.stderr


def test_a_url_that_does_not_answer_in_time(run, site, monkeypatch):
    monkeypatch.setattr(sources, "FETCH_TIMEOUT", 1)
    result = run("ingest", f"{site}/slow")
    assert result.exit_code == 1
    assert result.stderr == f"Error: cannot fetch {site}/slow: no answer within 1 s\n"


@pytest.mark.parametrize("url", ["ftp://example.org/x.txt", "file:///etc/passwd"])
def test_only_http_urls_are_fetched(run, url):
    result = run("ingest", url)
    assert result.exit_code == 2
    assert result.stderr == f"Error: {url}: ingest fetches http:// and https:// URLs only\n"


def test_apply_overrides_commitment_and_status(run, cfa, tmp_path):
    run("add", "border", "--title", "Northern border crossing")
    path = tmp_path / "readout.txt"
    path.write_text(TEXT, encoding="utf-8")
    found = ingest_json(run, str(path))
    numbers = {p["quote"]: p["n"] for p in found}
    first, second = numbers[BODY[1]], numbers[BODY[2]]
    result = run("ingest", str(path), "--by", "A", "--apply", f"{first}=pending,{second}:border")
    assert result.exit_code == 0, result
    rows = {r["id"]: r for r in json.loads(run("status", "--format", "json").stdout)}
    assert (rows["cfa"]["status"], rows["cfa"]["label"]) == ("pending", "pending")
    assert rows["border"]["last_statement"]["quote"] == BODY[2]
    again = ingest_json(run, str(path), "--by", "A")
    assert {p["n"] for p in again if p["logged"]} >= {first}


def test_apply_names_the_proposal_in_trouble(run, cfa, tmp_path):
    path = tmp_path / "readout.txt"
    path.write_text(TEXT, encoding="utf-8")
    before = event_count(run)
    result = run("ingest", str(path), "--apply", "all", "--by", "x" * 300)
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: ")
    assert event_count(run) == before


def test_review_needs_a_terminal(run, tmp_path):
    path = tmp_path / "readout.txt"
    path.write_text(TEXT, encoding="utf-8")
    result = run("ingest", str(path), "--review")
    assert (result.exit_code, result.stderr) == (
        2,
        "Error: --review needs an interactive terminal; in a script use --apply ITEM,...\n",
    )
    assert run("ingest", str(path), "--review", "--apply", "1").exit_code == 2


def test_the_table_fits_the_terminal(run, cfa, tmp_path, monkeypatch):
    path = tmp_path / "readout.txt"
    path.write_text(TEXT, encoding="utf-8")
    for columns in (80, 120):
        monkeypatch.setenv("COLUMNS", str(columns))
        lines = run("ingest", str(path)).stdout.splitlines()
        assert lines[0].split() == ["N", "COMMITMENT", "STATUS", "BY", "QUOTE"]
        assert max(map(len, lines)) <= columns
        assert all(len(line) > columns // 2 for line in lines[1:])  # the quote gets room


# --- --review at a real terminal ------------------------------------------------------------


def _review(db: Path, path: Path, answers: list[bytes]) -> tuple[int, str]:
    """Run `ingest --review` on a pseudo-terminal, answering each prompt in turn."""
    env = {**os.environ, "TRACKER_DB": str(db), "COLUMNS": "100", "PYTHONPATH": str(ROOT)}
    main, child = pty.openpty()
    argv = [sys.executable, "-c", "import cli; cli.main()", "ingest", str(path), "--review",
            "--by", "Ruritania MFA"]  # fmt: skip
    proc = subprocess.Popen(
        argv,
        stdin=child,
        stdout=child,
        stderr=child,
        env=env,
        start_new_session=True,
    )
    os.close(child)
    output = b""
    pending = list(answers)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([main], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(main, 4096)
            except OSError:
                break
            if not chunk:
                break
            output += chunk
            if output.rstrip().endswith(b">") and pending:
                answer = pending.pop(0)
                if answer == b"\x03":
                    os.killpg(proc.pid, signal.SIGINT)
                else:
                    os.write(main, answer + b"\n")
                output += b"\n"
        elif proc.poll() is not None:
            break
    proc.wait(timeout=30)
    os.close(main)
    return proc.returncode, output.decode("utf-8", "replace")


def _setup(tmp_path: Path) -> tuple[Path, Path]:
    db = tmp_path / "review.db"
    env = {**os.environ, "TRACKER_DB": str(db), "PYTHONPATH": str(ROOT)}
    argv = [sys.executable, "-c", "import cli; cli.main()", "add", "cfa", "--kind", "agreement",
            "--title", "Coastal Fisheries Agreement"]  # fmt: skip
    subprocess.run(
        argv,
        env=env,
        check=True,
        capture_output=True,
    )
    path = tmp_path / "readout.txt"
    path.write_text(TEXT, encoding="utf-8")
    return db, path


def _statements(db: Path) -> list[dict]:
    env = {**os.environ, "TRACKER_DB": str(db), "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", "import cli; cli.main()", "export"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    events = [json.loads(line) for line in out.splitlines()]
    return [e["data"] for e in events if e["type"] == "statement.recorded"]


def test_review_accepts_changes_and_skips_then_writes_once(tmp_path):
    db, path = _setup(tmp_path)
    # first proposal: change its status, then accept; every later one: skip
    code, screen = _review(db, path, [b"=pending", b"", b"s", b"s", b"s", b"s"])
    assert code == 0, screen
    assert "matched cfa on" in screen and "»" in screen
    logged = _statements(db)
    assert len(logged) == 1 and logged[0]["quote"] in BODY


def test_review_interrupted_writes_nothing(tmp_path):
    db, path = _setup(tmp_path)
    code, screen = _review(db, path, [b"", b"\x03"])
    assert code == 130, screen
    assert "nothing was written" in screen
    assert _statements(db) == []


def test_review_quit_writes_nothing(tmp_path):
    db, path = _setup(tmp_path)
    code, screen = _review(db, path, [b"", b"q"])
    assert code == 130, screen
    assert _statements(db) == []
