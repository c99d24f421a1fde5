"""Export, import and verify: the log leaves and enters the tool only through here.

`verify` recomputes SPEC's hash chain from the stored rows and compares every
projection with a fresh replay. `import_events` checks every line before writing
anything, then appends in one transaction, so a kill at any moment leaves the log
as it was or with the whole file. No SQL here beyond the store's interface.
"""

from __future__ import annotations

import io
import json
import os
import re
import unicodedata
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from typing import IO, Any, TypeVar

import attrs

from events import (
    CODEC,
    EVENT_TYPES,
    GENESIS_HASH,
    CodecError,
    CommitmentAdded,
    Event,
    EventRetracted,
    NewEvent,
    ReminderIssued,
    StoredEvent,
    commitments_of,
    rules,
)
from events.codec import ENVELOPE_FIELDS, canonical_json, check_name, check_uuid, event_hash
from projections import PROJECTIONS
from projections.sql import Row, Sql
from tracker.application.import_fast import Fast, FastChecker, Links
from tracker.application.session import Session
from tracker.domain import values
from tracker.errors import UserError, first_line, shown
from tracker.persistence.logstore import replay
from tracker.persistence.store import EventStore, Stages, silent

_HASH_RE = re.compile(r"[0-9a-f]{64}\Z")


REQUIRED = ("id", "type", "schema", "occurred_on", "recorded_at", "recorded_by", "data")


T = TypeVar("T")


@attrs.frozen(kw_only=True)
class Problem:
    what: str
    seq: int | None = None
    event_id: str | None = None

    def __str__(self) -> str:
        where = f"event seq {self.seq} (id {self.event_id}): " if self.seq is not None else ""
        return where + self.what


@attrs.frozen(kw_only=True)
class Verification:
    events: int
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def check_chain(events: Iterable[StoredEvent]) -> tuple[int, Problem | None]:
    """Walk the chain as SPEC defines it; return the count and the first bad event, if any."""
    prev, expected_seq, count = GENESIS_HASH, 1, 0
    for event in events:
        count += 1
        body = event.body()
        if event.seq != expected_seq:
            return count, Problem(
                what=f"expected seq {expected_seq}: an event is missing or out of place",
                seq=event.seq,
                event_id=event.id,
            )
        if event.prev_hash != prev:
            return count, Problem(
                what="prev_hash does not match the previous event's hash (an event before it "
                "was changed, removed or inserted)",
                seq=event.seq,
                event_id=event.id,
            )
        if event_hash(body) != event.hash:
            return count, Problem(
                what="hash does not match its content (the event was changed after it was written)",
                seq=event.seq,
                event_id=event.id,
            )
        try:
            CODEC.decode(event.type, event.schema, body["data"])
        except CodecError as exc:
            return count, Problem(what=f"unreadable event: {exc}", seq=event.seq, event_id=event.id)
        prev, expected_seq = event.hash, expected_seq + 1
    return count, None


def verify(session: Session, *, full: bool = False, progress: Stages | None = None) -> Verification:
    """The file, the chain, the triggers, the checkpoints, then every projection against a replay.

    Everything is read from one snapshot (one read transaction), so writers appending at
    the same time never make it cry wolf: it sees the log and its projections exactly as
    they were at one moment. The session's store must be opened without catching up
    (`catch_up=False`), so the projections are compared as they are on disk. `progress`
    hears of the stages "file" (SQLite's own check: no count, 1 when done), "chain",
    "replaying" and "comparing" (a minute or two in all at 1M events).
    """
    store = session.store
    report = progress or silent
    problems: list[Problem] = []
    _rebuild_if_made_by_an_older_tracker(store)
    with store.reading() as sql:
        report("file", 0, 0)
        problems.extend(Problem(what=text) for text in store.physical_problems(full=full))
        report("file", 1, 1)
        chain = _guarded(store, problems, "the log cannot be read", lambda: _chain(store, report))
        count, bad = chain or (0, None)
        if bad is not None:
            problems.append(bad)
        triggers = _guarded(store, problems, "the triggers cannot be read", store.trigger_problems)
        problems.extend(Problem(what=text) for text in triggers or ())
        if chain is None:
            return Verification(events=0, problems=tuple(problems))
        checkpoints = _guarded(
            store, problems, "projection checkpoints cannot be read", store.checkpoints
        )
        for projection in PROJECTIONS:
            _, seq = (checkpoints or {}).get(projection.name, (None, None))
            if seq is not None and seq != count:
                what = "removed from it" if seq > count else "appended without their projections"
                problems.append(
                    Problem(
                        what=f"the log ends at seq {count} but projection {projection.name} has "
                        f"seen seq {seq}: events were {what}"
                    )
                )
        if bad is not None:
            problems.append(Problem(what="projections not compared: the log itself is damaged"))
        elif count or checkpoints:  # a new, empty database has no projections yet: intact
            problems.extend(_compare_projections(store, sql, count, report))
    return Verification(events=count, problems=tuple(problems))


