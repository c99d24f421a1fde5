"""Sentences for ingest: paragraphs and list items, sentence spans and quotation regions.

Owns: splitting a text into blocks (paragraphs, list items, headings) and sentences
(`split_sentences`), datelines, masking inner full stops, and where quotations open and
close across paragraphs.

Imports the standard library and attrs only; the other ingest modules build on it.
"""

from __future__ import annotations

import bisect
import re

import attrs


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_TITLE_ABBREVIATIONS = _words(
    """mr mrs ms mx dr prof gen col lt sgt capt cpt maj adm gov sen rep pres dep st rev hon amb
    rtd cmdr brig supt insp cpl pvt fr messrs mme mlle lieut gens rt mt ft asst atty sec gov't
    excl incl"""
)
_MONTH_ABBREVIATIONS = _words("jan feb mar apr jun jul aug sep sept oct nov dec")
_NUMBER_ABBREVIATIONS = _words("no nos art arts vol vols fig figs p pp para paras ch ref op")
_GENERAL_ABBREVIATIONS = _words(
    "etc inc ltd co corp bros approx est vs v al ca cf jr sr esp dept govt univ"
)
# After an abbreviation that can also end a sentence (U.S., etc., Inc.), a new sentence is
# assumed only when one of these words follows: names after "U.S." must not split.
_SENTENCE_STARTERS = _words(
    """the a an he she it they we i you this that these those in on at but and or however both
    his her their our its my there as after before while when since under according meanwhile
    also yet so still if other officials some many no one two three during despite"""
)
_OPENERS = "\"“‘'«(["
_QUOTE_OPEN_CHARS = "“„«"
_QUOTE_CLOSE_CHARS = "”»"

_END_CANDIDATE = re.compile(r"(?:\.\.\.|…|[.!?])+[\"”’'»)\]*_]*(?=\s)")
_LIST_MARK = re.compile(
    r"[ \t]*(?:[-*+•▪‣◦]|\d{1,3}[.)]|[a-z][.)]|\((?:\d{1,3}|[a-zA-Z]|[ivxIVX]{1,4})\))[ \t]+(?=\S)"
)
_HEADING_MARK = re.compile(r"[ \t]{0,3}#{1,6}[ \t]+(?=\S)")
_BLOCKQUOTE_MARK = re.compile(r"[ \t]{0,3}(?:>[ \t]?)+")
_RULE_LINE = re.compile(r"[ \t]*(?:[-*_=][ \t]*){3,}")
_MONTH_NAMES = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_DATELINE = re.compile(
    r"(?P<bold>\*\*|__|\*|_)?(?P<place>[^\n—–*_]{2,70}?)(?:\*\*|__|\*|_)?"
    r"[ \t]+(?P<dash>—|–|--|-)[ \t]+(?=\S)"
)


@attrs.frozen
class _Block:
    start: int
    end: int
    kind: str  # "para", "item" or "heading"


@attrs.frozen
class _Sentence:
    start: int
    end: int
    block: int


