"""Shared fixtures: every test gets its own database and a fixed user, never the real ones."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from typer.testing import CliRunner

from cli import app
from projections.model import CommitmentState, LastStatement
from tracker.application.session import Session
from tracker.persistence.sqlite import SQLiteStore

_A_DEAL = CommitmentState(
    id="deal",
    title="A deal",
    kind="agreement",
    parties=(),
    tags=(),
    review_every=None,
    status="pending",
    label="pending",
    status_since="2025-01-01",
    is_open=True,
    added_on="2025-01-01",
    last_activity_on="2025-01-27",
    last_statement=LastStatement(event="e", on="2025-01-27", by="A", quote="q", source=None),
    statement_count=1,
    followup_due=None,
    followup_note=None,
    followup_seq=None,
    followup_answered=False,
    supersedes=None,
    superseded_by=None,
)


def commitment_state(**overrides: Any) -> CommitmentState:
    """A commitment as the projections give it: an open, pending deal, unless overridden."""
    return _A_DEAL._replace(**overrides)


WORKED_EXAMPLE = [
    [
        "add", "stip", "--kind", "agreement", "--party", "Kenya", "--party", "United States",
        "--title", "Strategic Trade and Investment Partnership (STIP)",
    ],
    [
        "log",
        "We discussed the need to conclude the Strategic Trade and Investment Partnership "
        "(STIP) agreement",
        "--by", "William Ruto", "--on", "2025-01-27", "-c", "stip=pending conclusion",
    ],
    [
        "log",
        "We also discussed the United Nations-led Multinational Security Support (MSS) mission "
        "in Haiti and agreed on a joint strategy to ensure the mission serves its purpose.",
        "--by", "William Ruto", "--on", "2025-01-27", "-c", "haiti-mss-strategy=agreed",
        "--title", "Joint strategy for the UN-led MSS mission in Haiti",
    ],
    [
        "log",
        "I am glad that the US has committed to continue to deploy its capabilities to support "
        "Kenya's peace mission in the region",
        "--by", "William Ruto", "--on", "2025-01-27", "-c", "us-regional-capabilities=committed",
        "--title", "US keeps deploying capabilities for Kenya's regional peace mission",
    ],
    [
        "log",
        "President Macron also committed his country's support for the interventions being "
        "carried out, and for Kenya's participation in other peace initiatives in Somalia, "
        "Sudan, and South Sudan",
        "--by", "William Ruto", "--on", "2025-01-27", "-c", "france-regional-support=committed",
        "--title", "France supports regional interventions and Kenya's peace initiatives",
    ],
]  # fmt: skip


PG_SERVER = os.environ.get("TRACKER_TEST_PG", "").strip()
_pg_problem: list[str] = []


def pg_unavailable() -> str | None:
    """Why PostgreSQL tests cannot run here, or None. Checked once per session."""
    if not _pg_problem:
        if not PG_SERVER:
            _pg_problem.append("PostgreSQL tests need TRACKER_TEST_PG (a server URL); it is unset")
        else:
            try:
                import psycopg2

                psycopg2.connect(PG_SERVER, connect_timeout=3).close()
                _pg_problem.append("")
            except Exception as exc:  # no driver, no server, bad URL: all mean "skip"
                _pg_problem.append(f"PostgreSQL at TRACKER_TEST_PG does not answer ({exc})")
    return _pg_problem[0] or None


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "both_stores: run the test against SQLite and against PostgreSQL"
    )
    # Run by default and in CI; leave them out while iterating with -m "not slow".
    config.addinivalue_line(
        "markers",
        "slow: takes more than about 2 s (kill -9, concurrent processes, Hypothesis-heavy)",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if (
        metafunc.definition.get_closest_marker("both_stores")
        and "store_kind" in metafunc.fixturenames
    ):
        metafunc.parametrize("store_kind", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def store_kind(request: pytest.FixtureRequest) -> str:
    return getattr(request, "param", "sqlite")


@contextmanager
def pg_cursor(url: str) -> Iterator[Any]:
    """A cursor on its own connection to `url`, each statement committed as it runs."""
    import psycopg2

    conn = psycopg2.connect(url)
    try:
        conn.autocommit = True
        with conn.cursor() as cursor:
            yield cursor
    finally:
        conn.close()


@contextmanager
def scratch_pg_database() -> Iterator[str]:
    """A new, empty database on the TRACKER_TEST_PG server, dropped afterwards."""
    name = f"tracker_test_{uuid.uuid4().hex[:16]}"
    with pg_cursor(PG_SERVER) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(urlsplit(PG_SERVER)._replace(path=f"/{name}"))
    finally:
        with pg_cursor(PG_SERVER) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store_kind: str) -> Iterator[str]:
    """Point TRACKER_DB at a scratch database and fix the user, so no test touches real data."""
    monkeypatch.setenv("TRACKER_USER", "tester")
    monkeypatch.delenv("TRACKER_REVIEW_EVERY", raising=False)
    monkeypatch.delenv("TRACKER_INGEST_ENGINE", raising=False)  # the rules, unless a test asks
    monkeypatch.setenv("NO_COLOR", "1")
    if store_kind == "postgresql":
        reason = pg_unavailable()
        if reason:
            pytest.skip(reason)
        with scratch_pg_database() as url:
            monkeypatch.setenv("TRACKER_DB", url)
            yield url
        return
    db = tmp_path / "tracker.db"
    monkeypatch.setenv("TRACKER_DB", str(db))
    yield str(db)


@pytest.fixture
def db(isolated: str) -> str:
    """The database in use: a file path, or a postgresql:// URL."""
    return isolated


@pytest.fixture
def db_path(isolated: str, store_kind: str) -> Path:
    """The SQLite file itself, for tests that inspect or damage it."""
    if store_kind != "sqlite":
        pytest.skip("SQLite-specific: inspects the database file itself")
    return Path(isolated)


def event_count(run: Callable[..., Result]) -> int:
    """How many events the log holds, through the CLI (works on either store)."""
    return len(run("export").stdout.splitlines())


Run = Callable[..., "Result"]


class Result:
    def __init__(self, exit_code: int, stdout: str, stderr: str) -> None:
        self.exit_code = exit_code
        self.stdout = stdout
        self.stderr = stderr

    def __repr__(self) -> str:
        return f"Result({self.exit_code}, out={self.stdout[:300]!r}, err={self.stderr[:300]!r})"


@pytest.fixture
def run() -> Callable[..., Result]:
    """Invoke the CLI in-process; returns exit code, stdout and stderr separately."""
    runner = CliRunner()

    def invoke(*args: str, input: str | bytes | None = None) -> Result:
        result = runner.invoke(app, list(args), input=input, catch_exceptions=False)
        return Result(result.exit_code, result.stdout, result.stderr)

    return invoke


@pytest.fixture
def worked_example(run: Callable[..., Result]) -> None:
    for step in WORKED_EXAMPLE:
        result = run(*step)
        assert result.exit_code == 0, result


FIXED_NOW = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)


def make_session(path: Path | None = None, *, today: date = date(2025, 3, 1)) -> Session:
    store = SQLiteStore(str(path) if path else None)
    return Session(
        store=store,
        actor="tester",
        clock=lambda: FIXED_NOW,
        today_fn=lambda: today,
    )


@pytest.fixture
def session() -> Session:
    """An in-memory log with a fixed clock (2025-03-01)."""
    s = make_session()
    yield s  # type: ignore[misc]
    s.store.close()
