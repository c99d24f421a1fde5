"""The event log in one SQLite file: the embedded default, for one analyst.

Owns the file: refusing what is not a tracker database before touching it,
creating it private to its owner, WAL with `synchronous=FULL` (a statement the
tool says it logged survives a crash or power loss), schema migrations through
sqlite-utils, appends in `BEGIN IMMEDIATE` transactions with a busy timeout (two
writers wait for each other and the chain never forks), and triggers that refuse
UPDATE and DELETE of events.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from events import GENESIS_HASH, NewEvent, StoredEvent
from projections import PROJECTIONS
from tracker.errors import RuntimeFailure, UserError
from tracker.store import Decide, Row

SQLITE_HEADER = b"SQLite format 3\x00"
MIGRATION_SET = "tracker"
BUSY_TIMEOUT_MS = 30_000
BATCH = 5_000
EVENT_COLUMNS = (
    "seq",
    "id",
    "type",
    "schema",
    "occurred_on",
    "recorded_at",
    "recorded_by",
    "data",
    "prev_hash",
    "hash",
)
_SELECT_EVENTS = f"SELECT {', '.join(EVENT_COLUMNS)} FROM events"
IMMUTABLE_MESSAGE = "events are immutable: record a correction as a new event"

# The schema, one function per step, never edited once shipped: a new step is a new
# function. Names double as the version marker: a database holding a step this list
# does not know was written by a newer tracker.
MIGRATIONS: list[tuple[str, tuple[str, ...]]] = [
    (
        "m001_events",
        (
            """CREATE TABLE events (
                seq INTEGER PRIMARY KEY,
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
            f"""CREATE TRIGGER events_no_update BEFORE UPDATE ON events
                BEGIN SELECT RAISE(ABORT, '{IMMUTABLE_MESSAGE}'); END""",
            f"""CREATE TRIGGER events_no_delete BEFORE DELETE ON events
                BEGIN SELECT RAISE(ABORT, '{IMMUTABLE_MESSAGE}'); END""",
            # The database itself refuses an event that does not extend the chain.
            """CREATE TRIGGER events_chain BEFORE INSERT ON events
                WHEN NEW.seq IS NOT (SELECT coalesce(max(seq), 0) + 1 FROM events)
                  OR NEW.prev_hash IS NOT coalesce(
                       (SELECT hash FROM events ORDER BY seq DESC LIMIT 1), printf('%064d', 0))
                BEGIN SELECT RAISE(ABORT, 'event does not extend the hash chain'); END""",
            """CREATE TABLE projection_checkpoints (
                name TEXT PRIMARY KEY,
                version INTEGER NOT NULL,
                seq INTEGER NOT NULL
            )""",
        ),
    ),
]


def _normal_sql(sql: str) -> str:
    return " ".join(sql.split())


EXPECTED_TRIGGERS = {
    statement.split()[2]: _normal_sql(statement)
    for _, statements in MIGRATIONS
    for statement in statements
    if statement.lstrip().startswith("CREATE TRIGGER")
}


class SQLiteSql:
    """`tracker.store.Sql` over one sqlite3 connection."""

    dialect = "sqlite"

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.conn.execute(sql, params)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self.conn.executemany(sql, rows)

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        cursor = self.conn.execute(sql, params)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor]


def _stored(row: Sequence[Any]) -> StoredEvent:
    return StoredEvent(
        seq=row[0],
        id=row[1],
        type=row[2],
        schema=row[3],
        occurred_on=row[4],
        recorded_at=row[5],
        recorded_by=row[6],
        data=row[7],
        prev_hash=row[8],
        hash=row[9],
    )


