"""`tracker remind --cron`: one report per local day, catch-up, delivery, stopping.

Firings are driven with chosen times through `ReminderSchedule.fire`/`fire_due`/
`catch_up`; nothing waits for the wall clock except the two signal tests, which run
the real command for about a second each.
"""

from __future__ import annotations

import json
import logging
import os
import re
import selectors
import shlex
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from cli import app
from tracker.application import record, remind
from tracker.application.schedule import (
    Firing,
    ReminderSchedule,
    latest_firing,
    parse_cron,
    prepare,
    run_schedule,
)
from tracker.application.session import Session
from tracker.application.session import open_session as app_open_session
from tracker.errors import UserError

NEW_YORK = ZoneInfo("America/New_York")
TRACKER = Path(sys.executable).parent / "tracker"


class Clock:
    """A settable clock for a Session: the scheduler reads the time only through it."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now.astimezone(UTC)


def at(text: str, zone: tzinfo = NEW_YORK, *, fold: int = 0) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=zone, fold=fold)


@pytest.fixture
def db(isolated: str) -> str:
    """The test's database: a SQLite file, or a scratch PostgreSQL database (both_stores)."""
    return isolated


@pytest.fixture
def clock() -> Clock:
    return Clock(at("2025-11-03T08:00"))


def open_session(db: str, clock: Clock) -> Session:
    return Session(
        store=app_open_session(db, actor="tester", create=True).store,
        actor="tester",
        clock=clock,
        today_fn=lambda: clock.now.date(),
    )


@pytest.fixture
def session(db: str, clock: Clock) -> Iterator[Session]:
    session = open_session(db, clock)
    # Added long ago and never followed up: stale on every day the tests use.
    record.add(session, "stip", title="Strategic Trade and Investment Partnership", on="2025-01-01")
    record.add(session, "haiti-mss", title="Joint strategy for the MSS mission", on="2025-02-01")
    yield session
    session.store.close()


def make_schedule(
    session: Session,
    expression: str = "0 8 * * *",
    *,
    output_dir: Path | None = None,
    notify: str | None = None,
    fmt: str = "text",
) -> ReminderSchedule:
    return prepare(
        session, expression, timezone=NEW_YORK, fmt=fmt, output_dir=output_dir, notify=notify
    )


def outdir(tmp_path: Path, name: str = "out") -> Path:
    path = tmp_path / name
    path.mkdir()
    return path


def issued_events(session: Session) -> list[dict[str, object]]:
    return [json.loads(e.data) for e in session.store.read() if e.type == "reminder.issued"]


def appending_notify(target: Path) -> str:
    """A notify command that appends the report and a separator to `target`."""
    return f"cat >> {shlex.quote(str(target))}; echo '=== end' >> {shlex.quote(str(target))}"


# --- the once-per-day rule ------------------------------------------------------------------


@pytest.mark.both_stores
def test_two_firings_on_one_day_issue_one_report(session: Session, tmp_path: Path) -> None:
    out, sent = outdir(tmp_path), tmp_path / "sent.txt"
    schedule = make_schedule(session, "0 8,20 * * *", output_dir=out, notify=appending_notify(sent))

    first = schedule.fire(at("2025-11-03T08:00"))
    second = schedule.fire(at("2025-11-03T20:00"))

    assert first == Firing(
        day=date(2025, 11, 3),
        issued=True,
        stale=2,
        written=out / "reminders-2025-11-03.txt",
        notified=True,
    )
    assert second == Firing(day=date(2025, 11, 3), issued=False, stale=2)
    assert sorted(p.name for p in out.iterdir()) == ["reminders-2025-11-03.txt"]
    assert sent.read_text().count("=== end") == 1
    assert issued_events(session) == [
        {"day": "2025-11-03", "now": "2025-11-03", "items": ["stip", "haiti-mss"],
         "schedule": "0 8,20 * * *"}
    ]  # fmt: skip


def test_a_report_recorded_by_hand_is_not_issued_again(session: Session, tmp_path: Path) -> None:
    out = outdir(tmp_path)
    remind.record(session, remind.build(session, date(2025, 11, 3)))  # `remind --record`

    firing = make_schedule(session, output_dir=out).fire(at("2025-11-03T08:00"))

    assert not firing.issued
    assert list(out.iterdir()) == []


