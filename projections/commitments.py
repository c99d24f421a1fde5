"""The commitment read models: each commitment's timeline and its current status row.

Two folds build them, written twice on purpose and held equal by the property tests in
tests/test_fold_sql.py (and by `tracker verify`, which replays the log through the
Python fold and compares the result with the stored tables):

- **the Python fold**: `entries_for(event)` turns an event into timeline entries, one
  per commitment it concerns, and `summarize(entries, as_of)` (in `projections.model`)
  derives a commitment's status row from its entries; both pure. `apply` runs
  `entries_for` for every single append, on PostgreSQL, for events in a shape the SQL
  fold does not read, and in `verify`'s replay; `summarize` serves `--as-of` views.
- **the SQL fold**: the same two steps as set-based SQL, so that a rebuild or an import
  of a million events runs inside the database: `_sqlite_fold_statements` writes the
  timeline straight from the events table (SQLite's JSON functions; rebuilds and
  imports), and `_SUMMARY_SELECT` writes the status rows from the timeline (`refresh`,
  on every store, after every append, rebuild and import).

In both, the latest status assertion by effective date wins (ties: the later-recorded,
then log order), and retractions mark the entries of the event they retract in every
view, whatever the date, because a retraction corrects the record.

The tables live in `CommitmentProjection`, in dialect-neutral SQL behind
`projections.sql.Sql`. The values, `summarize` and reading them back live in
`projections.model` (re-exported here), which reading the status imports without this
module's fold and the event codec. Must not import cli or a database driver.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from itertools import permutations
from typing import Any

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
from events.codec import CLEARABLE, CURRENT_SCHEMAS, LEGACY_SHAPES, shapes
from events.rules import KINDS, STATUS_NAMES
from events.rules import OPEN_STATUS_NAMES as OPEN_STATUSES

# The read models and their reading live in projections.model (which `status` imports
# without this module's fold); they are re-exported here, where the fold makes them.
from projections.model import ADDED as ADDED
from projections.model import AMENDED as AMENDED
from projections.model import ENTRY_COLUMNS as ENTRY_COLUMNS
from projections.model import FOLLOWUP as FOLLOWUP
from projections.model import FOLLOWUP_DONE as FOLLOWUP_DONE
from projections.model import NAME as NAME
from projections.model import STATE_COLUMNS as STATE_COLUMNS
from projections.model import STATEMENT as STATEMENT
from projections.model import SUPERSEDED as SUPERSEDED
from projections.model import TIMELINE_COLUMNS as TIMELINE_COLUMNS
from projections.model import VERSION as VERSION
from projections.model import CommitmentState as CommitmentState
from projections.model import Entry as Entry
from projections.model import LastStatement as LastStatement
from projections.model import data_speaker, data_speakers, data_text, timeline
from projections.model import entry_from_row as entry_from_row
from projections.model import state_from_row as state_from_row
from projections.model import summarize as summarize
from projections.sql import Sql


def _dumps(values: Iterable[str]) -> str:
    """A list as stored in the tables: compact, as SQLite's JSON functions write it too."""
    return json.dumps(list(values), ensure_ascii=False, separators=(",", ":"))


def entries_for(event: StoredEvent, payload: Event) -> list[Entry]:
    """The timeline entries an event contributes (none for retractions and reminders).

    The Python fold's first step; the SQL fold's `_sqlite_fold_statements` does the same
    in SQL, and tests/test_fold_sql.py holds the two equal.
    """
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
                speakers=_dumps(payload.speakers),
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
                aliases=_dumps(payload.aliases),
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
                aliases=None if payload.aliases is None else _dumps(payload.aliases),
                review_every=payload.review_every,
                cleared=None if payload.clear is None else _dumps(payload.clear),
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


# --- storage -------------------------------------------------------------------------------