def _refuse_foreign(path: Path, conn: sqlite3.Connection) -> list[str]:
    """Return the migrations still to apply, or refuse a file that is not ours (or is newer)."""
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        applied: list[str] = []
        if "_sqlite_migrations" in tables:
            applied = [
                r[0]
                for r in conn.execute(
                    "SELECT name FROM _sqlite_migrations WHERE migration_set = ? ORDER BY rowid",
                    (MIGRATION_SET,),
                )
            ]
    except sqlite3.OperationalError as exc:
        # Locked, unreadable, or a read-only place where WAL cannot make its -shm file.
        raise RuntimeFailure(
            f"cannot read {path} ({exc}); tracker needs read and write access to the file "
            "and its folder"
        ) from None
    except sqlite3.DatabaseError as exc:
        raise UserError(
            f"{path} is not a tracker database ({exc}); pass another file with --db"
        ) from None
    if tables and not applied:
        shown = ", ".join(sorted(tables)[:3])
        raise UserError(
            f"{path} is an SQLite database but not a tracker database (it holds {shown}); "
            "pass another file with --db"
        )
    known = [name for name, _ in MIGRATIONS]
    unknown = [name for name in applied if name not in known]
    if unknown:
        raise UserError(
            f"{path} was written by a newer version of tracker (schema step {unknown[0]}); "
            "upgrade tracker to use it"
        )
    return [name for name in known if name not in applied]


def _migrate(conn: sqlite3.Connection) -> None:
    # sqlite-utils is imported only when a database needs creating or upgrading, so the
    # everyday commands do not pay for it.
    import sqlite_utils
    from sqlite_utils.migrations import Migrations

    db = sqlite_utils.Database(conn, execute_plugins=False)
    migrations = Migrations(MIGRATION_SET)
    for name, statements in MIGRATIONS:

        def step(db: Any, statements: tuple[str, ...] = statements) -> None:
            for statement in statements:
                db.execute(statement)

        migrations(name=name)(step)
    migrations.apply(db)


