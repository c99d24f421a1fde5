"""The codec and the fold: round trips, upcasting, and properties of the projections."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events import (
    CODEC,
    Codec,
    CodecError,
    CommitmentAmended,
    CommitmentRef,
    StatementRecorded,
)
from events.codec import CURRENT_SCHEMAS
from projections.queries import View
from tests.conftest import make_session
from tests.strategies import events, statuses
from tracker.application import record
from tracker.application.integrity import verify


@given(events)
def test_codec_round_trip(event: Any) -> None:
    type_name, schema, data = CODEC.encode(event)
    assert json.loads(data) == json.loads(data)  # valid JSON
    assert CODEC.decode(type_name, schema, data) == event


def test_upcasters_turn_an_older_shape_into_the_current_one():
    # A made-up schema 1 of statement.recorded that named the speaker `speaker` and held a
    # single commitment id (the current shape, ours, is schema 2).
    def v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
        data["speakers"] = [data.pop("speaker")]
        data["commitments"] = [{"id": data.pop("commitment")}]
        return data

    codec = Codec(upcasters={("statement.recorded", 1): v1_to_v2})
    old = {"quote": "We agreed.", "speaker": "A", "commitment": "deal"}
    assert codec.decode("statement.recorded", 1, json.dumps(old)) == StatementRecorded(
        quote="We agreed.", speakers=("A",), commitments=(CommitmentRef(id="deal"),)
    )
    with pytest.raises(CodecError, match="newer than this version"):
        codec.decode("statement.recorded", 3, "{}")
    with pytest.raises(CodecError, match="no upcaster"):
        Codec(current={**CURRENT_SCHEMAS, "followup.completed": 2}).decode(
            "followup.completed", 1, {"commitment": "x"}
        )


@pytest.mark.parametrize(
    ("type_name", "data", "message"),
    [
        ("statement.recorded", {"quote": 1, "by": "A", "commitments": [{"id": "x"}]}, "data.quote must be a string"),
        ("statement.recorded", {"quote": "q", "by": "A", "commitments": []}, "non-empty list"),
        ("statement.recorded", {"quote": "q", "by": "A", "commitments": [{"id": "X"}]}, "not a commitment id"),
        ("statement.recorded", {"quote": "q", "by": "A", "commitments": [{"id": "x", "status": "meh"}]}, "not a status"),
        ("followup.scheduled", {"commitment": "x", "due": "2025-02-30"}, "must be a date"),
        ("commitment.added", {"commitment": "x"}, "data.title is missing"),
        ("commitment.added", {"commitment": "x", "title": "t", "extra": 1}, "unknown field 'extra'"),
        ("no.such", {}, "unknown event type"),
    ],
)  # fmt: skip
def test_decode_names_the_bad_field(type_name, data, message):
    with pytest.raises(CodecError, match=message):
        CODEC.decode(type_name, 1, data)


# --- the fold --------------------------------------------------------------------------------

statement_plans = st.lists(
    st.tuples(st.integers(0, 400), st.none() | statuses, st.booleans()),
    min_size=1,
    max_size=8,
    unique_by=lambda t: t[0],  # distinct effective dates: ties are decided by log order
)


def _log_all(plan: list[tuple[int, str | None, bool]], order: list[int]) -> dict[str, Any]:
    session = make_session(today=date(2026, 1, 1))
    start = date(2024, 1, 1)
    record.add(session, "deal", title="A deal", on="2024-01-01")
    for index in order:
        offset, status, _ = plan[index]
        record.log(
            session,
            f"statement {offset}",
            by="A",
            refs=[f"deal={status}" if status else "deal"],
            on=(start + timedelta(days=offset)).isoformat(),
        )
    with session.store.reading() as sql:
        state = View(sql).get("deal")
    session.store.close()
    assert state is not None
    return {
        "status": state.status,
        "label": state.label,
        "since": state.status_since,
        "last": state.last_statement.quote if state.last_statement else None,
        "count": state.statement_count,
        "activity": state.last_activity_on,
    }


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(statement_plans, st.randoms(use_true_random=False))
def test_any_logging_order_gives_the_same_state(plan, rnd):
    order = list(range(len(plan)))
    shuffled = order[:]
    rnd.shuffle(shuffled)
    assert _log_all(plan, order) == _log_all(plan, shuffled)


operations = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.sampled_from(["a", "b", "c"]), st.integers(0, 60)),
        st.tuples(st.just("log"), st.sampled_from(["a", "b", "c"]), st.integers(0, 60), st.none() | statuses),
        st.tuples(st.just("followup"), st.sampled_from(["a", "b", "c"]), st.integers(0, 90)),
        st.tuples(st.just("done"), st.sampled_from(["a", "b", "c"]), st.integers(0, 60)),
        st.tuples(st.just("amend"), st.sampled_from(["a", "b", "c"]), st.integers(0, 60)),
        st.tuples(st.just("retract"), st.integers(0, 30)),
    ),
    max_size=25,
)  # fmt: skip


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(operations)
def test_incremental_projection_equals_a_rebuild(ops):
    from tracker.errors import UserError

    session = make_session(today=date(2025, 6, 1))
    start = date(2025, 1, 1)
    try:
        for op in ops:
            try:
                if op[0] == "add":
                    on = (start + timedelta(days=op[2])).isoformat()
                    record.add(session, op[1], title=f"T {op[1]}", on=on)
                elif op[0] == "log":
                    ref = f"{op[1]}={op[3]}" if op[3] else op[1]
                    on = (start + timedelta(days=op[2])).isoformat()
                    record.log(session, "q", by="A", refs=[ref], on=on)
                elif op[0] == "followup":
                    due = (start + timedelta(days=op[2])).isoformat()
                    record.followup(session, op[1], due=due, on="2025-01-01")
                elif op[0] == "done":
                    record.followup(session, op[1], done=True, on="2025-01-01")
                elif op[0] == "amend":
                    record.amend(session, op[1], title=f"Title {op[2]}", on="2025-01-01")
                else:
                    all_events = list(session.store.read())
                    if all_events:
                        target = all_events[op[1] % len(all_events)]
                        record.retract(session, target.id, reason="test")
            except UserError:
                pass  # refused input writes nothing; the property is about what was written
        result = verify(session)
        assert result.ok, [str(p) for p in result.problems]
    finally:
        session.store.close()


@given(events, st.integers(1, 10**9), st.text(min_size=1, max_size=12).filter(str.strip))
def test_the_text_built_hash_body_is_spec_canonical_json(event: Any, seq: int, who: str) -> None:
    from events import NewEvent
    from events.codec import canonical_json

    type_name, schema, data = CODEC.encode(event)
    new = NewEvent(
        id="0b9c2f6e-1d2a-4c3b-9f1e-7a8b9c0d1e2f",
        type=type_name,
        schema=schema,
        occurred_on="2025-01-27",
        recorded_at="2026-11-28T09:14:03.512Z",
        recorded_by=who,
        data=data,
    )
    body = {
        "id": new.id,
        "seq": seq,
        "type": type_name,
        "schema": schema,
        "occurred_on": new.occurred_on,
        "recorded_at": new.recorded_at,
        "recorded_by": who,
        "data": json.loads(data),
        "prev_hash": "f" * 64,
    }
    assert new.canonical_body(seq, "f" * 64) == canonical_json(body)


def test_the_package_names_are_lazy_but_all_importable() -> None:
    """`events` loads its codec and types on first use (so `events.rules` costs only rules)."""
    import subprocess
    import sys
    from pathlib import Path

    import events
    import events.codec
    import events.types

    for name in events.__all__:
        home = events.codec if hasattr(events.codec, name) else events.types
        assert getattr(events, name) is getattr(home, name), name
    assert set(events.__all__) <= set(dir(events))
    with pytest.raises(AttributeError, match="no_such_name"):
        events.no_such_name  # noqa: B018
    probe = (
        "import sys, events.rules, tracker.domain, projections.model, projections\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('attr', 'attrs') "
        "or m in ('events.codec', 'events.types', 'projections.commitments')))\n"
        "from events import CODEC, StoredEvent, StatementRecorded, GENESIS_HASH\n"
        "from projections import PROJECTIONS\n"
        "print(PROJECTIONS[0].name, 'attrs' in sys.modules)\n"
    )
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=root, capture_output=True, text=True, check=True
    ).stdout
    assert out.splitlines() == ["[]", "commitments True"]


def test_the_versions_a_store_checks_on_open_are_the_projections_own() -> None:
    import projections
    from projections import commitments, model

    assert tuple((p.name, p.version) for p in projections.PROJECTIONS) == projections.VERSIONS
    assert isinstance(projections.PROJECTIONS[0], projections.CommitmentProjection)
    # The read models are one set of classes, whichever module names them.
    assert commitments.Entry is model.Entry
    assert commitments.CommitmentState is model.CommitmentState
    assert commitments.summarize is model.summarize
    assert model.Entry._fields == commitments.ENTRY_COLUMNS


def test_a_schema_1_statement_reads_as_one_speaker_in_the_list():
    old = '{"by":"Kenya MFA","commitments":[{"id":"deal"}],"quote":"We agreed."}'
    expected = StatementRecorded(
        quote="We agreed.", speakers=("Kenya MFA",), commitments=(CommitmentRef(id="deal"),)
    )
    assert CODEC.decode("statement.recorded", 1, old) == expected
    assert CODEC.decode_stored("statement.recorded", 1, old) == expected
    assert expected.by == "Kenya MFA"
    joint = StatementRecorded(quote="q", speakers=("A", "B"), commitments=expected.commitments)
    assert joint.by == "A, B"
    assert json.loads(CODEC.encode(joint)[2])["speakers"] == ["A", "B"]


@pytest.mark.parametrize(
    ("schema", "data", "message"),
    [
        (1, '{"commitments":[{"id":"d"}],"quote":"q"}', "data.by is missing"),
        (1, '{"by":" ","commitments":[{"id":"d"}],"quote":"q"}', "data.by must not be empty"),
        (1, '{"by":"A","speakers":["A"],"commitments":[{"id":"d"}],"quote":"q"}', "unknown field 'speakers'"),
        (2, '{"by":"A","commitments":[{"id":"d"}],"quote":"q"}', "unknown field 'by'"),
        (2, '{"speakers":[],"commitments":[{"id":"d"}],"quote":"q"}', "at least one speaker"),
        (2, '{"speakers":"A","commitments":[{"id":"d"}],"quote":"q"}', "data.speakers must be a list"),
    ],
)  # fmt: skip
def test_statement_shapes_are_checked_in_either_schema(schema, data, message):
    with pytest.raises(CodecError, match=message):
        CODEC.decode("statement.recorded", schema, data)


def test_a_schema_1_amendment_reads_unchanged_and_clear_is_checked():
    old = '{"commitment":"deal","tags":["a"]}'
    expected = CommitmentAmended(commitment="deal", tags=("a",))
    assert CODEC.decode("commitment.amended", 1, old) == expected
    assert CODEC.decode_stored("commitment.amended", 1, old) == expected
    with pytest.raises(CodecError, match="schema 1 clears nothing"):
        CODEC.decode("commitment.amended", 1, '{"commitment":"deal","clear":["due"]}')
    with pytest.raises(CodecError, match=r"data.clear\[0\] 'title' cannot be cleared"):
        CODEC.decode("commitment.amended", 2, '{"commitment":"deal","clear":["title"]}')
    with pytest.raises(CodecError, match="names a field twice"):
        CODEC.decode("commitment.amended", 2, '{"commitment":"deal","clear":["due","due"]}')
