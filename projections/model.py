"""The commitment read models, as plain immutable values, and how they are read back.

What `tracker status` needs, and nothing more: the value types (`Entry`, `CommitmentState`,
`LastStatement`), `summarize` (the Python fold's second step: a commitment's timeline to
its status row; see projections.commitments for the two folds), reading them from the
projection's rows, and the projection's name and version (which every store checks on
open). Kept apart from `projections.commitments` (which turns events into these values
and keeps the tables) so that reading the status starts fast: no attrs, no event codec.
`typing.NamedTuple` classes cost little to create at import.

Must not import attrs, `events` (beyond `events.rules`), cli or a database driver.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING, NamedTuple

from events.rules import OPEN_STATUS_NAMES

if TYPE_CHECKING:
    from projections.sql import Row, Sql

NAME = "commitments"
# Bump when the tables or the fold change: the projection is then dropped and replayed.
VERSION = 9

ADDED = "added"
AMENDED = "amended"
STATEMENT = "statement"
FOLLOWUP = "followup"
FOLLOWUP_DONE = "followup_done"
SUPERSEDED = "superseded"  # on the old commitment, from the new one's `add --supersedes`


class Entry(NamedTuple):
    """One event's contribution to one commitment: a row of its timeline."""

    commitment_id: str
    seq: int
    event_id: str
    role: str
    effective_on: str
    recorded_at: str
    recorded_by: str
    speaker: str | None = None  # the speakers joined with ", " (as shown)
    speakers: str | None = None  # JSON list of the speakers, in the order given
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
    cleared: str | None = None  # JSON list: what an amendment cleared (review_every, due)
    retracted_by: str | None = None
    retraction_reason: str | None = None
    aliases: str | None = None  # JSON list, like parties; None: unchanged by this entry

    @property
    def retracted(self) -> bool:
        return self.retracted_by is not None

    @property
    def clears(self) -> tuple[str, ...]:
        return tuple(json.loads(self.cleared)) if self.cleared else ()

    @property
    def closes_followup(self) -> bool:
        """`followup --done`, or `amend --clear-due`: the open follow-up is no longer open."""
        return self.role == FOLLOWUP_DONE or (self.role == AMENDED and "due" in self.clears)

    @property
    def order(self) -> tuple[str, str, int]:
        """Effective date, then the later-recorded, then log order: how 'latest' is decided.

        Recorded time and log order agree for events logged here; they can differ for
        events imported from another log, and SPEC breaks ties by the later-recorded.
        """
        return (self.effective_on, self.recorded_at, self.seq)


# An entry's fields, in order (an Entry is a tuple in this order).
ENTRY_COLUMNS: tuple[str, ...] = Entry._fields
# What the timeline does not copy from the log: read from the event by its log position
# (`TIMELINE_SELECT`). A statement's text is stored once, in the log, however many
# commitments it concerns.
FROM_THE_LOG = ("event_id", "recorded_by", "speaker", "speakers", "quote", "source")
# The timeline table's columns, in Entry's order.
TIMELINE_COLUMNS: tuple[str, ...] = tuple(c for c in ENTRY_COLUMNS if c not in FROM_THE_LOG)

# Timeline rows with what the log holds for them; `entry_from_row` reads the result.
TIMELINE_SELECT = (
    "SELECT t.*, e.id AS event_id, e.recorded_by, e.schema AS data_schema, "
    f"CASE WHEN t.role = '{STATEMENT}' THEN e.data END AS data "
    "FROM timeline AS t JOIN events AS e ON e.seq = t.seq"
)


# The same rows without a statement's words, for a fold that needs them only for the
# last statement it finds (see View.states_as_of).
TIMELINE_SELECT_WORDLESS = TIMELINE_SELECT.replace(
    f"CASE WHEN t.role = '{STATEMENT}' THEN e.data END AS data", "NULL AS data"
)


class StatementText(NamedTuple):
    """A statement's words as the timeline shows them, read from its event's data."""

    speaker: str  # the speakers joined with ", "
    speakers: str  # JSON list, in the order given
    quote: str
    source: str | None


def statement_text(schema: int, data: str) -> StatementText:
    """From a `statement.recorded` event's data (schema 1 named one speaker, `by`)."""
    fields = json.loads(data)
    names = [fields["by"]] if schema == 1 else list(fields["speakers"])
    return StatementText(
        speaker=", ".join(names),
        speakers=json.dumps(names, ensure_ascii=False, separators=(",", ":")),
        quote=fields["quote"],
        source=fields.get("source"),
    )