class SQLiteStore:
    """An `EventStore` in one SQLite file (or in memory, for a log that does not exist yet)."""

    def __init__(self, path: str | None, *, create: bool = True, catch_up: bool = True) -> None:
        """Open (or, with `create`, create) the log at `path`; None is a new in-memory log.

        `catch_up=False` opens without bringing the projections up to date (for `verify`,
        which must see them as they are, and `rebuild`, which replaces them).
        """
        self.location = path or ":memory:"
        self.path = Path(path) if path else None
        self.created = False
        self.catch_up = catch_up
        self._connect(create)

    # --- opening ------------------------------------------------------------------------

    def _use(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.sql = SQLiteSql(conn)

    def _connect(self, create: bool) -> None:
        path = self.path
        if path is None:
            self._use(sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False))
            self._prepare(fresh=True)
            return
        if path.is_dir():
            raise UserError(
                f"{path} is a directory; give a database file such as {path}/tracker.db"
            )
        if path.exists():
            try:
                with path.open("rb") as f:
                    header = f.read(len(SQLITE_HEADER))
            except OSError as exc:
                raise UserError(
                    f"cannot read {path} ({exc.strerror}); check its permissions"
                ) from None
            if header and header != SQLITE_HEADER:
                raise UserError(
                    f"{path} is not a tracker database (not an SQLite file); "
                    "pass another file with --db"
                )
        elif not create:
            # Nothing logged yet: show an empty log rather than creating a file on a read.
            self.path = None
            self._connect(create)
            return
        else:
            if not path.parent.is_dir():
                raise UserError(
                    f"the folder {path.parent} does not exist; create it or choose another --db"
                )
            try:
                # Private from the first byte: SQLite gives the -wal and -shm files the
                # same permissions as the database.
                os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
                self.created = True
            except FileExistsError:
                pass  # another process created it first; both go on to the same checks
            except OSError as exc:
                raise UserError(f"cannot create {path} ({exc.strerror})") from None
        try:
            conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise UserError(f"cannot open {path} ({exc}); pass another file with --db") from None
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        self._use(conn)
        try:
            self._prepare(fresh=bool(_refuse_foreign(path, conn)))
        except BaseException:
            conn.close()
            raise

    def _prepare(self, *, fresh: bool) -> None:
        conn = self.conn
        if self.path is not None:
            conn.execute("PRAGMA journal_mode = WAL")
            # FULL: in WAL mode, NORMAL may lose the last commits on power loss.
            conn.execute("PRAGMA synchronous = FULL")
        if fresh:
            with self._write(conn):
                path = self.path or Path(":memory:")
                if _refuse_foreign(path, conn):  # another process may have migrated meanwhile
                    _migrate(conn)
        self._ensure_projections(conn)

    def checkpoints(self) -> dict[str, tuple[int, int]]:
        """Each projection's (version, seq), as recorded."""
        rows = self.sql.query("SELECT name, version, seq FROM projection_checkpoints")
        return {row["name"]: (row["version"], row["seq"]) for row in rows}

    def _ensure_projections(self, conn: sqlite3.Connection) -> None:
        if not self.catch_up:
            return
        checkpoints = self.checkpoints()
        last = self._last_seq(conn)
        for projection in PROJECTIONS:
            version, seq = checkpoints.get(projection.name, (0, 0))
            if seq > last:
                # Projections never run ahead of the log: events were removed behind our back.
                raise RuntimeFailure(
                    f"the log in {self.location} ends at seq {last} but its projections have "
                    f"seen seq {seq}: events were removed from it; run tracker verify"
                )
            if version != projection.version or seq != last:
                self._rebuild(conn, None)
                return

    # --- transactions -------------------------------------------------------------------

    @contextmanager
    def _write(self, conn: sqlite3.Connection) -> Iterator[None]:
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise RuntimeFailure(
                f"the database {self.location} is busy ({exc}); another tracker process "
                "held it for too long, try again"
            ) from None
        try:
            yield
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    @staticmethod
    def _last(conn: sqlite3.Connection) -> tuple[int, str]:
        row = conn.execute("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1").fetchone()
        return (row[0], row[1]) if row else (0, GENESIS_HASH)

    def _last_seq(self, conn: sqlite3.Connection) -> int:
        return self._last(conn)[0]

    def append(self, decide: Decide) -> list[StoredEvent]:
        with self._write(self.conn):
            new = list(decide(self.sql))
            if not new:
                return []
            seq, prev = self._last(self.conn)
            stored = self._chain(new, seq, prev)
            self._insert(stored)
            self._project(stored)
            return stored

    def append_stream(
        self, batches: Iterable[Sequence[NewEvent]], progress: Callable[[int], None] | None = None
    ) -> int:
        """Append already-decided events (an import) inside the current write transaction.

        Timeline entries go in batch by batch; each touched commitment is summarised once at
        the end, so a large import costs one fold per commitment, not one per batch.
        """
        seq, prev = self._last(self.conn)
        checkpoints = {
            row["name"]: row["seq"]
            for row in self.sql.query("SELECT name, seq FROM projection_checkpoints")
        }
        if any(checkpoints.get(p.name) != seq for p in PROJECTIONS):
            self._rebuild(self.conn, None, in_transaction=True)
        touched: dict[str, set[str]] = {p.name: set() for p in PROJECTIONS}
        count = 0
        for batch in batches:
            stored = self._chain(batch, seq, prev)
            self._insert(stored)
            for projection in PROJECTIONS:
                touched[projection.name] |= projection.apply(self.sql, stored)
            seq, prev = stored[-1].seq, stored[-1].hash
            count += len(stored)
            if progress:
                progress(count)
        for projection in PROJECTIONS:
            projection.refresh(self.sql, sorted(touched[projection.name]))
            self.conn.execute(
                "UPDATE projection_checkpoints SET seq = ? WHERE name = ?", (seq, projection.name)
            )
        return count

    @contextmanager
    def writing(self) -> Iterator[SQLiteSql]:
        with self._write(self.conn):
            yield self.sql

    @staticmethod
    def _chain(new: Sequence[NewEvent], seq: int, prev: str) -> list[StoredEvent]:
        stored = []
        for event in new:
            seq += 1
            chained = event.chained(seq, prev)
            prev = chained.hash
            stored.append(chained)
        return stored

    def _insert(self, stored: Sequence[StoredEvent]) -> None:
        try:
            self.conn.executemany(
                f"INSERT INTO events ({', '.join(EVENT_COLUMNS)}) "
                f"VALUES ({', '.join('?' for _ in EVENT_COLUMNS)})",
                [tuple(getattr(e, c) for c in EVENT_COLUMNS) for e in stored],
            )
        except sqlite3.IntegrityError as exc:
            raise RuntimeFailure(
                f"the log refused the append ({exc}); nothing was written"
            ) from None

    def _project(self, stored: Sequence[StoredEvent]) -> None:
        first = stored[0].seq
        for projection in PROJECTIONS:
            cp = self.sql.query(
                "SELECT seq FROM projection_checkpoints WHERE name = ?", (projection.name,)
            )[0]["seq"]
            if cp != first - 1:  # behind for some reason: catch up from the log itself
                stored = list(self.read(after=cp))
            projection.refresh(self.sql, sorted(projection.apply(self.sql, stored)))
            self.conn.execute(
                "UPDATE projection_checkpoints SET seq = ? WHERE name = ?",
                (stored[-1].seq, projection.name),
            )

    # --- reading ------------------------------------------------------------------------

    def read(self, after: int = 0, *, seqs: Collection[int] | None = None) -> Iterator[StoredEvent]:
        if seqs is not None:
            ordered = sorted(seqs)
            for start in range(0, len(ordered), 500):
                chunk = ordered[start : start + 500]
                marks = ", ".join("?" for _ in chunk)
                for row in self.conn.execute(
                    f"{_SELECT_EVENTS} WHERE seq IN ({marks}) ORDER BY seq", chunk
                ):
                    yield _stored(row)
            return
        while True:
            rows = self.conn.execute(
                f"{_SELECT_EVENTS} WHERE seq > ? ORDER BY seq LIMIT ?", (after, BATCH)
            ).fetchall()
            for row in rows:
                yield _stored(row)
            if len(rows) < BATCH:
                return
            after = rows[-1][0]

    @contextmanager
    def reading(self) -> Iterator[SQLiteSql]:
        # A deferred transaction gives one consistent snapshot across several queries.
        self.conn.execute("BEGIN")
        try:
            yield self.sql
        finally:
            self.conn.execute("COMMIT")

    def event_count(self) -> int:
        return self._last_seq(self.conn)

    # --- rebuild ------------------------------------------------------------------------

    def rebuild(self, progress: Callable[[int, int], None] | None = None) -> int:
        with self._write(self.conn):
            return self._rebuild(self.conn, progress, in_transaction=True)

    def _rebuild(
        self,
        conn: sqlite3.Connection,
        progress: Callable[[int, int], None] | None,
        *,
        in_transaction: bool = False,
    ) -> int:
        if not in_transaction:
            with self._write(conn):
                return self._rebuild(conn, progress, in_transaction=True)
        sql = SQLiteSql(conn)
        total = self._last_seq(conn)
        done = 0
        for projection in PROJECTIONS:
            projection.create(sql)
            touched: set[str] = set()
            batch: list[StoredEvent] = []
            for event in self.read():
                batch.append(event)
                if len(batch) >= BATCH:
                    touched |= projection.apply(sql, batch)
                    done += len(batch)
                    batch = []
                    if progress:
                        progress(done, total)
            if batch:
                touched |= projection.apply(sql, batch)
                done += len(batch)
            projection.refresh(sql, sorted(touched))
            sql.execute(
                "INSERT INTO projection_checkpoints (name, version, seq) VALUES (?, ?, ?) "
                "ON CONFLICT (name) DO UPDATE SET version = excluded.version, seq = excluded.seq",
                (projection.name, projection.version, total),
            )
        if progress:
            progress(total, total)
        return total

    # --- integrity ----------------------------------------------------------------------

    def trigger_problems(self) -> list[str]:
        """The immutability and chain triggers that are missing or not as this version made them.

        Compared by their SQL, not their name, so a no-op trigger under the right name is caught.
        """
        found = {
            name: _normal_sql(sql)
            for name, sql in self.conn.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'events'"
            )
        }
        problems = []
        for name, expected in EXPECTED_TRIGGERS.items():
            if name not in found:
                problems.append(f"immutability trigger {name} is missing: events can be edited")
            elif found[name] != expected:
                problems.append(f"immutability trigger {name} was altered: events can be edited")
        return problems

    def close(self) -> None:
        self.conn.close()

    def discard_if_empty(self) -> None:
        """Close, and remove the file if this process created it and nothing was logged.

        So a first command that is refused (bad input) leaves no database behind.
        """
        empty = self.created and self._last_seq(self.conn) == 0
        self.close()
        if empty and self.path is not None:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
