"""`tracker remind --cron`: issue the reminder report on a cron schedule until stopped.

Owns the cron expression (parsing it as standard cron), the APScheduler wiring, the
signal handling and the delivery of each report (a dated file, a notify command). It
holds no report logic: a firing calls `tracker.application.remind`'s `build` and `record`,
exactly as `tracker remind --record` does, and renders with `tracker.output.reminders`.
It must not import `cli` (the CLI imports it) nor a database driver: the log, read
through the session, is the only durable state (APScheduler keeps its jobs in memory).

What a user can rely on:

- At most one report per local calendar day. A firing records `reminder.issued` for
  the local day of its scheduled time *before* delivering anything; `record` makes that
  claim inside a write transaction and returns None when the day already has a report
  (from this scheduler, another one on the same database, or `remind --record`), and
  then nothing is written or sent. So DST fall-back double fires ("30 1 * * *" fires at
  01:30 EDT and again at 01:30 EST), restarts and rival schedulers issue one report.
  The price is at-most-once delivery: a report whose delivery fails is not redelivered.
- A failed `--notify` (non-zero exit, killed, cannot start, or still running after
  NOTIFY_TIMEOUT seconds) is logged with its status and the scheduler carries on. The
  failed report stays recorded (and written to `--output-dir`, if given) and is not sent
  again. The next firing issues and sends its own report for its own day, listing every
  commitment still stale then; but an item first flagged in the failed report is not
  marked new again, because "new" is measured against the previous recorded report.
  A failed file write is handled the same way. A firing that cannot record (a busy
  database) claims nothing: the next firing of the same day, or the catch-up at the
  next start, issues that day's report.
- On start, the latest scheduled firing at or before now (looking back up to four
  years, so yearly and leap-day schedules are covered) is issued at once if its local
  day has no report: the catch-up is that very firing, for its day, late.
- Day-of-week numbers are standard cron (0 and 7 are Sunday; 1-5 is Monday to Friday),
  unlike APScheduler 3's own numbering (0 is Monday), and when both day-of-month and
  day-of-week are restricted a day matching either fires, as in cron(8).
- The notify command runs as `sh -c COMMAND` with the rendered report on its standard
  input and TRACKER_REPORT_DAY, TRACKER_REPORT_STALE (the number of stale items) and,
  when a file was written, TRACKER_REPORT_FILE in its environment. No report text
  reaches the shell's command line.
- SIGINT and SIGTERM finish a report in progress, then stop; the command exits 0.
"""

from __future__ import annotations

import logging
import os
import shlex
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path
from types import FrameType
from typing import Any, Protocol

import attrs
import tzlocal
from apscheduler.events import EVENT_SCHEDULER_STARTED
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers import SchedulerNotRunningError
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.combining import OrTrigger
from apscheduler.triggers.cron import CronTrigger

from projections.queries import View
from tracker.application import remind
from tracker.application.session import Session
from tracker.errors import TrackerError, UserError
from tracker.output.files import refuse_special, write_report_atomically
from tracker.output.reminders import render_report

log = logging.getLogger(__name__)


EXTENSIONS = {"text": "txt", "md": "md", "json": "json", "html": "html"}


# A notify command that hangs would hold the only worker (and a SIGTERM) forever.
NOTIFY_TIMEOUT = 60


# Long enough for any 5-field schedule's period: the rarest, "0 0 29 2 *", is 4 years.
LOOK_BACK = timedelta(days=4 * 366 + 1)


# Standard cron numbering; APScheduler 3 accepts the same names, so we translate to them.
CRON_WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


CRON_HELP = (
    "the 5 fields are minute hour day-of-month month day-of-week, "
    'e.g. --cron "0 8 * * 1-5" for 08:00 on weekdays'
)


class Trigger(Protocol):
    """The part of an APScheduler trigger we use: its next fire time after a point."""

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None: ...