def test_next_day_issues_its_own_report(session: Session, tmp_path: Path) -> None:
    out = outdir(tmp_path)
    schedule = make_schedule(session, output_dir=out)

    schedule.fire(at("2025-11-03T08:00"))
    schedule.fire(at("2025-11-04T08:00"))

    assert sorted(p.name for p in out.iterdir()) == [
        "reminders-2025-11-03.txt",
        "reminders-2025-11-04.txt",
    ]
    # Flagged yesterday, so not new today: "new" is relative to the previous report.
    assert "NEW" not in (out / "reminders-2025-11-04.txt").read_text()


@pytest.mark.both_stores
def test_two_schedulers_on_one_database_issue_one_report(
    session: Session, db: str, clock: Clock, tmp_path: Path
) -> None:
    other = open_session(db, clock)  # a second process: its own connection to the file
    try:
        out_a, out_b, sent = outdir(tmp_path, "a"), outdir(tmp_path, "b"), tmp_path / "sent.txt"
        schedules = [
            make_schedule(session, output_dir=out_a, notify=appending_notify(sent)),
            make_schedule(other, output_dir=out_b, notify=appending_notify(sent)),
        ]
        firings: list[Firing] = []
        start = threading.Barrier(len(schedules))

        def fire(schedule: ReminderSchedule) -> None:
            start.wait()
            firings.append(schedule.fire(at("2025-11-03T08:00")))

        threads = [threading.Thread(target=fire, args=(s,)) for s in schedules]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert sorted(f.issued for f in firings) == [False, True]
        assert len(list(out_a.iterdir())) + len(list(out_b.iterdir())) == 1
        assert sent.read_text().count("=== end") == 1
        assert len(issued_events(session)) == 1
    finally:
        other.store.close()


# --- DST ------------------------------------------------------------------------------------


@pytest.mark.both_stores
def test_fall_back_double_firing_issues_one_report(session: Session, tmp_path: Path) -> None:
    out, sent = outdir(tmp_path), tmp_path / "sent.txt"
    schedule = make_schedule(session, "30 1 * * *", output_dir=out, notify=appending_notify(sent))
    # APScheduler fires 01:30 twice on 2025-11-02: once in EDT, once an hour later in EST.
    times = []
    fire = schedule.trigger.get_next_fire_time(None, at("2025-11-02T00:00"))
    while fire is not None and fire.astimezone(NEW_YORK).date() == date(2025, 11, 2):
        times.append(fire)
        fire = schedule.trigger.get_next_fire_time(fire, fire)
    assert [t.astimezone(UTC).hour for t in times] == [5, 6]

    firings = [schedule.fire_due(t + timedelta(seconds=1)) for t in times]

    assert [(f.day, f.issued) for f in firings] == [
        (date(2025, 11, 2), True),
        (date(2025, 11, 2), False),
    ]
    assert [p.name for p in out.iterdir()] == ["reminders-2025-11-02.txt"]
    assert sent.read_text().count("=== end") == 1
    assert len(issued_events(session)) == 1


def test_latest_firing_tells_the_two_fall_back_firings_apart() -> None:
    trigger = parse_cron("30 1 * * *", NEW_YORK)
    edt, est = at("2025-11-02T01:30"), at("2025-11-02T01:30", fold=1)
    # Inside the repeated hour, between the two firings: the EDT one is the latest.
    assert latest_firing(trigger, at("2025-11-02T01:45")) == edt
    # After the second one (01:45 EST): the EST one. Compared in UTC, since within one
    # zone Python compares wall clocks and 01:30 EDT would equal 01:30 EST.
    latest = latest_firing(trigger, at("2025-11-02T01:45", fold=1))
    assert latest is not None and latest.astimezone(UTC) == est.astimezone(UTC)


# --- catch-up on start ----------------------------------------------------------------------


@pytest.mark.both_stores
def test_catch_up_issues_the_missed_firing_for_its_day(session: Session, tmp_path: Path) -> None:
    out = outdir(tmp_path)
    schedule = make_schedule(session, "0 8 * * 1-5", output_dir=out)

    # Down over Friday 08:00, started on Saturday: Friday's report is issued at once.
    firing = schedule.catch_up(at("2025-11-08T10:00"))

    assert firing is not None and (firing.day, firing.issued) == (date(2025, 11, 7), True)
    assert [p.name for p in out.iterdir()] == ["reminders-2025-11-07.txt"]
    # A restart afterwards finds Friday done and issues nothing.
    assert schedule.catch_up(at("2025-11-08T10:05")) is None
    assert len(issued_events(session)) == 1


