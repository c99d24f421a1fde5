"""What the reading commands hand to the renderers: the status board and the reminder report.

Plain values built from status rows and timelines; no store, no rendering. The board's
cards carry each commitment's history (`tracker.domain.history`); the reminder report
lists the stale rows and which of them are new since the previous recorded report.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta

import attrs

from projections.model import (
    Entry,
)
from tracker.domain.history import (
    Band,
    Followup,
    Span,
    _day,
    days_until_stale,
    followup_history,
    stale_stretches,
    status_bands,
)

# The reminder report's values live in `tracker.domain.reminder` (without attrs).
from tracker.domain.reminder import ReminderItem as ReminderItem
from tracker.domain.reminder import ReminderReport as ReminderReport
from tracker.domain.staleness import StatusRow
from tracker.domain.values import (
    STATUSES,
)


@attrs.frozen(kw_only=True)
class Card:
    """One commitment on the board."""

    row: StatusRow
    entries: tuple[Entry, ...]  # by effective date, ties by the later-recorded
    bands: tuple[Band, ...]
    followups: tuple[Followup, ...]
    stale: tuple[Span, ...]
    stale_in: int | None  # an open commitment going stale within SOON_DAYS: in how many days

    @property
    def id(self) -> str:
        return self.row.state.id


@attrs.frozen(kw_only=True)
class Board:
    now: date
    cards: tuple[Card, ...]
    axis: Span
    review_default: str
    as_of: date | None = None  # drawn as the log stood on this date (`report --as-of`)


def build(
    rows: Sequence[StatusRow],
    timelines: Mapping[str, Sequence[Entry]],
    now: date,
    review_default: str,
    as_of: date | None = None,
) -> Board:
    """The board; `timelines` hold each commitment's `current` entries (up to `as_of`)."""
    cards = tuple(card(row, timelines.get(row.state.id, ()), now, review_default) for row in rows)
    return Board(
        now=now,
        cards=cards,
        axis=axis_for(cards, now),
        review_default=review_default,
        as_of=as_of,
    )


def card(row: StatusRow, entries: Iterable[Entry], now: date, review_default: str) -> Card:
    ordered = tuple(sorted(entries, key=lambda e: e.order))
    bands = status_bands(ordered, end=max([now, *(_day(e.effective_on) for e in ordered)]))
    followups = followup_history(ordered, now, row)
    return Card(
        row=row,
        entries=ordered,
        bands=bands,
        followups=followups,
        stale=stale_stretches(row, ordered, bands, followups, now, review_default),
        stale_in=days_until_stale(row, now, review_default),
    )


def axis_for(cards: Sequence[Card], now: date) -> Span:
    """One date axis shared by every timeline, so the eye can compare them down the page."""
    days = [now]
    for c in cards:
        days.append(_day(c.row.state.added_on))
        days.extend(_day(e.effective_on) for e in c.entries)
        days.extend(f.due for f in c.followups)
    start, end = min(days), max(days)
    pad = timedelta(days=max(3, (end - start).days // 30))
    return Span(
        start=start - pad if start - date.min > pad else date.min,
        end=end + pad if date.max - end > pad else date.max,
    )


def groups(board: Board) -> list[tuple[str, list[Card]]]:
    """Cards by current status, in SPEC's order; in each, stale first (most overdue), then id."""
    by_status: dict[str, list[Card]] = {s: [] for s in STATUSES}
    for c in board.cards:
        by_status.setdefault(c.row.state.status, []).append(c)
    for cards in by_status.values():
        cards.sort(key=lambda c: (not c.row.stale, -c.row.overdue_days, c.id))
    return [(status, cards) for status, cards in by_status.items() if cards]


@attrs.frozen(kw_only=True)
class PartyCount:
    party: str
    total: int
    open: int
    stale: int
    by_status: tuple[tuple[str, int], ...]


NO_PARTY = "(no party named)"


def party_counts(board: Board) -> list[PartyCount]:
    """Per party (as first spelled, matched case-insensitively), most commitments first."""
    names: dict[str, str] = {}
    cards: dict[str, list[Card]] = {}
    for c in board.cards:
        for party in c.row.state.parties or (NO_PARTY,):
            key = party.casefold()
            names.setdefault(key, party)
            cards.setdefault(key, []).append(c)
    counts = []
    for key, members in cards.items():
        statuses = Counter(c.row.state.status for c in members)
        counts.append(
            PartyCount(
                party=names[key],
                total=len(members),
                open=sum(1 for c in members if c.row.state.is_open),
                stale=sum(1 for c in members if c.row.stale),
                by_status=tuple((s, statuses[s]) for s in STATUSES if statuses[s]),
            )
        )
    counts.sort(key=lambda p: (p.party == NO_PARTY, -p.total, p.party.casefold()))
    return counts


def _totals(board: Board) -> tuple[int, int, int]:
    total = len(board.cards)
    open_ = sum(1 for c in board.cards if c.row.state.is_open)
    stale = sum(1 for c in board.cards if c.row.stale)
    return total, open_, stale
