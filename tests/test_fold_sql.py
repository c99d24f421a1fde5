"""The projection's two folds agree (projections.commitments names them): the SQL fold
(`_sqlite_fold_statements` and `_SUMMARY_SELECT`: rebuilds, imports, every status row) and
the Python fold (`entries_for` and `summarize`: single appends, `verify`'s replay,
`--as-of` views).

Hypothesis writes histories in which commitments interact: statements about several at
once, amendments, follow-ups set and done, supersessions, retractions and reminders, with
effective dates and recorded times that tie, so the "latest" rules are exercised.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events import (
    CODEC,
    CommitmentAdded,
    CommitmentAmended,
    CommitmentRef,
    EventRetracted,
    NewEvent,
    StatementRecorded,
)
from events.codec import canonical_json
from projections.commitments import STATE_COLUMNS, state_row, summarize
from projections.queries import View
from tests import strategies
from tests.strategies import statuses, text
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

payloads = strategies.payloads(ids=cids, days=days, names=lists)
# Logs written before `clear` and joint statements: schema-1 amendments and statements.
payloads = payloads | st.one_of(
    st.builds(
        lambda cid, tags, every: Schema1(
            CommitmentAmended(commitment=cid, tags=tags, review_every=every)
        ),
        cids,
        st.none() | lists,
        st.none() | st.sampled_from(["2w"]),
    ),
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
    # The search index itself (every word of every statement it holds, where), and what
    # it shows, read through its content view.
    conn.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_words "
        "USING fts5vocab(main, timeline_fts, instance)"
    )
    found["search"] = set(conn.execute("SELECT * FROM temp.search_words"))
    found["search rows"] = set(
        conn.execute(
            "SELECT rowid, quote, speaker, commitment_id, date, source, retracted, event_id "
            "FROM timeline_fts"
        )
    )
    conn.execute("INSERT INTO timeline_fts (timeline_fts) VALUES ('integrity-check')")
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


@pytest.mark.slow
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


@pytest.mark.slow
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


def test_a_failed_first_import_leaves_the_indexes(tmp_path):
    """The SQL fold drops the timeline's indexes to load an empty timeline; an error after
    that (here a statement naming one commitment twice) must roll the drop back too."""
    from tests.conftest import make_session

    stamp = "2025-01-01T00:00:00.000Z"
    twice = StatementRecorded(quote="q", speakers=("A",), commitments=(CommitmentRef(id="c0"),) * 2)
    new = [
        _event(CommitmentAdded(commitment="c0", title="Item c0"), "2025-01-01", stamp),
        _event(twice, "2025-01-01", stamp),
    ]
    path = tmp_path / "kept.db"
    session = make_session(path)
    try:  # past the import's checks (which refuse the line), straight to the fold
        with pytest.raises(sqlite3.IntegrityError), session.store.writing():
            session.store.append_stream([new])
    finally:
        session.store.close()
    with sqlite3.connect(path) as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        assert conn.execute("SELECT count(*) FROM events").fetchone()[0] == 0
    assert {"timeline_key", "timeline_seq", "timeline_fts_insert"} <= names