def test_catch_up_issues_nothing_when_the_latest_firing_has_its_report(
    session: Session, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    out = outdir(tmp_path)
    schedule = make_schedule(session, output_dir=out)
    schedule.fire(at("2025-11-03T08:00"))

    with caplog.at_level(logging.INFO, logger="tracker.application.schedule"):
        assert schedule.catch_up(at("2025-11-03T23:59")) is None

    assert "already has its report" in caplog.text
    assert len(list(out.iterdir())) == 1


def test_the_scheduled_job_uses_the_session_clock(
    session: Session, clock: Clock, tmp_path: Path
) -> None:
    out = outdir(tmp_path)
    schedule = make_schedule(session, output_dir=out)

    clock.now = at("2025-11-04T00:00:01")  # the 08:00 job of the 3rd, delayed past midnight
    schedule.run_scheduled()
    clock.now = at("2025-11-04T08:00:00")
    schedule.run_catch_up()  # a restart at the very moment of the next firing
    schedule.run_scheduled()  # and that firing itself: already issued

    assert sorted(p.name for p in out.iterdir()) == [
        "reminders-2025-11-03.txt",
        "reminders-2025-11-04.txt",
    ]


# --- the schedule itself (pure) -------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "now", "latest"),
    [
        ("0 8 * * *", "2025-11-03T07:59", "2025-11-02T08:00"),
        ("0 8 * * *", "2025-11-03T08:00", "2025-11-03T08:00"),
        # Standard day-of-week numbers: 1-5 is Monday to Friday (APScheduler 3 says Tue-Sat).
        ("0 8 * * 1-5", "2025-11-10T07:00", "2025-11-07T08:00"),
        ("0 8 * * 0", "2025-11-10T07:00", "2025-11-09T08:00"),
        ("0 8 * * 7", "2025-11-10T07:00", "2025-11-09T08:00"),
        ("0 8 * * mon-fri", "2025-11-10T07:00", "2025-11-07T08:00"),
        ("0 8 * * */2", "2025-11-10T07:00", "2025-11-09T08:00"),  # Sun, Tue, Thu, Sat
        # Both day fields restricted: either one matching fires, as in cron(8).
        ("0 8 1 * 1", "2025-11-04T07:00", "2025-11-03T08:00"),
        ("0 8 1 * 1", "2025-11-02T07:00", "2025-11-01T08:00"),
        ("*/15 * * * *", "2025-11-03T10:07", "2025-11-03T10:00"),
        ("0 9 1 1 *", "2025-11-03T10:00", "2025-01-01T09:00"),
        ("0 0 29 2 *", "2025-11-03T10:00", "2024-02-29T00:00"),
    ],
)
def test_latest_firing(expression: str, now: str, latest: str) -> None:
    assert latest_firing(parse_cron(expression, NEW_YORK), at(now)) == at(latest)


@pytest.mark.parametrize(
    ("expression", "names"),
    [
        ("61 * * * *", "the last value (61) is higher than the maximum value (59)"),
        ("0 8 * *", "has 4 fields, not 5"),
        ("0 8 * * 8", "day-of-week '8' is not 0-7"),
        ("0 8 * * 5-1", "runs backwards"),
        ("0 0 31 2 *", "never fires"),
    ],
)
def test_bad_cron_expressions_are_user_errors(expression: str, names: str) -> None:
    with pytest.raises(UserError, match="^" + re.escape(f"--cron {expression!r}")) as caught:
        parse_cron(expression, NEW_YORK)
    assert names in str(caught.value)


def test_a_bad_cron_expression_exits_2_with_one_line(db: Path, tmp_path: Path) -> None:
    out = outdir(tmp_path)
    args = ["--db", str(db), "remind", "--cron", "0 25 * * *", "--output-dir", str(out)]

    result = CliRunner().invoke(app, args)

    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("Error: --cron '0 25 * * *' is not a valid schedule (")


