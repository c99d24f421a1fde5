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
import stat
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext, suppress
from pathlib import Path
from typing import Any

from projections.sql import Row, Sql
from tracker.errors import RuntimeFailure, UserError, shown
from tracker.persistence.logstore import (
    IMMUTABLE_MESSAGE,
    REBUILD_REPAIRS,
    SELECT_EVENTS,
    LogStore,
    dict_rows,
    log_damage,
    log_tables,
    pending_steps,
)
from tracker.persistence.store import Stages

SQLITE_HEADER = b"SQLite format 3\x00"


MIGRATION_SET = "tracker"


BUSY_TIMEOUT_MS = 30_000


CACHE_KIB = 100_000


EVENTS_TABLE, CHECKPOINTS_TABLE = log_tables("INTEGER")

# The schema, one function per step, never edited once shipped: a new step is a new
# function. Names double as the version marker: a database holding a step this list
# does not know was written by a newer tracker.
MIGRATIONS: list[tuple[str, tuple[str, ...]]] = [
    (
        "m001_events",
        (
            EVENTS_TABLE,
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
            CHECKPOINTS_TABLE,
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


SQLITE_BUSY, SQLITE_LOCKED, SQLITE_READONLY, SQLITE_IOERR, SQLITE_FULL = 5, 6, 8, 10, 13
SQLITE_CANTOPEN = 14
_NAMED = {SQLITE_BUSY, SQLITE_LOCKED, SQLITE_READONLY, SQLITE_IOERR, SQLITE_FULL}


def _disk_full(path: Path | None) -> bool:
    """Whether the file system holding `path` has no space left (I/O errors hide it)."""
    if path is None:
        return False
    try:
        return os.statvfs(path.resolve().parent).f_bavail == 0
    except OSError:
        return False


def _primary(exc: BaseException) -> int | None:
    """SQLite's primary result code of an error (extended codes carry it in the low byte)."""
    code = getattr(exc, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


class SQLiteSql:
    """`projections.sql.Sql` over one sqlite3 connection."""

    dialect = "sqlite"

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        return self.conn.execute(sql, params).rowcount

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self.conn.executemany(sql, rows)

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        cursor = self.conn.execute(sql, params)
        return dict_rows([d[0] for d in cursor.description], cursor)

    def query_tuples(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self.conn.execute(sql, params).fetchall()


_TEMPORARY_FOLDERS = ("$SQLITE_TMPDIR", "$TMPDIR", "/var/tmp", "/usr/tmp", "/tmp")
SQLITE_IOERR_GETTEMPPATH = 6410  # no folder for a temporary file


def temporary_folder() -> str | None:
    """The folder where SQLite puts a temporary database's file, found as SQLite finds it
    on Unix: the first of these that is a folder it may write in (None: none is)."""
    for name in _TEMPORARY_FOLDERS:
        folder = os.environ.get(name[1:]) if name.startswith("$") else name
        if folder and os.path.isdir(folder) and os.access(folder, os.W_OK | os.X_OK):
            return folder
    return None


def scratch_failure(exc: BaseException) -> RuntimeFailure | None:
    """What a failure to create or grow verify's scratch database means, or None when it
    is not a want of room (the temporary folder full, missing or not writable)."""
    code = getattr(exc, "sqlite_errorcode", None)
    if not isinstance(exc, sqlite3.Error) or not (
        _primary(exc) in (SQLITE_FULL, SQLITE_CANTOPEN) or code == SQLITE_IOERR_GETTEMPPATH
    ):
        return None
    folder = temporary_folder()
    if folder is None:
        return RuntimeFailure(
            f"verify found no temporary folder it may write in for its scratch replay "
            f"(tried {', '.join(_TEMPORARY_FOLDERS)}); set TMPDIR to a folder with room"
        )
    return RuntimeFailure(
        f"verify has no room for its scratch replay in the temporary folder "
        f"{shown(folder)} ({exc}); free space there, or set TMPDIR to a folder with room"
    )


@contextmanager
def scratch_room() -> Iterator[None]:
    """Creating or writing into a `SQLiteStore.scratch`: a want of room is said as such,
    naming the temporary folder, not as a full disk under the log (verify never writes
    it)."""
    try:
        yield
    except sqlite3.Error as exc:
        failure = scratch_failure(exc)
        if failure is None:
            raise
        raise failure from None


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
        if _primary(exc) in (SQLITE_FULL, SQLITE_BUSY, SQLITE_LOCKED) or _disk_full(path):
            raise  # named by the store (SQLiteStore.cause)
        # Unreadable, or a read-only place where WAL cannot make its -shm file.
        raise RuntimeFailure(
            f"cannot read {path} ({exc}); tracker needs read and write access to the file "
            "and its folder"
        ) from None
    except sqlite3.DatabaseError as exc:
        raise UserError(
            f"{path} is not a tracker database ({exc}); pass another file with --db"
        ) from None
    return pending_steps(
        str(path),
        tables,
        applied,
        [name for name, _ in MIGRATIONS],
        "is an SQLite database but not a tracker database (it holds {tables}); "
        "pass another file with --db",
    )


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


def _refuse_non_file(location: str) -> None:
    """Refuse, before anything is opened or created, a --db that is not a plain file.

    SQLite reads `:memory:` as a database that vanishes when the command ends, and
    `file:` as a URI (or, as tracker opens it, a file with a strange name); a FIFO,
    socket or device would block or be written to. None of them keeps a log.
    """
    fix = "give the path of a database file such as ./tracker.db, or a postgresql:// URL"
    if location == ":memory:" or location.startswith(":memory"):
        raise UserError(f"--db {shown(location)} would keep nothing after the command; {fix}")
    if location.lower().startswith("file:"):
        raise UserError(f"--db {shown(location)} is an SQLite URI, not a file path; {fix}")
    try:
        mode = os.stat(location).st_mode
    except OSError:
        return  # missing (created later, if writing) or unreadable (said when opened)
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        kind = (
            "a named pipe (FIFO)"
            if stat.S_ISFIFO(mode)
            else "a socket"
            if stat.S_ISSOCK(mode)
            else "a device"
        )
        raise UserError(f"--db {shown(location)} is {kind}, not a database file; {fix}")


class SQLiteStore(LogStore):
    """An `EventStore` in one SQLite file (or in memory, for a log that does not exist yet)."""

    refused_errors = (sqlite3.IntegrityError,)
    read_only = False
    is_scratch = False  # verify's throwaway replay (`scratch`)

    def __init__(
        self, path: str | None, *, create: bool = True, catch_up: bool = True, scratch: bool = False
    ) -> None:
        """Open (or, with `create`, create) the log at `path`; None is a new in-memory log.

        `catch_up=False` opens without bringing the projections up to date (for `verify`,
        which must see them as they are, and `rebuild`, which replaces them). `scratch`:
        see `SQLiteStore.scratch`.
        """
        self.location = ":scratch:" if scratch else path or ":memory:"
        self.path = Path(path) if path and not scratch else None
        self.created = False
        self.catch_up = catch_up
        self.is_scratch = scratch
        self._connect(create)

    @classmethod
    def scratch(cls) -> SQLiteStore:
        """A throwaway log, for `verify` to replay the whole log into and compare.

        An anonymous temporary database, not an in-memory one: SQLite keeps its pages in
        the page cache (CACHE_KIB) and spills the rest to a file in its temporary folder
        (TMPDIR), which it deletes itself. In memory, a 1M-event replay (the events and
        every projection) held about 1 GB. Everything written goes into one transaction
        that is never committed, and with no journal: each statement committing on its
        own wrote the file again and again (5 times slower at 100k events), and nothing
        here is ever kept. `close` throws it all away.
        """
        return cls(None, scratch=True)

    # --- opening ------------------------------------------------------------------------

    def _use(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.sql = SQLiteSql(conn)

    def _connect(self, create: bool) -> None:
        path = self.path
        if path is None:
            name = "" if self.is_scratch else ":memory:"  # "": an anonymous temporary file
            self._use(sqlite3.connect(name, isolation_level=None, check_same_thread=False))
            if self.is_scratch:
                self.conn.execute("PRAGMA journal_mode = OFF")
                self.conn.execute("PRAGMA synchronous = OFF")
            self._prepare(fresh=True)
            if self.is_scratch:
                self.conn.execute("BEGIN")  # never committed
            return
        _refuse_non_file(str(path))
        if path.is_dir():
            raise UserError(
                f"{shown(str(path))} is a directory; give a database file such as "
                f"{shown(str(path))}/tracker.db"
            )
        if not create and path.is_file() and path.stat().st_size == 0:
            # An empty file holds no log: read it as an empty log, without writing to it.
            self.path = None
            self._connect(create)
            return
        if path.exists():
            try:
                with path.open("rb") as f:
                    header = f.read(len(SQLITE_HEADER))
            except OSError as exc:
                raise UserError(
                    f"cannot read {path} ({exc.strerror}); check its permissions"
                ) from None
            if not header:
                # An empty file made beforehand (touch): private before the log goes in.
                with suppress(OSError):
                    if path.stat().st_uid == os.getuid():
                        path.chmod(0o600)
            elif header != SQLITE_HEADER:
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
        writable = os.access(path, os.W_OK) if path.exists() else True
        if not writable and create:
            raise RuntimeFailure(self.read_only_message())
        try:
            conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise UserError(f"cannot open {path} ({exc}); pass another file with --db") from None
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        self._use(conn)
        try:
            try:
                pending = _refuse_foreign(path, conn)
            except RuntimeFailure:
                if create or not self._open_read_only(path):
                    raise
                pending = _refuse_foreign(path, self.conn)
            self._prepare(fresh=bool(pending))
        except BaseException as exc:
            self.conn.close()
            if self.created:  # nothing was logged into the file this command made
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{path}{suffix}").unlink(missing_ok=True)
            if isinstance(exc, sqlite3.Error) and (_primary(exc) in _NAMED or _disk_full(path)):
                raise self.cause(exc) from None
            if isinstance(exc, UnicodeDecodeError):
                # A damaged page under the schema or the bookkeeping tables: a name that is
                # no longer text. Nothing can be read, export included.
                raise RuntimeFailure(
                    f"the database {shown(str(path))} is damaged where it names its tables "
                    f"(bytes that are not UTF-8 text: {exc.reason}); tracker cannot open it. "
                    "Restore it from a copy or an export"
                ) from None
            raise

    def read_only_message(self) -> str:
        return (
            f"{shown(self.location)} is read-only: reading commands work, writing ones need "
            "write access"
        )

    def _open_read_only(self, path: Path) -> bool:
        """For a reading command: open a file that cannot be written (nor its folder).

        SQLite needs to create the -shm file beside a WAL database to read it; where it
        cannot, and no writes wait in a -wal file, the file is read as it is on disk
        (`immutable`). False when even that cannot be done safely.
        """
        wal = Path(f"{path}-wal")
        if wal.exists() and wal.stat().st_size > 0:
            return False  # committed writes wait in the -wal file; reading without it lies
        from urllib.parse import quote

        self.conn.close()
        uri = f"file:{quote(str(path.resolve()))}?mode=ro&immutable=1"
        conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
        self._use(conn)
        self.read_only = True
        return True

    def _prepare(self, *, fresh: bool) -> None:
        conn = self.conn
        if self.read_only:
            if fresh:
                raise RuntimeFailure(self.read_only_message())
        elif self.path is not None:
            conn.execute("PRAGMA journal_mode = WAL")
            # FULL: in WAL mode, NORMAL may lose the last commits on power loss.
            conn.execute("PRAGMA synchronous = FULL")
        # A page cache of up to ~100 MiB (the default is 2 MiB): rebuilds and imports of a
        # large log touch the timeline's indexes all over; a 1M-event rebuild spent a third
        # of its time re-reading pages. Memory is taken only as pages are read, so the
        # everyday commands, which read a few pages, do not grow.
        conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        if fresh:
            with self._write():
                path = self.path or Path(":memory:")
                if _refuse_foreign(path, conn):  # another process may have migrated meanwhile
                    _migrate(conn)
        self._ensure_projections()

    # --- transactions -------------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[None]:
        conn = self.conn
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise self.cause(exc) from None
        try:
            yield
            conn.execute("COMMIT")
        except BaseException as exc:
            # SQLite may have rolled back already (a full disk, an I/O error): a second
            # ROLLBACK would fail and hide the cause.
            if conn.in_transaction:
                with suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error) and (
                _primary(exc) in _NAMED or _disk_full(self.path)
            ):
                raise self.cause(exc) from None
            raise

    def cause(self, exc: sqlite3.Error) -> Exception:
        """The real cause of a failed write, named: a full disk, a read-only file, a lock."""
        if self.is_scratch:
            return scratch_failure(exc) or exc
        code = _primary(exc)
        where = shown(self.location)
        if code == SQLITE_FULL or (code in (SQLITE_IOERR, None) and _disk_full(self.path)):
            return RuntimeFailure(
                f"no space left for the database {where}; nothing was written "
                "(free some space and run the command again)"
            )
        if code == SQLITE_READONLY:
            return RuntimeFailure(self.read_only_message())
        if code in (SQLITE_BUSY, SQLITE_LOCKED):
            return RuntimeFailure(
                f"the database {where} is busy ({exc}); another tracker process "
                "held it for too long, try again"
            )
        if code == SQLITE_IOERR:
            return RuntimeFailure(
                f"the disk holding {where} failed to read or write ({exc}); nothing was "
                "written: check the disk, then run tracker verify"
            )
        return exc

    @contextmanager
    def reading(self) -> Iterator[Sql]:
        # A deferred transaction gives one consistent snapshot across several queries.
        self.conn.execute("BEGIN")
        try:
            yield self.sql
        finally:
            # Nothing was written: ending the snapshot cannot lose anything, and a damaged
            # page met while reading must not turn into an error here (the reader reports it).
            if self.conn.in_transaction:
                with suppress(sqlite3.DatabaseError):
                    self.conn.execute("ROLLBACK")

    # --- integrity ----------------------------------------------------------------------

    def trigger_problems(self) -> list[str]:
        """The immutability and chain triggers that are missing or not as this version made them,
        and any other trigger on events (one could drop or rewrite what is appended).

        Compared by their SQL, not their name, so a no-op trigger under the right name is caught.
        """
        found = {
            name: _normal_sql(sql or "")
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
        for name in sorted(set(found) - set(EXPECTED_TRIGGERS)):
            problems.append(
                f"unexpected trigger {shown(name)} on events (not made by tracker): it can drop "
                "or change what is appended; remove it if nobody meant it"
            )
        return problems

    def _rows_since(self, seq: int, limit: int) -> list[tuple[Any, ...]]:
        # Tuples straight from the driver: an import reads back every batch it appends.
        return self.conn.execute(
            f"{SELECT_EVENTS} WHERE seq >= ? ORDER BY seq LIMIT ?", (seq, limit)
        ).fetchall()

    def physical_problems(self, *, full: bool = False) -> list[str]:
        """SQLite's own check of the file: pages, b-trees, indexes (with `full`, index content)."""
        if self.path is None:
            return []
        pragma = "integrity_check" if full else "quick_check"
        try:
            found = [str(row[0]) for row in self.conn.execute(f"PRAGMA {pragma}(10)")]
        except sqlite3.DatabaseError as exc:
            found = [str(exc)]
        if found == ["ok"]:
            return []
        more = f" and {len(found) - 1} more" if len(found) > 1 else ""
        return [
            f"the database file is damaged (SQLite {pragma}: {shown(found[0])}{more}); "
            f"run tracker rebuild: {REBUILD_REPAIRS}"
        ]

    def rebuild(self, progress: Stages | None = None) -> int:
        """Rebuild the projections; repair damage in their pages; refuse to hide damage left.

        First the ordinary replay. If that fails or the file is still damaged, the damaged
        projections are cut out of the schema (their pages only: the log's own tables are
        never touched), VACUUM copies what is left into fresh pages, which also rebuilds
        every index of the log from its rows, and the replay runs again. Damage that
        survives this is in the log itself: the message says how to save what still reads.
        """
        try:
            with self._write():
                count = self._rebuild(progress)
            if not self.physical_problems():
                return count
        except sqlite3.DatabaseError:
            pass
        try:
            self._cut_out_projections()
            self.conn.execute("VACUUM")
            with self._write():
                count = self._rebuild(progress)
        except sqlite3.DatabaseError as exc:
            raise RuntimeFailure(log_damage(self.location, str(exc))) from None
        left = self.physical_problems()
        if left:
            raise RuntimeFailure(log_damage(self.location, left[0]))
        return count

    def _cut_out_projections(self) -> None:
        """Forget every table but the log's in the schema, without reading their pages.

        A projection whose pages are damaged cannot even be dropped (DROP reads the pages it
        frees); taken out of the schema, its pages are orphans that the VACUUM that follows
        leaves behind. Only derived tables go: they are replayed from the log right after.
        """
        conn = self.conn
        keep = ("events", "projection_checkpoints", "_sqlite_migrations")
        with self._write():
            version = conn.execute("PRAGMA schema_version").fetchone()[0]
            conn.execute("PRAGMA writable_schema = ON")
            try:
                conn.execute(
                    "DELETE FROM sqlite_master WHERE tbl_name NOT IN (?, ?, ?) "
                    "AND tbl_name NOT LIKE 'sqlite!_%' ESCAPE '!'",
                    keep,
                )
                conn.execute(f"PRAGMA schema_version = {int(version) + 1}")
            finally:
                conn.execute("PRAGMA writable_schema = OFF")
            conn.execute("DELETE FROM projection_checkpoints")

    def savepoint(self) -> AbstractContextManager[None]:
        return nullcontext()  # SQLite: a failed read does not end the read transaction

    def close(self) -> None:
        self.conn.close()

    def discard_if_empty(self) -> None:
        """Close, and remove the file if this process created it and nothing was logged.

        So a first command that is refused (bad input) leaves no database behind.
        """
        empty = self.created and self.last_seq() == 0
        self.close()
        if empty and self.path is not None:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
