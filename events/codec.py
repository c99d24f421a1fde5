"""Maps events to stored rows and back: data shapes, upcasting, hashing and the export line.

The envelope and the hash are defined by SPEC "The event log"; anyone holding an
export can recompute them with `canonical_json` and `event_hash`. Old data shapes
are upcast on read by a chain of functions and never rewritten. No I/O here.
Must not import from tracker/ or projections/.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any, NamedTuple

import attrs

from events import rules
from events.envelope import ENVELOPE_FIELDS as ENVELOPE_FIELDS
from events.envelope import GENESIS_HASH as GENESIS_HASH
from events.types import EVENT_TYPES, CommitmentRef, Event

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]


class CodecError(ValueError):
    """A stored or imported event does not have a shape this version understands."""


# What json.dumps writes for one string (ensure_ascii False, and True), called directly:
# the C functions behind it, without dumps' per-call set-up, which cost more than the
# hashing when every append and import line builds its canonical form.
_quote: Callable[[str], str] = json.encoder.encode_basestring
_quote_ascii: Callable[[str], str] = json.encoder.encode_basestring_ascii
_UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z", re.ASCII)


def canonical_json(value: Any) -> str:
    """SPEC's canonical form: keys sorted, no spaces, UTF-8 text (not \\u escapes)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_hash(body: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical JSON of an event without its `hash` field."""
    without = {k: v for k, v in body.items() if k != "hash"}
    return hashlib.sha256(canonical_json(without).encode("utf-8")).hexdigest()


@attrs.frozen(kw_only=True)
class StoredEvent:
    """One event as the log holds it; `data` is the canonical JSON text exactly as stored."""

    id: str
    seq: int
    type: str
    schema: int
    occurred_on: str
    recorded_at: str
    recorded_by: str
    data: str
    prev_hash: str
    hash: str

    def body(self) -> dict[str, Any]:
        """The envelope as a dict with `data` parsed: what the hash covers (plus `hash`)."""
        return {
            "id": self.id,
            "seq": self.seq,
            "type": self.type,
            "schema": self.schema,
            "occurred_on": self.occurred_on,
            "recorded_at": self.recorded_at,
            "recorded_by": self.recorded_by,
            "data": json.loads(self.data),
            "prev_hash": self.prev_hash,
            "hash": self.hash,
        }

    def export_line(self) -> str:
        """The JSON Lines form `tracker export` writes, envelope keys in SPEC's order."""
        # Built by concatenation so the stored data text is copied byte for byte.
        text, ascii_ = _quote, _quote_ascii
        return (
            f'{{"id":{ascii_(self.id)},"seq":{self.seq},"type":{ascii_(self.type)},'
            f'"schema":{self.schema},"occurred_on":{ascii_(self.occurred_on)},'
            f'"recorded_at":{ascii_(self.recorded_at)},'
            f'"recorded_by":{text(self.recorded_by)},'
            f'"data":{self.data},"prev_hash":{ascii_(self.prev_hash)},"hash":{ascii_(self.hash)}}}'
        )

    @property
    def effective_on(self) -> date:
        return date.fromisoformat(self.occurred_on)


class NewEvent(NamedTuple):
    """An event decided but not yet appended: the store assigns seq, prev_hash and hash.

    A NamedTuple, not an attrs class: an import makes one per line, and this is several
    times cheaper to build. Build it with keywords.
    """

    id: str
    type: str
    schema: int
    occurred_on: str
    recorded_at: str
    recorded_by: str
    data: str

    def canonical_body(self, seq: int, prev_hash: str) -> str:
        """SPEC's canonical JSON of the event without `hash`, built as text.

        `data` is already canonical (the codec wrote it), so the keys can be laid out in
        sorted order around it without parsing and re-serialising it for every append;
        a property test checks this against `canonical_json` of the parsed body.
        """
        text, ascii_ = _quote, _quote_ascii  # json.dumps of a str, minus its overhead
        return (
            f'{{"data":{self.data},"id":{ascii_(self.id)},'
            f'"occurred_on":{text(self.occurred_on)},'
            f'"prev_hash":{ascii_(prev_hash)},'
            f'"recorded_at":{text(self.recorded_at)},'
            f'"recorded_by":{text(self.recorded_by)},'
            f'"schema":{self.schema},"seq":{seq},"type":{text(self.type)}}}'
        )

    def chained_row(self, seq: int, prev_hash: str) -> tuple[Any, ...]:
        """The event appended at `seq` after `prev_hash`, hashed as SPEC says: a row of the
        envelope's fields in `ENVELOPE_FIELDS` order, ready for the driver (an import
        builds no `StoredEvent` per event)."""
        digest = hashlib.sha256(self.canonical_body(seq, prev_hash).encode("utf-8")).hexdigest()
        return (
            self.id,
            seq,
            self.type,
            self.schema,
            self.occurred_on,
            self.recorded_at,
            self.recorded_by,
            self.data,
            prev_hash,
            digest,
        )

    def chained(self, seq: int, prev_hash: str) -> StoredEvent:
        return StoredEvent(
            **dict(zip(ENVELOPE_FIELDS, self.chained_row(seq, prev_hash), strict=True))
        )


