"""Read queries over the projection tables, returning domain values (never rows).

This is the `View` the domain decides against, and what `status`, `history` and
`remind` show. SQL is dialect-neutral (`?` placeholders). Must not import cli, nor
(so that `status` starts fast) attrs, the event codec or the projections' fold.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, NamedTuple

from projections.model import (
    TIMELINE_SELECT_WORDLESS,
    CommitmentState,
    Entry,
    data_speakers,
    entry_from_row,
    state_from_row,
    statement_text,
    summarize,
    timeline,
)

if TYPE_CHECKING:
    from projections.sql import Row, Sql


ID_LENGTH = 36  # an event id is a UUID: 8-4-4-4-12 hex digits


class EventInfo(NamedTuple):
    id: str
    seq: int
    type: str
    retracted_by: str | None
    commitment: str | None = None  # the commitment a `commitment.added` event added


class Report(NamedTuple):
    """A recorded reminder report."""

    event_id: str
    day: str
    now: str
    items: tuple[str, ...]


class StaleCandidate(NamedTuple):
    """What the reminder report reads of a commitment that may be stale: the columns the
    staleness rules and the text, Markdown and HTML reports use, not the whole row."""

    id: str
    title: str
    status: str
    label: str
    is_open: bool
    added_on: str
    last_activity_on: str
    review_every: str | None
    followup_due: str | None
    followup_answered: bool
    has_statement: bool  # as `CommitmentState.last_statement is not None`
    last_on: str  # the last statement's day, speaker(s), quote and source ('', None: none)
    last_by: str
    last_quote: str
    last_source: str | None

    @classmethod
    def of(cls, state: CommitmentState) -> StaleCandidate:
        """The same columns, from a whole status row."""
        last = state.last_statement
        return cls(
            state.id,
            state.title,
            state.status,
            state.label,
            state.is_open,
            state.added_on,
            state.last_activity_on,
            state.review_every,
            state.followup_due,
            state.followup_answered,
            last is not None,
            "" if last is None else last.on,
            "" if last is None else last.by,
            "" if last is None else last.quote,
            None if last is None else last.source,
        )


# `StaleCandidate`'s columns. The flags come back as 0/1 (SQLite) or booleans (PostgreSQL):
# only their truth is read. `last_statement_event` decides, as in `state_from_row`.
_CANDIDATE_COLUMNS = (
    "id, title, status, label, is_open = 1, added_on, last_activity_on, review_every, "
    "followup_due, followup_answered <> 0, "
    "CASE WHEN last_statement_event <> '' THEN 1 ELSE 0 END, "
    "CASE WHEN last_statement_event <> '' THEN last_statement_on ELSE '' END, "
    "CASE WHEN last_statement_event <> '' THEN last_statement_by ELSE '' END, "
    "CASE WHEN last_statement_event <> '' THEN last_statement_quote ELSE '' END, "
    "CASE WHEN last_statement_event <> '' THEN last_statement_source END"
)


class View:
    """The current projections, read through one connection (inside or outside a write)."""

    def __init__(self, sql: Sql) -> None:
        self.sql = sql

    def get(self, cid: str) -> CommitmentState | None:
        rows = self.sql.query("SELECT * FROM commitments WHERE id = ?", (cid,))
        return state_from_row(rows[0]) if rows else None

    def ids(self) -> list[str]:
        return [r["id"] for r in self.sql.query("SELECT id FROM commitments ORDER BY id")]

    def states(
        self,
        *,
        statuses: Sequence[str] = (),
        open_only: bool = False,
    ) -> list[CommitmentState]:
        where: list[str] = []
        params: list[str] = []
        if statuses:
            where.append(f"status IN ({', '.join('?' for _ in statuses)})")
            params.extend(statuses)
        if open_only:
            where.append("is_open = 1")
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        rows = self.sql.query(f"SELECT * FROM commitments{clause} ORDER BY id", params)
        return [state_from_row(r) for r in rows]

    def review_intervals(self) -> list[str | None]:
        """The review intervals of the open commitments (None: the default one)."""
        rows = self.sql.query("SELECT DISTINCT review_every FROM commitments WHERE is_open = 1")
        return [r["review_every"] for r in rows]

    def stale_candidates(
        self, now: str, quiet_before: Mapping[str | None, str]
    ) -> list[CommitmentState]:
        """The open commitments that may be stale at `now` (a superset; never misses one).

        Those with a follow-up due before `now` and unanswered, and those whose last
        activity is before `quiet_before[interval]` (None: no review interval of their
        own); an interval missing from `quiet_before` is never due. The rules themselves
        are `tracker.domain.staleness`'s, which computes the cut-off days.
        """
        where, params = self._may_be_stale(now, quiet_before)
        rows = self.sql.query(f"SELECT * FROM commitments WHERE {where} ORDER BY id", params)
        return [state_from_row(r) for r in rows]

    def stale_summaries(
        self, now: str, quiet_before: Mapping[str | None, str]
    ) -> list[StaleCandidate]:
        """`stale_candidates`' rows, only the columns the reminder report shows, in no
        particular order: the report reads all the open rows when most are stale."""
        where, params = self._may_be_stale(now, quiet_before)
        rows = self.sql.query_tuples(
            f"SELECT {_CANDIDATE_COLUMNS} FROM commitments WHERE {where}", params
        )
        return [StaleCandidate._make(r) for r in rows]

    @staticmethod
    def _may_be_stale(now: str, quiet_before: Mapping[str | None, str]) -> tuple[str, list[str]]:
        terms = ["(followup_due IS NOT NULL AND followup_answered = 0 AND followup_due < ?)"]
        params: list[str] = [now]
        for interval, cutoff in quiet_before.items():
            if interval is None:
                terms.append("(review_every IS NULL AND last_activity_on < ?)")
            else:
                terms.append("(review_every = ? AND last_activity_on < ?)")
                params.append(interval)
            params.append(cutoff)
        return f"is_open = 1 AND ({' OR '.join(terms)})", params

    def states_as_of(self, as_of: date) -> list[CommitmentState]:
        """Every commitment as it stood on `as_of`, by the same fold as the stored rows.

        The entries are read without their statements' words, which the fold does not
        look at; each state's last statement then gets its own from the log.
        """
        rows = self.sql.query(f"{TIMELINE_SELECT_WORDLESS} ORDER BY t.commitment_id, t.seq")
        grouped: dict[str, list[Entry]] = {}
        for row in rows:
            grouped.setdefault(row["commitment_id"], []).append(entry_from_row(row))
        states = (summarize(entries, as_of) for entries in grouped.values())
        return self._with_words([s for s in states if s is not None])

    def _with_words(self, states: list[CommitmentState]) -> list[CommitmentState]:
        """The states with their last statement's words read from its event."""
        ids = sorted({s.last_statement.event for s in states if s.last_statement is not None})
        words = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ", ".join("?" for _ in chunk)
            query = f"SELECT id, schema, data FROM events WHERE id IN ({marks})"
            for row in self.sql.query(query, chunk):
                words[row["id"]] = statement_text(row["schema"], row["data"])
        filled = []
        for state in states:
            last = state.last_statement
            if last is not None:
                said = words[last.event]
                last = last._replace(
                    by=said.speaker,
                    quote=said.quote,
                    source=said.source,
                    speakers=tuple(json.loads(said.speakers)),
                )
                state = state._replace(last_statement=last)
            filled.append(state)
        return filled

    def timeline(self, cid: str) -> list[Entry]:
        return timeline(self.sql, cid)

    def has_statement(self, cid: str, quote: str, by: str, on: str) -> bool:
        """Whether these words, by this speaker on this day, are already on the timeline
        (of the commitment as it is now: not one undone and since added again)."""
        rows = self.sql.query(
            "SELECT e.schema, e.data FROM timeline AS t JOIN events AS e ON e.seq = t.seq "
            "WHERE t.commitment_id = ? AND t.role = 'statement' AND t.effective_on = ? "
            "AND t.retracted_by IS NULL AND " + self.CURRENT.format(t="t"),
            (cid, on),
        )
        said = (statement_text(r["schema"], r["data"]) for r in rows)
        return any(text.quote == quote and text.speaker == by for text in said)

    # A statement row on a commitment as it is now: after its latest live adding, so the
    # statements of a commitment undone (its adding retracted) are found nowhere.
    CURRENT = (
        "{t}.seq > (SELECT max(a.seq) FROM timeline AS a WHERE a.commitment_id = "
        "{t}.commitment_id AND a.role = 'added' AND a.retracted_by IS NULL)"
    )

    def statements(
        self,
        *,
        fts_query: str | None = None,
        patterns: Sequence[str] = (),
        commitments: Sequence[str] = (),
    ) -> list[Row]:
        """Live statements that may match a search: candidates, a superset of the matches.

        On SQLite, those the full-text index matches (`fts_query`, over quote, speakers and
        source); elsewhere, those in which every `patterns` (LIKE, lower case) occurs in the
        event's data (which holds the quote, speakers and source, and more: the caller's
        ranking checks each word where it counts). Either way, also every statement on
        `commitments` (those whose title matches a word, decided by the caller). Rows of
        commitment_id, title, seq, event_id, effective_on, speaker, speakers, quote, source.
        """
        select = (
            "SELECT t.commitment_id, c.title, t.seq, e.id AS event_id, t.effective_on, "
            "e.schema, e.data FROM timeline AS t JOIN events AS e ON e.seq = t.seq "
            "JOIN commitments AS c ON c.id = t.commitment_id "
            "WHERE t.role = 'statement' AND t.retracted_by IS NULL AND "
            + self.CURRENT.format(t="t")
        )
        params: list[Any] = []
        found: list[str] = []
        if self.sql.dialect == "sqlite":
            if fts_query is not None:
                # The search index has one entry per statement, its log position.
                found.append("t.seq IN (SELECT rowid FROM timeline_fts WHERE timeline_fts MATCH ?)")
                params.append(fts_query)
        elif patterns:
            one = "lower(e.data) LIKE ? ESCAPE '\\'"
            found.append("(" + " AND ".join(one for _ in patterns) + ")")
            params.extend(patterns)
        if commitments:
            found.append(f"t.commitment_id IN ({', '.join('?' for _ in commitments)})")
            params.extend(commitments)
        if not found:
            return []
        rows = self.sql.query(f"{select} AND ({' OR '.join(found)}) ORDER BY t.seq", params)
        for row in rows:
            row.update(statement_text(row.pop("schema"), row.pop("data"))._asdict())
        return rows

    def titles(self) -> list[tuple[str, str]]:
        return [(r["id"], r["title"]) for r in self.sql.query("SELECT id, title FROM commitments")]

    def statement_speakers(self) -> list[tuple[str, str, str | None]]:
        """(commitment, effective date, speakers JSON) of every live statement row."""
        rows = self.sql.query(
            f"SELECT t.commitment_id, t.effective_on, {data_speakers(self.sql.dialect)} "
            "AS speakers FROM timeline AS t JOIN events AS e ON e.seq = t.seq "
            "WHERE t.role = 'statement' AND t.retracted_by IS NULL AND "
            + self.CURRENT.format(t="t")
        )
        return [(r["commitment_id"], r["effective_on"], r["speakers"]) for r in rows]

    def speaker_lists(self) -> list[str | None]:
        """The speakers (JSON list) of each live statement, once per statement."""
        rows = self.sql.query(
            f"SELECT {data_speakers(self.sql.dialect)} AS speakers FROM events AS e "
            "WHERE e.seq IN (SELECT t.seq FROM timeline AS t WHERE t.role = 'statement' "
            "AND t.retracted_by IS NULL AND " + self.CURRENT.format(t="t") + ")"
        )
        return [r["speakers"] for r in rows]

    def event(self, event_id: str) -> EventInfo | None:
        found = self.find_events(event_id)
        return found[0] if found and found[0].id == event_id else None

    def find_events(self, ref: str) -> list[EventInfo]:
        """The events a reference names: a log position (digits), a whole id, or an id
        prefix of 8 or more characters (eight digits may be either); at most a few, which
        is enough to tell that a reference is ambiguous."""
        wheres: list[tuple[str, tuple[object, ...]]] = []
        if ref.isdigit() and len(ref) <= 18:  # a log position fits a 64-bit integer
            wheres.append(("seq = ?", (int(ref),)))
        if len(ref) == ID_LENGTH:
            wheres.append(("id = ?", (ref,)))
        elif len(ref) >= 8:  # the caller checked it is hex digits and '-': no LIKE wildcards
            wheres.append(("id LIKE ?", (ref + "%",)))
        rows = []
        for where, params in wheres:
            query = f"SELECT id, seq, type FROM events WHERE {where} LIMIT 2"
            rows += self.sql.query(query, params)
        found = []
        for row in rows:
            retraction = self.sql.query(
                "SELECT event_id FROM retractions WHERE target = ?", (row["id"],)
            )
            added = self.sql.query(
                "SELECT commitment_id FROM timeline WHERE seq = ? AND role = 'added'",
                (row["seq"],),
            )
            found.append(
                EventInfo(
                    id=row["id"],
                    seq=row["seq"],
                    type=row["type"],
                    retracted_by=retraction[0]["event_id"] if retraction else None,
                    commitment=added[0]["commitment_id"] if added else None,
                )
            )
        return sorted(set(found), key=lambda e: e.seq)

    def event_seqs_for(self, cid: str) -> list[int]:
        """Log positions of the events concerning a commitment, retractions of them included."""
        rows = self.sql.query(
            "SELECT seq FROM timeline WHERE commitment_id = ? "
            "UNION SELECT r.seq FROM retractions AS r JOIN events AS x ON x.id = r.target "
            "JOIN timeline AS t ON t.seq = x.seq WHERE t.commitment_id = ?",
            (cid, cid),
        )
        return sorted(r["seq"] for r in rows)

    def report_for(self, day: str) -> Report | None:
        return self._report("day = ?", (day,))

    def previous_report(self, before_day: str) -> Report | None:
        """The latest recorded report for a day earlier than `before_day`."""
        return self._report("day < ?", (before_day,))

    def _report(self, condition: str, params: Sequence[str]) -> Report | None:
        rows = self.sql.query(
            f"SELECT * FROM reminders WHERE retracted = 0 AND {condition} "
            "ORDER BY day DESC, seq DESC LIMIT 1",
            params,
        )
        if not rows:
            return None
        row = rows[0]
        return Report(
            event_id=row["event_id"],
            day=row["day"],
            now=row["now"],
            items=tuple(json.loads(row["items"])),
        )