def _rebuild_if_made_by_an_older_tracker(store: EventStore) -> None:
    """Tables an older tracker made (a log written before a projection change) are replayed
    first, as any command does on opening the log; then verify compares them. Any failure
    here is left for verify itself to find and name."""
    try:
        if _made_by_an_older_tracker(store.checkpoints(), store.last_seq()):
            store.rebuild()
    except Exception:  # a damaged or read-only database: verify says what it finds
        return


def _made_by_an_older_tracker(checkpoints: dict[str, tuple[int, int]], count: int) -> bool:
    from projections import VERSIONS

    return any(
        name in checkpoints and checkpoints[name][0] != version and checkpoints[name][1] <= count
        for name, version in VERSIONS
    )


def _chain(store: EventStore, progress: Stages) -> tuple[int, Problem | None]:
    total = store.last_seq()  # the log's length, wherever the chain check stops
    _, bad = check_chain(_counted(store.read(), "chain", total, progress))
    return total, bad


def _counted(
    events: Iterable[StoredEvent], stage: str, total: int, progress: Stages, every: int = 5_000
) -> Iterator[StoredEvent]:
    """The events, telling `progress` how many have gone by (every `every`, and at the end)."""
    done = 0
    for done, event in enumerate(events, start=1):
        if done % every == 0:
            progress(stage, done, total)
        yield event
    progress(stage, done, total)


def _guarded(
    store: EventStore, problems: list[Problem], what: str, step: Callable[[], T], fix: str = ""
) -> T | None:
    """Run one step of verify; a store error (a dropped table, a damaged page) is a finding.

    The step runs in a savepoint, so on PostgreSQL a failed query does not end the snapshot.
    """
    try:
        with store.savepoint():
            return step()
    except Exception as exc:  # whichever database (or codec) says so: a finding, not a crash
        problems.append(Problem(what=f"{what} ({first_line(exc)}){fix}"))
        return None


def _compare_projections(
    store: EventStore, sql: Sql, total: int, progress: Stages
) -> list[Problem]:
    """Replay the log into a scratch database (`SQLiteStore.scratch`) and compare table by table.

    The caller holds the read snapshot: the log and the tables are read in it.
    """
    from tracker.persistence.sqlite import SQLiteStore, scratch_room

    problems: list[Problem] = []
    with scratch_room():
        fresh = SQLiteStore.scratch()
    tables = sum(len(projection.tables) for projection in PROJECTIONS)
    compared = 0
    try:
        for projection in PROJECTIONS:
            with scratch_room():
                replay(
                    projection,
                    fresh.sql,
                    store.read(),
                    total,
                    lambda done, of: progress("replaying", done, of),
                )
            progress("replaying", total, total)
            for table in projection.tables:
                progress("comparing", compared, tables)
                compared += 1
                diff = _table_difference(store, problems, sql, fresh.sql, table)
                if diff:
                    problems.append(
                        Problem(
                            what=f"projection table {table} differs from a fresh replay of "
                            f"the log in {diff} rows; run: tracker rebuild"
                        )
                    )
    finally:
        fresh.close()
    progress("comparing", compared, tables)
    return problems


# Tables keyed by log position are compared a window of positions at a time, so memory is
# bounded by the window, not by the log: whole tables as Python sets took about 740 MB at
# 100k events, and would take gigabytes at 1M.
COMPARE_WINDOW = 50_000