# --- a statement's text, in SQL, from an event `e` of the log ------------------------------
#
# For what must be computed in the database (the status rows' last statement, listings of
# speakers); the same values as `statement_text`. Event data is stored as text, as the codec
# wrote it (compact, no ASCII escaping), on both stores.


def data_text(dialect: str, field: str, e: str = "e") -> str:
    """SQL: a text field of the event's data (NULL when absent)."""
    if dialect == "sqlite":
        return f"json_extract({e}.data, '$.{field}')"
    return f"(CAST({e}.data AS json) ->> '{field}')"


def data_speakers(dialect: str, e: str = "e") -> str:
    """SQL: a statement's speakers, as the JSON list `statement_text` makes."""
    if dialect == "sqlite":
        return (
            f"CASE WHEN {e}.schema = 1 THEN json_array(json_extract({e}.data, '$.by')) "
            f"ELSE json_extract({e}.data, '$.speakers') END"
        )
    # `->` on json (not jsonb) keeps the text as written: the compact list.
    return (
        f"CASE WHEN {e}.schema = 1 "
        f"THEN CAST(json_build_array(CAST({e}.data AS json) ->> 'by') AS TEXT) "
        f"ELSE CAST(CAST({e}.data AS json) -> 'speakers' AS TEXT) END"
    )


def data_speaker(dialect: str, e: str = "e") -> str:
    """SQL: a statement's speakers joined with ", "."""
    if dialect == "sqlite":
        return (
            f"CASE WHEN {e}.schema = 1 THEN json_extract({e}.data, '$.by') "
            f"WHEN json_array_length({e}.data, '$.speakers') = 1 "
            f"THEN json_extract({e}.data, '$.speakers[0]') "
            "ELSE (SELECT group_concat(p.value, ', ') "
            f"FROM json_each({e}.data, '$.speakers') AS p) END"
        )
    return (
        f"CASE WHEN {e}.schema = 1 THEN CAST({e}.data AS json) ->> 'by' "
        "ELSE (SELECT string_agg(p.value, ', ' ORDER BY p.n) "
        f"FROM json_array_elements_text(CAST({e}.data AS json) -> 'speakers') "
        "WITH ORDINALITY AS p (value, n)) END"
    )


class LastStatement(NamedTuple):
    event: str
    on: str
    by: str
    quote: str
    source: str | None
    speakers: tuple[str, ...] = ()  # in the order given; `by` joins them with ", "


class CommitmentState(NamedTuple):
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
    aliases: tuple[str, ...] = ()


def current(entries: Iterable[Entry]) -> list[Entry]:
    """A commitment's entries from its latest live `added` on (retracted ones included),
    in the order given; none when no adding of it stands.

    Retracting a commitment's adding undoes the commitment: what was recorded about it
    until then goes with it (the log keeps it all), and its id may be added again, which
    starts afresh. Every entry of a commitment follows its adding in the log (a statement
    or follow-up needs the commitment to exist), so log order tells them apart.
    """
    listed = list(entries)
    start = max((e.seq for e in listed if e.role == ADDED and not e.retracted), default=None)
    return [] if start is None else [e for e in listed if e.seq >= start]


class FollowupFate(NamedTuple):
    """The latest follow-up on a commitment, and what answered or closed it (SPEC rule 1)."""

    followup: Entry  # the `added` (with --due) or `followup` entry that set it
    answer: Entry | None  # the first statement that answered it, before any --done
    done: Entry | None  # the `followup --done` that closed it


def answers(followup: Entry, entry: Entry) -> bool:
    """Whether `entry`, recorded after `followup`, answers it (SPEC "Staleness", rule 1).

    A `--done` always does; a statement does when dated on or after the day the
    follow-up was set: a statement backfilled about an earlier day is not news.
    """
    if entry.role == FOLLOWUP_DONE:
        return True
    return entry.role == STATEMENT and entry.effective_on >= followup.effective_on


def sets_followup(entry: Entry) -> bool:
    """A follow-up is set by a `followup --due` or an `add --due`; it replaces the one before."""
    return entry.due is not None and entry.role in (ADDED, FOLLOWUP)


