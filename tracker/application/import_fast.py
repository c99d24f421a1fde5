"""A compiled fast path for the lines of an import: accept an ordinary line, or say "not sure".

`integrity._parse_line` checks an import line field by field in Python, with a precise
message for every mistake; at about 80 µs a line it was most of an import. Here msgspec
decodes the line into typed structs whose constraints (types, required and unknown fields,
enumerations, lengths) are checked in C; a few byte scans of the whole line stand for the
per-string character rules, and caches of the days, commitment ids and labels found valid
for the regular expressions. This path never explains anything: whenever it is not sure a
line is valid it returns None, and the caller runs the precise checker on that line, which
either accepts it or names the mistake. So it must only ever accept what the precise path
accepts, and produce exactly the event the precise path would (tests hold the two equal).

What a line must be for this path (anything else goes to the precise checker):

- no backslash, so every `"` in it is a string's delimiter and every string is spelled as
  it reads (no escapes: no control character, no lone surrogate can hide in it);
- none of the characters the rules refuse anywhere (events.rules), and no whitespace but
  the plain space; no text or name that begins or ends with a space (checked field by
  field, as the command line stores text stripped; the structs refuse an empty string);
- each key once: msgspec keeps the last of two equal keys, so the `"` of the line are
  counted against those of the decoded structs written out again (two per key and per
  string, and no other on such a line): a key written twice adds two;
- the current schema of its type, or an older one whose upcast only renames (statement 1,
  amended 1); no null for an absent field.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Annotated, Any, Literal, NamedTuple

import msgspec
from msgspec import UNSET, Meta, Raw, Struct, UnsetType

from events import NewEvent, rules
from events.codec import CLEARABLE
from tracker.domain import values
from tracker.errors import UserError

# The bytes an ASCII line may hold: printable ASCII but the backslash (all of UTF-8's
# multi-byte sequences pass here, and are looked at as characters by _WIDE_SUSPECT).
_PLAIN_BYTES = bytes(b for b in range(0x20, 0x100) if b not in (0x5C, 0x7F))
# Beyond ASCII, every character that is whitespace (str.isspace: what strip() removes) or
# a control character, or that the rules refuse in some kind of text (events.rules): a
# line holding one goes to the precise checker. A test derives this set from its
# definition over every code point and holds the two equal.
WIDE_SUSPECTS = (
    "\x80-\xa0\u061c\u1680\u2000-\u200f\u2028-\u202f\u205f\u2060\u2066-\u2069\u3000\ufeff"
)
_WIDE_SUSPECT = re.compile(f"[{WIDE_SUSPECTS}]")

# --- the shapes, with the rules the compiled decoder can check itself ------------------------
# (Types, required and unknown fields, enumerations, lengths. Not patterns: msgspec calls
# back into `re` for each, slower than checking in Python with caches of values seen.)

_Id = str  # a commitment id: FastChecker._ids
_Uuid = str  # an event id: _UUID_RE
_Day = str  # FastChecker._day
_Name = Annotated[str, Meta(min_length=1, max_length=rules.MAX_NAME_CHARS)]
_Line = Annotated[str, Meta(min_length=1, max_length=rules.MAX_LINE_CHARS)]
_Text = Annotated[str, Meta(min_length=1, max_length=rules.MAX_TEXT_CHARS)]
_Quote = Annotated[str, Meta(min_length=1, max_length=rules.MAX_QUOTE_CHARS)]
_Status = Literal[rules.STATUS_NAMES]  # type: ignore[valid-type]
_Kind = Literal[rules.KINDS]  # type: ignore[valid-type]
_Names = list[_Name]
_Speakers = Annotated[list[_Name], Meta(min_length=1)]
_Duration = str  # rules.duration_problem


# Fields in sorted order, and absent ones UNSET (not None, not a default value): encoding a
# decoded struct then writes SPEC's canonical JSON of exactly the keys the line gave.
class _Ref(Struct, kw_only=True, forbid_unknown_fields=True):
    id: _Id
    label: _Line | UnsetType = UNSET
    status: _Status | UnsetType = UNSET


class _Added(Struct, kw_only=True, forbid_unknown_fields=True):
    aliases: _Names | UnsetType = UNSET
    commitment: _Id
    due: _Day | UnsetType = UNSET
    kind: _Kind | UnsetType = UNSET
    label: _Line | UnsetType = UNSET
    parties: _Names | UnsetType = UNSET
    review_every: _Duration | UnsetType = UNSET
    status: _Status | UnsetType = UNSET
    supersedes: _Id | UnsetType = UNSET
    tags: _Names | UnsetType = UNSET
    title: _Line


class _Amended1(Struct, kw_only=True, forbid_unknown_fields=True):
    aliases: _Names | UnsetType = UNSET
    commitment: _Id
    kind: _Kind | UnsetType = UNSET
    parties: _Names | UnsetType = UNSET
    review_every: _Duration | UnsetType = UNSET
    tags: _Names | UnsetType = UNSET
    title: _Line | UnsetType = UNSET


class _Amended2(Struct, kw_only=True, forbid_unknown_fields=True):
    aliases: _Names | UnsetType = UNSET
    clear: list[str] | UnsetType = UNSET
    commitment: _Id
    kind: _Kind | UnsetType = UNSET
    parties: _Names | UnsetType = UNSET
    review_every: _Duration | UnsetType = UNSET
    tags: _Names | UnsetType = UNSET
    title: _Line | UnsetType = UNSET


class _Statement1(Struct, kw_only=True, forbid_unknown_fields=True):
    by: _Name
    commitments: Annotated[list[_Ref], Meta(min_length=1)]
    note: _Text | UnsetType = UNSET
    quote: _Quote
    source: _Line | UnsetType = UNSET
    tags: _Names | UnsetType = UNSET


class _Statement2(Struct, kw_only=True, forbid_unknown_fields=True):
    commitments: Annotated[list[_Ref], Meta(min_length=1)]
    note: _Text | UnsetType = UNSET
    quote: _Quote
    source: _Line | UnsetType = UNSET
    speakers: _Speakers
    tags: _Names | UnsetType = UNSET


class _Scheduled(Struct, kw_only=True, forbid_unknown_fields=True):
    commitment: _Id
    due: _Day
    note: _Text | UnsetType = UNSET


class _Completed(Struct, kw_only=True, forbid_unknown_fields=True):
    commitment: _Id
    note: _Text | UnsetType = UNSET


class _Retracted(Struct, kw_only=True, forbid_unknown_fields=True):
    event: _Uuid
    reason: _Text


class _Reminder(Struct, kw_only=True, forbid_unknown_fields=True):
    day: _Day
    items: list[_Id] | UnsetType = UNSET
    now: _Day
    schedule: _Line | UnsetType = UNSET


class _Envelope(Struct, kw_only=True, forbid_unknown_fields=True):
    id: _Uuid
    type: str
    schema: int
    occurred_on: _Day
    recorded_at: str  # rules.RECORDED_AT_RE
    recorded_by: _Name
    data: Raw
    seq: Annotated[int, Meta(ge=1, le=2**63 - 1)] | UnsetType = UNSET
    prev_hash: str | UnsetType = UNSET  # _HASH_RE
    hash: str | UnsetType = UNSET  # _HASH_RE


_UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z", re.ASCII)
_HASH_RE = re.compile(r"[0-9a-f]{64}\Z", re.ASCII)


_ENVELOPE = msgspec.json.Decoder(_Envelope)
_DATA: dict[tuple[str, int], msgspec.json.Decoder[Any]] = {
    ("commitment.added", 1): msgspec.json.Decoder(_Added),
    ("commitment.amended", 1): msgspec.json.Decoder(_Amended1),
    ("commitment.amended", 2): msgspec.json.Decoder(_Amended2),
    ("statement.recorded", 1): msgspec.json.Decoder(_Statement1),
    ("statement.recorded", 2): msgspec.json.Decoder(_Statement2),
    ("followup.scheduled", 1): msgspec.json.Decoder(_Scheduled),
    ("followup.completed", 1): msgspec.json.Decoder(_Completed),
    ("event.retracted", 1): msgspec.json.Decoder(_Retracted),
    ("reminder.issued", 1): msgspec.json.Decoder(_Reminder),
}
_encode = msgspec.json.Encoder().encode
# The `"` in a line that holds no escapes: two per key and per string; the envelope's own
# are its 7 keys and 5 strings (and seq, prev_hash and hash: 3 keys and 2 strings more).
_QUOTES = 2 * (7 + 5)
_QUOTES_HASHED = _QUOTES + 2 * (3 + 2)


def _bare(text: str) -> bool:
    """No space at either end (the structs refuse an empty string, other whitespace is
    refused by the line's scan): as the command line stores text, stripped."""
    return text[0] != " " and text[-1] != " "


_CACHED = 100_000  # at most so many values in each cache of values found valid


class Links(NamedTuple):
    """What an event says about other commitments and events, for the import's checks."""

    adds: str | None  # the commitment a commitment.added adds
    refs: tuple[str, ...]  # the commitments it names (a supersession names the old one)
    retracts: str | None  # the event an event.retracted retracts


class Fast(NamedTuple):
    event: NewEvent
    links: Links
    hashed: tuple[int, str, str] | None  # the line's own (seq, prev_hash, hash), if given


class FastChecker:
    """One per import: holds the caches of values already found valid (days, labels)."""

    def __init__(self, today: date) -> None:
        self.today = today.isoformat()
        self.days: set[str] = set()
        self.ids: set[str] = set()
        self.labels: dict[str, str] = {}  # a label -> the status it says, as the CLI keeps it
        self._checks: dict[type, Callable[[Any, bool], Links | None]] = {
            _Added: self._added,
            _Amended1: self._amended,
            _Amended2: self._amended,
            _Statement1: self._statement,
            _Statement2: self._statement,
            _Scheduled: self._scheduled,
            _Completed: self._completed,
            _Retracted: self._retracted,
            _Reminder: self._reminder,
        }

    def check(self, raw: bytes) -> Fast | None:
        """The line's event if it is certainly valid, else None (ask the precise checker)."""
        # No escapes, no controls, no whitespace but the space: see the module's docstring.
        if raw.translate(None, _PLAIN_BYTES):
            return None
        ascii_ = raw.isascii()
        try:
            # Only a line beyond ASCII is decoded here, to look at its characters; msgspec
            # reads the bytes (and refuses invalid UTF-8), and counts lengths in characters.
            if not ascii_ and _WIDE_SUSPECT.search(raw.decode("utf-8")):
                return None
            env = _ENVELOPE.decode(raw)
            decoder = _DATA.get((env.type, env.schema))
            if decoder is None:
                return None
            data = decoder.decode(env.data)
        except (msgspec.DecodeError, UnicodeDecodeError, RecursionError):
            return None  # (msgspec skips a raw value recursively: deep nesting)
        encoded = _encode(data)
        hashed = None
        quotes = _QUOTES
        if not (_UUID_RE.match(env.id) and rules.RECORDED_AT_RE.match(env.recorded_at)):
            return None
        if env.hash is not UNSET:
            if env.seq is UNSET or env.prev_hash is UNSET:
                return None
            if not (_HASH_RE.match(env.hash) and _HASH_RE.match(env.prev_hash)):
                return None
            hashed = (env.seq, env.prev_hash, env.hash)
            quotes = _QUOTES_HASHED
        elif env.seq is not UNSET or env.prev_hash is not UNSET:
            return None  # kept for the precise checker, which ignores them
        # Counted in bytes: in UTF-8 the byte of `"` stands for nothing else.
        if raw.count(b'"') != quotes + encoded.count(b'"'):
            return None  # a key written twice
        if not (self._day(env.occurred_on) and self._names((env.recorded_by,), ascii_)):
            return None
        if env.occurred_on > self.today and env.type != "reminder.issued":
            return None
        links = self._checks[type(data)](data, ascii_)
        if links is None:
            return None
        event = NewEvent(
            id=env.id,
            type=env.type,
            schema=env.schema,
            occurred_on=env.occurred_on,
            recorded_at=env.recorded_at,
            recorded_by=env.recorded_by,
            data=encoded.decode("utf-8"),
        )
        if hashed is not None:
            body = event.canonical_body(hashed[0], hashed[1]).encode("utf-8")
            if hashlib.sha256(body).hexdigest() != hashed[2]:
                return None  # edited after export: the precise checker says so
        return Fast(event, links, hashed)

    # --- the rules the struct cannot hold ----------------------------------------------------

    def _day(self, day: str) -> bool:
        if day in self.days:
            return True
        if not rules.DAY_RE.match(day):
            return False
        try:
            date.fromisoformat(day)
        except ValueError:
            return False
        if len(self.days) < _CACHED:
            self.days.add(day)
        return True

    def _ids(self, ids: Iterable[str]) -> bool:
        """Commitment ids: a few thousand, named again and again."""
        known = self.ids
        for cid in ids:
            if cid not in known:
                if not rules.ID_RE.match(cid):
                    return False
                if len(known) < _CACHED:
                    known.add(cid)
        return True

    @staticmethod
    def _names(names: Sequence[str] | UnsetType, ascii_: bool) -> bool:
        """Names: each once, bare, in Unicode normal form C (a line all ASCII needs no look)."""
        if not names:
            return True
        if len(names) > 1 and len(set(names)) != len(names):
            return False
        for name in names:
            if name[0] == " " or name[-1] == " ":
                return False
        return ascii_ or all(unicodedata.is_normalized("NFC", n) for n in names)

    def _label(self, status: str | UnsetType, label: str | UnsetType) -> bool:
        if label is UNSET:
            return True
        if status is UNSET:
            return False
        meant = self.labels.get(label)
        if meant is None:
            try:
                meant, written = values.parse_status(label)
            except UserError:
                return False
            if written != label:
                return False
            if len(self.labels) < 10_000:
                self.labels[label] = meant
        return meant == status

    def _added(self, d: _Added, ascii_: bool) -> Links | None:
        if not (
            _bare(d.title)
            and self._names(d.parties, ascii_)
            and self._names(d.tags, ascii_)
            and self._names(d.aliases, ascii_)
            and self._label(d.status, d.label)
            and (d.due is UNSET or self._day(d.due))
            and self._ids((d.commitment,))
            and (d.review_every is UNSET or rules.duration_problem(d.review_every) is None)
        ):
            return None
        if d.supersedes is UNSET:
            return Links(d.commitment, (), None)
        return Links(d.commitment, (d.supersedes,), None) if self._ids((d.supersedes,)) else None

    def _amended(self, d: _Amended1 | _Amended2, ascii_: bool) -> Links | None:
        if isinstance(d, _Amended2) and d.clear is not UNSET:
            clear = d.clear
            if not clear or len(set(clear)) != len(clear) or any(c not in CLEARABLE for c in clear):
                return None
        if not (
            (d.title is UNSET or _bare(d.title))
            and self._names(d.parties, ascii_)
            and self._names(d.tags, ascii_)
            and self._names(d.aliases, ascii_)
            and (d.review_every is UNSET or rules.duration_problem(d.review_every) is None)
            and self._ids((d.commitment,))
        ):
            return None
        return Links(None, (d.commitment,), None)

    def _statement(self, d: _Statement1 | _Statement2, ascii_: bool) -> Links | None:
        speakers = (d.by,) if isinstance(d, _Statement1) else d.speakers
        if not (
            _bare(d.quote)
            and (d.source is UNSET or _bare(d.source))
            and (d.note is UNSET or _bare(d.note))
            and self._names(speakers, ascii_)
            and self._names(d.tags, ascii_)
        ):
            return None
        refs = []
        for ref in d.commitments:
            if ref.label is not UNSET and not self._label(ref.status, ref.label):
                return None
            refs.append(ref.id)
        return Links(None, tuple(refs), None) if self._ids(refs) else None

    def _scheduled(self, d: _Scheduled, ascii_: bool) -> Links | None:
        ok = self._day(d.due) and self._ids((d.commitment,))
        ok = ok and (d.note is UNSET or _bare(d.note))
        return Links(None, (d.commitment,), None) if ok else None

    def _completed(self, d: _Completed, ascii_: bool) -> Links | None:
        ok = self._ids((d.commitment,)) and (d.note is UNSET or _bare(d.note))
        return Links(None, (d.commitment,), None) if ok else None

    def _retracted(self, d: _Retracted, ascii_: bool) -> Links | None:
        return Links(None, (), d.event) if _UUID_RE.match(d.event) and _bare(d.reason) else None

    def _reminder(self, d: _Reminder, ascii_: bool) -> Links | None:
        ok = self._day(d.day) and self._day(d.now) and (d.schedule is UNSET or _bare(d.schedule))
        return Links(None, (), None) if ok and (d.items is UNSET or self._ids(d.items)) else None