def _table_difference(
    store: EventStore, problems: list[Problem], sql: Sql, fresh: Sql, table: str
) -> int | None:
    """How many rows are in one of the two tables and not the other (None: ours unreadable).

    Both are read as tuples of the fresh table's columns in one order (a column missing
    from ours makes it unreadable; one ours has beyond them is a finding of its own).
    Tuples, not a dict per row sorted into pairs: at 100k events that took three times
    the memory and most of the comparison's time.
    """
    unreadable = f"projection table {table} cannot be read"
    fix = "; run: tracker rebuild"
    names = _columns(fresh, table)
    ours_names = _guarded(store, problems, unreadable, lambda: _columns(sql, table), fix)
    if ours_names is None:
        return None
    extra = sorted(set(ours_names) - set(names))
    if extra:  # read by nothing, but a column that must be filled would break appends
        problems.append(
            Problem(
                what=f"projection table {table} has columns a fresh replay has not "
                f"({', '.join(extra)}); run: tracker rebuild"
            )
        )
    select = f"SELECT {', '.join(names)} FROM {table}"
    if "seq" not in names:
        ours = _guarded(store, problems, unreadable, lambda: _table_rows(sql, select), fix)
        return None if ours is None else len(ours.symmetric_difference(_table_rows(fresh, select)))
    top_ours = _guarded(store, problems, unreadable, lambda: _max_seq(sql, table), fix)
    if top_ours is None:
        return None
    top = max(top_ours, _max_seq(fresh, table))
    diff = 0
    windowed = f"{select} WHERE seq > ? AND seq <= ?"
    for low in range(0, top, COMPARE_WINDOW):
        # The first window reaches down to any position below 1 (there should be none).
        window = (low if low else -(2**63), low + COMPARE_WINDOW)
        ours = _guarded(
            store,
            problems,
            unreadable,
            lambda window=window: _table_rows(sql, windowed, window),  # type: ignore[misc]
            fix,
        )
        if ours is None:
            return None
        diff += len(ours.symmetric_difference(_table_rows(fresh, windowed, window)))
    return diff


def _columns(sql: Sql, table: str) -> list[str]:
    """The table's columns, in their order."""
    if sql.dialect == "sqlite":
        query, params = "SELECT name FROM pragma_table_info(?) ORDER BY cid", (table,)
    else:
        query = (
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position"
        )
        params = (table,)
    return [row[0] for row in sql.query_tuples(query, params)]


def _max_seq(sql: Sql, table: str) -> int:
    rows = sql.query_tuples(f"SELECT max(seq) FROM {table}")
    return int(rows[0][0] or 0)


def _table_rows(
    sql: Sql, select: str, window: tuple[int, int] | tuple[()] = ()
) -> set[tuple[Any, ...]]:
    return set(sql.query_tuples(select, window))


def export_lines(session: Session) -> Iterator[str]:
    for event in session.store.read():
        yield event.export_line()


@attrs.frozen(kw_only=True)
class ImportResult:
    added: int
    skipped: int