def _weekday_number(token: str, expression: str) -> int:
    name = token.strip().lower()
    if name in CRON_WEEKDAYS:
        return CRON_WEEKDAYS.index(name)
    if name.isdigit() and int(name) <= 7:
        return int(name)
    raise UserError(
        f"--cron {expression!r}: day-of-week {token!r} is not 0-7 (0 and 7 are Sunday) "
        f"or sun-sat; {CRON_HELP}"
    )


def _weekdays(field: str, expression: str) -> str:
    """A standard cron day-of-week field as APScheduler 3 day names ("1-5" -> "mon,...,fri")."""
    if field == "*":
        return "*"
    days: set[int] = set()
    for part in field.split(","):
        body, slash, step_text = part.partition("/")
        step = 1
        if slash:
            if not step_text.isdigit() or int(step_text) == 0:
                raise UserError(f"--cron {expression!r}: bad step in {part!r}; {CRON_HELP}")
            step = int(step_text)
        if body == "*":
            first, last = 0, 6
        elif "-" in body:
            start, _, end = body.partition("-")
            first, last = _weekday_number(start, expression), _weekday_number(end, expression)
            if first > last:
                raise UserError(
                    f"--cron {expression!r}: day-of-week range {body!r} runs backwards; "
                    "write it from Sunday (0) to Saturday (6), e.g. 5-7 for Friday to Sunday"
                )
        else:
            first = _weekday_number(body, expression)
            last = 6 if slash else first  # "1/2" means from Monday to the end of the week
        days.update(day % 7 for day in range(first, last + 1, step))
    return ",".join(CRON_WEEKDAYS[day] for day in sorted(days))


def parse_cron(expression: str, timezone: tzinfo) -> Trigger:
    """The trigger for a standard 5-field cron expression, or a UserError naming the fix."""
    fields = expression.split()
    if len(fields) != 5:
        raise UserError(f"--cron {expression!r} has {len(fields)} fields, not 5; {CRON_HELP}")
    minute, hour, day, month, day_of_week = fields
    weekdays = _weekdays(day_of_week, expression)

    def cron(day: str, day_of_week: str) -> Any:
        return CronTrigger(
            minute=minute,
            hour=hour,
            day=day,
            month=month,
            day_of_week=day_of_week,
            timezone=timezone,
        )

    try:
        if day.startswith("*") or day_of_week.startswith("*"):
            trigger = cron(day, weekdays)
        else:
            # cron(8) fires when either restricted day field matches; APScheduler needs both.
            trigger = OrTrigger([cron(day, "*"), cron("*", weekdays)])
    except ValueError as exc:
        raise UserError(
            f"--cron {expression!r} is not a valid schedule ({exc}); {CRON_HELP}"
        ) from None
    if trigger.get_next_fire_time(None, datetime.now(UTC)) is None:
        raise UserError(f"--cron {expression!r} never fires (no such date); {CRON_HELP}")
    return trigger  # type: ignore[no-any-return]


def latest_firing(trigger: Trigger, now: datetime) -> datetime | None:
    """The latest time `trigger` fires at or before `now`, within LOOK_BACK; None if none."""
    # Compare in UTC: two aware times in one zone compare by wall clock, ignoring `fold`,
    # so 01:30 EDT and 01:30 EST would look equal on a fall-back day.
    now = now.astimezone(UTC)
    span = timedelta(minutes=1)
    while True:
        # Widen the window until it holds a firing; each widening costs one lookup, and
        # the window that first holds one cannot hold more than a burst of them.
        latest = None
        fire = trigger.get_next_fire_time(None, now - span)
        while fire is not None and fire.astimezone(UTC) <= now:
            latest = fire
            fire = trigger.get_next_fire_time(fire, fire)
        if latest is not None or span >= LOOK_BACK:
            return latest
        span = min(span * 2, LOOK_BACK)