TABLES = ("commitments", "timeline", "retractions", "reminders")
# The timeline's key is a unique index rather than a PRIMARY KEY, so that a rebuild can
# load the rows first and build its indexes once, sorted, instead of inserting a million
# rows into them at random places.
TIMELINE_INDEXES = (
    "CREATE UNIQUE INDEX timeline_key ON timeline (commitment_id, seq)",
    "CREATE INDEX timeline_seq ON timeline (seq)",
)

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
        last_statement_speakers TEXT,
        last_statement_quote TEXT,
        last_statement_source TEXT,
        statement_count INTEGER NOT NULL,
        followup_due TEXT,
        followup_note TEXT,
        followup_seq INTEGER,
        followup_answered INTEGER NOT NULL,
        supersedes TEXT,
        superseded_by TEXT,
        aliases TEXT NOT NULL
    )""",
    "CREATE INDEX commitments_status ON commitments (status)",
    # One row per event and commitment it concerns. What the log already holds for an
    # event (its id, who recorded it, a statement's speakers, quote and source) is read
    # from it by seq (projections.model.TIMELINE_SELECT), not copied here.
    """CREATE TABLE timeline (
        commitment_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        role TEXT NOT NULL,
        effective_on TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
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
        cleared TEXT,
        retracted_by TEXT,
        retraction_reason TEXT,
        aliases TEXT
    )""",
    *TIMELINE_INDEXES,
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
        f"FOREIGN KEY (seq) REFERENCES events (seq) {_DEFERRED}",
        f"FOREIGN KEY (link) REFERENCES commitments (id) {_DEFERRED}",
        f"FOREIGN KEY (retracted_by) REFERENCES events (id) {_DEFERRED}",
    ),
    "retractions": (
        f"FOREIGN KEY (event_id) REFERENCES events (id) {_DEFERRED}",
        f"FOREIGN KEY (target) REFERENCES events (id) {_DEFERRED}",
    ),
    "reminders": (f"FOREIGN KEY (event_id) REFERENCES events (id) {_DEFERRED}",),
}
SQLITE_VIEWS = ("commitment_status", "statement_timeline", "statement_text")
SQLITE_FTS = "timeline_fts"
SQLITE_FTS_CONTENT = "statement_text"
# A statement's speakers as one line, as `StatementRecorded.by` joins them, for the search
# index. Without json_each, which FTS5 cannot read through a view: a list of one is its
# name, a longer list is its JSON with the '","' between names made ', ' (a list whose JSON
# escapes a character, a name's quote or backslash, is shown as that JSON: the same words).
_FTS_SPEAKER = (
    "CASE WHEN e.schema = 1 THEN json_extract(e.data, '$.by') "
    "WHEN json_array_length(e.data, '$.speakers') = 1 "
    "THEN json_extract(e.data, '$.speakers[0]') "
    "WHEN instr(json_extract(e.data, '$.speakers'), '\\') = 0 "
    "THEN replace(substr(json_extract(e.data, '$.speakers'), 3, "
    "length(json_extract(e.data, '$.speakers')) - 4), '\",\"', ', ') "
    "ELSE json_extract(e.data, '$.speakers') END"
)
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
    f"""CREATE VIEW statement_timeline AS
    SELECT t.commitment_id AS commitment, c.title AS commitment_title, t.effective_on AS date,
        {data_speaker("sqlite")} AS speaker, t.status AS status_asserted, t.label,
        {data_text("sqlite", "quote")} AS quote, {data_text("sqlite", "source")} AS source,
        t.note, CASE WHEN t.retracted_by IS NULL THEN 0 ELSE 1 END AS retracted,
        t.retraction_reason, e.id AS event, t.seq
    FROM timeline AS t JOIN events AS e ON e.seq = t.seq
    LEFT JOIN commitments AS c ON c.id = t.commitment_id
    WHERE t.role = 'statement' AND t.seq > (
        -- statements on a commitment as it is now: not on one undone (its adding retracted)
        SELECT max(a.seq) FROM timeline AS a
        WHERE a.commitment_id = t.commitment_id AND a.role = 'added' AND a.retracted_by IS NULL
    )""",
    # Full-text search over quotes, speakers and sources (`tracker search`), one entry per
    # statement, keyed by its log position. The index holds no copy of the text: its
    # columns are read from the events table through the view `statement_text` (FTS5's
    # external content), so a quote is stored once, in the log, whatever the number of
    # commitments it concerns. Whether a statement is retracted is read the same way.
    f"""CREATE VIEW {SQLITE_FTS_CONTENT} AS
    SELECT e.seq,
        json_extract(e.data, '$.quote') AS quote,
        {_FTS_SPEAKER} AS speaker,
        (SELECT group_concat(t.commitment_id, ', ') FROM timeline AS t
         WHERE t.seq = e.seq) AS commitment_id,
        e.occurred_on AS date,
        json_extract(e.data, '$.source') AS source,
        EXISTS (SELECT 1 FROM retractions AS r WHERE r.target = e.id) AS retracted,
        e.id AS event_id
    FROM events AS e WHERE e.type = '{StatementRecorded.TYPE}'""",
    # columnsize=0: no table of each entry's length, which only ranking by bm25 reads
    # (tracker ranks in Python); `ORDER BY rank` still works, from the text.
    f"""CREATE VIRTUAL TABLE {SQLITE_FTS} USING fts5(
        quote, speaker, commitment_id UNINDEXED, date UNINDEXED, source,
        retracted UNINDEXED, event_id UNINDEXED,
        content='{SQLITE_FTS_CONTENT}', content_rowid='seq', columnsize=0
    )""",
    # A statement's first timeline row indexes it (its text is the same on every row);
    # a bulk load drops these and indexes its statements in one statement (bulk_end).
    f"""CREATE TRIGGER timeline_fts_insert AFTER INSERT ON timeline
    WHEN new.role = '{STATEMENT}' AND NOT EXISTS (
        SELECT 1 FROM timeline AS o WHERE o.seq = new.seq AND o.rowid != new.rowid)
    BEGIN
        INSERT INTO {SQLITE_FTS} (rowid, quote, speaker, source)
        SELECT seq, quote, speaker, source FROM {SQLITE_FTS_CONTENT} WHERE seq = new.seq;
    END""",
    f"""CREATE TRIGGER timeline_fts_delete AFTER DELETE ON timeline
    WHEN old.role = '{STATEMENT}' AND NOT EXISTS (SELECT 1 FROM timeline AS o WHERE o.seq = old.seq)
    BEGIN
        INSERT INTO {SQLITE_FTS} ({SQLITE_FTS}, rowid, quote, speaker, source)
        SELECT 'delete', seq, quote, speaker, source FROM {SQLITE_FTS_CONTENT}
        WHERE seq = old.seq;
    END""",
)

_FTS_TRIGGERS = tuple(
    statement for statement in SQLITE_EXTRAS if statement.startswith("CREATE TRIGGER")
)
_FTS_TRIGGER_NAMES = tuple(statement.split()[2] for statement in _FTS_TRIGGERS)


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
        _dumps(last.speakers) if last else None,
        last.quote if last else None,
        last.source if last else None,
        state.statement_count,
        state.followup_due,
        state.followup_note,
        state.followup_seq,
        int(state.followup_answered),
        state.supersedes,
        state.superseded_by,
        _dumps(state.aliases),
    )


_INSERT_ENTRY = (
    f"INSERT INTO timeline ({', '.join(TIMELINE_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in TIMELINE_COLUMNS)})"
)
_STORED = tuple(ENTRY_COLUMNS.index(c) for c in TIMELINE_COLUMNS)


def _stored(entry: Entry) -> tuple[Any, ...]:
    """An entry's timeline row: its columns but those read from the log."""
    return tuple(entry[i] for i in _STORED)