class _LineError(Exception):
    def __init__(self, message: str, *, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line  # another line than the one being read, when that one is at fault


def _field(line: dict[str, Any], name: str) -> Any:
    if name not in line or line[name] is None:
        raise _LineError(f"the field {name!r} is missing")
    return line[name]


def _parse_line(raw: bytes, today: date = date.max) -> Fast:
    """Check one line of an export precisely: its event, or the line's mistake named."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _LineError(f"not valid UTF-8 (byte {exc.start + 1})") from None
    try:
        line = _DECODER.decode(text)
    except json.JSONDecodeError as exc:
        # Some messages end in "at" ("Unterminated string starting at"): say it once.
        where = f"column {exc.colno}" if exc.msg.endswith(" at") else f"at column {exc.colno}"
        raise _LineError(f"not valid JSON ({exc.msg} {where})") from None
    except RecursionError:
        raise _LineError(f"nested deeper than {MAX_DEPTH} levels") from None
    if raw.count(b"[") + raw.count(b"{") > MAX_DEPTH and _depth(line) > MAX_DEPTH:
        raise _LineError(f"nested deeper than {MAX_DEPTH} levels")
    if not isinstance(line, dict):
        raise _LineError("not a JSON object; each line of an export is one event object")
    unknown = sorted(set(line) - set(ENVELOPE_FIELDS))
    if unknown:
        raise _LineError(f"unknown field {unknown[0]!r}")
    for name in REQUIRED:
        _field(line, name)
    try:
        event_id = check_uuid("id", line["id"])
        recorded_by = check_name("recorded_by", line["recorded_by"])
    except CodecError as exc:
        raise _LineError(str(exc)) from None
    type_name = line["type"]
    if not isinstance(type_name, str) or type_name not in EVENT_TYPES:
        raise _LineError(f"unknown event type {type_name!r}")
    occurred_on = line["occurred_on"]
    try:
        if not isinstance(occurred_on, str) or not rules.DAY_RE.match(occurred_on):
            raise ValueError
        date.fromisoformat(occurred_on)
    except ValueError:
        raise _LineError(f"occurred_on {occurred_on!r} is not a date written YYYY-MM-DD") from None
    recorded_at = line["recorded_at"]
    if not isinstance(recorded_at, str) or not rules.RECORDED_AT_RE.match(recorded_at):
        raise _LineError(
            f"recorded_at {recorded_at!r} is not a UTC time written like "
            "2025-01-27T09:14:03.512Z (milliseconds, Z)"
        )
    if "hash" in line:
        for name in ("seq", "prev_hash"):
            _field(line, name)
        if not isinstance(line["seq"], int) or isinstance(line["seq"], bool) or line["seq"] < 1:
            raise _LineError(f"seq {line['seq']!r} is not a positive whole number")
        for name in ("prev_hash", "hash"):
            if not isinstance(line[name], str) or not _HASH_RE.match(line[name]):
                raise _LineError(f"{name} is not 64 lower-case hex digits")
        if event_hash(line) != line["hash"]:
            raise _LineError("hash does not match the line's content (it was edited after export)")
    try:
        payload = CODEC.decode(type_name, line["schema"], line["data"])
    except CodecError as exc:
        raise _LineError(str(exc)) from None
    _cli_rules(type_name, occurred_on, recorded_by, payload, today)
    event = NewEvent(
        id=event_id,
        type=type_name,
        schema=line["schema"],
        occurred_on=occurred_on,
        recorded_at=recorded_at,
        recorded_by=recorded_by,
        data=canonical_json(line["data"]),
    )
    hashed = (line["seq"], line["prev_hash"], line["hash"]) if "hash" in line else None
    return Fast(event, links_of(payload), hashed)


def links_of(payload: Event) -> Links:
    """What an event says about other commitments and events, for the import's checks."""
    if isinstance(payload, CommitmentAdded):
        refs = (payload.supersedes,) if payload.supersedes else ()
        return Links(payload.commitment, refs, None)
    retracts = payload.event if isinstance(payload, EventRetracted) else None
    return Links(None, commitments_of(payload), retracts)


# An export line is an envelope around data a few levels deep; anything deeper, or a
# number longer than any seq or schema can be, is not an export (and would otherwise
# reach the parser's recursion limit or Python's limit on digits as a traceback).
MAX_DEPTH = 16
MAX_NUMBER_CHARS = 20


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        twice = next(key for key, _ in pairs if key in seen or seen.add(key))  # type: ignore[func-returns-value]
        raise _LineError(f"the key {_clip(twice)} appears twice in one object")
    return obj


def _number(kind: Callable[[str], Any]) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        if len(text) > MAX_NUMBER_CHARS:
            raise _LineError(f"a number is {len(text):,} characters long; no field needs that")
        return kind(text)

    return parse


def _no_constant(text: str) -> Any:
    raise _LineError(f"{text} is not a JSON number")


_DECODER = json.JSONDecoder(
    object_pairs_hook=_no_duplicates,
    parse_int=_number(int),
    parse_float=_number(float),
    parse_constant=_no_constant,
)


def _depth(value: Any) -> int:
    """How deeply `value` nests lists and objects (iteratively: no recursion limit)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            if deepest > MAX_DEPTH:
                return deepest
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children)
    return deepest


def _cli_rules(
    type_name: str, occurred_on: str, recorded_by: str, payload: Event, today: date
) -> None:
    """The rules the command line applies to what it records, applied to an import line.

    The same functions as the CLI (`tracker.domain.values`): lengths, names (one line, no
    invisible characters, in the normal form the CLI stores), statuses and the labels the
    CLI keeps with them, and no effective date after today. The codec has already applied
    the character rules, so a value that is short enough and already as the CLI would
    store it passes without calling them again; any other goes through the CLI's own
    function, whose error is the line's.
    """
    try:
        _check_text(_NAME, "recorded_by", recorded_by)
        if type_name != ReminderIssued.TYPE and occurred_on > today.isoformat():
            raise _LineError(
                f"occurred_on {occurred_on} is in the future (today is {today.isoformat()}); "
                "the command line records an event on the day it happened"
            )
        for name, kind in _FIELD_KINDS.get(type(payload), ()):
            value = getattr(payload, name)
            if value is None:
                continue
            path = f"data.{name}"
            if kind != _NAME or isinstance(value, str):
                _check_text(kind, path, value)
                continue
            for i, item in enumerate(value):
                _check_text(kind, f"{path}[{i}]", item)
            if len(set(value)) != len(value):
                twice = next(n for n in value if value.count(n) > 1)
                raise _LineError(f"{path} names {_clip(twice)} twice")
        status = getattr(payload, "status", None)
        _check_label("data", status, getattr(payload, "label", None))
        for i, ref in enumerate(getattr(payload, "commitments", ())):
            _check_label(f"data.commitments[{i}]", ref.status, ref.label)
    except UserError as exc:
        raise _LineError(str(exc)) from None


_QUOTE, _TEXT, _LINE, _NAME = "quote", "text", "line", "name"
_KIND_OF_FIELD = {
    "quote": _QUOTE,
    "note": _TEXT,
    "reason": _TEXT,
    "title": _LINE,
    "source": _LINE,
    "label": _LINE,
    "schedule": _LINE,
    "speakers": _NAME,
    "aliases": _NAME,
    "parties": _NAME,
    "tags": _NAME,
}
# Each event class's text fields, with their kind: looked up once, not per line.
_FIELD_KINDS = {
    cls: [(f.name, _KIND_OF_FIELD[f.name]) for f in attrs.fields(cls) if f.name in _KIND_OF_FIELD]
    for cls in EVENT_TYPES.values()
}
_LIMITS = {
    _QUOTE: values.MAX_QUOTE_CHARS,
    _TEXT: values.MAX_TEXT_CHARS,
    _LINE: rules.MAX_LINE_CHARS,
    _NAME: values.MAX_NAME_CHARS,
}


def _check_text(kind: str, path: str, value: str) -> None:
    """`value` as the CLI would have stored it, or the CLI's error (or how it differs)."""
    as_stored = len(value) <= _LIMITS[kind] and value == value.strip()
    if as_stored and (kind != _NAME or value.isascii() or unicodedata.is_normalized("NFC", value)):
        return  # (the codec already refused control and invisible characters)
    if kind == _QUOTE:
        _check_same(path, value, values.check_quote(value), "around it")
    elif kind == _TEXT:
        _check_same(path, value, values.check_text(path, value), "around it")
    elif kind == _LINE:
        _check_same(path, value, values.check_line(path, value), "around it")
    else:
        _check_same(path, value, values.check_name(path, value))


def _check_same(path: str, given: str, stored: str, what: str = "") -> None:
    """The CLI stores text stripped (names also in Unicode normal form C); so must an import."""
    if given == stored:
        return
    if what:
        raise _LineError(f"{path} has spaces or blank lines {what}; the command line strips them")
    raise _LineError(
        f"{path} {_clip(given)} is not written as the command line stores it "
        f"({_clip(stored)}: no surrounding spaces, Unicode normal form C)"
    )


def _clip(text: str, limit: int = 60) -> str:
    """A value for an error message: escaped, quoted, and cut short if long."""
    shown_text = shown(text)
    if len(shown_text) > limit:
        return repr(shown_text[:limit]) + f"… ({len(text):,} characters)"
    return repr(shown_text)


def _check_label(path: str, status: str | None, label: str | None) -> None:
    if label is None:
        return
    if status is None:
        raise _LineError(f"{path}.label is given without a status")
    try:
        meant, written = values.parse_status(label)
    except UserError:
        meant, written = None, None
    if meant != status or written != label:
        raise _LineError(
            f"{path}.label {_clip(label)} is not a word the command line accepts for "
            f"status {status} (see tracker status --help)"
        )


def _lines(stream: IO[bytes]) -> Iterator[tuple[int, bytes]]:
    for number, raw in enumerate(stream, start=1):
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]  # a byte-order mark some editors add: not part of the first event
        raw = raw.rstrip(b"\r\n")
        if raw.strip():
            yield number, raw


