"""The commitment read models: each commitment's timeline and its current status row.

One fold serves incremental catch-up, full rebuild and `--as-of` views, so they
cannot disagree:

1. `entries_for(event)` turns an event into timeline entries, one per commitment it
   concerns (pure);
2. retractions mark the entries of the event they retract (in every view, whatever
   the date, because a retraction corrects the record);
3. `summarize(entries, as_of)` derives a commitment's status row from its entries
   (pure): the latest status assertion by effective date wins, ties by log order.

The SQL that stores entries and rows lives in `CommitmentProjection`, in dialect-neutral
SQL behind `tracker.store.Sql`. Must not import cli or a database driver.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

import attrs

from events import (
    CODEC,
    CommitmentAdded,
    CommitmentAmended,
    Event,
    EventRetracted,
    FollowupCompleted,
    FollowupScheduled,
    ReminderIssued,
    StatementRecorded,
    StoredEvent,
)
from tracker.domain import is_open
from tracker.store import Row, Sql

NAME = "commitments"
# Bump when the tables or the fold change: the projection is then dropped and replayed.
VERSION = 4

ADDED = "added"
AMENDED = "amended"
STATEMENT = "statement"
FOLLOWUP = "followup"
FOLLOWUP_DONE = "followup_done"
SUPERSEDED = "superseded"  # on the old commitment, from the new one's `add --supersedes`


@attrs.frozen(kw_only=True)
class Entry:
    """One event's contribution to one commitment: a row of its timeline."""

    commitment_id: str
    seq: int
    event_id: str
    role: str
    effective_on: str
    recorded_at: str
    recorded_by: str
    speaker: str | None = None
    quote: str | None = None
    source: str | None = None
    note: str | None = None
    status: str | None = None
    label: str | None = None
    due: str | None = None
    title: str | None = None
    kind: str | None = None
    parties: str | None = None  # JSON list; None: unchanged by this entry
    tags: str | None = None
    review_every: str | None = None
    link: str | None = None  # the other commitment of a supersession
    retracted_by: str | None = None
    retraction_reason: str | None = None

    @property
    def retracted(self) -> bool:
        return self.retracted_by is not None

    @property
    def order(self) -> tuple[str, str, int]:
        """Effective date, then the later-recorded, then log order: how 'latest' is decided.

        Recorded time and log order agree for events logged here; they can differ for
        events imported from another log, and SPEC breaks ties by the later-recorded.
        """
        return (self.effective_on, self.recorded_at, self.seq)


ENTRY_COLUMNS = tuple(f.name for f in attrs.fields(Entry))


@attrs.frozen(kw_only=True)
class LastStatement:
    event: str
    on: str
    by: str
    quote: str
    source: str | None


@attrs.frozen(kw_only=True)
class CommitmentState:
    """What the log says about one commitment, as of a date (or now)."""

    id: str
    title: str
    kind: str
    parties: tuple[str, ...]
    tags: tuple[str, ...]
    review_every: str | None
    status: str
    label: str
    status_since: str
    is_open: bool
    added_on: str
    last_activity_on: str
    last_statement: LastStatement | None
    statement_count: int
    followup_due: str | None
    followup_note: str | None
    followup_seq: int | None
    followup_answered: bool
    supersedes: str | None
    superseded_by: str | None


def _dumps(values: Iterable[str]) -> str:
    return json.dumps(list(values), ensure_ascii=False)


