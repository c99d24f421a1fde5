"""What every store does the same way, whatever database is behind it: chaining, appending,
catching projections up, rebuilding and reading, all through `projections.sql.Sql`.

A concrete store (SQLite, PostgreSQL) supplies the connection, its write lock
(`_write`), its read snapshot (`reading`), its schema and its error mapping. This module
holds only dialect-neutral SQL (`?` placeholders) and must not import a driver.

Opening a store and reading its projections (all `tracker status` does) loads neither
the event codec nor the projections' fold: those are imported where events are read,
appended or replayed.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING, Any

from events.envelope import ENVELOPE_FIELDS, GENESIS_HASH
from projections import VERSIONS
from projections.sql import Row, Sql
from tracker.errors import RuntimeFailure, UserError, first_line, shown
from tracker.persistence.store import Decide, Stages, silent

if TYPE_CHECKING:  # only named in annotations: opening a store loads neither
    from events import NewEvent, StoredEvent
    from projections.commitments import CommitmentProjection


BATCH = 5_000


EVENT_COLUMNS = ENVELOPE_FIELDS  # the events table holds the envelope, one column a field


SELECT_EVENTS = f"SELECT {', '.join(EVENT_COLUMNS)} FROM events"


INSERT_EVENT = (
    f"INSERT INTO events ({', '.join(EVENT_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in EVENT_COLUMNS)})"
)


IMMUTABLE_MESSAGE = "events are immutable: record a correction as a new event"


def log_tables(position: str) -> tuple[str, str]:
    """The events table and the projections' checkpoints, as every store creates them.

    `position` is the dialect's type for a place in the log (`seq`): SQLite's INTEGER
    (64-bit, and `INTEGER PRIMARY KEY` is the rowid, so appends stay in order on disk;
    BIGINT would not be), PostgreSQL's BIGINT (its INTEGER is 32-bit). Event data is TEXT,
    byte for byte as the codec wrote it, so the hash can be recomputed from the row.
    The stores' migrations hold these statements; a new column is a new migration step.
    """
    return (
        f"""CREATE TABLE events (
                seq {position} PRIMARY KEY,
                id TEXT NOT NULL UNIQUE,
                type TEXT NOT NULL,
                schema INTEGER NOT NULL,
                occurred_on TEXT NOT NULL,
                recorded_at TEXT NOT NULL,
                recorded_by TEXT NOT NULL,
                data TEXT NOT NULL,
                prev_hash TEXT NOT NULL,
                hash TEXT NOT NULL
            )""",
        f"""CREATE TABLE projection_checkpoints (
                name TEXT PRIMARY KEY,
                version INTEGER NOT NULL,
                seq {position} NOT NULL
            )""",
    )


REBUILD_REPAIRS = (
    "it rewrites the projections and the log's indexes, and says if the damage is in the log"
)


def log_damage(location: str, detail: str) -> str:
    """The message for damage `rebuild` cannot repair: in the log or its indexes."""
    return (
        f"the database {shown(location)} is damaged in the log or its indexes ({shown(detail)}); "
        "rebuild cannot repair it. Save what still reads and start a new file: "
        f"tracker --db {quoted(location)} export --output saved.jsonl, then "
        "tracker --db NEW.db import saved.jsonl"
    )


def quoted(text: str) -> str:
    """`text` as one shell word, its control characters shown escaped."""
    import shlex

    return shown(shlex.quote(text))


def pending_steps(
    where: str, tables: set[str], applied: list[str], known: list[str], not_ours: str
) -> list[str]:
    """The schema steps still to apply; refuses a database that is not ours, or is newer.

    `tables` are what the database holds, `applied` the steps it records, `known` this
    version's steps; `not_ours` ends the message for a database holding other tables.
    """
    if tables and not applied:
        shown = ", ".join(sorted(tables)[:3])
        raise UserError(f"{where} {not_ours.format(tables=shown)}")
    unknown = [name for name in applied if name not in known]
    if unknown:
        raise UserError(
            f"{where} was written by a newer version of tracker (schema step {unknown[0]}); "
            "upgrade tracker to use it"
        )
    return [name for name in known if name not in applied]


class LogStore:
    """The shared half of an `EventStore`; subclasses set `sql`, `location` and `catch_up`."""

    sql: Sql
    location: str
    catch_up: bool = True
    created: bool = False
    # The driver's exception for a constraint or trigger refusing an insert.
    refused_errors: tuple[type[BaseException], ...] = ()

    # --- provided by the concrete store ---------------------------------------------------

    def _write(self) -> AbstractContextManager[None]:
        """A transaction holding the store's single write lock, committed on success."""
        raise NotImplementedError

    def reading(self) -> AbstractContextManager[Sql]:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def discard_if_empty(self) -> None:
        raise NotImplementedError

    def trigger_problems(self) -> list[str]:
        raise NotImplementedError

    def physical_problems(self, *, full: bool = False) -> list[str]:
        """What the database's own check of its storage finds (none where there is none)."""
        return []

    def savepoint(self) -> AbstractContextManager[None]:
        raise NotImplementedError

    # --- appending --------------------------------------------------------------------------

    def _last(self) -> tuple[int, str]:
        rows = self.sql.query("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1")
        return (rows[0]["seq"], rows[0]["hash"]) if rows else (0, GENESIS_HASH)

    def last_seq(self) -> int:
        return self._last()[0]

    def append(self, decide: Decide) -> list[StoredEvent]:
        with self._write():
            new = list(decide(self.sql))
            if not new:
                return []
            seq, prev = self._last()
            from events.codec import StoredEvent

            rows = _chain_rows(new, seq, prev)
            self._insert_rows(rows)
            stored = [StoredEvent(**dict(zip(EVENT_COLUMNS, row, strict=True))) for row in rows]
            self._project(stored)
            return stored

    @contextmanager
    def writing(self) -> Iterator[Sql]:
        with self._write():
            yield self.sql

    def append_stream(
        self, batches: Iterable[Sequence[NewEvent]], progress: Stages | None = None
    ) -> int:
        """Append already-decided events (an import) inside the current write transaction.

        The events go in batch by batch; then each projection folds them all at once (in
        SQL where the store can) and summarises each touched commitment once, so a large
        import costs one summary per commitment, not one per batch.
        """
        from projections import PROJECTIONS

        seq, prev = self._last()
        checkpoints = self.checkpoints()
        if any(checkpoints.get(p.name, (0, -1))[1] != seq for p in PROJECTIONS):
            self._rebuild(None)
        before = seq
        count = 0
        for batch in batches:
            if not batch:
                continue
            rows = _chain_rows(batch, seq, prev)
            self._insert_rows(rows)
            seq, prev = rows[-1][1], rows[-1][-1]
            count += len(rows)
            if progress:
                progress("appending", count, 0)
        if count:
            for projection in PROJECTIONS:
                self._fold(projection, before, progress)
                self._set_checkpoint(projection.name, projection.version, seq)
        return count

    def _fold(
        self, projection: CommitmentProjection, after: int, progress: Stages | None = None
    ) -> None:
        """Bring a projection from `after` to the end of the log, in bulk.

        Reports "folding" (the timeline, then the status rows: steps 1 and 2 of 2) and
        then "indexing" (the search index over the new quotes).
        """
        report = progress or silent
        projection.bulk_start(self.sql)
        report("folding", 0, 2)
        touched = projection.fold_logged(self.sql, after, self.read)
        report("folding", 1, 2)
        if touched is None:
            projection.refresh_all(self.sql)
        else:
            projection.refresh(self.sql, sorted(touched))
        report("folding", 2, 2)
        report("indexing", 0, 1)
        projection.bulk_end(self.sql, after)
        report("indexing", 1, 1)

    def _insert_rows(self, meant: list[tuple[Any, ...]]) -> None:
        """Insert rows (tuples of EVENT_COLUMNS), then read them back, in the same transaction.

        Exactly these rows must come back: a rule tracker did not make (a trigger that
        ignores or rewrites an insert) would otherwise let "logged" be printed for an event
        that is not in the log.
        """
        try:
            self.sql.executemany(INSERT_EVENT, meant)
        except self.refused_errors as exc:
            raise RuntimeFailure(
                f"the log refused the append ({first_line(exc)}); nothing was written"
            ) from None
        # One row more than meant: a row added behind the append shows as a difference too.
        found = self._rows_since(meant[0][1], len(meant) + 1)
        if found != meant:
            matching = len(set(found) & set(meant))
            raise RuntimeFailure(
                f"the database {shown(self.location)} did not store the events as given "
                f"({matching} of {len(meant)} rows as meant; a trigger or rule tracker did "
                "not make is dropping or changing them); nothing was written: run tracker verify"
            )

    def _rows_since(self, seq: int, limit: int) -> list[tuple[Any, ...]]:
        """The first `limit` events from `seq` on, as tuples of EVENT_COLUMNS (a store may
        do it faster). ORDER BY with LIMIT walks the primary key whatever the planner's
        statistics say: PostgreSQL without them (a fresh import, autovacuum off) scanned
        the whole table for `seq >= ?`, 45-60 ms of every `log` on 100k events."""
        rows = self.sql.query(f"{SELECT_EVENTS} WHERE seq >= ? ORDER BY seq LIMIT ?", (seq, limit))
        return [tuple(row[c] for c in EVENT_COLUMNS) for row in rows]

    def _project(self, stored: Sequence[StoredEvent]) -> None:
        from projections import PROJECTIONS

        first = stored[0].seq
        checkpoints = self.checkpoints()
        for projection in PROJECTIONS:
            seen = checkpoints.get(projection.name, (0, 0))[1]
            events = stored if seen == first - 1 else list(self.read(after=seen))
            projection.refresh(self.sql, sorted(projection.apply(self.sql, events)))
            self._set_checkpoint(projection.name, projection.version, events[-1].seq)

    def _set_checkpoint(self, name: str, version: int, seq: int) -> None:
        self.sql.execute(
            "INSERT INTO projection_checkpoints (name, version, seq) VALUES (?, ?, ?) "
            "ON CONFLICT (name) DO UPDATE SET version = excluded.version, seq = excluded.seq",
            (name, version, seq),
        )

    def checkpoints(self) -> dict[str, tuple[int, int]]:
        """Each projection's (version, seq), as recorded."""
        rows = self.sql.query("SELECT name, version, seq FROM projection_checkpoints")
        return {row["name"]: (row["version"], row["seq"]) for row in rows}

    def _ensure_projections(
        self, known: tuple[dict[str, tuple[int, int]], int] | None = None
    ) -> None:
        """On open: replay when a projection is new or changed; refuse a log cut short.

        `known`: the checkpoints and the last seq, when the store has read them already.
        """
        if not self.catch_up:
            return
        checkpoints, last = known if known is not None else (self.checkpoints(), self.last_seq())
        for name, expected in VERSIONS:  # (the projections' fold is loaded only to rebuild)
            version, seq = checkpoints.get(name, (0, 0))
            if seq > last:
                # Projections never run ahead of the log: events were removed behind our back.
                raise RuntimeFailure(
                    f"the log in {self.location} ends at seq {last} but its projections have "
                    f"seen seq {seq}: events were removed from it; run tracker verify"
                )
            if version != expected or seq != last:
                with self._write():
                    self._rebuild(None)
                return

    # --- reading --------------------------------------------------------------------------

    def read(self, after: int = 0, *, seqs: Collection[int] | None = None) -> Iterator[StoredEvent]:
        from events.codec import StoredEvent  # once here, not once a row

        columns = EVENT_COLUMNS
        if seqs is not None:
            ordered = sorted(seqs)
            for start in range(0, len(ordered), 500):
                chunk = ordered[start : start + 500]
                marks = ", ".join("?" for _ in chunk)
                for row in self.sql.query(
                    f"{SELECT_EVENTS} WHERE seq IN ({marks}) ORDER BY seq", chunk
                ):
                    yield StoredEvent(**{name: row[name] for name in columns})
            return
        while True:
            rows = self.sql.query(
                f"{SELECT_EVENTS} WHERE seq > ? ORDER BY seq LIMIT ?", (after, BATCH)
            )
            for row in rows:
                yield StoredEvent(**{name: row[name] for name in columns})
            if len(rows) < BATCH:
                return
            after = rows[-1]["seq"]

    # --- rebuild --------------------------------------------------------------------------

    def rebuild(self, progress: Stages | None = None) -> int:
        with self._write():
            return self._rebuild(progress)

    def _rebuild(self, progress: Stages | None) -> int:
        """Drop and replay every projection; the caller holds the write transaction."""
        from projections import PROJECTIONS

        total = self.last_seq()
        for projection in PROJECTIONS:
            projection.create(self.sql)
            self._fold(projection, 0, progress)
            self._set_checkpoint(projection.name, projection.version, total)
        return total