CHECK_BATCH = 2000


class _Checker:
    """Checks an export a batch at a time, as its events are appended.

    Everything happens in the caller's one write transaction, so a bad line anywhere
    leaves the log as it was: the events of earlier batches are rolled back with it. The
    file is read once and memory stays bounded: the events of earlier batches are looked
    up in the log itself (their file lines are kept as one integer each), lines already
    in the log in a small temporary table, and commitment ids (a few thousand) in sets.
    """

    def __init__(self, sql: Sql, before_seq: int, today: date) -> None:
        self.sql = sql
        self.today = today
        # The export's own chain: the previous line's (number, seq, hash), if it had one.
        self.previous: tuple[int, int, str] | None = None
        self.gap: int | None = None  # the first line without a hash after one with it
        self.before = before_seq  # events after this seq are this import's
        self.lines = array("Q")  # the file line of each appended event, by seq
        sql.execute(
            "CREATE TEMP TABLE IF NOT EXISTS import_skipped "
            "(id TEXT PRIMARY KEY, line INTEGER NOT NULL)"
        )
        sql.execute("DELETE FROM import_skipped")
        self.commitments = {r["id"] for r in sql.query("SELECT id FROM commitments")}
        self.added: set[str] = set()  # commitments added by lines of the file
        # The commitment each `commitment.added` line of the file added, by event id, and
        # the live supersessions (old commitment -> the adding events that supersede it):
        # retracting an adding undoes the commitment, unless another supersedes it.
        self.adding: dict[str, tuple[str, str | None]] = {}
        self.superseding: dict[str, set[str]] = {}
        for r in sql.query(
            "SELECT t.commitment_id, e.id AS event_id FROM timeline AS t "
            "JOIN events AS e ON e.seq = t.seq "
            "WHERE t.role = 'superseded' AND t.retracted_by IS NULL"
        ):
            self.superseding.setdefault(r["commitment_id"], set()).add(r["event_id"])
        # Events retracted by lines of the file: retractions are rare, so a set stays small.
        self.retracted: set[str] = set()
        self.fast = FastChecker(today)
        # Into a log empty before the import, an id can only be in it already if an earlier
        # line of the file added it: the ids appended go into a filter, and only those it
        # may hold are looked up (each lookup is a random probe of the id index).
        self.appended = _Filter() if before_seq == 0 else None
        self.new = 0
        self.skipped = 0

    def check(self, batch: Sequence[tuple[int, bytes]]) -> list[NewEvent]:
        """The batch's events that are new to the log, checked; UserError names a bad line."""
        parsed: list[tuple[int, NewEvent, Links]] = []
        fast = self.fast.check
        for number, raw in batch:
            try:
                # The compiled check accepts the ordinary line; any other gets the precise
                # one, which accepts it too or names its mistake.
                event, links, hashed = fast(raw) or _parse_line(raw, self.today)
                self._follow_chain(number, event.id, hashed)
            except _LineError as exc:
                self._check_batch(parsed)  # an earlier line of this batch may be the first bad one
                raise UserError(f"line {exc.line or number}: {exc}; nothing was imported") from None
            parsed.append((number, event, links))
        return self._check_batch(parsed)

    def _follow_chain(
        self, number: int, event_id: str, hashed: tuple[int, str, str] | None
    ) -> None:
        """Lines that carry hashes must chain as the export wrote them: none removed,
        moved, or edited with its hash taken off (a line without one between them)."""
        if hashed is None:
            if self.previous is not None and self.gap is None:
                self.gap = number
            return
        if self.gap is not None and self.previous is not None:
            raise _LineError(
                f"has no hash, but lines {self.previous[0]} and {number} around it have "
                "theirs: an export's lines all carry one (was this line edited and its hash "
                "removed?)",
                line=self.gap,
            )
        seq, prev_hash, hash_ = hashed
        if self.previous is None:
            if seq == 1 and prev_hash != GENESIS_HASH:
                raise _LineError("seq 1 must have the genesis prev_hash (64 zeros)")
        else:
            last_number, last_seq, last_hash = self.previous
            if hash_ == last_hash:
                raise _LineError(f"id {event_id} already appears on line {last_number}")
            if seq != last_seq + 1 or prev_hash != last_hash:
                raise _LineError(
                    f"does not follow line {last_number} in the export's hash chain (seq {seq} "
                    f"after seq {last_seq}): a line was removed, moved or edited"
                )
        self.previous = (number, seq, hash_)

    def _check_batch(self, batch: list[tuple[int, NewEvent, Links]]) -> list[NewEvent]:
        if not batch:
            return []
        ids = [event.id for _, event, _ in batch]
        appended = self.appended
        if appended is not None:  # nothing skipped either: nothing was in the log
            ids = appended.maybe(ids)
        in_log = {
            r["id"]: r
            for r in self._query_ids("SELECT id, seq, type, occurred_on, data FROM events", ids)
        }
        skipped_earlier = (
            {
                r["id"]: r["line"]
                for r in self._query_ids("SELECT id, line FROM import_skipped", ids)
            }
            if appended is None
            else {}
        )
        here: dict[str, tuple[int, str]] = {}
        if not in_log and not skipped_earlier:
            all_new = self._check_all_new(batch, here)
            if appended is not None:
                appended.add_all(here)
            return all_new
        new: list[NewEvent] = []
        skipped: list[tuple[str, int]] = []
        for number, event, links in batch:
            try:
                stored = in_log.get(event.id)
                first = skipped_earlier.get(event.id) or here.get(event.id, (None,))[0]
                if stored is not None and stored["seq"] > self.before:
                    first = self.lines[stored["seq"] - self.before - 1]
                    stored = None
                if first is not None:
                    raise _LineError(f"id {event.id} already appears on line {first}")
                here[event.id] = (number, event.type)
                if stored is not None:
                    same = (stored["type"], stored["occurred_on"], stored["data"]) == (
                        event.type,
                        event.occurred_on,
                        event.data,
                    )
                    if not same:
                        raise _LineError(
                            f"event {event.id} is already in the log with different content"
                        )
                    self.skipped += 1
                    skipped.append((event.id, number))
                else:
                    self.new += 1
                    new.append(event)
                    self.lines.append(number)
                self._check_references(event.id, links, here, is_new=stored is None)
            except _LineError as exc:
                raise UserError(f"line {number}: {exc}; nothing was imported") from None
        if skipped:
            self.sql.executemany("INSERT INTO import_skipped (id, line) VALUES (?, ?)", skipped)
        if appended is not None:
            appended.add_all(event.id for event in new)
        return new

    def _query_ids(self, select: str, ids: list[str]) -> list[Row]:
        if not ids:
            return []
        marks = ", ".join("?" for _ in ids)
        return self.sql.query(f"{select} WHERE id IN ({marks})", ids)

    def _check_all_new(
        self, batch: list[tuple[int, NewEvent, Links]], here: dict[str, tuple[int, str]]
    ) -> list[NewEvent]:
        """`_check_batch` when no event of the batch is in the log yet (the common case)."""
        check_references, lines = self._check_references, self.lines
        for number, event, links in batch:
            event_id = event.id
            try:
                if event_id in here:
                    raise _LineError(f"id {event_id} already appears on line {here[event_id][0]}")
                here[event_id] = (number, event.type)
                lines.append(number)
                check_references(event_id, links, here, is_new=True)
            except _LineError as exc:
                raise UserError(f"line {number}: {exc}; nothing was imported") from None
        self.new += len(batch)
        return [event for _, event, _ in batch]

    def _check_references(
        self, event_id: str, links: Links, here: dict[str, tuple[int, str]], *, is_new: bool
    ) -> None:
        """What the CLI's decisions would refuse, an import refuses too."""
        refs = links.refs
        added = links.adds
        if added is not None:
            supersedes = refs[0] if refs else None
            exists = added in self.commitments or added in self.added
            if is_new and exists:
                raise _LineError(f"commitment {added!r} already exists in the log")
            self.added.add(added)
            self.adding[event_id] = (added, supersedes)
            if supersedes == added:
                raise _LineError(f"commitment {added!r} cannot supersede itself")
            if supersedes:
                self.superseding.setdefault(supersedes, set()).add(event_id)
        else:
            if len(refs) > 1 and len(set(refs)) != len(refs):
                twice = next(cid for cid in refs if refs.count(cid) > 1)
                raise _LineError(f"commitment {twice!r} is named twice")
        for cid in refs:
            if cid not in self.commitments and cid not in self.added:
                raise _LineError(
                    f"commitment {cid!r} is neither in the log nor added earlier in the file"
                )
        if links.retracts is not None:
            self._check_retraction(links.retracts, here, is_new=is_new)

    def _check_retraction(
        self, target: str, here: dict[str, tuple[int, str]], *, is_new: bool
    ) -> None:
        if target in here:
            target_type: str | None = here[target][1]
        else:  # in the log, or appended from an earlier batch of this file
            rows = self.sql.query("SELECT type FROM events WHERE id = ?", (target,))
            target_type = rows[0]["type"] if rows else None
        if target_type is None:
            raise _LineError(
                f"retracts event {target}, which is neither in the log nor earlier in the file"
            )
        if target_type == EventRetracted.TYPE:
            raise _LineError(f"retracts event {target}, which is itself a retraction")
        if is_new:
            already = target in self.retracted or self.sql.query(
                "SELECT 1 FROM retractions WHERE target = ?", (target,)
            )
            if already:
                raise _LineError(f"retracts event {target}, which is already retracted")
        self.retracted.add(target)
        if target_type == CommitmentAdded.TYPE:
            self._undo_adding(target, is_new=is_new)

    def _undo_adding(self, target: str, *, is_new: bool) -> None:
        """A retracted adding undoes its commitment (as `tracker retract` allows)."""
        if target not in self.adding:  # added by an event already in the log
            rows = self.sql.query("SELECT schema, data FROM events WHERE id = ?", (target,))
            payload = CODEC.decode_stored(CommitmentAdded.TYPE, rows[0]["schema"], rows[0]["data"])
            assert isinstance(payload, CommitmentAdded)
            self.adding[target] = (payload.commitment, payload.supersedes)
        cid, supersedes = self.adding[target]
        live = self.superseding.get(cid, set())
        if is_new and live:
            raise _LineError(
                f"retracts event {target}, which added {cid!r}, a commitment another supersedes"
            )
        if supersedes is not None:
            self.superseding.get(supersedes, set()).discard(target)
        self.commitments.discard(cid)
        self.added.discard(cid)