def entries_for(event: StoredEvent, payload: Event) -> list[Entry]:
    """The timeline entries an event contributes (none for retractions and reminders)."""
    common: dict[str, Any] = {
        "seq": event.seq,
        "event_id": event.id,
        "effective_on": event.occurred_on,
        "recorded_at": event.recorded_at,
        "recorded_by": event.recorded_by,
    }
    if isinstance(payload, StatementRecorded):
        return [
            Entry(
                commitment_id=ref.id,
                role=STATEMENT,
                speaker=payload.by,
                quote=payload.quote,
                source=payload.source,
                note=payload.note,
                status=ref.status,
                label=ref.label,
                **common,
            )
            for ref in payload.commitments
        ]
    if isinstance(payload, CommitmentAdded):
        entries = [
            Entry(
                commitment_id=payload.commitment,
                role=ADDED,
                status=payload.status,
                label=payload.label,
                due=payload.due,
                title=payload.title,
                kind=payload.kind,
                parties=_dumps(payload.parties),
                tags=_dumps(payload.tags),
                review_every=payload.review_every,
                link=payload.supersedes,
                **common,
            )
        ]
        if payload.supersedes:
            entries.append(
                Entry(
                    commitment_id=payload.supersedes,
                    role=SUPERSEDED,
                    status="superseded",
                    label="superseded",
                    link=payload.commitment,
                    **common,
                )
            )
        return entries
    if isinstance(payload, CommitmentAmended):
        return [
            Entry(
                commitment_id=payload.commitment,
                role=AMENDED,
                title=payload.title,
                kind=payload.kind,
                parties=None if payload.parties is None else _dumps(payload.parties),
                tags=None if payload.tags is None else _dumps(payload.tags),
                review_every=payload.review_every,
                **common,
            )
        ]
    if isinstance(payload, FollowupScheduled):
        return [
            Entry(
                commitment_id=payload.commitment,
                role=FOLLOWUP,
                due=payload.due,
                note=payload.note,
                **common,
            )
        ]
    if isinstance(payload, FollowupCompleted):
        return [
            Entry(commitment_id=payload.commitment, role=FOLLOWUP_DONE, note=payload.note, **common)
        ]
    return []


def summarize(entries: Sequence[Entry], as_of: date | None = None) -> CommitmentState | None:
    """Derive a commitment's state from its timeline entries (any order).

    With `as_of`, only entries effective on or before it count, and a commitment with
    none is not shown; its description is shown as it is now, whatever day it was added.
    Retracted entries never count.
    """
    live = sorted((e for e in entries if not e.retracted), key=lambda e: e.order)
    added = next((e for e in live if e.role == ADDED), None)
    if added is None:
        return None
    description = {
        "title": added.title,
        "kind": added.kind,
        "parties": added.parties,
        "tags": added.tags,
        "review_every": added.review_every,
    }
    for entry in live:
        if entry.role == AMENDED:
            for field in description:
                value = getattr(entry, field)
                if value is not None:
                    description[field] = value
    if as_of is not None:
        cutoff = as_of.isoformat()
        live = [e for e in live if e.effective_on <= cutoff]
        if not live:
            return None

    status, label, since = "proposed", "proposed", added.effective_on
    asserted = [e for e in live if e.status is not None]
    if asserted:
        latest = asserted[-1]  # live is sorted by (effective_on, seq)
        status = latest.status or status
        label = latest.label or status
        since = latest.effective_on

    statements = [e for e in live if e.role == STATEMENT]
    last = statements[-1] if statements else None

    # A follow-up replaces the one before it in log order, whatever its effective date.
    by_log = sorted(live, key=lambda e: e.seq)
    followup: Entry | None = None
    answered = False
    for entry in by_log:
        if entry.due is not None and entry.role in (ADDED, FOLLOWUP):
            followup, answered = entry, False
        elif followup is not None and entry.role == FOLLOWUP_DONE:
            followup = None
        elif followup is not None and entry.role == STATEMENT:
            answered = True

    superseded_by = next((e.link for e in reversed(live) if e.role == SUPERSEDED), None)

    return CommitmentState(
        id=added.commitment_id,
        title=description["title"] or "",
        kind=description["kind"] or "commitment",
        parties=tuple(json.loads(description["parties"] or "[]")),
        tags=tuple(json.loads(description["tags"] or "[]")),
        review_every=description["review_every"],
        status=status,
        label=label,
        status_since=since,
        is_open=is_open(status),
        added_on=added.effective_on,
        last_activity_on=last.effective_on if last else added.effective_on,
        last_statement=None
        if last is None
        else LastStatement(
            event=last.event_id,
            on=last.effective_on,
            by=last.speaker or "",
            quote=last.quote or "",
            source=last.source,
        ),
        statement_count=len(statements),
        followup_due=followup.due if followup else None,
        followup_note=followup.note if followup else None,
        followup_seq=followup.seq if followup else None,
        followup_answered=answered,
        supersedes=added.link,
        superseded_by=superseded_by,
    )