# --- the SQL fold --------------------------------------------------------------------------
#
# The Python fold (`entries_for` above, `summarize` in projections.model) written again as
# set-based SQL, so that a rebuild or an import of a million events runs inside the
# database engine instead of one Python object per event. A change to one fold is a
# change to the other: tests/test_fold_sql.py holds them equal, and `tracker verify`
# replays the log through the Python fold and compares it with the tables built here, so
# a divergence is reported, not hidden.

# A sortable key for SUMMARIZE's order (effective_on, recorded_at, seq): both dates have
# a fixed width (10 and 24 characters, checked on the way in) and the seq is offset to a
# fixed 13 digits, so the largest key is the latest entry. Portable SQL (`||` with a
# number works in SQLite and PostgreSQL).
_SEQ_OFFSET = 1_000_000_000_000
_KEY = f"(effective_on || recorded_at || ({_SEQ_OFFSET} + seq))"


def _key_seq(column: str) -> str:
    return f"CAST(substr({column}, 35) AS BIGINT) - {_SEQ_OFFSET}"


def _quoted(values: Iterable[str]) -> str:
    """SQL string literals for a list of known words (statuses, kinds, field names)."""
    return ", ".join(f"'{v}'" for v in values)


_OPEN_LIST = _quoted(sorted(OPEN_STATUSES))


# The description fields an amendment may change (each from the latest live amendment
# that sets it: `summarize`).
_AMENDABLE = ("title", "kind", "parties", "tags", "aliases")


def _latest_amended(field: str) -> str:
    """SQL: the latest live amendment's value of `field` for commitment s.cid, if any.

    The aggregates (`_AGGREGATES`) found its key in the one pass over the entries; this
    reads the one row.
    """
    return (
        f"(SELECT m.{field} FROM timeline AS m "
        f"WHERE m.commitment_id = s.cid AND m.seq = {_key_seq(f's.k_{field}')})"
    )


def _clears(column: str, field: str) -> str:
    """SQL: the JSON list in `column` (as the fold writes it, compact) names `field`.

    Spelled out as the lists that can hold it rather than with LIKE '%…%', whose percent
    signs a PostgreSQL driver would read as placeholders.
    """
    lists = sorted(
        _dumps(chosen)
        for n in range(1, len(CLEARABLE) + 1)
        for chosen in permutations(CLEARABLE, n)
        if field in chosen
    )
    return f"{column} IN ({', '.join(_quoted_json(v) for v in lists)})"