class _Filter:
    """A Bloom filter of strings: `in` may say yes wrongly (rarely), never no wrongly.

    2 MiB, two bits a string from its hash: about 1.4% false yeses after a million.
    """

    def __init__(self, bits: int = 1 << 24) -> None:
        self.mask = bits - 1
        self.bits = bytearray(bits >> 3)

    def add_all(self, keys: Iterable[str]) -> None:
        """Add every key (a batch at once: one call, not one per key)."""
        bits, mask = self.bits, self.mask
        for h in map(hash, keys):
            a, b = h & mask, (h >> 32) & mask
            bits[a >> 3] |= 1 << (a & 7)
            bits[b >> 3] |= 1 << (b & 7)

    def maybe(self, keys: Iterable[str]) -> list[str]:
        """The keys the filter may hold, in order: all those added, and rarely another."""
        bits, mask = self.bits, self.mask
        found = []
        for key in keys:
            h = hash(key)
            a, b = h & mask, (h >> 32) & mask
            if bits[a >> 3] & (1 << (a & 7)) and bits[b >> 3] & (1 << (b & 7)):
                found.append(key)
        return found


def import_events(
    session: Session, stream: IO[bytes], progress: Stages | None = None
) -> ImportResult:
    """Check the lines and append the new events, batch by batch, in one transaction.

    The file is read once (any stream will do) and memory stays bounded by a batch
    whatever its size. One transaction means a bad line, or a kill at any moment, leaves
    the log as it was, and running the import again completes it.
    """
    store = session.store
    size = _size(stream)
    with store.writing() as sql:
        checker = _Checker(sql, store.last_seq(), session.today)

        lines = read = appended_count = 0

        def batches() -> Iterator[list[NewEvent]]:
            nonlocal lines, read
            batch: list[tuple[int, bytes]] = []
            for lines, raw in _lines(stream):
                batch.append((lines, raw))
                read += len(raw) + 1
                if len(batch) >= CHECK_BATCH:
                    checked = checker.check(batch)
                    batch = []
                    if progress:
                        progress("checking", lines, estimate(lines, read))
                    yield checked
            checked = checker.check(batch)
            if progress:
                progress("checking", lines, lines)
            yield checked

        def estimate(lines: int, read: int) -> int:
            """The file's lines, estimated from the bytes read (0: unknown, as for stdin)."""
            return max(lines + 1, round(lines * size / read)) if size and read else 0

        def appended(stage: str, done: int, total: int) -> None:
            nonlocal appended_count
            if progress is None:
                return
            if stage == "appending":  # the store cannot know the total: the file's estimate
                appended_count = done
                progress(stage, done, max(done, estimate(lines, read)))
                return
            if stage == "folding" and done == 0:  # every line is in: appending is done
                progress("appending", appended_count, appended_count)
            progress(stage, done, total)

        store.append_stream(batches(), appended if progress else None)
        sql.execute("DELETE FROM import_skipped")
    return ImportResult(added=checker.new, skipped=checker.skipped)


def _size(stream: IO[bytes]) -> int:
    try:
        return os.fstat(stream.fileno()).st_size
    except (OSError, ValueError, io.UnsupportedOperation):
        return 0