# --- storage -------------------------------------------------------------------------------

STATE_COLUMNS = (
    "id",
    "title",
    "kind",
    "parties",
    "tags",
    "review_every",
    "status",
    "label",
    "status_since",
    "is_open",
    "added_on",
    "last_activity_on",
    "last_statement_event",
    "last_statement_on",
    "last_statement_by",
    "last_statement_quote",
    "last_statement_source",
    "statement_count",
    "followup_due",
    "followup_note",
    "followup_seq",
    "followup_answered",
    "supersedes",
    "superseded_by",
)

TABLES = ("commitments", "timeline", "retractions", "reminders")

CREATE = (
    """CREATE TABLE commitments (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        kind TEXT NOT NULL,
        parties TEXT NOT NULL,
        tags TEXT NOT NULL,
        review_every TEXT,
        status TEXT NOT NULL,
        label TEXT NOT NULL,
        status_since TEXT NOT NULL,
        is_open INTEGER NOT NULL,
        added_on TEXT NOT NULL,
        last_activity_on TEXT NOT NULL,
        last_statement_event TEXT,
        last_statement_on TEXT,
        last_statement_by TEXT,
        last_statement_quote TEXT,
        last_statement_source TEXT,
        statement_count INTEGER NOT NULL,
        followup_due TEXT,
        followup_note TEXT,
        followup_seq INTEGER,
        followup_answered INTEGER NOT NULL,
        supersedes TEXT,
        superseded_by TEXT
    )""",
    "CREATE INDEX commitments_status ON commitments (status)",
    """CREATE TABLE timeline (
        commitment_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        event_id TEXT NOT NULL,
        role TEXT NOT NULL,
        effective_on TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        recorded_by TEXT NOT NULL,
        speaker TEXT,
        quote TEXT,
        source TEXT,
        note TEXT,
        status TEXT,
        label TEXT,
        due TEXT,
        title TEXT,
        kind TEXT,
        parties TEXT,
        tags TEXT,
        review_every TEXT,
        link TEXT,
        retracted_by TEXT,
        retraction_reason TEXT,
        PRIMARY KEY (commitment_id, seq)
    )""",
    "CREATE INDEX timeline_event ON timeline (event_id)",
    """CREATE TABLE retractions (
        seq INTEGER PRIMARY KEY,
        event_id TEXT NOT NULL,
        target TEXT NOT NULL UNIQUE,
        reason TEXT NOT NULL
    )""",
    """CREATE TABLE reminders (
        seq INTEGER PRIMARY KEY,
        event_id TEXT NOT NULL,
        day TEXT NOT NULL,
        now TEXT NOT NULL,
        items TEXT NOT NULL,
        schedule TEXT,
        retracted INTEGER NOT NULL DEFAULT 0
    )""",
    "CREATE INDEX reminders_day ON reminders (day)",
)