def _line_blocks(text: str) -> list[_Block]:
    blocks: list[_Block] = []
    current: list[int | str] = []  # [start, end, kind] of the open block

    def close() -> None:
        if current:
            start, end, kind = current
            assert isinstance(start, int) and isinstance(end, int) and isinstance(kind, str)
            if end > start:
                blocks.append(_Block(start, end, kind))
            current.clear()

    pos = 0
    for line in text.splitlines(keepends=True):
        line_start = pos
        pos += len(line)
        content = line.rstrip("\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
        content_end = line_start + len(content.rstrip())
        if not content.strip():
            close()
            continue
        if _RULE_LINE.fullmatch(content):
            close()
            continue
        heading = _HEADING_MARK.match(content)
        if heading:
            close()
            blocks.append(_Block(line_start + heading.end(), content_end, "heading"))
            continue
        marker = _LIST_MARK.match(content)
        if marker:
            close()
            current[:] = [line_start + marker.end(), content_end, "item"]
            continue
        offset = 0
        quote_mark = _BLOCKQUOTE_MARK.match(content)
        if quote_mark and quote_mark.end() < len(content):
            offset = quote_mark.end()
        if current:
            current[1] = content_end
        else:
            first = offset + len(content[offset:]) - len(content[offset:].lstrip())
            current[:] = [line_start + first, content_end, "para"]
    close()
    return blocks


def _strip_dateline(text: str, block: _Block) -> _Block:
    match = _DATELINE.match(text, block.start, block.end)
    if not match:
        return block
    place = match.group("place")
    first_word = place.split()[0] if place.split() else ""
    looks_like_dateline = (
        bool(match.group("bold"))
        or (
            len(first_word) >= 3
            and first_word.rstrip(",").isupper()
            and first_word.rstrip(",").isalpha()
        )
        or bool(re.search(_MONTH_NAMES + r"\.?\s+\d", place))
    )
    capital_place = len(first_word) >= 3 and first_word.rstrip(",").isupper()
    if match.group("dash") == "-" and not capital_place:
        return block  # a plain hyphen opens a dateline only after "GENEVA, March 3 -"
    if not looks_like_dateline or re.search(r"[a-z]{4,}[.!?]\s", place):
        return block
    return _Block(match.end(), block.end, block.kind)


def _word_before(text: str, block_start: int, pos: int) -> str:
    match = re.search(r"[\w’'.-]*\Z", text[max(block_start, pos - 40) : pos])
    word = match.group(0) if match else ""
    return word.lstrip("(['\"“‘")


def _is_boundary(text: str, block_start: int, punct: re.Match[str], next_pos: int) -> bool:
    nxt = text[next_pos]
    if not (nxt.isupper() or nxt.isdigit() or nxt in _OPENERS or nxt in "*_#"):
        return False
    core = punct.group(0).rstrip("\"”’'»)]*_")
    if "?" in core or "!" in core or core.startswith(("...", "…")):
        return not nxt.isdigit() or "?" in core or "!" in core
    word = _word_before(text, block_start, punct.start())
    lower = word.lower()
    following = re.match(r"[\"“‘'(\[*_]*([\w’'-]+)", text[next_pos : next_pos + 40])
    next_word = following.group(1).lower() if following else ""
    if lower in _TITLE_ABBREVIATIONS:
        return False
    if len(word) == 1 and word.isalpha() and word.isupper():
        return False  # an initial: "J. R. Smith"
    if (lower in _NUMBER_ABBREVIATIONS or lower in _MONTH_ABBREVIATIONS) and nxt.isdigit():
        return False
    dotted = re.fullmatch(r"(?:[A-Za-z]\.)+[A-Za-z]", word) is not None
    if dotted or lower in _GENERAL_ABBREVIATIONS or lower in _MONTH_ABBREVIATIONS:
        return next_word in _SENTENCE_STARTERS
    if lower in _NUMBER_ABBREVIATIONS:
        return next_word in _SENTENCE_STARTERS
    return True


def _segment(text: str) -> tuple[list[_Block], list[_Sentence]]:
    blocks = [_strip_dateline(text, b) if b.kind == "para" else b for b in _line_blocks(text)]
    sentences: list[_Sentence] = []
    for index, block in enumerate(blocks):
        start = block.start
        for punct in _END_CANDIDATE.finditer(text, block.start, block.end):
            next_pos = punct.end()
            while next_pos < block.end and text[next_pos].isspace():
                next_pos += 1
            if next_pos >= block.end:
                break
            if _is_boundary(text, block.start, punct, next_pos):
                sentences.append(_Sentence(start, punct.end(), index))
                start = next_pos
        if start < block.end:
            sentences.append(_Sentence(start, block.end, index))
    return blocks, sentences


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Return (start, end) spans of the sentences of `text`, without list or heading marks."""
    return [(s.start, s.end) for s in _segment(text)[1]]


# --- quotations -------------------------------------------------------------------------


@attrs.frozen
class _Region:
    start: int  # first character inside the quotation marks
    end: int  # the closing mark, or the end of the paragraph when unclosed
    chain: int  # regions of one quotation that runs over several paragraphs share a chain
    closed: bool


def _quote_regions(text: str, blocks: list[_Block]) -> list[_Region]:
    regions: list[_Region] = []
    chain = -1
    pending: int | None = None  # chain left open at the end of the previous paragraph
    for block in blocks:
        open_at: int | None = None
        first = block.start
        if pending is not None:
            # A quotation that runs on opens each new paragraph with a quote mark and
            # closes only at its end; without that mark the quotation was never closed.
            if text[first] in _QUOTE_OPEN_CHARS or text[first] == '"':
                open_at = first + 1
            else:
                pending = None
        pos = open_at if open_at is not None else first
        while pos < block.end:
            ch = text[pos]
            if open_at is None:
                is_opener = ch in _QUOTE_OPEN_CHARS or (
                    ch == '"' and not (pos > block.start and text[pos - 1].isalnum())
                )
                if is_opener:
                    open_at = pos + 1
                    if pending is None:
                        chain += 1
                    pending = None
            elif ch in _QUOTE_CLOSE_CHARS or ch == '"':
                regions.append(_Region(open_at, pos, chain, True))
                open_at = None
                pending = None
            pos += 1
        if open_at is not None:
            regions.append(_Region(open_at, block.end, chain, False))
            pending = chain
        else:
            pending = None
    return regions


class _Quotes:
    """The quotation regions of a text, indexed so that lookups stay fast on long pages."""

    def __init__(self, regions: list[_Region], sentences: list[_Sentence]) -> None:
        self.regions = [r for r in regions if r.end > r.start]
        self.opening_marks = [r.start - 1 for r in self.regions]
        self.chains: dict[int, list[_Region]] = {}
        for region in self.regions:
            self.chains.setdefault(region.chain, []).append(region)
        self.sentences = sentences
        self.sentence_starts = [s.start for s in sentences]

    def at(self, pos: int) -> _Region | None:
        """The region whose opening mark or inside holds `pos`."""
        index = bisect.bisect_right(self.opening_marks, pos) - 1
        if index >= 0 and self.regions[index].start - 1 <= pos < self.regions[index].end:
            return self.regions[index]
        return None

    def opening_within(self, start: int, end: int) -> _Region | None:
        """The first region whose opening mark lies strictly inside (start, end)."""
        index = bisect.bisect_right(self.opening_marks, start)
        if index < len(self.regions) and self.opening_marks[index] < end:
            return self.regions[index]
        return None

    def before(self, region: _Region) -> _Region | None:
        index = bisect.bisect_left(self.opening_marks, region.start - 1) - 1
        return self.regions[index] if index >= 0 else None

    def sentence_around(self, pos: int) -> _Sentence | None:
        index = bisect.bisect_right(self.sentence_starts, pos) - 1
        if index >= 0 and self.sentences[index].start <= pos < self.sentences[index].end:
            return self.sentences[index]
        return None


def _mask(sentence: str) -> str:
    # Full stops that did not end the sentence (Dr., U.S., Jan.) would otherwise stop the
    # noun phrases and clauses the rules below read; '·' keeps every offset in place.
    return re.sub(r"\.(?=\s*\S)", "·", sentence)
