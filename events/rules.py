"""The rules a value must follow wherever it enters the log: typed on the command line or
read from an import file. One definition, so an import can never store what the CLI
would refuse (an id nobody can type, a name that forges terminal output).

Pure: no I/O. Must not import from tracker/ or projections/ (the domain imports these).
"""

from __future__ import annotations

import re
import unicodedata

STATUS_NAMES = (
    "proposed",
    "pending",
    "committed",
    "in_progress",
    "stalled",
    "fulfilled",
    "partial",
    "broken",
    "withdrawn",
    "superseded",
)
# The first five are open (a commitment still in play); the rest close it.
OPEN_STATUS_NAMES = frozenset(STATUS_NAMES[:5])
KINDS = ("commitment", "agreement", "request")

# Lower-case letters and digits in runs joined by single '-', 1 to 64 characters.
ID_RE = re.compile(r"(?=[a-z0-9-]{1,64}\Z)[a-z0-9]+(?:-[a-z0-9]+)*\Z", re.ASCII)
DAY_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z", re.ASCII)
RECORDED_AT_RE = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z\Z", re.ASCII
)
DURATION_RE = re.compile(r"([1-9][0-9]{0,4})([dwmy])\Z", re.ASCII)
# Review intervals longer than a century are a typo, and would overflow date arithmetic.
DURATION_LIMITS = {"d": 36_525, "w": 5_218, "m": 1_200, "y": 100}

# Bidirectional overrides, embeddings and isolates can make text display as something it
# is not ("Trojan Source"); they are refused everywhere.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Marks that are legitimate inside right-to-left prose, but never in a name.
DIRECTION_MARKS = frozenset("\u200e\u200f\u061c")
# Line and paragraph separators break a line as a newline does; never in one-line text.
LINE_SEPARATORS = frozenset("\u2028\u2029")
# Invisible characters that make two names look the same; never in a name.
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff")

# The CLI's length limits, in characters (after surrounding spaces are stripped).
MAX_QUOTE_CHARS = 100_000
MAX_NAME_CHARS = 200
MAX_TEXT_CHARS = 10_000
MAX_LINE_CHARS = 500


def duration_problem(value: str) -> str | None:
    match = DURATION_RE.match(value)
    if not match:
        return "is not a duration such as 30d, 2w, 3m or 1y"
    if int(match[1]) > DURATION_LIMITS[match[2]]:
        return "is longer than a century"
    return None


_CONTROL = "\x00-\x1f\x7f-\x9f"  # Unicode category Cc, exactly
_BIDI = "".join(sorted(BIDI_CONTROLS))
_MARKS = "".join(sorted(DIRECTION_MARKS))
_LINES = "".join(sorted(LINE_SEPARATORS))
_ZERO = "".join(sorted(ZERO_WIDTH))
# One regex per kind of text: a C-speed scan instead of a Python loop per character.
_FORBIDDEN = {
    (True, True): re.compile(f"[{_CONTROL}{_BIDI}{_MARKS}{_LINES}{_ZERO}]"),
    (True, False): re.compile(f"[{_CONTROL}{_BIDI}{_LINES}]"),
    (False, False): re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}]"),
}


def text_problem(value: str, *, single_line: bool, name: bool = False) -> str | None:
    """Why `value` cannot be stored as text, or None.

    Names (speakers, parties, tags, users) and single-line text (titles, sources) hold no
    control characters at all; quotes and notes may span lines and hold tabs.
    """
    found = _FORBIDDEN[(single_line or name, name)].search(value)
    if found is None:
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "is not valid UTF-8 text (it holds a lone surrogate)"
        return None
    ch = found.group()
    if unicodedata.category(ch) == "Cc":
        kind = "control character"
    elif ch in LINE_SEPARATORS:
        kind = "line separator"
    elif ch in ZERO_WIDTH:
        kind = "invisible character"
    else:
        kind = "direction control"
    return f"contains the {kind} U+{ord(ch):04X}"