# SQLite only, so the file opens well in Datasette (`datasette "$(tracker path)"`); the
# tables above stay portable. The foreign keys document the links for such tools (SQLite
# enforces them only on a connection that asks, and they are deferred, so a replay may
# write a timeline before the rows it points at within its one transaction).
_DEFERRED = "DEFERRABLE INITIALLY DEFERRED"
SQLITE_FOREIGN_KEYS: dict[str, tuple[str, ...]] = {
    "commitments": (
        f"FOREIGN KEY (supersedes) REFERENCES commitments (id) {_DEFERRED}",
        f"FOREIGN KEY (superseded_by) REFERENCES commitments (id) {_DEFERRED}",
        f"FOREIGN KEY (last_statement_event) REFERENCES events (id) {_DEFERRED}",
    ),
    "timeline": (
        f"FOREIGN KEY (commitment_id) REFERENCES commitments (id) {_DEFERRED}",
        f"FOREIGN KEY (event_id) REFERENCES events (id) {_DEFERRED}",
        f"FOREIGN KEY (link) REFERENCES commitments (id) {_DEFERRED}",
        f"FOREIGN KEY (retracted_by) REFERENCES events (id) {_DEFERRED}",
    ),
    "retractions": (
        f"FOREIGN KEY (event_id) REFERENCES events (id) {_DEFERRED}",
        f"FOREIGN KEY (target) REFERENCES events (id) {_DEFERRED}",
    ),
    "reminders": (f"FOREIGN KEY (event_id) REFERENCES events (id) {_DEFERRED}",),
}
SQLITE_VIEWS = ("commitment_status", "statement_timeline")
SQLITE_FTS = "timeline_fts"
SQLITE_EXTRAS = (
    # Staleness is left out: it depends on NOW and TRACKER_REVIEW_EVERY (tracker status).
    """CREATE VIEW commitment_status AS
    SELECT c.id, c.title, c.kind, c.status, c.label, c.status_since AS since,
        CASE WHEN c.is_open THEN 'open' ELSE 'closed' END AS open_or_closed,
        (SELECT group_concat(p.value, ', ') FROM json_each(c.parties) AS p) AS parties,
        c.last_statement_on AS last_statement_date, c.last_statement_by,
        c.last_statement_quote, c.last_statement_source, c.statement_count AS statements,
        c.followup_due, c.followup_note,
        (SELECT group_concat(t.value, ', ') FROM json_each(c.tags) AS t) AS tags,
        c.supersedes, c.superseded_by
    FROM commitments AS c""",
    """CREATE VIEW statement_timeline AS
    SELECT t.commitment_id AS commitment, c.title AS commitment_title, t.effective_on AS date,
        t.speaker, t.status AS status_asserted, t.label, t.quote, t.source, t.note,
        CASE WHEN t.retracted_by IS NULL THEN 0 ELSE 1 END AS retracted, t.retraction_reason,
        t.event_id AS event, t.seq
    FROM timeline AS t LEFT JOIN commitments AS c ON c.id = t.commitment_id
    WHERE t.role = 'statement'""",
    # Full-text search over quotes (and speakers). It keeps its own copy, so it never
    # depends on timeline rowids, which VACUUM may renumber; triggers keep it in step in
    # the same transaction as the timeline, for appends, imports and rebuilds alike.
    """CREATE VIRTUAL TABLE timeline_fts USING fts5(
        quote, speaker, commitment_id UNINDEXED, date UNINDEXED, source UNINDEXED,
        retracted UNINDEXED, event_id UNINDEXED
    )""",
    # Where each timeline row's search entry is. FTS5 cannot index its UNINDEXED columns,
    # so without this a retraction would scan the whole search table (quadratic in bulk).
    """CREATE TABLE timeline_fts_rows (
        seq INTEGER NOT NULL,
        commitment_id TEXT NOT NULL,
        fts_rowid INTEGER NOT NULL,
        PRIMARY KEY (seq, commitment_id)
    )""",
    """CREATE TRIGGER timeline_fts_insert AFTER INSERT ON timeline WHEN new.quote IS NOT NULL
    BEGIN
        INSERT INTO timeline_fts (quote, speaker, commitment_id, date, source, retracted, event_id)
        VALUES (new.quote, new.speaker, new.commitment_id, new.effective_on, new.source,
                new.retracted_by IS NOT NULL, new.event_id);
        INSERT INTO timeline_fts_rows (seq, commitment_id, fts_rowid)
        VALUES (new.seq, new.commitment_id, last_insert_rowid());
    END""",
    """CREATE TRIGGER timeline_fts_retract AFTER UPDATE OF retracted_by ON timeline
    WHEN new.quote IS NOT NULL
    BEGIN
        UPDATE timeline_fts SET retracted = (new.retracted_by IS NOT NULL)
        WHERE rowid = (SELECT fts_rowid FROM timeline_fts_rows
                       WHERE seq = new.seq AND commitment_id = new.commitment_id);
    END""",
    """CREATE TRIGGER timeline_fts_delete AFTER DELETE ON timeline WHEN old.quote IS NOT NULL
    BEGIN
        DELETE FROM timeline_fts
        WHERE rowid = (SELECT fts_rowid FROM timeline_fts_rows
                       WHERE seq = old.seq AND commitment_id = old.commitment_id);
        DELETE FROM timeline_fts_rows WHERE seq = old.seq AND commitment_id = old.commitment_id;
    END""",
)