# --- data shapes -------------------------------------------------------------------------


class NewerSchemaError(CodecError):
    """An event written by a newer version of tracker than this one."""


def _string(path: str, value: Any) -> str:
    if not isinstance(value, str):
        raise CodecError(f"{path} must be a string, not {_json_type(value)}")
    if not value.strip():
        raise CodecError(f"{path} must not be empty")
    return value


def _checked(path: str, value: Any, *, single_line: bool, name: bool = False) -> str:
    text = _string(path, value)
    problem = rules.text_problem(text, single_line=single_line, name=name)
    if problem:
        raise CodecError(f"{path} {problem}")
    return text


def _text(path: str, value: Any) -> str:
    """A quote or note: may span lines."""
    return _checked(path, value, single_line=False)


def _line(path: str, value: Any) -> str:
    """A title, source or label: one line."""
    return _checked(path, value, single_line=True)


def check_name(path: str, value: Any) -> str:
    """A speaker, party, tag or user."""
    return _checked(path, value, single_line=True, name=True)


def _day(path: str, value: Any) -> str:
    _string(path, value)
    try:
        if not rules.DAY_RE.match(value):
            raise ValueError
        date.fromisoformat(value)
    except ValueError:
        raise CodecError(f"{path} must be a date written YYYY-MM-DD, not {value!r}") from None
    return str(value)


def _commitment_id(path: str, value: Any) -> str:
    _string(path, value)
    if not rules.ID_RE.match(value):
        raise CodecError(f"{path} {value!r} is not a commitment id")
    return str(value)


def _status(path: str, value: Any) -> str:
    _string(path, value)
    if value not in rules.STATUS_NAMES:
        raise CodecError(f"{path} {value!r} is not a status")
    return str(value)


def _kind(path: str, value: Any) -> str:
    _string(path, value)
    if value not in rules.KINDS:
        raise CodecError(f"{path} {value!r} is not a kind")
    return str(value)


def _duration(path: str, value: Any) -> str:
    _string(path, value)
    problem = rules.duration_problem(value)
    if problem:
        raise CodecError(f"{path} {value!r} {problem}")
    return str(value)


def check_uuid(path: str, value: Any) -> str:
    """A UUID in its canonical lower-case form, so one event has one spelling."""
    if isinstance(value, str) and _UUID_RE.match(value):
        return value  # already the canonical spelling (the common case, without uuid.UUID)
    _string(path, value)
    try:
        canonical = str(uuid.UUID(value))
    except ValueError:
        raise CodecError(f"{path} {value!r} is not a UUID") from None
    if canonical != value:
        raise CodecError(f"{path} {value!r} must be written in lower case, as {canonical}")
    return str(value)


