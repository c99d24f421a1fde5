"""Export, import and verify: the log leaves and enters the tool only through here.

`verify` recomputes SPEC's hash chain from the stored rows and compares every
projection with a fresh replay. `import_events` checks every line before writing
anything, then appends in one transaction, so a kill at any moment leaves the log
as it was or with the whole file. No SQL here beyond the store's interface.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from typing import IO, Any

import attrs

from events import (
    CODEC,
    EVENT_TYPES,
    GENESIS_HASH,
    CodecError,
    CommitmentAdded,
    EventRetracted,
    NewEvent,
    StoredEvent,
    commitments_of,
)
from events.codec import ENVELOPE_FIELDS, canonical_json, event_hash
from projections import PROJECTIONS
from tracker.errors import UserError
from tracker.services import Session

_HASH_RE = re.compile(r"[0-9a-f]{64}\Z")
_RECORDED_AT_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z\Z")
REQUIRED = ("id", "type", "schema", "occurred_on", "recorded_at", "recorded_by", "data")
Progress = Callable[[int, int], None]


# --- verify ----------------------------------------------------------------------------------


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


def verify(session: Session) -> Verification:
    from tracker.sqlite_store import TRIGGERS, SQLiteStore

    store = session.store
    problems: list[Problem] = []
    count, bad = check_chain(store.read())
    if bad is not None:
        problems.append(bad)
    missing = sorted(set(TRIGGERS) - store.triggers())  # type: ignore[attr-defined]
    if missing:
        problems.append(
            Problem(what=f"immutability trigger {missing[0]} is missing: events can be edited")
        )
    # Replay the log into a scratch in-memory database and compare table by table.
    fresh = SQLiteStore(None)
    try:
        for projection in PROJECTIONS:
            projection.create(fresh.sql)
            touched: set[str] = set()
            batch: list[StoredEvent] = []
            for event in store.read():
                batch.append(event)
                if len(batch) >= 5000:
                    touched |= projection.apply(fresh.sql, batch)
                    batch = []
            if batch:
                touched |= projection.apply(fresh.sql, batch)
            projection.refresh(fresh.sql, sorted(touched))
            with store.reading() as sql:
                for table in projection.tables:
                    ours = _table_rows(sql, table)
                    theirs = _table_rows(fresh.sql, table)
                    if ours != theirs:
                        diff = len(ours.symmetric_difference(theirs))
                        problems.append(
                            Problem(
                                what=f"projection table {table} differs from a fresh replay of "
                                f"the log in {diff} rows; run: tracker rebuild"
                            )
                        )
    finally:
        fresh.close()
    return Verification(events=count, problems=tuple(problems))


def _table_rows(sql: Any, table: str) -> set[tuple[Any, ...]]:
    return {tuple(sorted(row.items())) for row in sql.query(f"SELECT * FROM {table}")}


# --- export ----------------------------------------------------------------------------------


def export_lines(session: Session) -> Iterator[str]:
    for event in session.store.read():
        yield event.export_line()


# --- import ----------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class ImportResult:
    added: int
    skipped: int


class _LineError(Exception):
    pass


def _field(line: dict[str, Any], name: str) -> Any:
    if name not in line or line[name] is None:
        raise _LineError(f"the field {name!r} is missing")
    return line[name]


def _parse_line(raw: bytes) -> tuple[dict[str, Any], NewEvent, Any]:
    """Check one line of an export; return it parsed, as a NewEvent, and its payload."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _LineError(f"not valid UTF-8 (byte {exc.start + 1})") from None
    try:
        line = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _LineError(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(line, dict):
        raise _LineError("not a JSON object; each line of an export is one event object")
    unknown = sorted(set(line) - set(ENVELOPE_FIELDS))
    if unknown:
        raise _LineError(f"unknown field {unknown[0]!r}")
    for name in REQUIRED:
        _field(line, name)
    event_id = line["id"]
    try:
        if not isinstance(event_id, str):
            raise ValueError
        uuid.UUID(event_id)
    except ValueError:
        raise _LineError(f"id {event_id!r} is not a UUID") from None
    type_name = line["type"]
    if not isinstance(type_name, str) or type_name not in EVENT_TYPES:
        raise _LineError(f"unknown event type {type_name!r}")
    occurred_on = line["occurred_on"]
    try:
        if not isinstance(occurred_on, str):
            raise ValueError
        date.fromisoformat(occurred_on)
        if len(occurred_on) != 10:
            raise ValueError
    except ValueError:
        raise _LineError(f"occurred_on {occurred_on!r} is not a date written YYYY-MM-DD") from None
    recorded_at = line["recorded_at"]
    if not isinstance(recorded_at, str) or not _RECORDED_AT_RE.match(recorded_at):
        raise _LineError(
            f"recorded_at {recorded_at!r} is not a UTC time such as 2025-01-27T09:14:03.512Z"
        )
    recorded_by = line["recorded_by"]
    if not isinstance(recorded_by, str) or not recorded_by.strip():
        raise _LineError("recorded_by must be a non-empty string")
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
    event = NewEvent(
        id=event_id,
        type=type_name,
        schema=line["schema"],
        occurred_on=occurred_on,
        recorded_at=recorded_at,
        recorded_by=recorded_by,
        data=canonical_json(line["data"]),
    )
    return line, event, payload


def _lines(stream: IO[bytes]) -> Iterator[tuple[int, bytes]]:
    for number, raw in enumerate(stream, start=1):
        raw = raw.rstrip(b"\r\n")
        if raw.strip():
            yield number, raw


def import_events(
    session: Session, stream: IO[bytes], progress: Progress | None = None
) -> ImportResult:
    """Check every line, then append the new ones in one transaction.

    `stream` must be seekable: it is read twice (check, then append) so memory stays
    bounded by the ids, not the events.
    """
    from tracker.sqlite_store import SQLiteStore

    store = session.store
    assert isinstance(store, SQLiteStore)
    with store.writing() as sql:
        existing_commitments = {r["id"] for r in sql.query("SELECT id FROM commitments")}
        seen: dict[bytes, int] = {}
        added_here: set[str] = set()
        events_here: set[str] = set()
        total = 0
        for number, raw in _lines(stream):
            try:
                line, event, payload = _parse_line(raw)
                key = uuid.UUID(event.id).bytes
                if key in seen:
                    raise _LineError(f"id {event.id} already appears on line {seen[key]}")
                seen[key] = number
                in_log = sql.query(
                    "SELECT type, occurred_on, data FROM events WHERE id = ?", (event.id,)
                )
                if in_log:
                    row = in_log[0]
                    if (row["type"], row["occurred_on"], row["data"]) != (
                        event.type,
                        event.occurred_on,
                        event.data,
                    ):
                        raise _LineError(
                            f"event {event.id} is already in the log with different content"
                        )
                    if isinstance(payload, CommitmentAdded):
                        added_here.add(payload.commitment)
                    continue
                total += 1
                if isinstance(payload, CommitmentAdded):
                    if payload.commitment in existing_commitments | added_here:
                        raise _LineError(
                            f"commitment {payload.commitment!r} already exists in the log"
                        )
                    added_here.add(payload.commitment)
                    refs: tuple[str, ...] = (payload.supersedes,) if payload.supersedes else ()
                else:
                    refs = commitments_of(payload)
                for cid in refs:
                    if cid not in existing_commitments and cid not in added_here:
                        raise _LineError(
                            f"commitment {cid!r} is neither in the log nor added earlier "
                            "in the file"
                        )
                if isinstance(payload, EventRetracted):
                    target = uuid.UUID(payload.event).bytes
                    known = target in seen or sql.query(
                        "SELECT 1 FROM events WHERE id = ?", (payload.event,)
                    )
                    if not known:
                        raise _LineError(
                            f"retracts event {payload.event}, which is neither in the log nor "
                            "earlier in the file"
                        )
                events_here.add(event.id)
                del line
            except _LineError as exc:
                raise UserError(f"line {number}: {exc}; nothing was imported") from None
        if total == 0:
            return ImportResult(added=0, skipped=len(seen))
        stream.seek(0)
        batch: list[NewEvent] = []
        done = 0
        for _number, raw in _lines(stream):
            _, event, _ = _parse_line(raw)
            if event.id not in events_here:
                continue
            batch.append(event)
            if len(batch) >= 5000:
                store.append_batch(batch)
                done += len(batch)
                batch = []
                if progress:
                    progress(done, total)
        if batch:
            store.append_batch(batch)
            done += len(batch)
        if progress:
            progress(done, total)
    return ImportResult(added=total, skipped=len(seen) - total)