_FTS_INSERT_TRIGGER = next(
    statement for statement in SQLITE_EXTRAS if "TRIGGER timeline_fts_insert" in statement
)


def create_statements(dialect: str) -> tuple[str, ...]:
    """The DDL for a dialect: the portable tables, plus SQLite's keys, views and search."""
    if dialect != "sqlite":
        return CREATE
    statements = []
    for statement in CREATE:
        words = statement.split()
        keys = SQLITE_FOREIGN_KEYS.get(words[2]) if words[:2] == ["CREATE", "TABLE"] else None
        if keys:
            body = statement.rstrip()
            statement = body[:-1].rstrip() + ",\n        " + ",\n        ".join(keys) + "\n    )"
        statements.append(statement)
    return (*statements, *SQLITE_EXTRAS)


def state_row(state: CommitmentState) -> tuple[Any, ...]:
    last = state.last_statement
    return (
        state.id,
        state.title,
        state.kind,
        _dumps(state.parties),
        _dumps(state.tags),
        state.review_every,
        state.status,
        state.label,
        state.status_since,
        int(state.is_open),
        state.added_on,
        state.last_activity_on,
        last.event if last else None,
        last.on if last else None,
        last.by if last else None,
        last.quote if last else None,
        last.source if last else None,
        state.statement_count,
        state.followup_due,
        state.followup_note,
        state.followup_seq,
        int(state.followup_answered),
        state.supersedes,
        state.superseded_by,
    )


def state_from_row(row: Row) -> CommitmentState:
    last = None
    if row["last_statement_event"]:
        last = LastStatement(
            event=row["last_statement_event"],
            on=row["last_statement_on"],
            by=row["last_statement_by"],
            quote=row["last_statement_quote"],
            source=row["last_statement_source"],
        )
    return CommitmentState(
        id=row["id"],
        title=row["title"],
        kind=row["kind"],
        parties=tuple(json.loads(row["parties"])),
        tags=tuple(json.loads(row["tags"])),
        review_every=row["review_every"],
        status=row["status"],
        label=row["label"],
        status_since=row["status_since"],
        is_open=bool(row["is_open"]),
        added_on=row["added_on"],
        last_activity_on=row["last_activity_on"],
        last_statement=last,
        statement_count=row["statement_count"],
        followup_due=row["followup_due"],
        followup_note=row["followup_note"],
        followup_seq=row["followup_seq"],
        followup_answered=bool(row["followup_answered"]),
        supersedes=row["supersedes"],
        superseded_by=row["superseded_by"],
    )


def entry_from_row(row: Row) -> Entry:
    return Entry(**{name: row[name] for name in ENTRY_COLUMNS})


_INSERT_ENTRY = (
    f"INSERT INTO timeline ({', '.join(ENTRY_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in ENTRY_COLUMNS)})"
)
_UPSERT_STATE = (
    f"INSERT INTO commitments ({', '.join(STATE_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in STATE_COLUMNS)}) "
    "ON CONFLICT (id) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in STATE_COLUMNS if c != "id")
)


