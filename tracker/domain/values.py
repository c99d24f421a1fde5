"""The vocabulary of the domain: statuses, ids, dates, durations and text rules.

Pure functions only: no I/O, no clock (callers pass `today`), no SQL. Every
user mistake becomes a `UserError` whose message names the thing and the fix.
"""

from __future__ import annotations

import re
import shlex
import unicodedata
from collections.abc import Iterable
from datetime import date, timedelta

from events import rules
from tracker.errors import UserError

# status -> (open?, aliases). The order is the order users read them in help and errors.
STATUSES: dict[str, tuple[bool, tuple[str, ...]]] = {
    "proposed": (True, ("raised", "discussed", "requested", "called for")),
    "pending": (True, ("negotiating", "pending conclusion", "awaiting")),
    "committed": (True, ("agreed", "pledged", "promised", "announced")),
    "in_progress": (True, ("ongoing", "underway", "in the works", "implementing")),
    "stalled": (True, ("blocked", "delayed", "on hold")),
    "fulfilled": (False, ("kept", "concluded", "signed", "delivered", "completed", "done")),
    "partial": (False, ("compromise", "partly kept")),
    "broken": (False, ("violated", "reneged", "failed")),
    "withdrawn": (False, ("abandoned", "cancelled", "dropped")),
    "superseded": (False, ("replaced",)),
}

assert tuple(STATUSES) == rules.STATUS_NAMES
assert {s for s, (is_open, _) in STATUSES.items() if is_open} == rules.OPEN_STATUS_NAMES


OPEN_STATUSES = rules.OPEN_STATUS_NAMES


KINDS = rules.KINDS


def _normal_word(word: str) -> str:
    return " ".join(word.replace("-", " ").replace("_", " ").lower().split())


_STATUS_WORDS: dict[str, str] = {}

for _status, (_, _aliases) in STATUSES.items():
    _STATUS_WORDS[_normal_word(_status)] = _status
    for _alias in _aliases:
        _STATUS_WORDS[_normal_word(_alias)] = _status


def parse_status(word: str) -> tuple[str, str]:
    """Return (canonical status, label) for a status word; the label is the word as typed."""
    label = " ".join(word.split())
    status = _STATUS_WORDS.get(_normal_word(word))
    if status is None:
        raise UserError(
            f"unknown status {word!r}{_suggest(_normal_word(word), _STATUS_WORDS)}; "
            f"use one of: {', '.join(STATUSES)} (or an alias such as 'agreed', "
            "'pending conclusion', 'signed'; see tracker status --help)"
        )
    return status, label


def label_repeats(status: str, label: str | None) -> bool:
    """Whether a label says no more than its status: none, or the same word once case,
    '-' and '_' are set aside (`in-progress` for in_progress)."""
    return not label or _normal_word(label) == _normal_word(status)


def status_with_label(status: str, label: str | None) -> str:
    """'pending (pending conclusion)', or just the status when the label only repeats it."""
    return status if label_repeats(status, label) else f"{status} ({label})"


def is_open(status: str) -> bool:
    return status in OPEN_STATUSES


def parse_kind(word: str) -> str:
    kind = word.strip().lower()
    if kind not in KINDS:
        raise UserError(f"unknown kind {word!r}; use one of: {', '.join(KINDS)}")
    return kind


def check_commitment_id(value: str) -> str:
    """A commitment id is lower-case letters, digits and '-', 1 to 64 characters."""
    if not rules.ID_RE.match(value):
        hint = slugify(value)
        example = f" (for example {hint!r})" if hint and hint != value else ""
        raise UserError(
            f"invalid commitment id {value!r}: use lower-case letters, digits and single '-' "
            f"between them, at most 64 characters{example}"
        )
    return value


EVENT_REF_HINT = (
    "give its log position (tracker retract 42) or its id, whole or its first 8 or more "
    "characters; both are in: tracker history"
)


def check_event_ref(value: str) -> str:
    """An event reference: a log position (digits) or an id, whole or a prefix of 8+."""
    ref = value.strip().lower()
    if not ref or not re.fullmatch(r"[0-9a-f-]+", ref):
        raise UserError(f"{value!r} is not an event reference; {EVENT_REF_HINT}")
    if not ref.isdigit() and len(ref) < 8:
        raise UserError(f"event id prefix {value!r} is too short; {EVENT_REF_HINT}")
    return ref


def slugify(text: str, limit: int = 40) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:limit].rstrip("-")


def _suggest(word: str, candidates: Iterable[str]) -> str:
    import difflib

    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def unknown_commitment(cid: str, known: Iterable[str]) -> UserError:
    """The error for an id that is not in the log, with a did-you-mean and the way to add it."""
    return UserError(
        f"unknown commitment {cid!r}{_suggest(cid, known)}; "
        f"add it with: tracker add {shlex.quote(cid)} --title TEXT"
    )


MAX_QUOTE_CHARS = rules.MAX_QUOTE_CHARS


MAX_NAME_CHARS = rules.MAX_NAME_CHARS


MAX_TEXT_CHARS = rules.MAX_TEXT_CHARS


