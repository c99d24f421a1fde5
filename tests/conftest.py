"""Shared fixtures: every test gets its own database and a fixed user, never the real ones."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from tracker.services import Session
from tracker.sqlite_store import SQLiteStore

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


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point TRACKER_DB at a scratch file and fix the user, so no test touches real data."""
    db = tmp_path / "tracker.db"
    monkeypatch.setenv("TRACKER_DB", str(db))
    monkeypatch.setenv("TRACKER_USER", "tester")
    monkeypatch.delenv("TRACKER_REVIEW_EVERY", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    return db


@pytest.fixture
def db_path(isolated: Path) -> Path:
    return isolated


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