def _quoted_json(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _latest_review_every() -> str:
    """SQL: the latest live amendment's review interval, '' if it cleared it, or NULL."""
    return (
        "(SELECT coalesce(m.review_every, '') FROM timeline AS m "
        f"WHERE m.commitment_id = s.cid AND m.seq = {_key_seq('s.k_review_every')})"
    )


# An entry {t} that closes the open follow-up (Entry.closes_followup).
_CLOSES_FOLLOWUP = (
    f"{{t}}.role = '{FOLLOWUP_DONE}' "
    f"OR ({{t}}.role = '{AMENDED}' AND {_clears('{t}.cleared', 'due')})"
)


# The key of the latest live amendment setting each amendable field.
_AMENDED_KEYS = ",\n        ".join(
    f"max(CASE WHEN role = '{AMENDED}' AND {field} IS NOT NULL THEN {_KEY} END) AS k_{field}"
    for field in _AMENDABLE
)

# What the status row needs from a commitment's live timeline entries, in one pass.
_AGGREGATES = f"""
        min(CASE WHEN role = '{ADDED}' THEN {_KEY} END) AS k_added,
        max(CASE WHEN status IS NOT NULL THEN {_KEY} END) AS k_status,
        max(CASE WHEN role = '{STATEMENT}' THEN {_KEY} END) AS k_last,
        count(CASE WHEN role = '{STATEMENT}' THEN 1 END) AS statements,
        {_AMENDED_KEYS},
        max(CASE WHEN role = '{AMENDED}' AND (review_every IS NOT NULL
            OR {_clears("cleared", "review_every")}) THEN {_KEY} END) AS k_review_every,
        count(CASE WHEN role = '{SUPERSEDED}' THEN 1 END) AS superseded,
        max(CASE WHEN due IS NOT NULL AND role IN ('{ADDED}', '{FOLLOWUP}') THEN seq END)
            AS f_seq"""


# One status row per commitment with a live `added` entry, in STATE_COLUMNS order;
# {where} narrows the commitments (`AND commitment_id IN (...)`). Only the entries from
# its latest live `added` on count (`current`). One pass groups the live entries (g);
# where some precede the latest adding (a commitment undone and added again, which is
# rare) the group is made again from that adding on (r). Amendments and supersessions,
# also rare, are looked up only where the group has some.
def _summary_select(dialect: str) -> str:
    """The status rows' SELECT; the last statement's words are read from its event."""
    return _SUMMARY_TEMPLATE.format(
        last_event="le.id",
        last_by=data_speaker(dialect, "le"),
        last_speakers=data_speakers(dialect, "le"),
        last_quote=data_text(dialect, "quote", "le"),
        last_source=data_text(dialect, "source", "le"),
    )


_SUMMARY_TEMPLATE = f"""
WITH g AS (
    SELECT commitment_id AS cid,
        max(CASE WHEN role = '{ADDED}' THEN seq END) AS a_seq, min(seq) AS first_seq,
        {_AGGREGATES}
    FROM timeline
    WHERE retracted_by IS NULL {{{{where}}}}
    GROUP BY commitment_id
),
r AS (
    SELECT g.cid, g.a_seq, g.a_seq AS first_seq,
        {_AGGREGATES}
    FROM g JOIN timeline AS t ON t.commitment_id = g.cid AND t.seq >= g.a_seq
    WHERE g.first_seq < g.a_seq AND t.retracted_by IS NULL
    GROUP BY g.cid, g.a_seq
),
c AS (
    SELECT * FROM g WHERE g.first_seq >= g.a_seq
    UNION ALL
    SELECT * FROM r
),
h AS (
    SELECT c.*,
        (SELECT min(d.seq) FROM timeline AS d
         WHERE d.commitment_id = c.cid AND ({_CLOSES_FOLLOWUP.format(t="d")})
           AND d.retracted_by IS NULL AND d.seq > c.f_seq) AS d_seq
    FROM c
),
s AS (
    SELECT h.*,
        coalesce(nullif(st.status, ''), 'proposed') AS new_status,
        st.label AS new_label,
        st.effective_on AS new_since
    FROM h
    LEFT JOIN timeline AS st
        ON st.commitment_id = h.cid AND st.seq = {_key_seq("h.k_status")}
)
SELECT
    s.cid,
    coalesce(coalesce({_latest_amended("title")}, a.title), ''),
    coalesce(nullif(coalesce({_latest_amended("kind")}, a.kind), ''), 'commitment'),
    coalesce(nullif(coalesce({_latest_amended("parties")}, a.parties), ''), '[]'),
    coalesce(nullif(coalesce({_latest_amended("tags")}, a.tags), ''), '[]'),
    nullif(coalesce({_latest_review_every()}, a.review_every), ''),
    s.new_status,
    CASE WHEN s.k_status IS NULL THEN 'proposed'
         ELSE coalesce(nullif(s.new_label, ''), s.new_status) END,
    CASE WHEN s.k_status IS NULL THEN a.effective_on ELSE s.new_since END,
    CASE WHEN s.new_status IN ({_OPEN_LIST}) THEN 1 ELSE 0 END,
    a.effective_on,
    coalesce(ls.effective_on, a.effective_on),
    {{last_event}},
    ls.effective_on,
    CASE WHEN ls.seq IS NULL THEN NULL ELSE coalesce({{last_by}}, '') END,
    CASE WHEN ls.seq IS NULL THEN NULL ELSE coalesce({{last_speakers}}, '[]') END,
    CASE WHEN ls.seq IS NULL THEN NULL ELSE coalesce({{last_quote}}, '') END,
    {{last_source}},
    s.statements,
    CASE WHEN s.d_seq IS NULL THEN f.due END,
    CASE WHEN s.d_seq IS NULL THEN f.note END,
    CASE WHEN s.d_seq IS NULL THEN f.seq END,
    CASE WHEN s.f_seq IS NOT NULL AND EXISTS (
        SELECT 1 FROM timeline AS x
        WHERE x.commitment_id = s.cid AND x.role = '{STATEMENT}' AND x.retracted_by IS NULL
          AND x.seq > s.f_seq AND (s.d_seq IS NULL OR x.seq < s.d_seq)
          AND x.effective_on >= f.effective_on
    ) THEN 1 ELSE 0 END,
    a.link,
    CASE WHEN s.superseded > 0 THEN (
        SELECT x.link FROM timeline AS x
        WHERE x.commitment_id = s.cid AND x.role = '{SUPERSEDED}' AND x.retracted_by IS NULL
          AND x.seq >= s.a_seq
        ORDER BY x.effective_on DESC, x.recorded_at DESC, x.seq DESC LIMIT 1
    ) END,
    coalesce(nullif(coalesce({_latest_amended("aliases")}, a.aliases), ''), '[]')
FROM s
JOIN timeline AS a ON a.commitment_id = s.cid AND a.seq = {_key_seq("s.k_added")}
LEFT JOIN timeline AS ls ON ls.commitment_id = s.cid AND ls.seq = {_key_seq("s.k_last")}
LEFT JOIN timeline AS f ON f.commitment_id = s.cid AND f.seq = s.f_seq
LEFT JOIN events AS le ON le.seq = ls.seq
"""

_SUMMARY_INSERT = {
    dialect: f"INSERT INTO commitments ({', '.join(STATE_COLUMNS)}) {_summary_select(dialect)}"
    for dialect in ("sqlite", "postgresql")
}


# Timeline entries straight from the events table (SQLite's JSON functions), one INSERT per
# role, as `entries_for` makes them; `?` is the seq after which events are folded.
_ENTRY_PREFIX = "commitment_id, seq, role, effective_on, recorded_at"


def _x(field: str, source: str = "e.data") -> str:
    return f"json_extract({source}, '$.{field}')"


def _field_ok(name: str, kind: str, required: bool, doc: str = "e.data") -> str:
    """SQL, true when field `name` of the JSON object `doc` is what the SQL fold reads.

    A guard, not the full rules (those ran when the event entered the log, and `verify`
    replays every event through the codec): the SQL fold folds only events whose fields
    have the JSON types it reads, and values it interprets (statuses, kinds) that it knows;
    anything else, such as an event written behind tracker's back, goes to the Python
    fold, which refuses it with an explanation. Cheap: the scalar JSON functions share
    one parse of the row's data per statement.
    """
    path = f"'$.{name}'"
    # One json_type per field (each call walks the path again): NULL when the field is
    # absent, 'null' for a JSON null, which an optional field may be.
    json_type = f"json_type({doc}, {path})"
    value = f"json_extract({doc}, {path})"
    if kind in ("names", "ids"):
        want, then = "array", "1"
    elif kind in ("speakers", "refs"):
        # refs: each commitment in the list is checked where the fold reads it (_REF_OK),
        # and the rows it made are counted against the list's length.
        want, then = "array", f"json_array_length({doc}, {path}) > 0"
    elif kind == "status":
        want, then = "text", f"{value} IN ({_quoted(STATUS_NAMES)})"
    elif kind == "kind":
        want, then = "text", f"{value} IN ({_quoted(KINDS)})"
    else:
        want, then = "text", "1"
    if required:
        if then == "1":
            return f"coalesce({json_type} = '{want}', 0)"
        return f"CASE {json_type} WHEN '{want}' THEN {then} ELSE 0 END"
    # coalesce: an absent field (NULL) is as good as a null one.
    if then == "1":
        return f"coalesce({json_type}, 'null') IN ('null', '{want}')"
    return (
        f"CASE coalesce({json_type}, 'null') WHEN 'null' THEN 1 WHEN '{want}' THEN {then} "
        "ELSE 0 END"
    )


# A commitment in a statement's list, as the SQL fold reads it (`r`, from json_each).
_REF_OK = " AND ".join(
    (
        "r.type = 'object'",
        _field_ok("id", "id", True, "r.value"),
        _field_ok("status", "status", False, "r.value"),
        _field_ok("label", "text", False, "r.value"),
    )
)


def _shape_ok(type_name: str, fields: dict[str, tuple[str, bool]], schema: int) -> str:
    """SQL: event `e` is of this type and schema, with data the fold can read."""
    checks = " AND ".join(
        _field_ok(name, kind, required) for name, (kind, required) in fields.items()
    )
    return (
        f"(e.type = '{type_name}' AND e.schema = {schema} AND CASE WHEN "
        f"json_valid(e.data) AND json_type(e.data) = 'object' THEN {checks} ELSE 0 END)"
    )


def _shapes_ok(type_name: str, fields: dict[str, tuple[str, bool]]) -> str:
    """SQL: the current schema's guard, or that of an older schema the fold also reads."""
    guards = [_shape_ok(type_name, fields, CURRENT_SCHEMAS[type_name])]
    for schema, old in sorted(LEGACY_SHAPES.get(type_name, {}).items()):
        guards.append(_shape_ok(type_name, old, schema))
    return guards[0] if len(guards) == 1 else f"({' OR '.join(guards)})"


_SHAPE_OK = {type_name: _shapes_ok(type_name, fields) for type_name, fields in shapes().items()}

# What a fold statement's row count counts: events, or a statement's commitments.
EVENTS, REFS = "events", "refs"
# The columns of the events the fold copies into temp.fold_events (all but statements).
_FOLD_EVENT_COLUMNS = "type, seq, id, schema, occurred_on, recorded_at, data"


def _sqlite_fold_statements() -> tuple[tuple[str, str | None], ...]:
    """The SQL fold's statements, each with what its row count counts (EVENTS, REFS, None).

    Each takes `?`, the seq after which events are folded, and reads only events its
    guard accepts. A statement.recorded makes one row per commitment it names, so those
    events are first listed (and counted) in a temporary table. The other events, a fifth
    of a log, are first copied into another, keyed (type, seq): each later statement reads
    only its own type, in log order, instead of scanning every event again.
    """

    def insert(columns: str, select: str, where: str) -> str:
        return f"INSERT INTO timeline ({_ENTRY_PREFIX}, {columns}) SELECT {select} WHERE {where}"

    def events_of(type_name: str) -> str:
        """`e` (in temp.fold_events) of this type, after `?`, that the guard accepts."""
        return f"e.type = '{type_name}' AND e.seq > ? AND {_SHAPE_OK[type_name]}"

    events = "FROM temp.fold_events AS e"

    common = "e.seq, '{role}', e.occurred_on, e.recorded_at"
    added = CommitmentAdded.TYPE
    return (
        (
            f"INSERT INTO temp.fold_events ({_FOLD_EVENT_COLUMNS}) "
            f"SELECT {_FOLD_EVENT_COLUMNS} FROM events "
            f"WHERE seq > ? AND type != '{StatementRecorded.TYPE}'",
            None,
        ),
        (
            # What the rows need is listed with the guard's one reading of the JSON, so
            # the next statement does not read the event again.
            "INSERT INTO temp.fold_statements (seq, refs, refs_list, occurred_on, recorded_at, "
            "note) SELECT e.seq, json_array_length(e.data, '$.commitments'), "
            f"{_x('commitments')}, e.occurred_on, e.recorded_at, {_x('note')} "
            "FROM events AS e "
            f"WHERE e.seq > ? AND {_SHAPE_OK[StatementRecorded.TYPE]}",
            EVENTS,
        ),
        (
            f"INSERT INTO timeline ({_ENTRY_PREFIX}, note, status, label) "
            f"SELECT {_x('id', 'r.value')}, s.seq, '{STATEMENT}', s.occurred_on, "
            f"s.recorded_at, s.note, {_x('status', 'r.value')}, {_x('label', 'r.value')} "
            "FROM temp.fold_statements AS s, json_each(s.refs_list) AS r "
            f"WHERE s.seq > ? AND {_REF_OK}",
            REFS,
        ),
        (
            insert(
                "status, label, due, title, kind, parties, tags, review_every, link, aliases",
                f"{_x('commitment')}, {common.format(role=ADDED)}, {_x('status')}, "
                f"{_x('label')}, {_x('due')}, {_x('title')}, "
                f"coalesce({_x('kind')}, 'commitment'), coalesce({_x('parties')}, '[]'), "
                f"coalesce({_x('tags')}, '[]'), {_x('review_every')}, {_x('supersedes')}, "
                f"coalesce({_x('aliases')}, '[]') {events}",
                events_of(added),
            ),
            EVENTS,
        ),
        (
            # The superseded commitment's entry, from the new one's `added` row just written
            # (its link): cheaper than reading the events' JSON again.
            f"INSERT INTO timeline ({_ENTRY_PREFIX}, status, label, link) "
            f"SELECT a.link, a.seq, '{SUPERSEDED}', a.effective_on, a.recorded_at, "
            "'superseded', 'superseded', a.commitment_id FROM timeline AS a "
            f"WHERE a.seq > ? AND a.role = '{ADDED}' AND a.link IS NOT NULL",
            None,
        ),
        (
            insert(
                "title, kind, parties, tags, review_every, aliases, cleared",
                f"{_x('commitment')}, {common.format(role=AMENDED)}, {_x('title')}, "
                f"{_x('kind')}, {_x('parties')}, {_x('tags')}, {_x('review_every')}, "
                f"{_x('aliases')}, {_x('clear')} {events}",
                events_of(CommitmentAmended.TYPE),
            ),
            EVENTS,
        ),
        (
            insert(
                "due, note",
                f"{_x('commitment')}, {common.format(role=FOLLOWUP)}, {_x('due')}, "
                f"{_x('note')} {events}",
                events_of(FollowupScheduled.TYPE),
            ),
            EVENTS,
        ),
        (
            insert(
                "note",
                f"{_x('commitment')}, {common.format(role=FOLLOWUP_DONE)}, {_x('note')} {events}",
                events_of(FollowupCompleted.TYPE),
            ),
            EVENTS,
        ),
        (
            "INSERT INTO reminders (seq, event_id, day, now, items, schedule) "
            f"SELECT e.seq, e.id, {_x('day')}, {_x('now')}, coalesce({_x('items')}, '[]'), "
            f"{_x('schedule')} {events} WHERE {events_of(ReminderIssued.TYPE)}",
            EVENTS,
        ),
        (
            "INSERT INTO retractions (seq, event_id, target, reason) "
            f"SELECT e.seq, e.id, {_x('event')}, {_x('reason')} {events} "
            f"WHERE {events_of(EventRetracted.TYPE)}",
            EVENTS,
        ),
    )


_SQLITE_FOLD = _sqlite_fold_statements()


# Events the statements above leave to the Python fold: other schemas, other shapes.
_NOT_SQL_FOLDED = (
    f"SELECT e.seq FROM events AS e WHERE e.seq > ? AND NOT ({' OR '.join(_SHAPE_OK.values())})"
)
_IDS_PER_STATEMENT = 500
_FTS_HASHSIZE = 1024 * 1024  # FTS5's default
_BULK_HASHSIZE = 32 * 1024 * 1024
_APPLY_BATCH = 5_000


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
            sql.execute(f"DROP TABLE IF EXISTS {SQLITE_FTS}_rows")  # up to version 7
        for table in reversed(self.tables):
            sql.execute(f"DROP TABLE IF EXISTS {table}")
        for statement in create_statements(sql.dialect):
            sql.execute(statement)

    def bulk_start(self, sql: Sql) -> None:
        """Before a rebuild or an import: stop indexing quotes row by row (see bulk_end)."""
        if sql.dialect == "sqlite":
            for trigger in _FTS_TRIGGER_NAMES:
                sql.execute(f"DROP TRIGGER IF EXISTS {trigger}")

    def bulk_end(self, sql: Sql, after_seq: int) -> None:
        """Index the statements after `after_seq` in one statement, and resume.

        Row by row, the search index's trigger was two thirds of a rebuild's time; one
        INSERT ... SELECT over the new statements does the same work at a fraction of it.
        """
        if sql.dialect != "sqlite":
            return
        # FTS5 writes its pending terms out as a new segment whenever they pass `hashsize`
        # (1 MiB by default): at a million quotes, hundreds of small segments to merge
        # again. 32 MiB while indexing in bulk; then the default again, and not left
        # written in the index's config table for later connections.
        sql.execute(
            f"INSERT INTO {SQLITE_FTS} ({SQLITE_FTS}, rank) VALUES ('hashsize', ?)",
            (_BULK_HASHSIZE,),
        )
        sql.execute(
            f"INSERT INTO {SQLITE_FTS} (rowid, quote, speaker, source) "
            f"SELECT seq, quote, speaker, source FROM {SQLITE_FTS_CONTENT} WHERE seq > ?",
            (after_seq,),
        )
        sql.execute(
            f"INSERT INTO {SQLITE_FTS} ({SQLITE_FTS}, rank) VALUES ('hashsize', ?)",
            (_FTS_HASHSIZE,),
        )
        sql.execute(f"DELETE FROM {SQLITE_FTS}_config WHERE k = 'hashsize'")
        for trigger in _FTS_TRIGGERS:
            sql.execute(trigger)

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
                new_entries.append(_stored(entry))
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

    def apply_all(
        self,
        sql: Sql,
        events: Iterable[StoredEvent],
        progress: Callable[[int, int], None] | None = None,
        total: int = 0,
    ) -> set[str]:
        """`apply` over any number of events (in log order), a batch at a time."""
        touched: set[str] = set()
        batch: list[StoredEvent] = []
        done = 0
        for event in events:
            batch.append(event)
            if len(batch) >= _APPLY_BATCH:
                touched |= self.apply(sql, batch)
                done += len(batch)
                batch = []
                if progress:
                    progress(done, total)
        if batch:
            touched |= self.apply(sql, batch)
        return touched

    def _retract(self, sql: Sql, event: StoredEvent, payload: EventRetracted) -> set[str]:
        sql.execute(
            "INSERT INTO retractions (seq, event_id, target, reason) VALUES (?, ?, ?, ?)",
            (event.seq, event.id, payload.event, payload.reason),
        )
        target = "(SELECT seq FROM events WHERE id = ?)"
        sql.execute(
            f"UPDATE timeline SET retracted_by = ?, retraction_reason = ? WHERE seq = {target}",
            (event.id, payload.reason, payload.event),
        )
        sql.execute("UPDATE reminders SET retracted = 1 WHERE event_id = ?", (payload.event,))
        rows = sql.query(
            f"SELECT DISTINCT commitment_id FROM timeline WHERE seq = {target}", (payload.event,)
        )
        return {row["commitment_id"] for row in rows}

    def refresh(self, sql: Sql, ids: Sequence[str]) -> None:
        """Recompute the status rows of these commitments from their timelines, in SQL.

        A commitment left with no live `added` entry has no row, as `summarize` says.
        """
        for start in range(0, len(ids), _IDS_PER_STATEMENT):
            chunk = list(ids[start : start + _IDS_PER_STATEMENT])
            marks = ", ".join("?" for _ in chunk)
            sql.execute(f"DELETE FROM commitments WHERE id IN ({marks})", chunk)
            sql.execute(
                _SUMMARY_INSERT[sql.dialect].format(where=f"AND commitment_id IN ({marks})"), chunk
            )

    def refresh_all(self, sql: Sql) -> None:
        """Every commitment's status row, in one statement (a rebuild's last step)."""
        sql.execute("DELETE FROM commitments")
        sql.execute(_SUMMARY_INSERT[sql.dialect].format(where=""))

    def fold_logged(
        self,
        sql: Sql,
        after_seq: int,
        read: Callable[..., Iterable[StoredEvent]],
    ) -> set[str] | None:
        """Fold the events after `after_seq`, already in the events table, into the timeline.

        On SQLite the database does it, set by set, from the stored JSON; events in a shape
        those statements do not know (an older schema) go through `apply`. Elsewhere every
        event goes through `apply`, read in batches. Returns the touched commitments, or
        None when `after_seq` is 0 (all of them: a rebuild).
        """
        if sql.dialect != "sqlite":
            applied = self.apply_all(sql, read(after_seq))
            return applied if after_seq else None
        sql.execute(
            "CREATE TEMP TABLE IF NOT EXISTS fold_statements (seq INTEGER PRIMARY KEY, "
            "refs INTEGER NOT NULL, refs_list TEXT, occurred_on TEXT, recorded_at TEXT, "
            "note TEXT)"
        )
        sql.execute(
            "CREATE TEMP TABLE IF NOT EXISTS fold_events (type TEXT, seq INTEGER, id TEXT, "
            "schema INTEGER, occurred_on TEXT, recorded_at TEXT, data TEXT, "
            "PRIMARY KEY (type, seq)) WITHOUT ROWID"
        )
        sql.execute("DELETE FROM temp.fold_statements")
        sql.execute("DELETE FROM temp.fold_events")
        load_first = not sql.query("SELECT 1 FROM timeline LIMIT 1")
        if load_first:  # an empty timeline (a rebuild, a first import): index it once, after
            for index in TIMELINE_INDEXES:
                sql.execute(f"DROP INDEX {index.split(' ON ')[0].split()[-1]}")
        counted = {EVENTS: 0, REFS: 0}
        for statement, counts in _SQLITE_FOLD:
            changed = sql.execute(statement, (after_seq,))
            if counts is not None:
                counted[counts] += changed
        listed = "SELECT coalesce(sum(refs), 0) AS n FROM temp.fold_statements"
        refs = sql.query(listed)[0]["n"]  # the commitments the statements name
        sql.execute("DELETE FROM temp.fold_statements")
        sql.execute("DELETE FROM temp.fold_events")
        if load_first:
            for statement in TIMELINE_INDEXES:
                sql.execute(statement)
        touched: set[str] = set()
        total = sql.query("SELECT count(*) AS n FROM events WHERE seq > ?", (after_seq,))[0]["n"]
        if counted[EVENTS] != total or counted[REFS] != refs:
            # Some events are in a shape the SQL does not read (an older schema, or written
            # behind tracker's back): the Python fold takes them, or explains the problem.
            suspects = list(read(0, seqs=self._not_sql_folded(sql, after_seq)))
            for event in suspects:  # checked in full: raises CodecError on what is wrong
                CODEC.decode(event.type, event.schema, event.data)
            touched |= self.apply(sql, suspects)
        sql.execute(
            "UPDATE timeline SET retracted_by = r.event_id, retraction_reason = r.reason "
            "FROM retractions AS r JOIN events AS x ON x.id = r.target "
            "WHERE r.seq > ? AND timeline.seq = x.seq",
            (after_seq,),
        )
        sql.execute(
            "UPDATE reminders SET retracted = 1 "
            "WHERE event_id IN (SELECT target FROM retractions WHERE seq > ?)",
            (after_seq,),
        )
        if not after_seq:
            return None
        rows = sql.query(
            "SELECT DISTINCT commitment_id FROM timeline WHERE seq > ? UNION "
            "SELECT commitment_id FROM timeline WHERE seq IN (SELECT x.seq FROM retractions AS r "
            "JOIN events AS x ON x.id = r.target WHERE r.seq > ?)",
            (after_seq, after_seq),
        )
        return touched | {r["commitment_id"] for r in rows}

    @staticmethod
    def _not_sql_folded(sql: Sql, after_seq: int) -> list[int]:
        """The events after `after_seq` the SQL fold left out, their timeline rows removed."""
        seqs = {r["seq"] for r in sql.query(_NOT_SQL_FOLDED, (after_seq,))}
        # A statement with one unreadable commitment in its list: the SQL fold wrote the
        # others; the Python fold must see the whole event.
        partly = sql.query(
            "SELECT e.seq FROM events AS e WHERE e.seq > ? AND e.type = ? "
            "AND CASE WHEN json_valid(e.data) THEN "
            "(SELECT count(*) FROM timeline AS t WHERE t.seq = e.seq) "
            "!= json_array_length(e.data, '$.commitments') ELSE 0 END",
            (after_seq, StatementRecorded.TYPE),
        )
        for row in partly:
            sql.execute("DELETE FROM timeline WHERE seq = ?", (row["seq"],))
            seqs.add(row["seq"])
        return sorted(seqs)

    @staticmethod
    def entries(sql: Sql, cid: str) -> list[Entry]:
        return timeline(sql, cid)
