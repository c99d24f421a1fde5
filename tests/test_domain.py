"""Fast tests of the pure domain: statuses, dates, durations, ids, text, staleness, decisions."""

from __future__ import annotations

from datetime import date

import pytest

from events import CommitmentAdded, CommitmentRef, StatementRecorded
from projections.commitments import CommitmentState, LastStatement
from tracker.domain import decide
from tracker.domain.staleness import default_review_every, stale_reasons
from tracker.domain.values import (
    add_duration,
    check_commitment_id,
    check_name,
    check_quote,
    parse_date,
    parse_duration,
    parse_status,
)
from tracker.errors import UserError

TODAY = date(2025, 3, 5)  # a Wednesday


@pytest.mark.parametrize(
    ("word", "status", "label"),
    [
        ("pending conclusion", "pending", "pending conclusion"),
        ("Pending-Conclusion", "pending", "Pending-Conclusion"),
        ("agreed", "committed", "agreed"),
        ("in_progress", "in_progress", "in_progress"),
        ("in-progress", "in_progress", "in-progress"),
        ("IN PROGRESS", "in_progress", "IN PROGRESS"),
        ("in the works", "in_progress", "in the works"),
        ("called for", "proposed", "called for"),
        ("on hold", "stalled", "on hold"),
        ("signed", "fulfilled", "signed"),
        ("partly kept", "partial", "partly kept"),
        ("reneged", "broken", "reneged"),
        ("cancelled", "withdrawn", "cancelled"),
        ("replaced", "superseded", "replaced"),
    ],
)
def test_status_words_and_aliases(word, status, label):
    assert parse_status(word) == (status, label)


def test_unknown_status_lists_the_valid_ones():
    with pytest.raises(UserError) as err:
        parse_status("pendng")
    assert "did you mean 'pending'?" in str(err.value)
    assert "proposed, pending, committed, in_progress" in str(err.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-01-27", date(2025, 1, 27)),
        ("today", TODAY),
        ("yesterday", date(2025, 3, 4)),
        ("tomorrow", date(2025, 3, 6)),
        ("+3d", date(2025, 3, 8)),
        ("-2w", date(2025, 2, 19)),
        ("+1m", date(2025, 4, 5)),
        ("+1y", date(2026, 3, 5)),
        ("friday", date(2025, 3, 7)),
        ("wednesday", date(2025, 3, 12)),  # the next one, not today
        ("Monday", date(2025, 3, 10)),
    ],
)
def test_dates(text, expected):
    assert parse_date(text, today=TODAY) == expected


def test_month_arithmetic_clamps_to_month_end():
    assert parse_date("+1m", today=date(2025, 1, 31)) == date(2025, 2, 28)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("01/02/2025", "ambiguous"),
        ("2025-02-30", "does not exist"),
        ("2025-1-5", "is not a date"),
        ("next week", "is not a date"),
        ("", "is not a date"),
    ],
)
def test_bad_dates(text, message):
    with pytest.raises(UserError, match=message):
        parse_date(text, today=TODAY)


def test_durations():
    assert parse_duration("30d") == "30d"
    assert parse_duration(" 2W ") == "2w"
    assert add_duration(date(2025, 1, 31), "1m") == date(2025, 2, 28)
    for bad in ("30", "0d", "d", "3 months", "-1d"):
        with pytest.raises(UserError):
            parse_duration(bad)


def test_commitment_ids():
    assert check_commitment_id("us-regional-capabilities") == "us-regional-capabilities"
    for bad in ("STIP", "-x", "x-", "a--b", "a b", "", "x" * 65, "é"):
        with pytest.raises(UserError):
            check_commitment_id(bad)


def test_names_refuse_control_and_direction_characters():
    assert check_name("speaker", "  William Ruto ") == "William Ruto"
    for bad in ("A\x00B", "A\u202eB", "A\u200fB", "A\nB", "   "):
        with pytest.raises(UserError):
            check_name("speaker", bad)


def test_quotes_allow_lines_and_rtl_marks_but_not_overrides():
    assert check_quote("line one\nline two") == "line one\nline two"
    assert check_quote("\u200fنص") == "\u200fنص"
    with pytest.raises(UserError):
        check_quote("evil\u202etxt")
    with pytest.raises(UserError):
        check_quote("bell\x07")
    with pytest.raises(UserError):
        check_quote("\ud800")  # a lone surrogate is not UTF-8