@attrs.frozen(kw_only=True)
class Firing:
    """What one firing did: issued the day's report (and where it went), or nothing."""

    day: date
    issued: bool
    stale: int = 0
    written: Path | None = None
    notified: bool = False
    failures: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class ReminderSchedule:
    """A validated `remind --cron`: the schedule, the session and where reports go."""

    session: Session
    expression: str
    trigger: Trigger
    timezone: tzinfo
    fmt: str = "text"
    output_dir: Path | None = None
    notify: str | None = None

    def day_of(self, moment: datetime) -> date:
        return moment.astimezone(self.timezone).date()

    def fire(self, at: datetime) -> Firing:
        """Issue the report of the firing scheduled `at`, unless its day already has one."""
        day = self.day_of(at)
        path = self.report_path(day)
        if path is not None:
            # Before the day is claimed: a FIFO or link there is refused, nothing recorded.
            refuse_special(path, "the report file")
        report = remind.build(self.session, day, full=self.fmt == "json")
        stale = len(report.items)
        stored = remind.record(self.session, report, schedule=self.expression)
        if stored is None:
            log.info(
                "%s: skipped, a report for this day is already recorded (%s stale now); "
                "not written or sent again",
                day,
                stale,
            )
            return Firing(day=day, issued=False, stale=stale)
        report = report.recorded(stored.id, now=True)
        text = render_report(report, self.fmt, self.session.default_review)
        went: list[str] = []
        failures: list[str] = []
        written = None
        if path is not None:
            try:
                write_report_atomically(path, text)
            except (TrackerError, OSError) as exc:
                failures.append(f"writing {path} failed ({exc})")
            else:
                written = path
                went.append(f"written to {path}")
        notified = False
        if self.notify is not None:
            problem = self._notify(day, stale, written, text)
            if problem is None:
                notified = True
                went.append("sent to --notify")
            else:
                failures.append(f"--notify failed: {problem}")
        line = f"{day}: issued, {stale} stale; " + "; ".join(went + failures)
        if failures:
            log.error("%s (recorded, so not sent again; the next firing sends its own)", line)
        else:
            log.info("%s", line)
        return Firing(
            day=day,
            issued=True,
            stale=stale,
            written=written,
            notified=notified,
            failures=tuple(failures),
        )

    def report_path(self, day: date) -> Path | None:
        if self.output_dir is None:
            return None
        return self.output_dir / f"reminders-{day.isoformat()}.{EXTENSIONS[self.fmt]}"

    def _notify(self, day: date, stale: int, written: Path | None, text: str) -> str | None:
        """Run the notify command with the report on stdin; a description if it failed."""
        assert self.notify is not None
        env = dict(os.environ, TRACKER_REPORT_DAY=day.isoformat(), TRACKER_REPORT_STALE=str(stale))
        if written is not None:
            env["TRACKER_REPORT_FILE"] = str(written)
        try:
            # Its own session: a Ctrl-C in the terminal must not kill a report in progress;
            # we decide when to stop. Its output goes where ours goes (the journal).
            process = subprocess.Popen(
                ["sh", "-c", self.notify],
                stdin=subprocess.PIPE,
                env=env,
                start_new_session=True,
            )
        except OSError as exc:
            return f"cannot start sh ({exc.strerror})"
        try:
            process.communicate(text.encode("utf-8"), timeout=NOTIFY_TIMEOUT)
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            return f"still running after {NOTIFY_TIMEOUT} s, killed"
        status = process.returncode
        if status == 0:
            return None
        if status < 0:
            return f"killed by signal {signal.Signals(-status).name}"
        return f"exit status {status}"

    def recorded(self, day: date) -> bool:
        with self.session.store.reading() as sql:
            return View(sql).report_for(day.isoformat()) is not None

    def fire_due(self, now: datetime) -> Firing:
        """The scheduled job: issue the firing due at `now`, even if it runs a little late."""
        # The firing's own time, not `now`, names the day: a run delayed past midnight (or
        # by a suspend) still issues its scheduled day, exactly as the catch-up would.
        return self.fire(latest_firing(self.trigger, now) or now)

    def catch_up(self, now: datetime) -> Firing | None:
        """On start: issue the latest firing before `now` if its day has no report yet."""
        missed = latest_firing(self.trigger, now)
        if missed is None:
            return None
        if self.recorded(self.day_of(missed)):
            log.info(
                "%s: the latest firing (%s) already has its report; nothing to catch up",
                self.day_of(missed),
                missed.astimezone(self.timezone).strftime("%H:%M"),
            )
            return None
        log.info("catching up the firing missed at %s", _local(missed, self.timezone))
        return self.fire(missed)

    # Job targets: the clock is the session's, so tests drive everything above directly.

    def run_scheduled(self) -> None:
        self._guarded(lambda: self.fire_due(self.session.clock()))

    def run_catch_up(self) -> None:
        self._guarded(lambda: self.catch_up(self.session.clock()))

    def _guarded(self, job: Callable[[], object]) -> None:
        try:
            job()
        except TrackerError as exc:
            # Nothing was claimed (a busy database, say): the next firing tries again.
            log.error("firing failed, nothing recorded: %s", exc)
        except Exception:
            log.exception("firing failed with a bug; the scheduler carries on")


