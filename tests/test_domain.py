"""Fast tests of the pure domain: statuses, dates, durations, ids, text, staleness.

The decisions (`tracker.domain.decide`) have their own file, tests/test_decide.py."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import commitment_state as _state
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
        ("friday", date(2025, 2, 28)),  # a day something happened: the latest one
        ("wednesday", date(2025, 3, 5)),  # up to today, so today itself
        ("MONDAY", date(2025, 3, 3)),
    ],
)
def test_dates(text, expected):
    assert parse_date(text, today=TODAY) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("friday", date(2025, 3, 7)),
        ("wednesday", date(2025, 3, 12)),  # a day expected: the next one, never today
        ("Monday", date(2025, 3, 10)),
        ("2025-01-27", date(2025, 1, 27)),
    ],
)
def test_dates_ahead(text, expected):
    assert parse_date(text, today=TODAY, ahead=True) == expected


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


def test_reminder_text_is_coloured_only_when_asked():
    from projections.queries import StaleCandidate
    from tracker.domain.reminder import ReminderItem, ReminderReport
    from tracker.output.reminders import reminder_text

    state = _state()
    reasons = tuple(stale_reasons(state, date(2025, 3, 15), "30d"))
    item = ReminderItem(StaleCandidate.of(state), reasons, max(r.overdue_days for r in reasons), True)
    report = ReminderReport(now=date(2025, 3, 15), items=(item,), previous_day=None)
    plain = reminder_text(report)
    assert "\x1b[" not in plain
    assert "  NEW deal [pending] A deal" in plain
    coloured = reminder_text(report, color=True)
    assert "\x1b[1;31mNEW \x1b[0m" in coloured
    assert coloured.replace("\x1b[1;31m", "").count("\x1b[") > 0


@given(
    today=st.dates(min_value=date(2000, 1, 8), max_value=date(2099, 12, 20)), day=st.integers(0, 6)
)
def test_a_weekday_is_the_latest_up_to_today_or_the_next_after_it(today, day):
    name = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")[day]
    past = parse_date(name.title(), today=today)
    ahead = parse_date(name, today=today, ahead=True)
    assert past.weekday() == ahead.weekday() == day
    assert 0 <= (today - past).days <= 6
    assert 1 <= (ahead - today).days <= 7


_days = st.dates(min_value=date(2020, 1, 1), max_value=date(2026, 12, 31))
_states = st.builds(
    lambda open_, due, answered, every, last, said: _state(
        is_open=open_,
        followup_due=None if due is None else due.isoformat(),
        followup_answered=answered,
        review_every=every,
        last_activity_on=last.isoformat(),
        last_statement=None if not said else _state().last_statement,
    ),
    st.booleans(),
    st.one_of(st.none(), _days),
    st.booleans(),
    st.sampled_from([None, "", "1d", "10d", "2w", "1m", "3m", "1y"]),
    _days,
    st.booleans(),
)


@given(now=_days, default=st.sampled_from(["30d", "2w", "1m"]), states=st.lists(_states))
def test_the_memoised_rules_are_the_rules(now, default, states):
    from tracker.domain.staleness import StaleRules

    rules = StaleRules(now, default)  # one for all: later states hit what earlier ones worked out
    for state in [*states, *states]:
        assert rules.of(state) == tuple(stale_reasons(state, now, default))