def _chain_rows(new: Sequence[NewEvent], seq: int, prev: str) -> list[tuple[Any, ...]]:
    """Chain events after (seq, prev) into rows of EVENT_COLUMNS, hashed as SPEC says.

    The rows go straight to the driver: an import builds no `StoredEvent` per event.
    """
    rows = []
    for event in new:
        seq += 1
        row = event.chained_row(seq, prev)
        rows.append(row)
        prev = row[-1]
    return rows


def replay(
    projection: CommitmentProjection,
    sql: Sql,
    events: Iterable[StoredEvent],
    total: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """Drop a projection's tables in `sql` and fold `events` into them through Python.

    `verify` replays the log this way into a scratch database and compares the result
    with the stored tables, which `rebuild` and imports build with the projection's SQL
    fold on SQLite: two independent folds of the same log must agree. The events are
    copied into `sql`'s (empty) events table as they are folded, since the projection
    reads some of what it shows from the log itself.
    """
    projection.create(sql)
    projection.bulk_start(sql)
    touched = projection.apply_all(sql, _copied(sql, events), progress, total)
    projection.bulk_end(sql, 0)
    projection.refresh(sql, sorted(touched))


def _copied(sql: Sql, events: Iterable[StoredEvent], batch: int = 1_000) -> Iterator[StoredEvent]:
    """The events, each inserted into `sql`'s events table before it is yielded."""
    pending: list[StoredEvent] = []

    def flush() -> Iterator[StoredEvent]:
        rows = [tuple(getattr(e, c) for c in EVENT_COLUMNS) for e in pending]
        sql.executemany(INSERT_EVENT, rows)
        yield from pending
        pending.clear()

    for event in events:
        pending.append(event)
        if len(pending) >= batch:
            yield from flush()
    if pending:
        yield from flush()


def dict_rows(names: Sequence[str], rows: Iterable[Sequence[Any]]) -> list[Row]:
    return [dict(zip(names, row, strict=True)) for row in rows]
