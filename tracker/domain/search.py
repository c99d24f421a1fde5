"""Finding statements by their words: which match a query, how well, and which words matched.

Pure: the store narrows the statements to candidates (SQLite through its full-text index,
PostgreSQL by substring), and this module decides, the same way for both, which
candidates match and in what order. A statement matches when every word of the query
begins a word of its quote, its speakers, its source or its commitment's title (case
ignored). No I/O here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import NamedTuple

# Words as SQLite's full-text index splits them (unicode61: letters and digits; '_' splits).
_WORD = re.compile(r"[^\W_]+")

# How much a word matched in each field counts (see `score`): who said it (3) and what it
# is about (the title, 2) weigh more than one word among many in a quote (1); a source
# counts least (0.5). A whole word counts half as much again as a prefix.


class Candidate(NamedTuple):
    """A live statement on a commitment, as the store found it."""

    commitment_id: str
    title: str
    seq: int
    event_id: str
    on: str
    speaker: str
    speakers: tuple[str, ...]
    quote: str
    source: str | None


class Hit(NamedTuple):
    candidate: Candidate
    score: float
    matches: tuple[str, ...]  # the words that matched, as first written, by query word


class NameCount(NamedTuple):
    """A speaker or party as typed, and how often it occurs (`tracker names`)."""

    name: str
    statements: int  # as a speaker
    commitments: int  # as a party


def terms(query: str) -> tuple[str, ...]:
    """The query's distinct words, lower-cased, in order."""
    return tuple(dict.fromkeys(w.lower() for w in _WORD.findall(query)))


def words(text: str | None) -> list[str]:
    return _WORD.findall(text or "")


def score(candidate: Candidate, wanted: Sequence[str]) -> Hit | None:
    """The candidate's score and matching words, or None unless every term matches."""
    fields = (
        (3.0, candidate.speaker),
        (2.0, candidate.title),
        (1.0, candidate.quote),
        (0.5, candidate.source or ""),
    )
    lowered = [(weight, text, text.lower()) for weight, text in fields]
    split: dict[int, list[tuple[str, str]]] = {}  # a field's words (lowered, as written)
    total = 0.0
    matched: dict[str, str] = {}  # lower case -> as first written
    for term in wanted:
        found = False
        for n, (weight, text, low) in enumerate(lowered):
            if term not in low:  # cheap: a word starting with it must contain it
                continue
            if n not in split:
                split[n] = [(w.lower(), w) for w in _WORD.findall(text)]
            for low_word, word in split[n]:
                if low_word.startswith(term):
                    found = True
                    total += weight * (1.5 if low_word == term else 1.0)
                    matched.setdefault(low_word, word)
        if not found:
            return None
    return Hit(candidate=candidate, score=total, matches=tuple(matched.values()))


def rank(candidates: Iterable[Candidate], query: str, limit: int | None = None) -> list[Hit]:
    """The matching candidates, best first: score, then the latest said, then log order."""
    wanted = terms(query)
    hits = [h for h in (score(c, wanted) for c in candidates) if h is not None]
    hits.sort(key=lambda h: (h.candidate.on, h.candidate.seq), reverse=True)
    hits.sort(key=lambda h: -h.score)  # stable: ties stay latest first
    return hits if limit is None else hits[:limit]
