"""The projection's two folds agree: the SQL one (rebuilds, imports) and the Python one
(single appends, `verify`'s replay, `--as-of` views).

Hypothesis writes histories in which commitments interact: statements about several at
once, amendments, follow-ups set and done, supersessions, retractions and reminders, with
effective dates and recorded times that tie, so the "latest" rules are exercised.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events import (
    CODEC,
    CommitmentAdded,
    CommitmentAmended,
    CommitmentRef,
    EventRetracted,
    FollowupCompleted,
    FollowupScheduled,
    NewEvent,
    ReminderIssued,
    StatementRecorded,
)
from events.codec import canonical_json
from projections.commitments import STATE_COLUMNS, state_row, summarize
from projections.queries import View
from tests.test_events import statuses, text
from tracker.application.integrity import verify
from tracker.application.session import Session
from tracker.persistence.sqlite import SQLiteStore

IDS = ("a", "b", "c", "d")
days = st.sampled_from(["2025-01-01", "2025-01-02", "2025-01-03", "2025-02-01"])
stamps = st.sampled_from(
    ["2025-03-01T00:00:00.000Z", "2025-03-01T00:00:00.001Z", "2025-03-02T09:00:00.000Z"]
)
cids = st.sampled_from(IDS)
lists = st.lists(text, max_size=2).map(tuple)

payloads = st.one_of(
    st.builds(
        CommitmentAdded,
        commitment=cids,
        title=text,
        kind=st.sampled_from(["commitment", "agreement", "request"]),
        parties=lists,
        tags=lists,
        aliases=lists,
        status=st.none() | statuses,
        label=st.none() | text,
        review_every=st.none() | st.sampled_from(["30d", "2w"]),
        due=st.none() | days,
        supersedes=st.none() | cids,
    ),
    st.builds(
        CommitmentAmended,
        commitment=cids,
        title=st.none() | text,
        kind=st.none() | st.sampled_from(["commitment", "request"]),
        parties=st.none() | lists,
        tags=st.none() | lists,
        aliases=st.none() | lists,
        review_every=st.none() | st.sampled_from(["1y"]),
        clear=st.none()
        | st.lists(st.sampled_from(["review_every", "due"]), min_size=1, unique=True).map(tuple),
    ),
    # An amendment as a log written before `clear` holds it: schema 1.
    st.builds(
        lambda cid, tags, every: Schema1(
            CommitmentAmended(commitment=cid, tags=tags, review_every=every)
        ),
        cids,
        st.none() | lists,
        st.none() | st.sampled_from(["2w"]),
    ),
    st.builds(
        StatementRecorded,
        quote=text,
        speakers=st.lists(text, min_size=1, max_size=3).map(tuple),
        source=st.none() | text,
        commitments=st.lists(cids, min_size=1, max_size=3, unique=True).flatmap(
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
        ),
        note=st.none() | text,
    ),
    st.builds(FollowupScheduled, commitment=cids, due=days, note=st.none() | text),
    # A statement as a log written before joint statements holds it: schema 1, one `by`.
    st.builds(
        lambda quote, by, cid, status: Schema1(
            StatementRecorded(
                quote=quote,
                speakers=(by,),
                commitments=(CommitmentRef(id=cid, status=status),),
            )
        ),
        text,
        text,
        cids,
        st.none() | statuses,
    ),
    st.builds(FollowupCompleted, commitment=cids, note=st.none() | text),
    st.builds(ReminderIssued, day=days, now=days, items=st.lists(cids, max_size=2).map(tuple)),
)
# (payload, effective day, recorded time, retract an earlier event: its index or None)
steps = st.lists(
    st.tuples(payloads, days, stamps, st.none() | st.integers(0, 40)), min_size=1, max_size=25
)


def history(plan: list[tuple[Any, str, str, int | None]]) -> list[NewEvent]:
    """Events for a plan, made valid where the tables insist (one key per row)."""
    events: list[NewEvent] = []
    retracted: set[str] = set()
    for payload, day, stamp, retract in plan:
        if isinstance(payload, CommitmentAdded) and payload.supersedes == payload.commitment:
            continue  # one commitment would get two rows for one event
        events.append(_event(payload, day, stamp))
        if retract is not None:
            candidates = [e for e in events if e.type != EventRetracted.TYPE]
            target = candidates[retract % len(candidates)]
            if target.id not in retracted:
                retracted.add(target.id)
                events.append(_event(EventRetracted(event=target.id, reason="wrong"), day, stamp))
    return events


class Schema1:
    """An event to be written in its type's schema 1 shape (before joint statements and
    before amendments could clear a field)."""

    def __init__(self, event: StatementRecorded | CommitmentAmended) -> None:
        self.event = event


def _event(payload: Any, day: str, stamp: str) -> NewEvent:
    if isinstance(payload, Schema1):
        type_name, _, data = CODEC.encode(payload.event)
        fields = json.loads(data)
        if "speakers" in fields:
            fields["by"] = fields.pop("speakers")[0]
        schema, data = 1, canonical_json(fields)
    else:
        type_name, schema, data = CODEC.encode(payload)
    return NewEvent(
        id=str(uuid.uuid4()),
        type=type_name,
        schema=schema,
        occurred_on=day,
        recorded_at=stamp,
        recorded_by="tester",
        data=data,
    )


def tables(store: SQLiteStore) -> dict[str, set[tuple[Any, ...]]]:
    conn: sqlite3.Connection = store.sql.conn  # type: ignore[attr-defined]
    found = {
        table: set(conn.execute(f"SELECT * FROM {table}"))
        for table in ("commitments", "timeline", "retractions", "reminders")
    }
    found["search"] = set(
        conn.execute(
            "SELECT f.quote, f.speaker, f.commitment_id, f.retracted, f.event_id, r.seq "
            "FROM timeline_fts AS f JOIN timeline_fts_rows AS r ON r.fts_rowid = f.rowid"
        )
    )
    return found


def imported(events: list[NewEvent], *, parts: int = 1) -> SQLiteStore:
    store = SQLiteStore(None)
    size = max(1, -(-len(events) // parts))
    for start in range(0, len(events), size):
        with store.writing():
            store.append_stream([events[start : start + size]])
    return store


def appended(events: list[NewEvent]) -> SQLiteStore:
    store = SQLiteStore(None)
    for event in events:
        store.append(lambda _sql, event=event: [event])
    return store


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps)
def test_the_sql_fold_equals_the_python_fold(plan):
    events = history(plan)
    one_by_one = appended(events)  # Python entries, one event at a time
    at_once = imported(events)  # the SQL fold over an empty timeline (indexes built after)
    in_two = imported(events, parts=2)  # the SQL fold onto a timeline that has rows
    expected = tables(one_by_one)
    assert tables(at_once) == expected
    assert tables(in_two) == expected
    at_once.rebuild()
    assert tables(at_once) == expected
    # And verify, which replays through the Python fold, finds them equal.
    assert verify(Session(store=at_once, actor="tester")).ok


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps)
def test_the_stored_status_rows_are_what_summarize_derives(plan):
    store = imported(history(plan))
    with store.reading() as sql:
        view = View(sql)
        ids = {r["commitment_id"] for r in sql.query("SELECT commitment_id FROM timeline")}
        stored = {
            r["id"]: tuple(r[c] for c in STATE_COLUMNS)
            for r in sql.query("SELECT * FROM commitments")
        }
        derived = {}
        for cid in ids:
            state = summarize(view.timeline(cid))
            if state is not None:
                derived[cid] = state_row(state)
    assert stored == derived


def test_an_event_the_sql_cannot_read_goes_to_the_python_fold_which_refuses_it():
    from events.codec import CodecError

    events = history(
        [
            (
                CommitmentAdded(commitment="a", title="A"),
                "2025-01-01",
                "2025-03-01T00:00:00.000Z",
                None,
            )
        ]
    )
    bad = NewEvent(
        id=str(uuid.uuid4()),
        type=StatementRecorded.TYPE,
        schema=1,
        occurred_on="2025-01-02",
        recorded_at="2025-03-01T00:00:00.000Z",
        recorded_by="tester",
        data='{"by":"X","commitments":[{"id":"a"},{"id":7}],"quote":"q"}',
    )
    store = SQLiteStore(None)
    try:
        with store.writing():
            store.append_stream([[*events, bad]])
    except CodecError as exc:
        assert "data.commitments[1].id must be a string" in str(exc)
    else:
        raise AssertionError("the unreadable statement was folded")
