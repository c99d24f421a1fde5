"""`remind` reads only the rows SQL says may be stale; it must never miss one.

The cut-off days come from `tracker.domain.staleness.quiet_cutoff` (Hypothesis: the same
answer as the quiet rule itself, day by day), and on both stores the reminder report
equals the stale rows of the full `status` listing, which folds every open row through
the same rules without any pre-filter.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.domain.staleness import _review_limit, quiet_cutoff

intervals = st.builds(
    lambda n, unit: f"{n}{unit}", st.integers(1, 400), st.sampled_from(["d", "w", "m", "y"])
)
days = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31))
near = st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 12, 31))


@given(interval=intervals, last=st.one_of(near, days), now=st.one_of(near, days))
def test_the_cutoff_splits_the_days_exactly_as_the_quiet_rule(interval, last, now):
    cutoff = quiet_cutoff(interval, now)
    stale = _review_limit(last, interval) < now
    assert stale == (cutoff is not None and last < cutoff)


@given(interval=intervals, now=near)
def test_the_day_before_the_cutoff_is_stale_and_the_cutoff_is_not(interval, now):
    cutoff = quiet_cutoff(interval, now)
    assert cutoff is not None
    assert _review_limit(cutoff - timedelta(days=1), interval) < now
    assert not _review_limit(cutoff, interval) < now


def test_no_day_is_stale_at_the_start_of_the_calendar():
    assert quiet_cutoff("30d", date(1, 1, 5)) is None


def ok(result):
    assert result.exit_code == 0, result
    return result


# Commitments around each rule's edges: review intervals of their own (days, weeks,
# months at month ends, a year) and the default one; follow-ups due, answered, done and not yet
# due; a closed one that is quiet and overdue (never stale).
SETUP = [
    ("add", "bridge", "--title", "Rebuild the river bridge", "--on", "2025-01-31"),
    (
        "add",
        "clinic",
        "--title",
        "Open the rural clinic",
        "--on",
        "2025-01-31",
        "--review-every",
        "1m",
    ),
    ("add", "clinic2", "--title", "Staff the clinic", "--on", "2025-02-28", "--review-every", "1m"),
    (
        "add",
        "grain",
        "--title",
        "Release the grain reserve",
        "--on",
        "2025-03-01",
        "--review-every",
        "2w",
    ),
    (
        "add",
        "roads",
        "--title",
        "Resurface the coast road",
        "--on",
        "2025-03-15",
        "--review-every",
        "10d",
    ),
    ("add", "schools", "--title", "Fund school meals", "--on", "2025-02-01"),
    ("add", "ferry", "--title", "Run a night ferry", "--on", "2025-02-20", "--review-every", "1y"),
    ("add", "closed", "--title", "Sign the fisheries deal", "--on", "2025-01-01"),
    ("followup", "bridge", "--due", "2025-04-10", "--on", "2025-03-20"),
    ("followup", "schools", "--due", "2025-03-20", "--on", "2025-03-01"),
    ("followup", "roads", "--due", "2025-03-25", "--on", "2025-03-16"),
    ("followup", "roads", "--done", "--on", "2025-03-24"),
    ("followup", "ferry", "--due", "2025-03-10", "--on", "2025-03-01"),
    ("log", "The grain is on its way.", "--by", "Food agency", "--on", "2025-03-20", "-c", "grain"),
    ("log", "Meals start soon.", "--by", "Education office", "--on", "2025-03-05", "-c", "schools"),
    (
        "log",
        "The deal is signed.",
        "--by",
        "Fisheries board",
        "--on",
        "2025-01-05",
        "-c",
        "closed=signed",
    ),
]
NOWS = [
    "2025-02-27",
    "2025-02-28",
    "2025-03-01",
    "2025-03-02",
    "2025-03-03",
    "2025-03-21",
    "2025-03-26",
    "2025-03-29",
    "2025-03-31",
    "2025-04-03",
    "2025-04-04",
    "2025-04-05",
    "2025-04-10",
    "2025-04-11",
    "2025-04-12",
    "2025-05-01",
    "2026-01-01",
]


def report_rows(run, now: str) -> list[tuple[str, list[str], int]]:
    data = json.loads(ok(run("remind", "--now", now, "--format", "json")).stdout)
    return [(i["id"], i["stale_reasons"], i["overdue_days"]) for i in data["items"]]


def full_rows(run, now: str) -> list[tuple[str, list[str], int]]:
    data = json.loads(ok(run("status", "--open", "--now", now, "--format", "json")).stdout)
    stale = [(r["id"], r["stale_reasons"], r["overdue_days"]) for r in data if r["stale"]]
    return sorted(stale, key=lambda r: (-r[2], r[0]))


@pytest.mark.both_stores
@pytest.mark.parametrize("review_default", [None, "3w"])
def test_the_prefiltered_report_equals_the_full_one(run, monkeypatch, review_default):
    if review_default:
        monkeypatch.setenv("TRACKER_REVIEW_EVERY", review_default)
    for step in SETUP:
        ok(run(*step))
    seen = set()
    for now in NOWS:
        rows = report_rows(run, now)
        assert rows == full_rows(run, now), now
        seen.update(r[0] for r in rows)
    # The table reaches every open commitment at some point, and never the closed one.
    assert seen == {"bridge", "clinic", "clinic2", "ferry", "grain", "roads", "schools"}


@pytest.mark.both_stores
def test_the_lean_report_is_the_report_of_the_whole_rows(run, db):
    """`remind` reads a few columns for text, Markdown and HTML, and whole rows for JSON:
    both give the same items, and every format renders the same from either."""
    from tracker.application import remind
    from tracker.application.session import Settings
    from tracker.output.reminders import render_report

    for step in SETUP:
        ok(run(*step))
    ok(run("remind", "--now", "2025-03-21", "--record"))  # later reports mark what is new
    settings = Settings(db, None)
    try:
        session = settings.session(write=False)
        for now in NOWS:
            day = date.fromisoformat(now)
            lean = remind.build(session, day)
            full = remind.build(session, day, full=True)
            assert [i._replace(row=None) for i in full.items] == list(lean.items), now
            assert all(i.row is not None and i.row.reasons == i.reasons for i in full.items)
            for fmt in ("text", "md", "html"):
                for color in (False, True):
                    assert render_report(lean, fmt, "30d", color=color) == render_report(
                        full, fmt, "30d", color=color
                    ), (now, fmt)
    finally:
        settings.close()
