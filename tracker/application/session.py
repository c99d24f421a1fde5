"""The one session every command runs in: the store, who records, and the clock.

`Settings` holds the global options (`--db`, `--as`) and opens the store they name, once
per process; `open_session` picks SQLite or PostgreSQL from the location; `Session` is
what the capabilities take. The clock is injected (`Session.clock`), never read inside
the domain. Reading the status must start fast: nothing here loads attrs or the codec.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from projections.queries import View
from tracker.domain.staleness import default_review_every
from tracker.domain.values import parse_date
from tracker.errors import UserError
from tracker.persistence.locate import default_db_path, is_postgres
from tracker.persistence.store import EventStore

if TYPE_CHECKING:  # only named in annotations: `status` starts faster without the codec
    from events import Event, NewEvent, StoredEvent
    from projections.sql import Sql
    from tracker.domain import decide


def utc_now() -> datetime:
    return datetime.now(UTC)


def local_today() -> date:
    return datetime.now().astimezone().date()


def format_recorded_at(moment: datetime) -> str:
    """UTC with milliseconds and a Z, as SPEC's example writes it."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class Session:
    """Who is recording, into which store, by which clock."""

    __slots__ = ("actor", "clock", "review_default", "store", "today_fn")
    _FIELDS = ("store", "actor", "clock", "today_fn", "review_default")

    def __init__(
        self,
        *,
        store: EventStore,
        actor: str,
        clock: Callable[[], datetime] = utc_now,
        today_fn: Callable[[], date] = local_today,
        review_default: str | None = None,
    ) -> None:
        self.store = store
        self.actor = actor
        self.clock = clock
        self.today_fn = today_fn
        self.review_default = review_default

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._FIELDS)
        return f"Session({fields})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in self._FIELDS)

    @property
    def today(self) -> date:
        return self.today_fn()

    @property
    def default_review(self) -> str:
        return self.review_default or default_review_every(os.environ.get("TRACKER_REVIEW_EVERY"))

    def record(self, decision: Callable[[View], decide.Decision]) -> list[StoredEvent]:
        def run(sql: Sql) -> list[NewEvent]:
            # Read the clock under the write lock, so recorded times follow log order even
            # when several writers queue for the lock.
            recorded_at = format_recorded_at(self.clock())
            return [self.new_event(event, on, recorded_at) for event, on in decision(View(sql))]

        return self.store.append(run)

    def new_event(self, event: Event, on: date, recorded_at: str) -> NewEvent:
        import uuid

        from events.codec import CODEC, NewEvent

        type_name, schema, data = CODEC.encode(event)
        return NewEvent(
            id=str(uuid.uuid4()),
            type=type_name,
            schema=schema,
            occurred_on=on.isoformat(),
            recorded_at=recorded_at,
            recorded_by=self.actor,
            data=data,
        )

    # --- parsing shared by the commands -------------------------------------------------

    def on_date(self, value: str | None) -> date:
        """An effective date: defaults to today, and a development cannot be in the future."""
        if value is None:
            return self.today
        day = parse_date(value, today=self.today, what="--on date")
        if day > self.today:
            raise UserError(
                f"--on {value} is {day.isoformat()}, in the future; a statement or change is "
                "recorded on the day it happened (use --due for what is expected)"
            )
        return day

    def date(self, value: str, what: str, *, ahead: bool = False) -> date:
        """A date typed for `what`; `ahead`: a day expected (`--due`), so a weekday name
        means the next one after today rather than the latest up to today."""
        return parse_date(value, today=self.today, what=what, ahead=ahead)


def open_session(location: str, *, actor: str, create: bool, catch_up: bool = True) -> Session:
    if is_postgres(location):
        from tracker.persistence.postgres import PostgresStore

        store = PostgresStore(location, create=create, catch_up=catch_up)
        return Session(store=store, actor=actor)
    from tracker.persistence.sqlite import SQLiteStore

    return Session(store=SQLiteStore(location, create=create, catch_up=catch_up), actor=actor)


class Settings:
    """The global options (`--db`, `--as`) and the store they open, once per process."""

    def __init__(self, db: str | None, actor: str | None) -> None:
        self.db = db
        self.actor = actor
        self._store: EventStore | None = None

    @property
    def location(self) -> str:
        return self.db or default_db_path()

    def session(self, *, write: bool, catch_up: bool = True) -> Session:
        # Readers never record, so an odd --as must not stop them from reading.
        actor = self.who() if write else (self.actor or "reader")
        if self._store is None:
            if write and self.db is None:  # (never a URL)
                # The per-user default: its folder is ours to create, privately.
                Path(self.location).parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            session = open_session(self.location, actor=actor, create=write, catch_up=catch_up)
            self._store = session.store
            return session
        return Session(store=self._store, actor=actor)

    @property
    def opened_store(self) -> EventStore | None:
        """The store this process opened, if any (to look at it after a failure)."""
        return self._store

    def who(self) -> str:
        if self.actor is not None:
            from tracker.domain.values import check_name

            return check_name("--as name", self.actor)
        import getpass

        try:
            return getpass.getuser()
        except Exception:  # no login name (some containers): still record something honest
            return "unknown"

    def close(self) -> None:
        if self._store is not None:
            self._store.discard_if_empty()
