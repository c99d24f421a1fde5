"""The decisions (`tracker.domain.decide`), one by one: given what the log holds, when a
command's decision runs on already-validated input, then these events, or this message.

Pure: a `Given` view stands in for the projections, so no store, clock or CLI is involved.
What a user types is checked before a decision runs (tests/test_cli.py covers that).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest

from events import (
    CommitmentAdded,
    CommitmentAmended,
    CommitmentRef,
    EventRetracted,
    FollowupCompleted,
    FollowupScheduled,
    ReminderIssued,
    StatementRecorded,
)
from projections.model import CommitmentState
from projections.queries import EventInfo, Report
from tests.conftest import commitment_state
from tracker.domain import decide
from tracker.errors import UserError

ON = date(2025, 3, 5)
STATEMENT_ID = "5d0f7c2e-8a4b-4c1d-9e3f-2a6b8c0d4e1f"
RETRACTION_ID = "9b1e4d7a-3c2f-4e5d-8a6b-1c0d2e3f4a5b"
ADDED_ID = "0c3a5e7b-9d1f-4b2a-8c4e-6f8a0b2c4d6e"


class Given:
    """The log as a decision reads it: these commitments, events and recorded reports."""

    def __init__(
        self,
        *states: CommitmentState,
        events: tuple[EventInfo, ...] = (),
        reports: tuple[Report, ...] = (),
    ) -> None:
        self.states = {s.id: s for s in states}
        self.events = {e.id: e for e in events}
        self.reports = {r.day: r for r in reports}

    def get(self, cid: str) -> CommitmentState | None:
        return self.states.get(cid)

    def ids(self) -> list[str]:
        return sorted(self.states)

    def find_events(self, ref: str) -> list[EventInfo]:
        return [e for e in self.events.values() if e.id == ref or str(e.seq) == ref]

    def report_for(self, day: str) -> Report | None:
        return self.reports.get(day)


NOTHING = Given()
A_DEAL = Given(commitment_state())  # "deal": open, pending, no follow-up


def refused(message: str) -> Any:
    """Then: the decision raises a UserError with exactly this message."""
    return pytest.raises(UserError, match=f"^{re.escape(message)}$")


# --- add -------------------------------------------------------------------------------------


def _add(view: Given, cid: str = "port", **changes: Any) -> decide.Decision:
    values: dict[str, Any] = dict(
        title="Port upgrade",
        kind="commitment",
        parties=(),
        tags=(),
        status=None,
        review_every=None,
        due=None,
        supersedes=None,
        on=ON,
    )
    values.update(changes)
    return decide.add(view, cid=cid, **values)


def test_add_records_the_commitment_with_its_status_follow_up_and_description():
    decision = _add(
        NOTHING,
        kind="agreement",
        parties=("Kenya", "Japan"),
        tags=("trade",),
        status=("committed", "pledged"),
        review_every="2w",
        due=date(2025, 6, 30),
    )
    assert decision == [
        (
            CommitmentAdded(
                commitment="port",
                title="Port upgrade",
                kind="agreement",
                parties=("Kenya", "Japan"),
                tags=("trade",),
                status="committed",
                label="pledged",
                review_every="2w",
                due="2025-06-30",
            ),
            ON,
        )
    ]


def test_add_keeps_each_alias_once_whatever_its_case():
    (event, _), *_ = _add(NOTHING, aliases=("MSS", "mss", "Mission"))
    assert event == CommitmentAdded(
        commitment="port", title="Port upgrade", aliases=("MSS", "Mission")
    )


def test_add_refuses_an_id_already_in_the_log():
    with refused(
        "commitment 'deal' already exists; log statements about it with -c deal, "
        "or correct it with: tracker amend deal"
    ):
        _add(A_DEAL, "deal")


def test_add_refuses_a_commitment_superseding_itself():
    with refused("commitment 'port' cannot supersede itself"):
        _add(NOTHING, "port", supersedes="port")


def test_add_refuses_to_supersede_a_commitment_not_in_the_log():
    with refused(
        "unknown commitment 'dael' (did you mean 'deal'?); add it with: tracker add dael --title TEXT"
    ):
        _add(A_DEAL, "port", supersedes="dael")


def test_add_superseding_a_commitment_names_it():
    (event, on), *rest = _add(A_DEAL, "port", supersedes="deal")
    assert rest == [] and on == ON
    assert event == CommitmentAdded(commitment="port", title="Port upgrade", supersedes="deal")


# --- log -------------------------------------------------------------------------------------


def _log(view: Given, refs: list[tuple[str, tuple[str, str] | None]], **changes: Any) -> Any:
    values: dict[str, Any] = dict(
        quote="Work starts in May.", speakers=("Minister",), source=None, title=None, tags=(), note=None
    )
    values.update(changes)
    return decide.log(view, refs=refs, on=ON, **values)


def test_log_records_one_statement_about_every_commitment_named():
    view = Given(commitment_state(), commitment_state(id="port"))
    decision = _log(
        view,
        [("deal", ("committed", "agreed")), ("port", None)],
        source="https://example.org/readout",
        tags=("briefing",),
        note="second day",
    )
    assert decision == [
        (
            StatementRecorded(
                quote="Work starts in May.",
                speakers=("Minister",),
                source="https://example.org/readout",
                commitments=(
                    CommitmentRef(id="deal", status="committed", label="agreed"),
                    CommitmentRef(id="port"),
                ),
                tags=("briefing",),
                note="second day",
            ),
            ON,
        )
    ]


def test_log_with_title_adds_and_records_in_one_decision():
    decision = _log(
        NOTHING,
        [("haiti", ("committed", "agreed"))],
        quote="We agreed.",
        speakers=("A",),
        title="Joint strategy",
    )
    assert decision == [
        (CommitmentAdded(commitment="haiti", title="Joint strategy"), ON),
        (
            StatementRecorded(
                quote="We agreed.",
                speakers=("A",),
                commitments=(CommitmentRef(id="haiti", status="committed", label="agreed"),),
            ),
            ON,
        ),
    ]


def test_log_refuses_a_statement_about_nothing():
    with refused("name the commitment the statement concerns with -c ID (or -c ID=STATUS)"):
        _log(A_DEAL, [])


def test_log_refuses_a_commitment_named_twice():
    with refused("commitment 'deal' is named twice; give each -c once"):
        _log(A_DEAL, [("deal", None), ("deal", ("committed", "agreed"))])


def test_log_refuses_unknown_ids_without_title():
    with refused(
        "unknown commitment 'stp' (did you mean 'stip'?); add it with: tracker add stp --title TEXT"
    ):
        _log(Given(commitment_state(id="stip")), [("stp", None)])


def test_log_refuses_a_title_with_more_than_one_commitment():
    with refused(
        "--title adds a new commitment, so it goes with exactly one -c; "
        "add the others first with: tracker add ID --title TEXT"
    ):
        _log(A_DEAL, [("port", None), ("deal", None)], title="Port upgrade")


def test_log_refuses_a_title_for_a_commitment_already_in_the_log():
    with refused(
        "commitment 'deal' already exists; log statements about it with -c deal, "
        "or correct it with: tracker amend deal"
    ):
        _log(A_DEAL, [("deal", None)], title="A deal")


# --- amend -----------------------------------------------------------------------------------


def _amend(view: Given, cid: str = "deal", **changes: Any) -> decide.Decision:
    values: dict[str, Any] = dict(title=None, kind=None, parties=None, tags=None, review_every=None)
    values.update(changes)
    return decide.amend(view, cid=cid, on=ON, **values)


def test_amend_records_only_what_differs_from_the_commitment_as_it_reads():
    view = Given(commitment_state(parties=("Kenya",), review_every="30d"))
    decision = _amend(
        view,
        title="A deal",  # as it reads: left out
        kind="request",
        parties=(),  # cleared: recorded as an empty list
        tags=("trade",),
        review_every="30d",  # as it reads: left out
    )
    assert decision == [
        (CommitmentAmended(commitment="deal", kind="request", parties=(), tags=("trade",)), ON)
    ]


def test_amend_aliases_add_to_the_names_already_taught_each_once():
    view = Given(commitment_state(aliases=("MSS",)))
    decision = _amend(view, aliases=("mss", "Security Support"))
    assert decision == [
        (CommitmentAmended(commitment="deal", aliases=("MSS", "Security Support")), ON)
    ]


def test_amend_with_only_aliases_already_taught_records_nothing_and_says_so():
    with refused("'deal' already reads that way; nothing to amend"):
        _amend(Given(commitment_state(aliases=("MSS",))), aliases=("mss",))


def test_amend_refuses_a_commitment_not_in_the_log():
    with refused("unknown commitment 'port'; add it with: tracker add port --title TEXT"):
        _amend(A_DEAL, "port", title="Port upgrade")


def test_amend_with_nothing_given_says_what_can_be_amended():
    with refused(
        "nothing to amend on 'deal'; give --title, --kind, --party, --add-party, "
        "--remove-party, --tag, --add-tag, --remove-tag, --alias, --review-every or --clear-due"
    ):
        _amend(A_DEAL)


def test_amend_to_what_it_already_reads_records_nothing_and_says_so():
    with refused("'deal' already reads that way; nothing to amend"):
        _amend(A_DEAL, title="A deal", kind="agreement", parties=())


# --- followup --------------------------------------------------------------------------------


def _followup(view: Given, cid: str = "deal", **changes: Any) -> decide.Decision:
    values: dict[str, Any] = dict(due=None, done=False, note=None)
    values.update(changes)
    return decide.followup(view, cid=cid, on=ON, **values)


def test_followup_with_a_due_date_schedules_one():
    decision = _followup(A_DEAL, due=date(2025, 4, 1), note="after the budget")
    assert decision == [
        (FollowupScheduled(commitment="deal", due="2025-04-01", note="after the budget"), ON)
    ]


def test_followup_done_completes_the_open_one():
    view = Given(commitment_state(followup_due="2025-04-01", followup_seq=4))
    decision = _followup(view, done=True, note="the minister called")
    assert decision == [(FollowupCompleted(commitment="deal", note="the minister called"), ON)]


def test_followup_refuses_a_commitment_not_in_the_log():
    with refused(
        "unknown commitment 'dael' (did you mean 'deal'?); add it with: tracker add dael --title TEXT"
    ):
        _followup(A_DEAL, "dael", due=date(2025, 4, 1))


def test_followup_refuses_both_a_due_date_and_done():
    view = Given(commitment_state(followup_due="2025-04-01", followup_seq=4))
    with refused("give either --due DATE (schedule) or --done (complete), not both"):
        _followup(view, due=date(2025, 5, 1), done=True)


def test_followup_done_refuses_when_none_is_open():
    with refused(
        "'deal' has no open follow-up to mark done; schedule one with: "
        "tracker followup deal --due DATE"
    ):
        _followup(A_DEAL, done=True)


def test_followup_without_a_due_date_or_done_asks_when():
    with refused("say when: tracker followup deal --due DATE (or --done)"):
        _followup(A_DEAL)


# --- retract ---------------------------------------------------------------------------------

EVENTS = Given(
    commitment_state(),
    events=(
        EventInfo(id=ADDED_ID, seq=1, type=CommitmentAdded.TYPE, retracted_by=None),
        EventInfo(id=STATEMENT_ID, seq=2, type=StatementRecorded.TYPE, retracted_by=None),
        EventInfo(id=RETRACTION_ID, seq=3, type=EventRetracted.TYPE, retracted_by=None),
    ),
)


def test_retract_records_the_withdrawal_of_the_event_with_its_reason():
    decision = decide.retract(EVENTS, event_ref=STATEMENT_ID, reason="misattributed", on=ON)
    assert decision == [(EventRetracted(event=STATEMENT_ID, reason="misattributed"), ON)]


def test_retract_takes_the_log_position():
    decision = decide.retract(EVENTS, event_ref="2", reason="misattributed", on=ON)
    assert decision == [(EventRetracted(event=STATEMENT_ID, reason="misattributed"), ON)]


def test_retract_refuses_an_event_not_in_the_log():
    missing = "1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9"
    with refused(f"unknown event '{missing}'; {decide.EVENT_REF_HINT}"):
        decide.retract(EVENTS, event_ref=missing, reason="wrong", on=ON)


def test_retract_refuses_a_retraction():
    with refused(
        f"event 3 ({RETRACTION_ID}) is itself a retraction; a retraction cannot be retracted"
    ):
        decide.retract(EVENTS, event_ref=RETRACTION_ID, reason="wrong", on=ON)


def test_retract_of_the_adding_undoes_the_commitment():
    decision = decide.retract(EVENTS, event_ref=ADDED_ID, reason="added by mistake", on=ON)
    assert decision == [(EventRetracted(event=ADDED_ID, reason="added by mistake"), ON)]


def test_retract_refuses_an_event_already_retracted():
    view = Given(
        events=(
            EventInfo(
                id=STATEMENT_ID, seq=2, type=StatementRecorded.TYPE, retracted_by=RETRACTION_ID
            ),
        )
    )
    with refused(f"event 2 ({STATEMENT_ID}) was already retracted by {RETRACTION_ID}"):
        decide.retract(view, event_ref=STATEMENT_ID, reason="wrong", on=ON)


# --- reminders -------------------------------------------------------------------------------


def test_record_reminder_records_the_report_for_its_local_day():
    decision = decide.record_reminder(
        A_DEAL, day=ON, now=date(2025, 3, 6), items=("deal",), schedule="0 9 * * 1-5"
    )
    assert decision == [
        (
            ReminderIssued(
                day="2025-03-05", now="2025-03-06", items=("deal",), schedule="0 9 * * 1-5"
            ),
            ON,
        )
    ]


def test_record_reminder_records_nothing_when_the_day_already_has_a_report():
    view = Given(
        reports=(Report(event_id=STATEMENT_ID, day="2025-03-05", now="2025-03-05", items=()),)
    )
    assert decide.record_reminder(view, day=ON, now=ON, items=("deal",), schedule=None) == []