def _local(moment: datetime, timezone: tzinfo) -> str:
    return moment.astimezone(timezone).strftime("%Y-%m-%d %H:%M %Z")


def local_timezone() -> tzinfo:
    """The local time zone, or the one TZ names."""
    try:
        return tzlocal.reload_localzone()  # reload: honour TZ as it is now, not as cached
    except (KeyError, ValueError, OSError):
        raise UserError(
            f"TZ={os.environ.get('TZ', '')!r} is not a time zone name; "
            "use one such as Europe/Paris, or unset TZ to use the system's"
        ) from None


def prepare(
    session: Session,
    expression: str,
    *,
    timezone: tzinfo,
    fmt: str = "text",
    output_dir: Path | None = None,
    notify: str | None = None,
) -> ReminderSchedule:
    """A schedule ready to fire, once `check` accepts the options."""
    trigger = check(expression, timezone=timezone, fmt=fmt, output_dir=output_dir, notify=notify)
    return ReminderSchedule(
        session=session,
        expression=expression,
        trigger=trigger,
        timezone=timezone,
        fmt=fmt,
        output_dir=output_dir,
        notify=notify,
    )


def check(
    expression: str,
    *,
    timezone: tzinfo,
    fmt: str = "text",
    output_dir: Path | None = None,
    notify: str | None = None,
) -> Trigger:
    """Check everything the user gave before anything runs; UserError on the first problem."""
    trigger = parse_cron(expression, timezone)
    if fmt not in EXTENSIONS:
        raise UserError(f"unknown format {fmt!r}; use one of: {', '.join(EXTENSIONS)}")
    if output_dir is None and notify is None:
        raise UserError(
            "--cron needs somewhere to send each report: give --output-dir DIR, "
            "--notify COMMAND, or both"
        )
    if output_dir is not None and not output_dir.is_dir():
        raise UserError(
            f"--output-dir {output_dir} is not an existing folder; create it first "
            f"(mkdir -p {shlex.quote(str(output_dir))})"
        )
    if notify is not None and not notify.strip():
        raise UserError("--notify is empty; give a shell command, e.g. --notify 'mail -s Stale me'")
    return trigger


class _Stopper:
    """Turns SIGINT/SIGTERM into `shutdown(wait=True)` on a thread of its own."""

    def __init__(self, scheduler: Any) -> None:
        self.scheduler = scheduler
        self.requested = threading.Event()
        self.threads: list[threading.Thread] = []

    def on_signal(self, signum: int, frame: FrameType | None) -> None:
        # A signal handler runs in the main thread between two bytecodes, perhaps while the
        # scheduler holds its locks there; shutting down from another thread cannot deadlock.
        thread = threading.Thread(target=self._stop, args=(signum,), name="tracker-stop")
        self.threads.append(thread)
        thread.start()

    def _stop(self, signum: int) -> None:
        if not self.requested.is_set():
            log.info("%s: finishing any report in progress, then stopping", _signal_name(signum))
        # Set before looking at the state: if the scheduler is not running yet,
        # `on_started` sees the request and stops it as soon as it is.
        self.requested.set()
        self._shutdown()

    def on_started(self, event: object) -> None:
        if self.requested.is_set():
            self._shutdown()

    def _shutdown(self) -> None:
        if self.scheduler.running:
            # Already stopped by a second signal or by `on_started`: nothing left to do.
            with suppress(SchedulerNotRunningError):
                # wait=True: returns once the report in progress (if any) is finished.
                self.scheduler.shutdown(wait=True)

    def join(self) -> None:
        for thread in list(self.threads):
            thread.join()