def _state(**overrides: object) -> CommitmentState:
    values: dict[str, object] = dict(
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
    values.update(overrides)
    return CommitmentState(**values)  # type: ignore[arg-type]


def test_staleness_rule_two_edges():
    state = _state()
    assert stale_reasons(state, date(2025, 2, 26), "30d") == []  # exactly 30 days: not yet
    (reason,) = stale_reasons(state, date(2025, 3, 15), "30d")
    assert reason.text == "no statement for 47 days, review every 30 days"
    assert reason.overdue_days == 17


def test_staleness_rule_one_edges():
    state = _state(followup_due="2025-02-05", followup_seq=3, last_activity_on="2025-02-04")
    assert stale_reasons(state, date(2025, 2, 5), "30d") == []  # due today
    (reason,) = stale_reasons(state, date(2025, 2, 10), "30d")
    assert reason.text == "follow-up due 2025-02-05, 5 days overdue"
    answered = _state(
        followup_due="2025-02-05", followup_answered=True, last_activity_on="2025-02-04"
    )
    assert stale_reasons(answered, date(2025, 2, 10), "30d") == []
    closed = _state(is_open=False, status="fulfilled", followup_due="2025-02-05")
    assert stale_reasons(closed, date(2026, 1, 1), "30d") == []


def test_review_default_from_environment():
    assert default_review_every(None) == "30d"
    assert default_review_every("2w") == "2w"
    with pytest.raises(UserError, match="TRACKER_REVIEW_EVERY"):
        default_review_every("soon")


class FakeView:
    """Given these commitments (and events), the decisions see only what they are told."""

    def __init__(self, *states: CommitmentState) -> None:
        self.states = {s.id: s for s in states}

    def get(self, cid: str) -> CommitmentState | None:
        return self.states.get(cid)

    def ids(self) -> list[str]:
        return sorted(self.states)

    def event(self, event_id: str) -> None:
        return None

    def report_for(self, day: str) -> None:
        return None


def test_decide_log_with_title_adds_and_records_in_one_decision():
    decision = decide.log(
        FakeView(),
        quote="We agreed.",
        speakers=("A",),
        source=None,
        refs=[("haiti", ("committed", "agreed"))],
        title="Joint strategy",
        tags=(),
        note=None,
        on=date(2025, 1, 27),
    )
    assert decision == [
        (CommitmentAdded(commitment="haiti", title="Joint strategy"), date(2025, 1, 27)),
        (
            StatementRecorded(
                quote="We agreed.",
                speakers=("A",),
                commitments=(CommitmentRef(id="haiti", status="committed", label="agreed"),),
            ),
            date(2025, 1, 27),
        ),
    ]


def test_decide_log_refuses_unknown_ids_without_title():
    with pytest.raises(UserError, match="unknown commitment 'stp' \\(did you mean 'stip'\\?\\)"):
        decide.log(
            FakeView(_state(id="stip")),
            quote="q",
            speakers=("A",),
            source=None,
            refs=[("stp", None)],
            title=None,
            tags=(),
            note=None,
            on=TODAY,
        )


def test_decide_add_refuses_existing_and_self_supersession():
    args = dict(
        title="t",
        kind="commitment",
        parties=(),
        tags=(),
        status=None,
        review_every=None,
        due=None,
        on=TODAY,
    )
    with pytest.raises(UserError, match="already exists"):
        decide.add(FakeView(_state()), cid="deal", supersedes=None, **args)  # type: ignore[arg-type]
    with pytest.raises(UserError, match="cannot supersede itself"):
        decide.add(FakeView(), cid="x", supersedes="x", **args)  # type: ignore[arg-type]


def test_progress_draws_rate_and_time_left_only_when_enabled():
    import io

    from tracker.output.progress import Progress

    ticks = iter([0.0, 1.0, 1.05, 2.0])
    out = io.StringIO()
    bar = Progress("importing", out, enabled=True, clock=lambda: next(ticks), width=4)
    bar(1000, 4000)  # at 1.0 s
    bar(1100, 4000)  # 50 ms later: throttled
    bar(4000, 4000)  # done: always drawn
    bar.close()
    assert out.getvalue() == (
        "\rimporting [#---] 1,000/4,000 events, 1,000/s, 0:00:03 left "
        "\rimporting [####] 4,000/4,000 events, 2,000/s, 0:00:00 left \n"
    )
    quiet = io.StringIO()
    silent = Progress("importing", quiet)  # StringIO is not a terminal
    silent(1, 2)
    silent.close()
    assert quiet.getvalue() == ""


def test_reminder_text_is_coloured_only_when_asked():
    from tracker.domain.staleness import StatusRow
    from tracker.domain.views import ReminderItem, ReminderReport
    from tracker.output.reminders import reminder_text

    state = _state()
    reasons = tuple(stale_reasons(state, date(2025, 3, 15), "30d"))
    report = ReminderReport(
        now=date(2025, 3, 15),
        items=(ReminderItem(row=StatusRow(state=state, reasons=reasons), new=True),),
        previous_day=None,
    )
    plain = reminder_text(report)
    assert "\x1b[" not in plain
    assert "  NEW deal [pending] A deal" in plain
    coloured = reminder_text(report, color=True)
    assert "\x1b[1;31mNEW \x1b[0m" in coloured
    assert coloured.replace("\x1b[1;31m", "").count("\x1b[") > 0
