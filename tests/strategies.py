"""Hypothesis strategies for the log's values and events, shared by the property tests.

One definition of what a valid id, text, date, status and event looks like to a test, so
the codec's round trips (tests/test_events.py) and the two folds' agreement
(tests/test_fold_sql.py) draw from the same events; a test narrows them by passing its
own ids or dates (a few ids, so that events about the same commitment interact).

The seeded synthetic logs for scale (tests/synthetic.py, bench/run.py) are not drawn from
Hypothesis: bench runs without the test extras and must give the same bytes on every
machine. They share their vocabulary through tests/synthetic.py.
"""

from __future__ import annotations

from datetime import date

from hypothesis import strategies as st

from events import (
    CommitmentAdded,
    CommitmentAmended,
    CommitmentRef,
    Event,
    EventRetracted,
    FollowupCompleted,
    FollowupScheduled,
    ReminderIssued,
    StatementRecorded,
)
from events.rules import BIDI_CONTROLS, DIRECTION_MARKS, KINDS, LINE_SEPARATORS, ZERO_WIDTH
from tracker.domain.values import STATUSES

ids = st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,8})?", fullmatch=True)
# Any text the log accepts anywhere: no surrogates, controls, direction controls or marks,
# line separators or invisible characters.
text = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs", "Cc"),
        blacklist_characters="".join(
            sorted(BIDI_CONTROLS | DIRECTION_MARKS | LINE_SEPARATORS | ZERO_WIDTH)
        ),
    ),
    min_size=1,
    max_size=40,
).filter(str.strip)
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31)).map(date.isoformat)
statuses = st.sampled_from(sorted(STATUSES))
kinds = st.sampled_from(KINDS)
durations = st.sampled_from(["30d", "2w", "3m", "1y"])
names = st.lists(text, max_size=3).map(tuple)


def refs(ids: st.SearchStrategy[str] = ids) -> st.SearchStrategy[tuple[CommitmentRef, ...]]:
    """A statement's commitments: one to three distinct ids, each with or without a status."""
    return st.lists(ids, min_size=1, max_size=3, unique=True).flatmap(
        lambda chosen: st.tuples(
            *(
                st.builds(
                    CommitmentRef,
                    id=st.just(cid),
                    status=st.none() | statuses,
                    label=st.none() | text,
                )
                for cid in chosen
            )
        )
    )


def payloads(
    ids: st.SearchStrategy[str] = ids,
    days: st.SearchStrategy[str] = days,
    names: st.SearchStrategy[tuple[str, ...]] = names,
) -> st.SearchStrategy[Event]:
    """Every event type but retractions (which must name an earlier event), about `ids`."""
    return st.one_of(
        st.builds(
            CommitmentAdded,
            commitment=ids,
            title=text,
            kind=kinds,
            parties=names,
            tags=names,
            aliases=names,
            status=st.none() | statuses,
            label=st.none() | text,
            review_every=st.none() | durations,
            due=st.none() | days,
            supersedes=st.none() | ids,
        ),
        st.builds(
            CommitmentAmended,
            commitment=ids,
            title=st.none() | text,
            kind=st.none() | kinds,
            parties=st.none() | names,
            tags=st.none() | names,
            aliases=st.none() | names,
            review_every=st.none() | durations,
            clear=st.none()
            | st.lists(st.sampled_from(["review_every", "due"]), min_size=1, unique=True).map(
                tuple
            ),
        ),
        st.builds(
            StatementRecorded,
            quote=text,
            speakers=st.lists(text, min_size=1, max_size=3).map(tuple),
            source=st.none() | text,
            commitments=refs(ids),
            tags=names,
            note=st.none() | text,
        ),
        st.builds(FollowupScheduled, commitment=ids, due=days, note=st.none() | text),
        st.builds(FollowupCompleted, commitment=ids, note=st.none() | text),
        st.builds(ReminderIssued, day=days, now=days, items=st.lists(ids, max_size=3).map(tuple)),
    )


retractions = st.builds(EventRetracted, event=st.uuids().map(str), reason=text)
# Any event, each field anywhere in its valid range: for the codec.
events = payloads() | retractions