def _signal_name(signum: int) -> str:
    return signal.Signals(signum).name


@contextmanager
def _logging_to_stderr() -> Iterator[None]:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%Y-%m-%dT%H:%M:%S%z")
    )
    ours, theirs = logging.getLogger("tracker"), logging.getLogger("apscheduler")
    ours.addHandler(handler)
    theirs.addHandler(handler)
    ours_level, theirs_level = ours.level, theirs.level
    ours.setLevel(logging.INFO)
    theirs.setLevel(logging.WARNING)  # its INFO lines ("Running job ...") repeat ours
    try:
        yield
    finally:
        ours.removeHandler(handler)
        theirs.removeHandler(handler)
        ours.setLevel(ours_level)
        theirs.setLevel(theirs_level)


@contextmanager
def _signals(handler: Callable[[int, FrameType | None], None]) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may install handlers (an embedding caller's choice)
        return
    previous = {
        signum: signal.signal(signum, handler) for signum in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


def run_schedule(
    session: Session | Callable[[], Session],
    expression: str,
    *,
    fmt: str = "text",
    output_dir: Path | None = None,
    notify: str | None = None,
) -> None:
    """Issue the reminder report on `expression` (local time, or TZ) until SIGINT/SIGTERM.

    `session` may be a function that opens one: it is then called only once the options
    are known to be good, so bad input never creates a database.
    """
    timezone = local_timezone()
    trigger = check(expression, timezone=timezone, fmt=fmt, output_dir=output_dir, notify=notify)
    if not isinstance(session, Session):
        session = session()
    schedule = ReminderSchedule(
        session=session,
        expression=expression,
        trigger=trigger,
        timezone=timezone,
        fmt=fmt,
        output_dir=output_dir,
        notify=notify,
    )
    scheduler = BlockingScheduler(
        timezone=timezone,
        # One worker: firings (and the catch-up) run one after another, so they never race
        # for the session's single database connection.
        executors={"default": ThreadPoolExecutor(max_workers=1)},
    )
    scheduler.add_job(
        schedule.run_scheduled,
        trigger=schedule.trigger,
        id="remind",
        name=f"remind --cron {expression!r}",
        # Firings missed while this process was stalled (suspend, a slow notify) collapse
        # into one run: they would claim the same day or be superseded by a later one.
        coalesce=True,
        # No limit on lateness: a late run still issues its scheduled day (`fire_due`) and
        # the day's claim stops any duplicate, so dropping it would only lose a report.
        misfire_grace_time=None,
        # Two runs at once would share one SQLite connection across threads.
        max_instances=1,
    )
    # Runs once, at start, on the same single worker; the trigger's default is "now".
    scheduler.add_job(
        schedule.run_catch_up,
        id="catch-up",
        name="catch up a missed firing",
        misfire_grace_time=None,
    )
    stopper = _Stopper(scheduler)

    def started(event: object) -> None:
        job = scheduler.get_job("remind")
        where = [f"files in {output_dir}"] if output_dir is not None else []
        where += ["--notify"] if notify is not None else []
        log.info(
            "started: --cron %r in %s, next firing %s, reports (%s) to %s; database %s",
            expression,
            timezone,
            _local(job.next_run_time, timezone) if job is not None else "never",
            fmt,
            " and ".join(where),
            session.store.location,
        )
        stopper.on_started(event)

    scheduler.add_listener(started, EVENT_SCHEDULER_STARTED)
    with _logging_to_stderr(), _signals(stopper.on_signal):
        try:
            scheduler.start()  # blocks until a signal shuts it down
        finally:
            # start() can return before shutdown(wait=True) has finished the report in
            # progress; the session's store is closed by our caller right after we return.
            stopper.join()
        log.info("stopped")