def _names(path: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise CodecError(f"{path} must be a list of strings, not {_json_type(value)}")
    return tuple(check_name(f"{path}[{i}]", item) for i, item in enumerate(value))


def _speakers(path: str, value: Any) -> tuple[str, ...]:
    names = _names(path, value)
    if not names:
        raise CodecError(f"{path} must name at least one speaker")
    return names


CLEARABLE = ("review_every", "due")


def _cleared(path: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise CodecError(f"{path} must be a non-empty list of field names")
    for i, item in enumerate(value):
        if item not in CLEARABLE:
            raise CodecError(f"{path}[{i}] {item!r} cannot be cleared; only {', '.join(CLEARABLE)}")
    if len(set(value)) != len(value):
        raise CodecError(f"{path} names a field twice")
    return tuple(value)


def _ids(path: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise CodecError(f"{path} must be a list of commitment ids, not {_json_type(value)}")
    return tuple(_commitment_id(f"{path}[{i}]", item) for i, item in enumerate(value))


_REF_FIELDS = {field.name for field in attrs.fields(CommitmentRef)}


def _refs(path: str, value: Any) -> tuple[CommitmentRef, ...]:
    if not isinstance(value, list) or not value:
        raise CodecError(f"{path} must be a non-empty list of commitments")
    refs = []
    for i, item in enumerate(value):
        where = f"{path}[{i}]"
        if not isinstance(item, dict):
            raise CodecError(f"{where} must be an object, not {_json_type(item)}")
        _no_extra(where, item, _REF_FIELDS)
        if "id" not in item:
            raise CodecError(f"{where}.id is missing")
        status = item.get("status")
        refs.append(
            CommitmentRef(
                id=_commitment_id(f"{where}.id", item["id"]),
                status=None if status is None else _status(f"{where}.status", status),
                label=None if item.get("label") is None else _line(f"{where}.label", item["label"]),
            )
        )
    return tuple(refs)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    return {
        bool: "a boolean",
        int: "a number",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "an object",
    }.get(type(value), type(value).__name__)


def _no_extra(path: str, data: Mapping[str, Any], allowed: set[str]) -> None:
    extra = sorted(set(data) - allowed)
    if extra:
        raise CodecError(f"{path} has unknown field {extra[0]!r}")


FieldParser = Callable[[str, Any], Any]
# What a data field of each name holds, the same in every event type that has it. The
# shapes below are derived from the attrs classes in events.types: their fields in their
# order, required where the class gives no default.
_FIELD_PARSERS: dict[str, FieldParser] = {
    "commitment": _commitment_id,
    "supersedes": _commitment_id,
    "title": _line,
    "source": _line,
    "label": _line,
    "schedule": _line,
    "quote": _text,
    "note": _text,
    "reason": _text,
    "speakers": _speakers,
    "clear": _cleared,
    "parties": _names,
    "tags": _names,
    "aliases": _names,
    "items": _ids,
    "commitments": _refs,
    "kind": _kind,
    "status": _status,
    "review_every": _duration,
    "due": _day,
    "day": _day,
    "now": _day,
    "event": check_uuid,
}


def _shape(cls: type[Event]) -> dict[str, tuple[FieldParser, bool]]:
    """A type's data fields: name -> (parser, required); None in an optional one means absent."""
    shape = {}
    for field in attrs.fields(cls):
        parse = _FIELD_PARSERS.get(field.name)
        if parse is None:  # caught at import, by every test
            raise TypeError(f"{cls.__name__}.{field.name} has no parser in _FIELD_PARSERS")
        shape[field.name] = (parse, field.default is attrs.NOTHING)
    return shape


_SHAPES: dict[str, dict[str, tuple[FieldParser, bool]]] = {
    type_name: _shape(cls) for type_name, cls in EVENT_TYPES.items()
}
CURRENT_SCHEMAS: dict[str, int] = {name: cls.SCHEMA for name, cls in EVENT_TYPES.items()}

# What each parser above checks, by name, for checks written in another language (the
# projection's SQL fold re-checks the JSON shape of what it reads; see shapes()).
_PARSER_KINDS: dict[FieldParser, str] = {
    _commitment_id: "id",
    _line: "text",
    _text: "text",
    check_name: "text",
    _day: "day",
    _status: "status",
    _kind: "kind",
    _duration: "text",
    check_uuid: "text",
    _names: "names",
    _speakers: "speakers",
    _cleared: "names",
    _ids: "ids",
    _refs: "refs",
}


def shapes() -> dict[str, dict[str, tuple[str, bool]]]:
    """Each event type's data fields: (kind of value, required), for the current schemas."""
    return {
        type_name: {
            name: (_PARSER_KINDS[parse], required) for name, (parse, required) in shape.items()
        }
        for type_name, shape in _SHAPES.items()
    }


def _statement_1_to_2(data: dict[str, Any]) -> dict[str, Any]:
    """statement.recorded 1 -> 2: the one speaker `by` becomes the list `speakers`."""
    if "speakers" in data:
        raise CodecError("data has unknown field 'speakers' (schema 1 names one speaker, by)")
    by = data.pop("by", None)
    if by is None:
        raise CodecError("data.by is missing")
    data["speakers"] = [check_name("data.by", by)]
    return data


# (type, n) -> the function turning that type's schema-n data into schema n+1.
def _amended_1_to_2(data: dict[str, Any]) -> dict[str, Any]:
    """commitment.amended 1 -> 2: the same fields; 2 may also `clear` some."""
    if "clear" in data:
        raise CodecError("data has unknown field 'clear' (schema 1 clears nothing)")
    return data


UPCASTERS: dict[tuple[str, int], Upcaster] = {
    ("statement.recorded", 1): _statement_1_to_2,
    ("commitment.amended", 1): _amended_1_to_2,
}

# The data fields of the older schemas the SQL fold also reads (see shapes()):
# type -> schema -> field -> (kind of value, required).
LEGACY_SHAPES: dict[str, dict[int, dict[str, tuple[str, bool]]]] = {
    "commitment.amended": {
        1: {
            "commitment": ("id", True),
            "title": ("text", False),
            "kind": ("kind", False),
            "parties": ("names", False),
            "tags": ("names", False),
            "aliases": ("names", False),
            "review_every": ("text", False),
        }
    },
    "statement.recorded": {
        1: {
            "quote": ("text", True),
            "by": ("text", True),
            "source": ("text", False),
            "commitments": ("refs", True),
            "tags": ("names", False),
            "note": ("text", False),
        }
    },
}


class Codec:
    """Encodes events to data and decodes stored data, upcasting old schema numbers first.

    `upcasters[(type, n)]` turns a schema-n data dict into schema n+1. The chain runs
    until the type's current schema, so each shape change adds one small function.
    """

    def __init__(
        self,
        upcasters: Mapping[tuple[str, int], Upcaster] | None = None,
        current: Mapping[str, int] | None = None,
    ) -> None:
        self.upcasters = dict(upcasters or {})
        self.current = dict(current or CURRENT_SCHEMAS)

    def encode(self, event: Event) -> tuple[str, int, str]:
        """Return (type, schema, canonical data text) for an event."""
        data: dict[str, Any] = {}
        for field in attrs.fields(type(event)):
            value = getattr(event, field.name)
            if value is None:
                continue
            if isinstance(value, tuple):
                value = [
                    attrs.asdict(v, filter=_not_none) if attrs.has(type(v)) else v for v in value
                ]
            data[field.name] = value
        return event.TYPE, event.SCHEMA, canonical_json(data)

    def decode(self, type_name: str, schema: int, data: Any) -> Event:
        """Turn a stored data dict (or its JSON text) into an event, or raise CodecError."""
        cls = EVENT_TYPES.get(type_name)
        if cls is None:
            raise CodecError(f"unknown event type {type_name!r}")
        current = self.current[type_name]
        if isinstance(schema, bool) or not isinstance(schema, int) or schema < 1:
            raise CodecError(f"schema must be a positive whole number, not {schema!r}")
        if schema > current:
            raise NewerSchemaError(
                f"{type_name} schema {schema} is newer than this version of tracker "
                f"understands ({current}); upgrade tracker"
            )
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except ValueError:
                raise CodecError("data is not valid JSON") from None
        if not isinstance(data, dict):
            raise CodecError(f"data must be an object, not {_json_type(data)}")
        for version in range(schema, current):
            upcast = self.upcasters.get((type_name, version))
            if upcast is None:
                raise CodecError(f"no upcaster for {type_name} schema {version}")
            data = upcast(dict(data))
        shape = _SHAPES[type_name]
        _no_extra("data", data, set(shape))
        values: dict[str, Any] = {}
        for name, (parse, required) in shape.items():
            raw = data.get(name)
            if raw is None:
                if required:
                    raise CodecError(f"data.{name} is missing")
                continue
            values[name] = parse(f"data.{name}", raw)
        return cls(**values)

    def decode_stored(self, type_name: str, schema: int, data: str) -> Event:
        """Decode an event read back from the log: checked on the way in, so built directly.

        Replays (catch-up, rebuild) read every event; skipping the field-by-field checks
        makes them several times faster. An old schema is upcast first (the chain trusts
        what was checked on the way in, too). Anything unexpected (a row changed behind
        our back) goes through `decode`, which explains the problem.
        """
        cls = EVENT_TYPES.get(type_name)
        current = self.current.get(type_name, 0)
        if cls is not None and type(schema) is int and 1 <= schema <= current:
            try:
                parsed = json.loads(data)
                for version in range(schema, current):  # an old shape: upcast, then build
                    parsed = self.upcasters[(type_name, version)](dict(parsed))
                # A null optional field means absent, as in `decode` (an import keeps it).
                values = {k: v for k, v in parsed.items() if v is not None}
                refs = values.get("commitments")
                if refs is not None:
                    values["commitments"] = tuple(CommitmentRef(**ref) for ref in refs)
                for name, value in values.items():
                    if type(value) is list:
                        values[name] = tuple(value)
                return cls(**values)
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
        return self.decode(type_name, schema, data)


def _not_none(_attribute: attrs.Attribute[Any], value: Any) -> bool:
    return value is not None


CODEC = Codec(UPCASTERS)