def test_bad_options_are_refused_before_the_database_is_opened(tmp_path: Path) -> None:
    def open_session() -> Session:
        raise AssertionError("opened the database for a schedule that cannot run")

    with pytest.raises(UserError, match="is not a valid schedule"):
        run_schedule(open_session, "0 25 * * *", output_dir=tmp_path)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "--cron needs somewhere to send each report"),
        ({"output_dir": Path("/nonexistent/reports")}, "is not an existing folder"),
        ({"notify": "  "}, "--notify is empty"),
    ],
)
def test_destinations_are_checked_before_anything_runs(
    session: Session, kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(UserError, match=message):
        make_schedule(session, **kwargs)  # type: ignore[arg-type]


def test_a_time_zone_tz_does_not_name_is_a_user_error(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", "Nowhere/Atlantis")
    args = ["--db", str(db), "remind", "--cron", "0 8 * * *", "--output-dir", str(tmp_path)]

    result = CliRunner().invoke(app, args)

    assert result.exit_code == 2
    assert result.stderr == (
        "Error: TZ='Nowhere/Atlantis' is not a time zone name; "
        "use one such as Europe/Paris, or unset TZ to use the system's\n"
    )


# --- delivery -------------------------------------------------------------------------------


def test_notify_gets_the_report_on_stdin(session: Session, tmp_path: Path) -> None:
    received, env = tmp_path / "received.json", tmp_path / "env.txt"
    notify = (
        f"cat > {shlex.quote(str(received))}; "
        f'echo "$TRACKER_REPORT_DAY $TRACKER_REPORT_STALE" > {shlex.quote(str(env))}'
    )
    schedule = make_schedule(session, notify=notify, fmt="json")

    firing = schedule.fire(at("2025-11-03T08:00"))

    assert firing.notified and firing.written is None
    report = json.loads(received.read_text())
    assert report["now"] == "2025-11-03"
    assert [item["id"] for item in report["items"]] == ["stip", "haiti-mss"]
    assert env.read_text() == "2025-11-03 2\n"


def test_quotes_never_reach_the_shell(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    record.log(
        session,
        "We will $(touch pwned) `touch pwned` conclude it; rm -rf ~",
        by="Someone",
        refs=["stip"],
        on="2025-02-01",
    )
    received = tmp_path / "received.txt"
    schedule = make_schedule(session, notify=f"cat > {shlex.quote(str(received))}")

    monkeypatch.chdir(tmp_path)
    schedule.fire(at("2025-11-03T08:00"))

    assert "$(touch pwned)" in received.read_text()
    assert not (tmp_path / "pwned").exists()


@pytest.mark.parametrize(
    ("fmt", "extension"), [("text", "txt"), ("md", "md"), ("json", "json"), ("html", "html")]
)
def test_files_are_named_by_day_and_format(
    session: Session, tmp_path: Path, fmt: str, extension: str
) -> None:
    out = outdir(tmp_path)

    make_schedule(session, output_dir=out, fmt=fmt).fire(at("2025-11-03T08:00"))

    assert [p.name for p in out.iterdir()] == [f"reminders-2025-11-03.{extension}"]


def test_a_failing_notify_is_logged_and_the_next_day_works(
    session: Session, clock: Clock, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    out, flag, received = outdir(tmp_path), tmp_path / "failed-once", tmp_path / "received.txt"
    # Fails the first time it runs, works after that.
    notify = (
        f"if [ -e {shlex.quote(str(flag))} ]; then cat > {shlex.quote(str(received))}; "
        f"else touch {shlex.quote(str(flag))}; exit 3; fi"
    )
    schedule = make_schedule(session, output_dir=out, notify=notify)

    with caplog.at_level(logging.INFO, logger="tracker.application.schedule"):
        clock.now = at("2025-11-03T08:00")
        schedule.run_scheduled()  # must not raise
        clock.now = at("2025-11-03T20:00")
        schedule.run_scheduled()  # the failed report is not sent again
        clock.now = at("2025-11-04T08:00")
        schedule.run_scheduled()

    failed, skipped, next_day = [
        r for r in caplog.records if r.name == "tracker.application.schedule"
    ]
    assert failed.levelno == logging.ERROR
    assert (
        failed.getMessage().startswith("2025-11-03: issued, 2 stale; written to ")
        and "--notify failed: exit status 3" in failed.getMessage()
    )
    assert skipped.getMessage().startswith("2025-11-03: skipped")
    assert next_day.levelno == logging.INFO
    assert next_day.getMessage().endswith("sent to --notify")
    assert received.read_text().startswith("Reminder report for 2025-11-04")
    # The failed report stays recorded and written: it is not issued twice.
    assert [e["day"] for e in issued_events(session)] == ["2025-11-03", "2025-11-04"]
    assert (out / "reminders-2025-11-03.txt").exists()


def test_a_notify_that_cannot_run_is_logged_with_its_status(
    session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    schedule = make_schedule(session, notify="no-such-command-anywhere")

    with caplog.at_level(logging.INFO, logger="tracker.application.schedule"):
        firing = schedule.fire(at("2025-11-03T08:00"))

    assert firing.failures == ("--notify failed: exit status 127",)
    assert "exit status 127" in caplog.text


# --- the real command: signals --------------------------------------------------------------


def read_stderr_until(process: subprocess.Popen[str], marker: str, seconds: float) -> str:
    """Lines of the child's stderr up to the first containing `marker` (or fail)."""
    assert process.stderr is not None
    seen = ""
    deadline = time.monotonic() + seconds
    with selectors.DefaultSelector() as selector:
        selector.register(process.stderr, selectors.EVENT_READ)
        while marker not in seen:
            left = deadline - time.monotonic()
            if left <= 0 or not selector.select(left):
                pytest.fail(f"no {marker!r} on stderr within {seconds} s; got: {seen!r}")
            line = process.stderr.readline()
            if not line:
                pytest.fail(f"stderr closed before {marker!r}; got: {seen!r}")
            seen += line
    return seen


def start_tracker(db: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(TRACKER), "--db", str(db), "remind", "--cron", "* * * * *", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "TZ": "America/New_York"},
    )


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_the_command_with_status_0(
    db: Path, tmp_path: Path, signum: signal.Signals
) -> None:
    out = outdir(tmp_path)
    process = start_tracker(db, "--output-dir", str(out))
    try:
        seen = read_stderr_until(process, "started: --cron '* * * * *'", seconds=10)
        # The catch-up of this minute's firing comes straight after the start.
        seen += read_stderr_until(process, "issued, 0 stale", seconds=10)
        process.send_signal(signum)
        assert process.wait(timeout=3) == 0
    finally:
        process.kill()
        process.wait()
    rest = process.stderr.read() if process.stderr else ""
    assert "in America/New_York" in seen
    assert f"{signum.name}: finishing any report in progress" in rest
    assert rest.rstrip().endswith("INFO stopped")
    assert len(list(out.iterdir())) == 1


def test_a_report_in_progress_is_finished_before_stopping(db: Path, tmp_path: Path) -> None:
    begun, received = tmp_path / "begun", tmp_path / "received.txt"
    notify = f"touch {shlex.quote(str(begun))}; sleep 0.5; cat > {shlex.quote(str(received))}"
    process = start_tracker(db, "--notify", notify)
    try:
        read_stderr_until(process, "started:", seconds=10)
        deadline = time.monotonic() + 10
        while not begun.exists():  # the catch-up firing is now inside its notify command
            assert time.monotonic() < deadline, "the notify command never started"
            time.sleep(0.02)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=5) == 0
    finally:
        process.kill()
        process.wait()
    assert received.read_text().startswith("Reminder report for ")
    rest = process.stderr.read() if process.stderr else ""
    assert "issued, 0 stale; sent to --notify" in rest


# --- unattended writes: FIFOs and links at the report path ----------------------------------


@pytest.mark.parametrize("kind", ["fifo", "symlink", "dangling symlink"])
def test_a_fifo_or_link_at_the_report_path_is_refused_before_the_day_is_claimed(
    session: Session, tmp_path: Path, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    out = outdir(tmp_path)
    target = out / "reminders-2025-11-03.txt"
    elsewhere = tmp_path / "elsewhere.txt"
    if kind == "fifo":
        os.mkfifo(target)
    else:
        if kind == "symlink":
            elsewhere.write_text("keep me\n")
        target.symlink_to(elsewhere)
    schedule = make_schedule(session, output_dir=out)
    started = time.monotonic()
    with caplog.at_level(logging.ERROR):
        schedule.run_scheduled()  # the job target: errors are logged, the scheduler carries on
    assert time.monotonic() - started < 10  # no hang on the FIFO
    assert issued_events(session) == []  # nothing claimed: a later firing can still issue it
    (message,) = [r.getMessage() for r in caplog.records]
    what = {"fifo": "a named pipe (FIFO)"}.get(kind, "a symbolic link")
    assert f"the report file {target} is {what}, not a plain file" in message
    assert "nothing recorded" in message
    if kind == "symlink":
        assert elsewhere.read_text() == "keep me\n"
    target.unlink()
    assert schedule.fire(at("2025-11-03T08:00")).issued


def test_a_suggested_mkdir_is_quoted_for_the_shell(tmp_path: Path) -> None:
    from tracker.application.schedule import check

    folder = tmp_path / "reports; touch PWNED #"
    with pytest.raises(UserError) as caught:
        check("0 8 * * *", timezone=NEW_YORK, output_dir=folder)
    assert f"(mkdir -p {shlex.quote(str(folder))})" in str(caught.value)