def check_name(what: str, value: str) -> str:
    """A speaker, party, tag or user name: one line, no control or direction characters.

    Normalised to NFC, so a name typed with a decomposed accent matches the composed one.
    """
    problem = rules.text_problem(value, single_line=True, name=True)
    if problem:
        raise UserError(f"{what} {value!r} {problem}; remove it")
    value = unicodedata.normalize("NFC", value.strip())
    if not value:
        raise UserError(f"{what} is empty; give a name")
    if len(value) > MAX_NAME_CHARS:
        raise UserError(f"{what} is {len(value)} characters long; the limit is {MAX_NAME_CHARS}")
    return value


def check_text(
    what: str,
    value: str,
    *,
    limit: int = MAX_TEXT_CHARS,
    hint: str = "",
    single_line: bool = False,
) -> str:
    """A quote or note (may span lines), or a title or source (`single_line`)."""
    problem = rules.text_problem(value, single_line=single_line)
    if problem:
        raise UserError(f"{what} {problem}; remove it")
    value = value.strip()
    if not value:
        raise UserError(f"{what} is empty; {hint or 'give some text'}")
    if len(value) > limit:
        raise UserError(
            f"{what} is {len(value):,} characters long; the limit is {limit:,}"
            + (f" ({hint})" if hint else "")
        )
    return value


def check_line(what: str, value: str, *, limit: int = rules.MAX_LINE_CHARS) -> str:
    """A title or source: one line of text."""
    return check_text(what, value, limit=limit, single_line=True)


def check_quote(value: str) -> str:
    return check_text(
        "quote",
        value,
        limit=MAX_QUOTE_CHARS,
        hint="quote the sentences that matter, and cite the rest with --source",
    )


_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


_OFFSET_RE = re.compile(r"([+-])([0-9]{1,4})([dwmy])\Z", re.ASCII)


_ISO_RE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})\Z", re.ASCII)


_UNIT_NAMES = {"d": "day", "w": "week", "m": "month", "y": "year"}


def add_months(day: date, months: int) -> date:
    """Calendar months, clamped to the month's last day (2025-01-31 + 1m = 2025-02-28)."""
    month_index = day.year * 12 + day.month - 1 + months
    year, month = divmod(month_index, 12)
    if not 1 <= year <= 9999:
        raise UserError("date is out of range; use a year between 1 and 9999")
    import calendar

    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def shift(day: date, amount: int, unit: str) -> date:
    try:
        if unit == "d":
            return day + timedelta(days=amount)
        if unit == "w":
            return day + timedelta(weeks=amount)
    except OverflowError:
        raise UserError("date is out of range; use a year between 1 and 9999") from None
    return add_months(day, amount * (12 if unit == "y" else 1))


def parse_date(value: str, *, today: date, what: str = "date", ahead: bool = False) -> date:
    """Parse YYYY-MM-DD, today/yesterday/tomorrow, +3d/-2w/+1m/+1y, or a weekday name.

    A weekday is the latest such day up to today for a day something happened (`--on`,
    `--as-of`, `--now`), and with `ahead` (a day expected: `--due`) the next one after today.
    """
    text = value.strip().lower()
    fix = "use YYYY-MM-DD, today, yesterday, tomorrow, +3d, -2w, +1m or a weekday name"
    if text == "today":
        return today
    if text == "yesterday":
        return today - timedelta(days=1)
    if text == "tomorrow":
        return today + timedelta(days=1)
    if text in _WEEKDAYS:
        if ahead:
            return today + timedelta(days=(_WEEKDAYS.index(text) - today.weekday()) % 7 or 7)
        return today - timedelta(days=(today.weekday() - _WEEKDAYS.index(text)) % 7)
    offset = _OFFSET_RE.match(text)
    if offset:
        sign, amount, unit = offset.groups()
        return shift(today, int(amount) * (-1 if sign == "-" else 1), unit)
    if "/" in text:
        raise UserError(
            f"{what} {value!r} is ambiguous (day/month or month/day?); write it as YYYY-MM-DD"
        )
    iso = _ISO_RE.match(text)
    if not iso:
        raise UserError(f"{what} {value!r} is not a date; {fix}")
    try:
        return date(int(iso[1]), int(iso[2]), int(iso[3]))
    except ValueError:
        raise UserError(f"{what} {value!r} does not exist on the calendar; {fix}") from None


def parse_duration(value: str) -> str:
    """Normalise a review interval such as '30d', '2w', '3m' or '1y'; returned as stored."""
    text = value.strip().lower()
    problem = rules.duration_problem(text)
    if problem:
        raise UserError(
            f"review interval {value!r} {problem}; use a number and a unit, "
            "such as 30d, 2w, 3m or 1y"
        )
    return text


def add_duration(day: date, duration: str) -> date:
    amount, unit = int(duration[:-1]), duration[-1]
    return shift(day, amount, unit)


def describe_duration(duration: str) -> str:
    """'30d' -> '30 days', '1w' -> '1 week'."""
    amount, unit = int(duration[:-1]), duration[-1]
    name = _UNIT_NAMES[unit]
    return f"{amount} {name}{'' if amount == 1 else 's'}"


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