def followup_fates(entries: Sequence[Entry]) -> list[FollowupFate]:
    """Every follow-up in log order, with the statement that answered it and the --done
    that closed it; a later follow-up replaces an earlier one, whatever its effective date.
    Retracted entries never count; give it the `current` entries."""
    fates: list[FollowupFate] = []
    fate: FollowupFate | None = None
    for entry in sorted((e for e in entries if not e.retracted), key=lambda e: e.seq):
        if sets_followup(entry):
            if fate is not None:
                fates.append(fate)
            fate = FollowupFate(followup=entry, answer=None, done=None)
        elif fate is None or fate.done is not None:
            continue
        elif entry.closes_followup:  # --done, or amend --clear-due (withdrawn, not done)
            fate = fate._replace(done=entry)
        elif not answers(fate.followup, entry):
            continue
        elif fate.answer is None:
            fate = fate._replace(answer=entry)
    if fate is not None:
        fates.append(fate)
    return fates


def followup_fate(entries: Sequence[Entry]) -> FollowupFate | None:
    """The latest follow-up in log order and its fate, if one was ever set."""
    fates = followup_fates(entries)
    return fates[-1] if fates else None


def describe_answer(fate: FollowupFate) -> str | None:
    """What answered a follow-up, in words: 'the statement of 2025-02-01 by X', or the --done."""
    if fate.answer is not None:
        return f"the statement of {fate.answer.effective_on} by {fate.answer.speaker or ''}"
    if fate.done is not None and fate.done.role == FOLLOWUP_DONE:
        return f"followup --done on {fate.done.effective_on}"
    return None


def summarize(entries: Sequence[Entry], as_of: date | None = None) -> CommitmentState | None:
    """Derive a commitment's state from its timeline entries (any order).

    With `as_of`, only entries effective on or before it count, and a commitment with
    none is not shown; its description is shown as it is now, whatever day it was added.
    Retracted entries never count, nor do those from before its current adding (`current`).

    The Python fold's second step; the SQL fold's `_SUMMARY_SELECT` (in
    projections.commitments) writes the stored status rows by the same rules, and
    tests/test_fold_sql.py holds the two equal.
    """
    live = sorted((e for e in current(entries) if not e.retracted), key=lambda e: e.order)
    added = next((e for e in live if e.role == ADDED), None)
    if added is None:
        return None
    description = {
        "title": added.title,
        "kind": added.kind,
        "parties": added.parties,
        "tags": added.tags,
        "review_every": added.review_every,
        "aliases": added.aliases,
    }
    for entry in live:
        if entry.role == AMENDED:
            cleared = entry.clears
            for field in description:
                value = getattr(entry, field)
                if value is not None:
                    description[field] = value
                elif field in cleared:
                    description[field] = None
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

    fate = followup_fate(live)
    followup = fate.followup if fate is not None and fate.done is None else None
    answered = fate is not None and fate.answer is not None

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
        is_open=status in OPEN_STATUS_NAMES,
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
            speakers=tuple(json.loads(last.speakers or "[]")),
        ),
        statement_count=len(statements),
        followup_due=followup.due if followup else None,
        followup_note=followup.note if followup else None,
        followup_seq=followup.seq if followup else None,
        followup_answered=answered,
        supersedes=added.link,
        superseded_by=superseded_by,
        aliases=tuple(json.loads(description["aliases"] or "[]")),
    )


# --- reading the stored rows back ------------------------------------------------------------

# The status table's columns (`commitments`), in the order the SQL fold writes them.
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
    "last_statement_speakers",
    "last_statement_quote",
    "last_statement_source",
    "statement_count",
    "followup_due",
    "followup_note",
    "followup_seq",
    "followup_answered",
    "supersedes",
    "superseded_by",
    "aliases",
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
            speakers=tuple(json.loads(row["last_statement_speakers"] or "[]")),
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
        aliases=tuple(json.loads(row["aliases"])),
    )


def entry_from_row(row: Row) -> Entry:
    """An entry from a row of `TIMELINE_SELECT`."""
    values = {name: row[name] for name in TIMELINE_COLUMNS}
    if row["data"] is not None:
        values.update(statement_text(row["data_schema"], row["data"])._asdict())
    return Entry(event_id=row["event_id"], recorded_by=row["recorded_by"], **values)


def timeline(sql: Sql, cid: str) -> list[Entry]:
    """A commitment's timeline entries, in log order."""
    rows = sql.query(f"{TIMELINE_SELECT} WHERE t.commitment_id = ? ORDER BY t.seq", (cid,))
    return [entry_from_row(row) for row in rows]
