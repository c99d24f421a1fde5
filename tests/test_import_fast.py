"""The compiled fast path for import lines only ever accepts what the precise checker accepts,
and builds exactly the event it builds; every line it is unsure of goes to the precise one.

Import's error messages are asserted elsewhere (test_import*.py, test_hostile.py): they all
come from the precise checker, which sees every line the fast path declines.
"""

from __future__ import annotations

import json
import sys
import unicodedata
import uuid
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from events import CODEC, GENESIS_HASH, NewEvent, rules
from tests import strategies as S
from tracker.application import import_fast
from tracker.application.import_fast import FastChecker
from tracker.application.integrity import _LineError, _parse_line

TODAY = date(2026, 1, 1)


def precise(raw: bytes):
    try:
        return _parse_line(raw, TODAY)
    except _LineError:
        return None


def agree(raw: bytes) -> bool:
    """Whether the fast path took the line (asserting it agrees with the precise path)."""
    fast = FastChecker(TODAY).check(raw)
    if fast is None:
        return False
    assert fast == precise(raw), raw
    return True


def envelope(payload, *, event_id, occurred_on, recorded_by, seq=None, prev=None) -> dict:
    type_name, schema, data = CODEC.encode(payload)
    line = {
        "id": event_id,
        "type": type_name,
        "schema": schema,
        "occurred_on": occurred_on,
        "recorded_at": "2025-08-01T00:00:00.250Z",
        "recorded_by": recorded_by,
        "data": json.loads(data),
    }
    if seq is not None:
        event = NewEvent(**{k: v for k, v in line.items() if k != "data"}, data=data)
        stored = event.chained(seq, prev or GENESIS_HASH)
        return json.loads(stored.export_line())
    return line


lines = st.builds(
    envelope,
    S.events,
    event_id=st.uuids().map(str),
    occurred_on=S.days,
    recorded_by=S.text | st.sampled_from(["desk", "amina"]),
    seq=st.none() | st.integers(1, 10**6),
    prev=st.none() | st.just("ab" * 32),
)


def written(line: dict, *, ascii_: bool, sort: bool, spaced: bool) -> bytes:
    return json.dumps(
        line,
        ensure_ascii=ascii_,
        sort_keys=sort,
        separators=(", ", ": ") if spaced else (",", ":"),
    ).encode()


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(lines, st.booleans(), st.booleans(), st.booleans())
def test_whatever_the_fast_path_takes_the_precise_path_takes_the_same(line, ascii_, sort, spaced):
    agree(written(line, ascii_=ascii_, sort=sort, spaced=spaced))


def nth(s: str, r, old: str, new: str) -> str:
    """`s` with one occurrence of `old`, chosen by `r`, replaced by `new`."""
    parts = s.split(old)
    if len(parts) < 2:
        return s
    i = r.randrange(1, len(parts))
    return old.join(parts[:i]) + new + old.join(parts[i:])


MUTATIONS = [
    lambda s, r: nth(s, r, ':"', ':" '),  # a string starting with a space
    lambda s, r: nth(s, r, '",', ' ",'),  # a string ending with a space
    lambda s, r: nth(s, r, '"}', ' "}'),
    lambda s, r: nth(s, r, '"]', ' "]'),
    lambda s, r: nth(s, r, '["', '[" '),
    lambda s, r: nth(s, r, ',"', '," '),  # a key, or a list's string, starting with a space
    lambda s, r: nth(s, r, '":', '" :'),  # spaces between the tokens
    lambda s, r: nth(s, r, ",", " , "),
    lambda s, r: s.replace('"data":{', '"data":{"tags":[],', 1),  # maybe a key twice
    lambda s, r: s.replace('"data":{', '"data":{"commitment":"x",', 1),
    lambda s, r: s.replace('"type":', '"schema":1,"type":', 1),  # an envelope key twice
    lambda s, r: s.replace('"}', '\\u0000"}', 1),
    lambda s, r: s.replace('"}', '\\u202e"}', 1),
    lambda s, r: s.replace('"}', '\u202e"}', 1),
    lambda s, r: s.replace('"}', '\u00a0"}', 1),
    lambda s, r: s.replace('"}', '\x7f"}', 1),
    lambda s, r: s.replace('"}', '\\ud800"}', 1),
    lambda s, r: s.replace('"schema":1', '"schema":1.0', 1),
    lambda s, r: s.replace('"schema":', '"schema":true,"x":', 1),
    lambda s, r: s.replace('"id":"', '"id":"A', 1),
    lambda s, r: s.replace(":[", ':[""', 1),
    lambda s, r: s.replace(':"', ':":', 1),  # a string starting with ':'
    lambda s, r: s.replace('"status":"', '"status":"X', 1),
    lambda s, r: s.replace('"label":"', '"label":"not ', 1),
    lambda s, r: s.replace(',"label":', ',"nolabel":', 1),
    lambda s, r: s.replace('"occurred_on":"2', '"occurred_on":"3', 1),
    lambda s, r: s.replace("-0", "-3", 1),  # a date that does not exist, or another id
    lambda s, r: s.replace('"hash":"', '"hash":"0', 1),
    lambda s, r: s.replace('"seq":', '"seq":-', 1),
    lambda s, r: s.replace("e", "é", 1),
    lambda s, r: s.replace("e", "e\u0301", 1),  # not in normal form C
    lambda s, r: s[: r.randrange(len(s))] + s[r.randrange(len(s)) :],
    lambda s, r: s[: (i := r.randrange(len(s)))] + s[i] + s[i:],
]


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(
    lines, st.lists(st.sampled_from(range(len(MUTATIONS))), min_size=1, max_size=3), st.randoms()
)
def test_a_damaged_line_is_never_taken_unless_the_precise_path_takes_it_too(line, which, r):
    text = written(line, ascii_=False, sort=False, spaced=False).decode()
    for i in which:
        text = MUTATIONS[i](text, r)
    agree(text.encode("utf-8", "surrogatepass"))