class CommitmentProjection:
    """Keeps the commitment tables caught up with the log, inside the caller's transaction."""

    name = NAME
    version = VERSION
    tables = TABLES

    def create(self, sql: Sql) -> None:
        if sql.dialect == "sqlite":
            # Views and the search index go first; the timeline's triggers go with it.
            for view in SQLITE_VIEWS:
                sql.execute(f"DROP VIEW IF EXISTS {view}")
            sql.execute(f"DROP TABLE IF EXISTS {SQLITE_FTS}")
            sql.execute(f"DROP TABLE IF EXISTS {SQLITE_FTS}_rows")
        for table in reversed(self.tables):
            sql.execute(f"DROP TABLE IF EXISTS {table}")
        for statement in create_statements(sql.dialect):
            sql.execute(statement)

    def bulk_start(self, sql: Sql) -> None:
        """Before a rebuild or an import: stop indexing quotes row by row (see bulk_end)."""
        if sql.dialect == "sqlite":
            sql.execute("DROP TRIGGER IF EXISTS timeline_fts_insert")

    def bulk_end(self, sql: Sql, after_seq: int) -> None:
        """Index the quotes of the events after `after_seq` in one statement, and resume.

        Row by row, the search index's trigger was two thirds of a rebuild's time; one
        INSERT ... SELECT over the new timeline rows does the same work at a third the cost.
        """
        if sql.dialect != "sqlite":
            return
        last = sql.query("SELECT rowid FROM timeline_fts ORDER BY rowid DESC LIMIT 1")
        base = last[0]["rowid"] if last else 0
        numbered = (
            "SELECT ? + row_number() OVER (ORDER BY seq, commitment_id) AS fts_rowid, * "
            "FROM timeline WHERE quote IS NOT NULL AND seq > ?"
        )
        sql.execute(
            "INSERT INTO timeline_fts (rowid, quote, speaker, commitment_id, date, source, "
            "retracted, event_id) SELECT fts_rowid, quote, speaker, commitment_id, effective_on, "
            f"source, retracted_by IS NOT NULL, event_id FROM ({numbered})",
            (base, after_seq),
        )
        sql.execute(
            "INSERT INTO timeline_fts_rows (seq, commitment_id, fts_rowid) "
            f"SELECT seq, commitment_id, fts_rowid FROM ({numbered})",
            (base, after_seq),
        )
        sql.execute(_FTS_INSERT_TRIGGER)

    def apply(self, sql: Sql, events: Sequence[StoredEvent]) -> set[str]:
        """Fold a batch of events (in log order) into the timeline; return the touched ids.

        The caller then `refresh`es the touched commitments: once per append, or once
        at the end of a rebuild, so a long replay summarises each commitment once.
        """
        touched: set[str] = set()
        new_entries: list[tuple[Any, ...]] = []
        for event in events:
            payload = CODEC.decode_stored(event.type, event.schema, event.data)
            for entry in entries_for(event, payload):
                new_entries.append(tuple(getattr(entry, c) for c in ENTRY_COLUMNS))
                touched.add(entry.commitment_id)
            if isinstance(payload, EventRetracted):
                if new_entries:  # the target may be in this very batch
                    sql.executemany(_INSERT_ENTRY, new_entries)
                    new_entries = []
                touched.update(self._retract(sql, event, payload))
            elif isinstance(payload, ReminderIssued):
                sql.execute(
                    "INSERT INTO reminders (seq, event_id, day, now, items, schedule) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        event.seq,
                        event.id,
                        payload.day,
                        payload.now,
                        _dumps(payload.items),
                        payload.schedule,
                    ),
                )
        if new_entries:
            sql.executemany(_INSERT_ENTRY, new_entries)
        return touched

    def _retract(self, sql: Sql, event: StoredEvent, payload: EventRetracted) -> set[str]:
        sql.execute(
            "INSERT INTO retractions (seq, event_id, target, reason) VALUES (?, ?, ?, ?)",
            (event.seq, event.id, payload.event, payload.reason),
        )
        sql.execute(
            "UPDATE timeline SET retracted_by = ?, retraction_reason = ? WHERE event_id = ?",
            (event.id, payload.reason, payload.event),
        )
        sql.execute("UPDATE reminders SET retracted = 1 WHERE event_id = ?", (payload.event,))
        rows = sql.query(
            "SELECT DISTINCT commitment_id FROM timeline WHERE event_id = ?", (payload.event,)
        )
        return {row["commitment_id"] for row in rows}

    def refresh(self, sql: Sql, ids: Sequence[str]) -> None:
        """Recompute the status rows of these commitments from their timelines."""
        rows = []
        for cid in ids:
            state = summarize(self.entries(sql, cid))
            if state is not None:
                rows.append(state_row(state))
        if rows:
            sql.executemany(_UPSERT_STATE, rows)

    @staticmethod
    def entries(sql: Sql, cid: str) -> list[Entry]:
        rows = sql.query("SELECT * FROM timeline WHERE commitment_id = ? ORDER BY seq", (cid,))
        return [entry_from_row(row) for row in rows]
