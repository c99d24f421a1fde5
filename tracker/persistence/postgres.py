"""The event log in a PostgreSQL database: the shared store for a team (`--db postgresql://…`).

Owns the connection (psycopg2, an optional extra), the schema and its migrations, the
write lock and the database rules. Appends take a transaction-scoped advisory lock, so
writers on any host queue for it and the chain never forks; triggers refuse UPDATE,
DELETE and TRUNCATE of events and any insert that does not extend the chain. The same
projection tables as SQLite live here and are caught up in the append's transaction.
Event data is stored as TEXT, byte for byte as the codec wrote it (jsonb would reformat
it and break exports). Everything else is shared with SQLite in `tracker.persistence.logstore`.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING, Any

from projections.sql import Row, Sql
from tracker.errors import RuntimeFailure, UserError, first_line, shown
from tracker.persistence.logstore import IMMUTABLE_MESSAGE, LogStore, log_tables, pending_steps

if TYPE_CHECKING:
    from events import NewEvent
    from tracker.persistence.store import Stages

# One number for "the tracker log" in pg_advisory_xact_lock: every writer takes it.
WRITE_LOCK = 0x7472_6163  # "trac"


EVENTS_TABLE, CHECKPOINTS_TABLE = log_tables("BIGINT")

MIGRATIONS: list[tuple[str, tuple[str, ...]]] = [
    (
        "m001_events",
        (
            EVENTS_TABLE,
            f"""CREATE FUNCTION tracker_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION '{IMMUTABLE_MESSAGE}'; END $$""",
            """CREATE TRIGGER events_no_update BEFORE UPDATE OR DELETE ON events
                FOR EACH ROW EXECUTE FUNCTION tracker_refuse_change()""",
            """CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
                FOR EACH STATEMENT EXECUTE FUNCTION tracker_refuse_change()""",
            """CREATE FUNCTION tracker_check_chain() RETURNS trigger LANGUAGE plpgsql AS $$
                DECLARE last_seq BIGINT; last_hash TEXT;
                BEGIN
                  SELECT seq, hash INTO last_seq, last_hash FROM events
                    ORDER BY seq DESC LIMIT 1;
                  IF NEW.seq IS DISTINCT FROM coalesce(last_seq, 0) + 1
                     OR NEW.prev_hash IS DISTINCT FROM coalesce(last_hash, repeat('0', 64)) THEN
                    RAISE EXCEPTION 'event does not extend the hash chain';
                  END IF;
                  RETURN NEW;
                END $$""",
            """CREATE TRIGGER events_chain BEFORE INSERT ON events
                FOR EACH ROW EXECUTE FUNCTION tracker_check_chain()""",
            CHECKPOINTS_TABLE,
        ),
    ),
]


TRIGGERS = {
    "events_no_update": "tracker_refuse_change",
    "events_no_truncate": "tracker_refuse_change",
    "events_chain": "tracker_check_chain",
}


_PLACEHOLDER = re.compile(r"\?")


# INSERT INTO t (columns) VALUES (?, ?, ...) and nothing after it (no ON CONFLICT, which
# may not meet the same key twice in one statement).
_PLAIN_INSERT = re.compile(r"(?P<into>INSERT INTO \w+ \([\w, ]+\)) VALUES \((?P<marks>[?, ]+)\)")


# user:password@ up to the last @ before the query: a password typed with an unescaped
# "/" or "?" (which libpq then misreads as a host and port) is still hidden.
_USERINFO_PASSWORD = re.compile(r"(?<=://)([^/?#@:]*):[^#]*@(?=[^@]*$)")


def redact(url: str) -> str:
    """The URL without its password (user:password@, or a `password` query parameter
    however its name is spelled or escaped), for messages and `path`.

    Plain text work, so a malformed URL (a bad port, several hosts) never raises.
    """
    from urllib.parse import unquote

    base, mark, query = url.partition("?")
    base = _USERINFO_PASSWORD.sub(r"\1:***@", base) if "@" in base else base
    if not mark:
        return base
    query, hash_, fragment = query.partition("#")
    pairs = []
    for pair in query.split("&"):
        key, eq, _ = pair.partition("=")
        pairs.append(f"{key}=***" if eq and unquote(key).lower() == "password" else pair)
    return f"{base}?{'&'.join(pairs)}{hash_}{fragment}"


def _normal(text: str) -> str:
    return " ".join(text.split())


def _function_body(statement: str) -> str:
    return _normal(statement.split("$$")[1])


EXPECTED_FUNCTIONS = {
    statement.split()[2].split("(")[0]: _function_body(statement)
    for _, statements in MIGRATIONS
    for statement in statements
    if statement.lstrip().startswith("CREATE FUNCTION")
}


class PgSql:
    """`projections.sql.Sql` over one psycopg2 connection in autocommit mode: `?` becomes
    `%s`; transactions are begun and ended by `PostgresStore`."""

    dialect = "postgresql"

    def __init__(self, conn: Any) -> None:
        self.conn = conn

    @staticmethod
    def _translate(sql: str) -> str:
        # Our SQL never holds a literal '?' or '%', so the translation is exact.
        return _PLACEHOLDER.sub("%s", sql)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        with self.conn.cursor() as cursor:
            cursor.execute(self._translate(sql), params or None)
            return int(cursor.rowcount)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if len(rows) == 1:
            # One row (a `log`, an `add`): one statement, without importing the driver's
            # extras and the logging package with them (10 ms of every such command).
            self.execute(sql, rows[0])
            return
        from psycopg2.extras import execute_batch, execute_values

        # `executemany` would take a round trip per row. A plain INSERT becomes one
        # statement of many rows a page; anything else goes as a page of statements.
        plain = _PLAIN_INSERT.fullmatch(sql)
        with self.conn.cursor() as cursor:
            if plain:
                statement = f"{plain['into']} VALUES %s"
                template = f"({plain['marks'].replace('?', '%s')})"
                execute_values(cursor, statement, rows, template=template, page_size=1000)
            else:
                execute_batch(cursor, self._translate(sql), rows, page_size=500)

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        with self.conn.cursor() as cursor:
            cursor.execute(self._translate(sql), params or None)
            names = [column[0] for column in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def query_tuples(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self.conn.cursor() as cursor:
            cursor.execute(self._translate(sql), params or None)
            return list(cursor.fetchall())


# Seconds to wait for the server to accept a connection when neither the URL nor
# PGCONNECT_TIMEOUT says: psycopg 3's default, so a scheduled remind pointed at a server
# that never answers fails instead of hanging. "connect_timeout=0" waits for ever, as in
# libpq.
DEFAULT_CONNECT_TIMEOUT = 130.0
_connecting = threading.local()  # .deadline: time.monotonic() by which to be connected


def connect_timeout(url: str) -> float | None:
    """The connect timeout libpq would apply to `url` (one `url_problem` accepts), in
    seconds; None: wait for ever. As in libpq, the URL's connect_timeout wins over
    PGCONNECT_TIMEOUT, and a value under 2 seconds counts as 2."""
    from psycopg2.extensions import parse_dsn

    given = parse_dsn(url).get("connect_timeout") or os.environ.get("PGCONNECT_TIMEOUT")
    if not given:
        return DEFAULT_CONNECT_TIMEOUT
    try:
        seconds = float(given)
    except ValueError:
        return DEFAULT_CONNECT_TIMEOUT  # libpq refuses it when connecting
    return None if seconds <= 0 else max(seconds, 2.0)


_INTEGER = re.compile(r"\s*[+-]?[0-9]+\s*", re.ASCII)  # as libpq reads an integer option
_QUOTED = re.compile(r'\s?"([^"]*)"')  # a quoted piece: of the URL, unless one character


def url_problem(url: str) -> str | None:
    """Why libpq cannot use `url` as it stands, or None. Read before connecting, so a typo
    in the URL is bad input (exit 2), not a server that failed to answer."""
    from psycopg2 import ProgrammingError
    from psycopg2.extensions import parse_dsn

    try:
        options = parse_dsn(url)
    except ProgrammingError as exc:
        # libpq's words, without the piece of the URL it quotes after them (`invalid
        # percent-encoded token: "pa%zz"`): that piece may be the password.
        reason = first_line(exc).removeprefix("invalid dsn: ").split(': "', 1)[0]
        reason = _QUOTED.sub(lambda m: m[0] if len(m[1]) <= 1 else "", reason)
        return reason.strip() or "not a connection URL"
    # The values are not quoted: a password typed with an unescaped "/" reads as a port.
    for port in (options.get("port") or "").split(","):
        if port and not (_INTEGER.fullmatch(port) and 0 < int(port) < 65536):
            return "a port is not a number from 1 to 65535"
    timeout = options.get("connect_timeout")
    if timeout is not None and not _INTEGER.fullmatch(timeout):
        return "connect_timeout is not a whole number of seconds"
    return None


def _wait(conn: Any) -> None:
    """psycopg2's wait callback: wait for the server in Python, not inside libpq, so that
    Ctrl-C cancels a long or queued statement at once (as psycopg 3 does) instead of once
    it has finished. As `psycopg2.extras.wait_select`, except that the interrupted command
    ends with KeyboardInterrupt (exit 130), not with the server's "canceling statement".

    While connecting, the wait has the deadline `PostgresStore` set (libpq's own
    connect_timeout works only in its blocking connect, which the callback replaces), and
    Ctrl-C ends it at once: there is no statement to cancel yet."""
    from psycopg2 import OperationalError
    from psycopg2.errors import QueryCanceled
    from psycopg2.extensions import POLL_OK, POLL_READ, POLL_WRITE, STATUS_SETUP

    connecting = conn.status == STATUS_SETUP
    deadline: float | None = getattr(_connecting, "deadline", None) if connecting else None
    interrupted = False
    while True:
        try:
            try:
                state = conn.poll()
            except QueryCanceled:
                if interrupted:
                    raise KeyboardInterrupt from None
                raise
            if state == POLL_OK:
                break
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                raise OperationalError("timeout expired")
            if state not in (POLL_READ, POLL_WRITE):
                raise OperationalError(f"bad state from poll: {state}")
            _wait_for(conn.fileno(), state == POLL_WRITE, left)
        except KeyboardInterrupt:
            if interrupted or connecting:
                raise
            conn.cancel()  # the server answers with QueryCanceled, above
            interrupted = True
    if interrupted:
        raise KeyboardInterrupt


def _wait_for(fd: int, write: bool, seconds: float | None) -> None:
    """Until `fd` can be read (or written), or `seconds` pass (None: no limit).

    poll, not select: select cannot watch a descriptor numbered 1024 or above, which a
    process holding many files open (a scheduler, a notify command's pipes) may be given.
    Windows has no poll, and select there has no such limit."""
    import select

    if not hasattr(select, "poll"):
        select.select([] if write else [fd], [fd] if write else [], [], seconds)
        return
    poller = select.poll()
    poller.register(fd, select.POLLOUT if write else select.POLLIN)
    poller.poll(None if seconds is None else max(seconds, 0.0) * 1000)


class PostgresStore(LogStore):
    """An `EventStore` in a PostgreSQL database, shared by a team.

    The driver is psycopg2: importing it costs about 40 ms here, against about 170 ms for
    psycopg 3, whose package loads asyncio, ssl, logging and its typing helpers on import;
    every command pays that before its first query (docs/performance.md).
    """

    def __init__(self, url: str, *, create: bool = True, catch_up: bool = True) -> None:
        try:
            import psycopg2
            import psycopg2.errors
        except ImportError:
            raise UserError(
                "PostgreSQL needs the optional extra: pip install 'tracker[postgres]'"
            ) from None
        self.driver = psycopg2
        scheme, rest = url.split("://", 1)
        url = f"{scheme.lower()}://{rest}"  # libpq knows the scheme in lower case only
        self.location = redact(url)
        self.catch_up = catch_up
        self.refused_errors = (psycopg2.errors.RaiseException, psycopg2.IntegrityError)
        self._depth = 0  # transactions open: 0 none, 1 a transaction, more: savepoints
        from psycopg2.extensions import set_wait_callback

        set_wait_callback(_wait)
        problem = url_problem(url)
        if problem is not None:
            raise UserError(
                f"the PostgreSQL URL {self.location} is malformed ({problem}); "
                "correct it in --db or TRACKER_DB"
            )
        seconds = connect_timeout(url)
        _connecting.deadline = None if seconds is None else time.monotonic() + seconds
        try:
            self.conn = psycopg2.connect(url)
            self.conn.autocommit = True
        except psycopg2.Error as exc:
            message = first_line(exc)
            if message.startswith("invalid "):
                # An option libpq refused before connecting: in the URL (one url_problem
                # does not check, such as sslmode) or in a PG* environment variable.
                raise UserError(
                    f"the PostgreSQL connection settings are invalid ({redact(message)}); "
                    "correct the URL in --db or TRACKER_DB, or the PG* environment variables"
                ) from None
            # libpq may echo the connection string, password included.
            raise RuntimeFailure(f"cannot connect to {self.location} ({redact(message)})") from None
        finally:
            _connecting.deadline = None
        self.sql: Sql = PgSql(self.conn)
        try:
            self._open()
        except BaseException:
            self.conn.close()
            raise

    # --- opening --------------------------------------------------------------------------

    def _tables(self) -> set[str]:
        rows = self.sql.query(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
        )
        return {r["table_name"] for r in rows}

    def _pending(self) -> list[str]:
        """Migrations still to apply; refuses a database that is not ours, or is newer."""
        tables = self._tables()
        applied: list[str] = []
        if "tracker_migrations" in tables:
            rows = self.sql.query("SELECT name FROM tracker_migrations ORDER BY applied_at, name")
            applied = [r["name"] for r in rows]
        return pending_steps(
            self.location,
            tables,
            applied,
            [name for name, _ in MIGRATIONS],
            "holds tables ({tables}) but no tracker log; use an empty database for tracker",
        )

    def _everyday(self) -> tuple[dict[str, tuple[int, int]], int] | None:
        """The checkpoints and last seq of a database whose schema is up to date, read in
        one round trip; None when it is not (or is not a tracker database: no such table),
        and the full checks decide.

        Every command opens the store, so this is the everyday path: one statement
        instead of four (information_schema alone took ~3 ms of a 100k `status`).
        """
        errors = self.driver.errors
        try:
            row = self.sql.query(
                "SELECT (SELECT json_agg(name) FROM tracker_migrations) AS applied, "
                "(SELECT json_agg(json_build_array(name, version, seq)) "
                "FROM projection_checkpoints) AS checkpoints, "
                "(SELECT seq FROM events ORDER BY seq DESC LIMIT 1) AS last"
            )[0]
        except (errors.UndefinedTable, errors.UndefinedColumn):
            return None
        if sorted(row["applied"] or ()) != sorted(name for name, _ in MIGRATIONS):
            return None
        checkpoints = {name: (version, seq) for name, version, seq in row["checkpoints"] or ()}
        return checkpoints, row["last"] or 0

    def _open(self) -> None:
        known = self._everyday()
        if known is not None:
            self._ensure_projections(known)
            return
        # An empty database gets the schema on first use, reading or writing: it is the
        # team's, named on purpose, unlike a file path that might be a typo.
        if self._pending():
            with self._write():
                pending = self._pending()  # another process may have migrated meanwhile
                for name, statements in MIGRATIONS:
                    if name in pending:
                        for statement in statements:
                            self.sql.execute(statement)
                        if "tracker_migrations" not in self._tables():
                            self.sql.execute(
                                "CREATE TABLE tracker_migrations "
                                "(name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)"
                            )
                        self.sql.execute(
                            "INSERT INTO tracker_migrations (name, applied_at) VALUES (?, now())",
                            (name,),
                        )
        self._ensure_projections()

    # --- bulk loads -----------------------------------------------------------------------

    def append_stream(
        self, batches: Iterable[Sequence[NewEvent]], progress: Stages | None = None
    ) -> int:
        count = super().append_stream(batches, progress)
        if count:
            self._analyze()
        return count

    def rebuild(self, progress: Stages | None = None) -> int:
        with self._write():
            total = self._rebuild(progress)
            if total:
                self._analyze()
            return total

    def _analyze(self) -> None:
        """Refresh the planner's statistics of the tables a bulk load filled.

        Autovacuum would, some time later, and only where it is on: until then queries
        are planned on guesses, and `log` after an import of 100k events spent 50-65 ms
        scanning what an index finds in a millisecond. In the load's transaction, at its
        end only: statistics taken of empty tables (a rebuild on opening a new database)
        made the following load's every insert scan the table, quadratic. ANALYZE
        samples (30,000 rows a table), so it costs well under a second.
        """
        from projections import PROJECTIONS

        tables = ["events", "projection_checkpoints"]
        tables += [t for p in PROJECTIONS for t in p.tables]
        self.sql.execute(f"ANALYZE {', '.join(tables)}")

    # --- transactions ---------------------------------------------------------------------

    @contextmanager
    def _transaction(self, begin: str = "BEGIN") -> Iterator[None]:
        """A transaction, or inside one a savepoint: committed (released) when the block
        ends, rolled back when it raises, as psycopg 3's `Connection.transaction`."""
        depth = self._depth
        savepoint = f"tracker_{depth}"
        self.sql.execute(begin if depth == 0 else f"SAVEPOINT {savepoint}")
        self._depth = depth + 1
        try:
            yield
        except BaseException:
            self._depth = depth
            # A lost connection cannot roll back, and the server rolls back for it: the
            # error that ended the block is the one to report.
            with suppress(self.driver.Error):
                if depth == 0:
                    self.sql.execute("ROLLBACK")
                else:
                    self.sql.execute(f"ROLLBACK TO SAVEPOINT {savepoint}")
                    self.sql.execute(f"RELEASE SAVEPOINT {savepoint}")
            raise
        self._depth = depth
        self.sql.execute("COMMIT" if depth == 0 else f"RELEASE SAVEPOINT {savepoint}")

    @contextmanager
    def _write(self) -> Iterator[None]:
        with self._transaction():
            # Held until commit or rollback: writers on every host queue here.
            self.sql.execute("SELECT pg_advisory_xact_lock(?)", (WRITE_LOCK,))
            yield

    @contextmanager
    def reading(self) -> Iterator[Sql]:
        # REPEATABLE READ: every query of one command sees the same snapshot.
        with self._transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"):
            yield self.sql

    # --- integrity ------------------------------------------------------------------------

    def trigger_problems(self) -> list[str]:
        """Triggers missing, or their functions not as this version made them."""
        rows = self.sql.query(
            "SELECT t.tgname AS name, p.proname AS function, p.prosrc AS body, "
            "t.tgenabled AS enabled "
            "FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid "
            "WHERE t.tgrelid = 'events'::regclass AND NOT t.tgisinternal"
        )
        found = {r["name"]: (r["function"], _normal(r["body"])) for r in rows}
        disabled = {r["name"] for r in rows if r["enabled"] == "D"}
        problems = []
        for name in sorted(set(found) - set(TRIGGERS)):
            problems.append(
                f"unexpected trigger {shown(name)} on events (not made by tracker): it can drop "
                "or change what is appended; remove it if nobody meant it"
            )
        for name, function in TRIGGERS.items():
            if name not in found:
                problems.append(f"immutability trigger {name} is missing: events can be edited")
            elif name in disabled:
                problems.append(f"immutability trigger {name} is disabled: events can be edited")
            elif found[name] != (function, EXPECTED_FUNCTIONS[function]):
                problems.append(f"immutability trigger {name} was altered: events can be edited")
        return problems

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        # Inside `reading()`, a nested transaction is a savepoint: a failed query rolls
        # back to it and the snapshot goes on.
        with self._transaction():
            yield

    def close(self) -> None:
        self.conn.close()

    def discard_if_empty(self) -> None:
        # A shared database is never dropped by a client: the schema stays for the team.
        self.close()