@given(st.binary(max_size=300))
@example(b'{"id":"00000000-0000-0000-0000-000000000000","id":"x"}')
@example(b'{"data":' + b"[" * 100_000)
def test_any_bytes_are_declined_or_agreed_on(raw):
    agree(raw)


def test_the_structs_write_their_fields_in_sorted_order():
    """So that a decoded struct written out again is SPEC's canonical JSON."""
    for decoder in import_fast._DATA.values():
        fields = decoder.type.__struct_fields__
        assert list(fields) == sorted(fields), decoder.type
    assert list(import_fast._Ref.__struct_fields__) == sorted(import_fast._Ref.__struct_fields__)


def test_ordinary_lines_take_the_fast_path():
    """The bench's synthetic log (schema 1 statements and amendments, non-ASCII names),
    and an export of it with hashes, all go through the compiled checks."""
    sys.path.insert(0, str(Path(__file__).parent.parent / "bench"))
    try:
        import run as bench
    finally:
        sys.path.pop(0)
    generated = [line.encode() for line, _ in zip(bench.generate(3000), range(3000), strict=False)]
    assert all(agree(raw) for raw in generated)
    # Each as tracker's export writes it: with seq, prev_hash and hash.
    prev = GENESIS_HASH
    for seq, raw in enumerate(generated, start=1):
        event = FastChecker(TODAY).check(raw)
        assert event is not None
        stored = event.event.chained(seq, prev)
        prev = stored.hash
        assert agree(stored.export_line().encode())


def test_lengths_are_counted_in_characters_on_a_line_beyond_ascii():
    """At the limit a quote of two-byte (or four-byte) characters is taken, as the precise
    path takes it; one character more is declined, and the precise path names it."""
    for char in ("a", "é", "\U0001f600"):
        for n, ok in ((rules.MAX_QUOTE_CHARS, True), (rules.MAX_QUOTE_CHARS + 1, False)):
            line = {
                "id": str(uuid.UUID(int=n)),
                "type": "statement.recorded",
                "schema": 2,
                "occurred_on": "2025-01-01",
                "recorded_at": "2025-08-01T00:00:00.250Z",
                "recorded_by": "desk",
                "data": {"commitments": [{"id": "c-1"}], "quote": char * n, "speakers": ["é"]},
            }
            raw = json.dumps(line, ensure_ascii=False, separators=(",", ":")).encode()
            assert agree(raw) is ok
            assert (precise(raw) is not None) is ok


@given(S.events, S.text.filter(lambda name: name != "desk"))
def test_a_hashed_line_edited_after_export_is_declined(payload, name):
    line = envelope(
        payload, event_id=str(uuid.uuid4()), occurred_on="2025-01-01", recorded_by="desk", seq=1
    )
    line["recorded_by"] = name
    raw = json.dumps(line, separators=(",", ":")).encode()
    assert FastChecker(TODAY).check(raw) is None and precise(raw) is None


def test_the_wide_suspects_are_every_character_the_rules_or_strip_care_about():
    derived = {
        cp
        for cp in range(0x80, sys.maxunicode + 1)
        if chr(cp).isspace() or unicodedata.category(chr(cp)) == "Cc"
    }
    derived |= {
        ord(ch)
        for ch in rules.BIDI_CONTROLS
        | rules.DIRECTION_MARKS
        | rules.LINE_SEPARATORS
        | rules.ZERO_WIDTH
    }
    pattern = import_fast._WIDE_SUSPECT
    found = {cp for cp in range(0x80, sys.maxunicode + 1) if pattern.match(chr(cp))}
    assert found == derived


@given(S.events, st.randoms(), st.booleans(), st.booleans())
def test_shuffled_keys_and_spaces_still_agree(payload, r, ascii_, spaced):
    line = envelope(
        payload, event_id=str(uuid.uuid4()), occurred_on="2024-02-29", recorded_by="desk"
    )
    items = list(line["data"].items())
    r.shuffle(items)
    line["data"] = dict(items)
    agree(written(line, ascii_=ascii_, sort=False, spaced=spaced))


@given(st.lists(st.uuids().map(str), unique=True, max_size=200), st.uuids().map(str))
def test_the_filter_of_appended_ids_never_forgets_one(added, other):
    from tracker.application.integrity import _Filter

    assume(other not in added)
    seen = _Filter(bits=1 << 10)  # small, so that false yeses happen too
    for key in added:
        seen.add_all([key])
    assert seen.maybe(added) == added  # every one, in order
    assert _Filter().maybe([other]) == []
    # A batch at a time, as the import adds and asks: the same bits, the same answers.
    batched = _Filter(bits=1 << 10)
    batched.add_all(added)
    assert batched.bits == seen.bits
    asked = batched.maybe([*added, other])
    assert asked in (added, [*added, other])
    assert batched.maybe([other]) == asked[len(added) :]  # one at a time, the same answer
