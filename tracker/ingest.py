"""Propose statements to log from an article or readout: the rules behind `tracker ingest`.

Owns: reducing HTML to text, splitting text into sentences, spotting the cue phrases that
make a sentence bear on a commitment, attributing it to a speaker, matching it to an existing
commitment (or suggesting a new id and title) and the SPEC status the cue implies.

Pure and offline: standard library, attrs and `tracker.domain` (with its `tracker.errors`)
only. It must not import the store, the CLI, events, projections, any NLP library or anything
that touches the network: `tracker ingest` imports it on every run, so it has to start fast,
and every rule here must stay explainable to an analyst. Nothing is written from here;
callers decide what to log.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence
from html.parser import HTMLParser

import attrs

from tracker.domain.values import check_commitment_id, parse_status, slugify
from tracker.errors import UserError


@attrs.frozen(kw_only=True)
class KnownCommitment:
    """A commitment already in the log, as ingest needs to match it."""

    id: str
    title: str


@attrs.frozen(kw_only=True)
class Proposal:
    """One statement ingest proposes to log; `quote` is verbatim from the text."""

    n: int
    quote: str
    by: str | None
    on: str | None
    source: str | None
    commitment: str
    new: bool
    title: str
    status: str
    label: str
    cue: str


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# --- HTML -------------------------------------------------------------------------------

_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "head", "svg", "iframe"})
_BLOCK_TAGS = frozenset(
    {
        "p", "div", "section", "article", "header", "footer", "main", "aside", "nav",
        "blockquote", "pre", "table", "tr", "ul", "ol", "dl", "dt", "dd", "figure",
        "figcaption", "hr", "address", "body", "html", "form", "fieldset", "details",
        "summary", "caption", "thead", "tbody", "tfoot",
    }
)  # fmt: skip
_HEADING_TAGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self.skipping += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "li":
            # A list item keeps a Markdown marker so the sentence splitter and the
            # lead-in rule ("The Heads of State:" + items) see it as a list.
            self.parts.append("\n\n- ")
        elif tag in _HEADING_TAGS:
            # Headings are marked so they are never proposed as statements.
            self.parts.append("\n\n" + "#" * _HEADING_TAGS[tag] + " ")
        elif tag in _BLOCK_TAGS or tag in ("td", "th"):
            self.parts.append("\n\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCK_TAGS or tag in _HEADING_TAGS or tag in ("li", "td", "th"):
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(html: str) -> str:
    """Reduce HTML to plain text: scripts and styles dropped, blocks become paragraphs."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    raw = "".join(parser.parts)
    lines = [" ".join(line.split()) for line in raw.split("\n")]
    text = "\n".join(lines)
    text = re.sub(r"\n{3,}", "\n\n", text)
    # An empty list marker or heading left by an empty element carries nothing.
    text = re.sub(r"(?m)^(?:-|#{1,6})\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


_HTML_SNIFF = re.compile(
    r"<!doctype\s+html|<html[\s>]|<body[\s>]|<head[\s>]"
    r"|<(?:p|div|br|h[1-6]|ul|ol|li|article|section|span|a|table|strong|em)(?:\s[^<>]*)?/?>",
    re.IGNORECASE,
)


def read_input(raw: str, name: str | None = None) -> str:
    """Return the text to read: HTML (by file suffix or content) is reduced to text."""
    lower_name = (name or "").lower()
    if lower_name.endswith((".html", ".htm", ".xhtml")):
        return html_to_text(raw)
    head = raw[:4000]
    stripped = head.lstrip().lower()
    if stripped.startswith(("<!doctype html", "<html")) or len(_HTML_SNIFF.findall(head)) >= 3:
        return html_to_text(raw)
    return raw


# --- sentences --------------------------------------------------------------------------

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


# --- cues -------------------------------------------------------------------------------

_AUX = r"(?:has|have|had|is|are|was|were|be|been|being|am)"
_COMMIT_VERBS = (
    r"(?:support|provide|fund|finance|contribute|deploy|deliver|double|triple|increase|expand"
    r"|raise|reduce|cut|remove|eliminate|abolish|publish|build|construct|complete|finish"
    r"|establish|create|set\s+up|launch|open|extend|review|host|invest|allocate|disburse|train"
    r"|send|donate|offer|grant|sign|ratify|implement|introduce|phase\s+out|lift|waive|release"
    r"|share|help|pay|match|strengthen|give|supply|restore|connect|resume|cooperate|ensure"
    r"|guarantee|protect|submit|adopt|enact|hire|recruit|halve|end|stop|close|honou?r|respect"
    r"|abide|maintain|commit|pledge|step\s+up|scale\s+up|transfer|repay|spend|purchase|procure"
    r"|upgrade|moderni[sz]e|rebuild|repair|reopen|withdraw|begin|start|lower|cap|ban|boost"
    r"|accelerate|expedite|install|equip|earmark|mobili[sz]e|work\s+(?:with|to|towards?))"
)
_WILL = r"(?:will|shall|’ll|'ll)"
_WILL_ADVERBS = r"(?:(?:also|now|further|jointly|soon|then|immediately|therefore|still|each)\s+)?"
_FIRST_PERSON_STOP = (
    r"(?:be|not|never|remain|rest|have|see|hear|know|need|try|look|talk|say|tell|hope|wait"
    r"|miss|remember|forget|always|find|get|let|take|go|come|meet|discuss|consider)\b"
)
_PASSIVE_DONE = (
    r"(?:completed|finished|built|delivered|ready|operational|in\s+place|up|installed"
    r"|connected|done|paid|disbursed|signed|ratified|implemented|opened|launched|restored"
    r"|lifted|removed|phased\s+out|reopened|repaired|rebuilt|upgraded|handed\s+over"
    r"|published|released)"
)
_DET = r"(?:its|their|his|her|our|my|a|an|the|this|that|these|those)"
_DATE_WORD = (
    r"(?:\d|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\b"
    r"|(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day\b)"
)
# An optional time between a pledge verb and its object: "promised in December to ...".
_WHEN = (
    rf"(?:\s+(?:in|on|last|this|earlier\s+this)\s+(?:{_DATE_WORD}[\w·]*|week|month|year)"
    r"(?:\s+\d{1,4})?)?"
)

# (pattern, status, label, strength). A verb cue ("agreed to") outranks a noun cue ("talks
# on"); among cues of one strength the first in the sentence gives the status, because the
# main clause of a readout sentence comes first and later cues sit in subordinate clauses.
_CUE_TABLE: list[tuple[str, str, str, str]] = [
    # pending: negotiation and awaiting conclusion
    (r"\b(?:the\s+)?need\s+to\s+(?:conclude|finali[sz]e|complete|sign|ratify|agree\s+on)\b",
     "pending", "pending conclusion", "verb"),
    (r"\b(?:work(?:ing)?|push(?:ing)?|aim(?:ing)?|seek(?:ing)?|striv(?:e|ing))\s+to\s+"
     r"(?:conclude|finali[sz]e)\b", "pending", "pending conclusion", "verb"),
    (rf"\b{_AUX}\s+(?:still\s+)?negotiating\b|\bnegotiating\s+{_DET}\b"
     r"|\bcontinu\w*\s+to\s+negotiate\b", "pending", "negotiating", "verb"),
    (r"\b(?:has|have|had)\s+(?:yet\s+|still\s+)?to\s+be\s+(?:ratified|approved|signed"
     r"|finali[sz]ed|concluded|endorsed|adopted|agreed)\b|\byet\s+to\s+be\s+(?:ratified"
     r"|approved|signed|finali[sz]ed|concluded|endorsed|adopted|agreed)\b"
     r"|\bawait(?:s|ing)?\s+(?:final\s+)?(?:ratification|approval|signature|conclusion)\b"
     r"|\bpending\s+(?:ratification|approval|signature)\b", "pending", "awaiting", "verb"),
    (r"\bnegotiations?\s+(?:on|over|for|towards?|about|of)\b", "pending", "negotiating",
     "noun"),
    (rf"\btalks\s+(?:on(?!\s+{_DATE_WORD})|over|about|towards?)\b", "pending", "negotiating",
     "noun"),
    # proposed: requests and calls
    (r"\bcall(?:s|ed|ing)?\s+(?:on|upon|for)\b", "proposed", "called for", "verb"),
    (r"\burg(?:e|es|ed|ing)\b", "proposed", "called for", "verb"),
    (r"\bdemand(?:s|ed|ing)?\s+that\b", "proposed", "called for", "verb"),
    (r"\bappeal(?:s|ed|ing)?\s+(?:to|for)\b", "proposed", "called for", "verb"),
    (r"\brequest(?:s|ed|ing)\b|\brequest\s+(?:that|for)\b", "proposed", "requested", "verb"),
    (r"\basked\s+(?:[\w’'-]+\s+){1,6}?to\s+[a-z]", "proposed", "requested", "verb"),
    (r"\b(?:directed|instructed|tasked)\s+(?:[\w’'-]+\s+){1,10}?to\s+[a-z]", "proposed",
     "requested", "verb"),
    (r"\bproposed\s+(?:a|an|the|to|that)\b", "proposed", "proposed", "verb"),
    # committed: pledges and agreements
    (rf"\b(?:{_AUX}|remain(?:s|ed)?|stay(?:s|ed)?)\s+(?:fully\s+|firmly\s+|deeply\s+|strongly\s+"
     r"|still\s+|also\s+)?committed\b", "committed", "committed", "verb"),
    (r"\bcommit(?:s|ted)(?=\s+(?:to|itself|themselves|himself|herself|ourselves|his|her|their"
     r"|its|our|the|a|an|\$|€|£|\d))(?![^.;]{0,40}\b(?:crimes?|attacks?|atrocit|abuses?|murders?"
     r"|offen[cs]es?|fraud|genocide|massacres?)\b)", "committed", "committed", "verb"),
    (r"\b(?:re)?affirm(?:s|ed|ing)?\s+(?:[\w’'.-]+\s+){0,4}?commitments?\b"
     r"|\breiterat(?:es|ed|ing)\s+(?:[\w’'.-]+\s+){0,4}?commitments?\b",
     "committed", "committed", "verb"),
    (r"\bpledg(?:ed|es|ing)\b|\bpledge\s+to\b", "committed", "pledged", "verb"),
    (rf"\bpromis(?:ed|es|ing){_WHEN}\s+(?:to|that|a|an|the|\$|€|£|\d)", "committed",
     "promised", "verb"),
    (rf"\bvow(?:s|ed){_WHEN}\s+to\b|\bundert(?:ook|akes|aken)\s+to\b|\bguarantee[sd]?\s+(?:to|that)\b"
     r"|\boffer(?:ed|s)\s+to\b", "committed", "promised", "verb"),
    (r"\bsigned\s+up\s+to\b", "committed", "agreed", "verb"),
    (rf"\bagree(?:s|d)?(?:\s+on(?!\s+{_DATE_WORD})|{_WHEN}\s+(?:to|that|upon|in\s+principle))\b"
     r"|\b(?:has|have|had|was|were)\s+agreed\b", "committed", "agreed", "verb"),
    (r"\breach(?:ed|es)?\s+(?:an?\s+)?(?:[\w-]+\s+)?(?:agreement|deal|accord|consensus"
     r"|understanding)\b|\bstr(?:uck|ike)\s+(?:an?\s+)?(?:[\w-]+\s+)?(?:deal|agreement)\b"
     r"|\bclinch(?:ed)?\s+(?:an?\s+)?(?:[\w-]+\s+)?deal\b", "committed", "agreed", "verb"),
    (r"\badopt(?:ed|s)(?=\s+(?:a\s+|an\s+|the\s+)?(?:[\w-]+\s+){0,2}?(?:resolution|declaration"
     r"|plan|framework|text|decision|roadmap|road\s+map|strategy|programme|program|budget|law"
     r"|bill|measures?|communiqu))", "committed", "agreed", "verb"),
    (r"\bapprov(?:ed|es)\s+(?:a|an|the|\$|€|£|\d)", "committed", "agreed", "verb"),
    (r"\bannounc(?:ed|es)\s+(?!that\b|on\b|in\b|at\b|yesterday\b|today\b|last\b|earlier\b"
     r"|during\b|after\b|before\b|via\b|through\b|his\s+resignation|her\s+resignation)"
     r"(?=[\w$€£])", "committed", "announced", "verb"),
    (rf"\b{_WILL}\s+continue\s+to\b", "committed", "promised", "verb"),
    (rf"\b(?:we|i)\s+{_WILL}\s+{_WILL_ADVERBS}(?!{_FIRST_PERSON_STOP})[a-z]+",
     "committed", "promised", "verb"),
    (rf"\b{_WILL}\s+{_WILL_ADVERBS}{_COMMIT_VERBS}\b", "committed", "promised", "verb"),
    (rf"\b{_WILL}\s+be\s+(?:fully\s+|finally\s+)?{_PASSIVE_DONE}(?=[^.;]{{0,60}}\bby\b)",
     "committed", "promised", "verb"),
    (r"\bcommitments?\s+to\b", "committed", "committed", "noun"),
    # in progress: implementation
    (r"\b(?:launch(?:ed|es)|(?:has|have|had)\s+begun|began|begins|start(?:ed|s)"
     r"|roll(?:ed|s)\s+out|resum(?:ed|es)|deploy(?:ed|s)|kick(?:ed|s)\s+off|commenc(?:ed|es)"
     r"|disburs(?:ed|es))\b", "in_progress", "ongoing", "verb"),
    (rf"\b{_AUX}\s+(?:now\s+|already\s+)?implementing\b", "in_progress", "implementing",
     "verb"),
    (r"\b(?:is|are|was|were|remains?|now|already)\s+(?:well\s+)?under\s*way\b|\bunderway\b",
     "in_progress", "underway", "verb"),
    (r"\b(?:is|are|remains?|was|were)\s+(?:still\s+)?ongoing\b|\bon\s+track\b",
     "in_progress", "ongoing", "verb"),
    # fulfilled
    (r"\bsigned\b", "fulfilled", "signed", "verb"),
    (r"\bconclud(?:ed|es)\s+(?:a|an|the|its|their|negotiations|talks)\b|\b(?:was|were|has\s+been"
     r"|have\s+been)\s+concluded\b", "fulfilled", "concluded", "verb"),
    (r"\bratifi(?:ed|es)\b", "fulfilled", "concluded", "verb"),
    (r"\bdelivered\b(?!\s+on\s+(?:our|its|their|his|her|all|my)\s+(?:promises|commitments"
     r"|pledges)\b)|\bhand(?:ed|s)\s+over\b", "fulfilled", "delivered", "verb"),
    (r"\bcomplet(?:ed|es)\b|\bfinished\b", "fulfilled", "completed", "verb"),
    (r"\b(?:kept|honou?red|fulfill?ed|met)\s+(?:its|their|his|her|our|my|the|this|that|a|an)\s+"
     r"(?:[\w-]+\s+)?(?:promise|pledge|commitment|obligation|target|word)s?\b",
     "fulfilled", "kept", "verb"),
    # partial
    (r"\b(?:is|was|it’s|it's|represents|amounts\s+to)\s+(?:a|an)\s+(?:[\w-]+\s+)?compromise\b"
     r"|\bcompromise\s+(?:deal|agreement)\b", "partial", "compromise", "verb"),
    (r"\b(?:partly|partially|in\s+part)\s+(?:kept|met|fulfill?ed|honou?red|delivered"
     r"|implemented)\b", "partial", "partly kept", "verb"),
    # stalled
    (r"(?<![\w-])(?:stalled|stalling)\b", "stalled", "stalled", "verb"),
    (r"(?<![\w-])(?:delayed|postponed|deferred|pushed\s+back|behind\s+schedule)\b",
     "stalled", "delayed", "verb"),
    (r"(?<![\w-])(?:suspended|paused|frozen|froze|halted|put\s+on\s+hold|on\s+hold)\b",
     "stalled", "on hold", "verb"),
    (r"(?<![\w-])(?:blocked|deadlock(?:ed)?|stalemate|stuck|no\s+progress)\b",
     "stalled", "blocked", "verb"),
    (r"\bdelays?\s+(?:in|to|on)\b", "stalled", "delayed", "noun"),
    # broken
    (r"\bviolat(?:ed|es|ing)\b|\bbreach(?:ed|es|ing)\b", "broken", "violated", "verb"),
    (rf"\b(?:broke|broken|break(?:s|ing)?)\s+{_DET}\s+(?:[\w-]+\s+){{0,2}}?(?:ceasefire|truce"
     r"|agreement|deal|accord|treaty)\b", "broken", "violated", "verb"),
    (rf"\b(?:broke|broken|break(?:s|ing)?)\s+{_DET}\s+(?:[\w-]+\s+){{0,2}}?(?:promises?"
     r"|pledges?|commitments?|word)\b", "broken", "failed", "verb"),
    (r"\breneg(?:ed|es|ing)\b|\b(?:went|gone|going)\s+back\s+on\b|\bbacktrack(?:ed|ing)?\s+on\b",
     "broken", "reneged", "verb"),
    (r"\bfail(?:ed|s|ing)\s+(?:to|on)\b|\b(?:has|have|had)\s+failed\b"
     r"|\b(?:we|they|he|she|it)\s+failed\b", "broken", "failed", "verb"),
    (rf"\bmissed\s+{_DET}\s+(?:[\w-]+\s+){{0,2}}?(?:targets?|deadlines?|goals?)\b"
     r"|\b(?:has|have|had)\s+been\s+missed\b|\b(?:was|were)\s+missed\b",
     "broken", "failed", "verb"),
    (r"\bviolations?\s+of\b|\bbreach\s+of\b", "broken", "violated", "noun"),
    # withdrawn
    (rf"\bdropp(?:ed|ing)\s+(?:{_DET}\s+)?(?:[\w-]+\s+){{0,2}}?(?:demands?|plans?|proposals?"
     r"|bid|requests?|objections?|opposition|insistence|claims?|pledges?|commitments?|offer"
     r"|project)\b", "withdrawn", "dropped", "verb"),
    (r"\babandon(?:ed|s|ing)\b|\bscrapped\b|\bshelved\b", "withdrawn", "abandoned", "verb"),
    (r"\bcancel(?:l)?ed\b|\brescinded\b|\brevoked\b", "withdrawn", "cancelled", "verb"),
    (r"\bwithdr(?:ew|awn|aws)\s+(?:from\s+(?:the\s+)?(?:[\w-]+\s+){0,3}?(?:agreement|deal"
     r"|accord|treaty|talks|negotiations|pact|process|initiative|programme|program)"
     r"|(?:its|their|his|her)\s+(?:offer|pledge|support|proposal|bid|commitment))\b",
     "withdrawn", "withdrawn", "verb"),
    (r"\bpull(?:ed|s)\s+out\s+of\b", "withdrawn", "withdrawn", "verb"),
    # superseded
    (r"\b(?:replaced|superseded)\s+by\b|\bsupersed(?:es|ed)\b", "superseded", "replaced", "verb"),
]  # fmt: skip
_CUES = [(re.compile(p, re.IGNORECASE), s, lab, k) for p, s, lab, k in _CUE_TABLE]
# "would" carries a pledge only in reported speech ("said Norland would continue to ...").
_REPORTED_WOULD = re.compile(
    r"\b(?:said|says|told|added|announced|stated|confirmed|promised)\b[^.;]{0,120}?"
    rf"\b(?P<cue>would\s+{_WILL_ADVERBS}(?:continue\s+to|{_COMMIT_VERBS}|be\s+{_PASSIVE_DONE}"
    r"(?=[^.;]{0,60}\bby\b)))\b",
    re.IGNORECASE,
)
_NEGATED = re.compile(
    r"\b(?:not|never|no\s+longer|n[o']t\s+yet|neither|nor)\s+(?:yet\s+|been\s+|be\s+|fully\s+"
    r"|formally\s+)*\Z|n[’']t\s+(?:yet\s+|been\s+|be\s+)*\Z",
    re.IGNORECASE,
)
# A bare past participle followed by a time or place ("an initiative launched in 2005",
# "the ceasefire agreed in Geneva") is background, not news about the commitment.
_BACKGROUND_AFTER = re.compile(
    r"\s+(?:in|at|during|since|last|earlier|back|years|decades|months|on\s+(?:\d|"
    + _MONTH_NAMES
    + r"|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday))\b"
)
_PARTICIPLES = _words(
    """launched began started agreed signed promised pledged delivered deployed adopted
    announced concluded completed approved ratified committed resumed finished"""
)
_AUX_WORDS = _words("has have had was were is are been be being am")
_PRAISE_VERBS = re.compile(
    r"\b(?:thank(?:s|ed)?|congratulat\w*|prais\w*|commend\w*|condol\w*|mourn\w*|paid\s+tribute"
    r"|pays\s+tribute|expressed\s+(?:his|her|their|its|our)?\s*(?:condolences|sympathy"
    r"|gratitude|appreciation))",
    re.IGNORECASE,
)


@attrs.frozen
class _Cue:
    start: int
    end: int
    status: str
    label: str
    strength: str


def _find_cues(masked: str, *, loose: bool = False) -> list[_Cue]:
    found: list[_Cue] = []
    for pattern, status, label, strength in _CUES:
        for match in pattern.finditer(masked):
            if not loose and _is_background(masked, match):
                continue
            before = masked[max(0, match.start() - 40) : match.start()]
            if strength == "verb" and _NEGATED.search(before):
                continue
            if status in _DONE_STATUSES and _HYPOTHETICAL.search(before):
                continue  # "would be signed", "could be completed": not done yet
            if _CONDITIONAL.search(re.split(r"[,;:]", before)[-1]):
                continue  # "if the parties agree to ...": nothing was agreed
            found.append(_Cue(match.start(), match.end(), status, label, strength))
    for match in _REPORTED_WOULD.finditer(masked):
        found.append(_Cue(match.start("cue"), match.end("cue"), "committed", "promised", "verb"))
    found.sort(key=lambda c: (c.strength != "verb", c.start, -(c.end - c.start)))
    return found


_DONE_STATUSES = frozenset({"fulfilled", "in_progress", "broken", "withdrawn", "stalled"})
_HYPOTHETICAL = re.compile(
    r"\b(?:would|could|should|might|may|must|can|will|to|shall)\s+(?:not\s+)?(?:have\s+)?"
    r"(?:be|been|get)\s+(?:\w+ly\s+)?\Z",
    re.IGNORECASE,
)
_CONDITIONAL = re.compile(r"(?:^|\s)(?:if|unless|whether|once|should)\b", re.IGNORECASE)


def _is_background(masked: str, match: re.Match[str]) -> bool:
    word = match.group(0).split()[0].lower() if match.group(0).split() else ""
    if word not in _PARTICIPLES or len(match.group(0).split()) > 1:
        return False
    before = masked[: match.start()].split()
    if before and before[-1].lower() in _AUX_WORDS:
        return False
    return _BACKGROUND_AFTER.match(masked, match.end()) is not None


_Resolver = Callable[[str | None], str | None]

# --- speakers ---------------------------------------------------------------------------

_TITLE_WORDS = _words(
    """president pres pres. vice deputy dep dep. secretary minister ministers prime foreign
    cabinet principal chief special envoy ambassador amb amb. senator sen sen. governor gov
    gov. chancellor king queen prince princess sheikh emir general gen gen. dr dr. mr mr. mrs
    mrs. ms ms. prof prof. professor commissioner chair chairman chairwoman chairperson
    spokesperson spokesman spokeswoman representative mayor judge justice hon hon. rtd rtd.
    (rtd.) col col. lt lt. capt capt. maj maj. adm adm. admiral lord lady sir madam dame
    state health energy trade defence defense finance interior treasury executive director
    senior assistant attorney under permanent undersecretary premier pope speaker
    mediator negotiator of the"""
)
_AGENT_NOUNS = _words(
    """government governments ministry ministries minister ministers officials official
    lawmakers legislators parliament council committee commission secretary president envoy
    spokesperson spokesman spokeswoman representative representatives delegation delegations
    sides parties leaders heads countries states nations bank banks fund alliance union bloc
    summit forum chair chairman chairperson mediator negotiator negotiators ambassador embassy
    agency authority authorities army military forces company firm administration cabinet
    donors partners members secretariat board court kingdom republic ministers group
    groups opposition rebels coalition organisation organization office department"""
)
_PERSON_ROLES = _words(
    """minister secretary president envoy spokesperson spokesman spokeswoman representative
    chair chairman chairperson chairwoman mediator negotiator ambassador commissioner governor
    senator premier chancellor director official"""
)
_NON_AGENT_HEADS = _words(
    """talks negotiations deal agreement accord project programme program plan construction
    conversation meeting call statement report work talk treaty ceasefire truce process"""
)
_PLACE_WORDS = _words(
    """united states nations republic region kingdom democratic africa african america american
    europe european asia asian east west north south eastern western northern southern central
    great lakes gulf sea ocean river island islands city province county council"""
)
# "The two also agreed ...": the parties last named.
_GROUP_WORDS = _words("two both all")
_PRONOUNS = _words("he she they it we i his her their its our")
_REPORT_VERBS = (
    r"(?:said|says|say|added|adds|concluded|noted|notes|told|stated|states|explained|continued"
    r"|insisted|declared|wrote|writes|remarked|stressed|emphasi[sz]ed|argued|warned|asked"
    r"|replied|announced|observed|acknowledged|recalled|tweeted|posted|cautioned|affirmed"
    r"|confirmed|underlined|highlighted|maintained|admitted|conceded|reiterated)"
)
_NP_CHARS = r"[^,;:!?\"“”()\[\]]"
_ATTR_AFTER = re.compile(
    rf"[\s,—–-]*(?:(?P<np1>{_NP_CHARS}{{1,80}}?)\s+{_REPORT_VERBS}\b"
    rf"|{_REPORT_VERBS}\s+(?P<np2>{_NP_CHARS}{{1,80}}))",
    re.IGNORECASE,
)
_ATTR_BEFORE = re.compile(
    rf"(?P<np>{_NP_CHARS}{{1,80}}?)\s+{_REPORT_VERBS}(?:\s+(?:on|in|at)\s+{_NP_CHARS}{{1,30}}?)?"
    r"\s*[:,]?\s*\Z",
    re.IGNORECASE,
)
_TRAILING_ATTR = re.compile(
    r",(?!\s*(?:and|but|or|while|which|who|as|because|although|though|so|then|when)\b)\s*"
    rf"(?:(?P<np1>{_NP_CHARS}{{1,80}}?)\s+(?:said|says|told|added|announced|confirmed"
    rf"|noted|stated)\b|(?:said|says)\s+(?P<np2>{_NP_CHARS}{{1,80}}?)\s*(?:[,.]|\Z))",
    re.IGNORECASE,
)
_ACCORDING = re.compile(rf"\baccording\s+to\s+(?P<np>{_NP_CHARS}{{1,80}}?)\s*,", re.IGNORECASE)
_MAIN_VERBS = _words(
    """said says told noted added announced confirmed agreed agree discussed met spoke held has
    have had is are was were will would shall can could may might must did does do thanked
    praised welcomed welcome congratulated urged urge called call requested demanded pledged
    promised committed signed concluded launched began started deployed delivered completed
    reaffirmed reaffirm reiterated accused regretted condemned expressed acknowledged stressed
    underscored emphasised emphasized outlined updated directed adopted reached remained remain
    offered vowed dropped failed violated reneged approved ratified resumed took took came
    unveiled stated declared asked wrote told received"""
)
_LEADING_PHRASE_WORDS = _words(
    """in on at by after before during under according with for from since as while following
    despite speaking asked addressing writing meanwhile however also today yesterday"""
)
_ADVERB_TAIL = re.compile(
    r"(?:\s+(?:also|today|yesterday|jointly|now|already|still|again|further|formally"
    r"|officially|on\s+(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
    r"|[a-z]+ly))+\s*\Z"
)
_NAME_TOKEN = re.compile(r"(?:[A-Z][\w’'-]*\.?|[A-Z]\.)\Z")


def _clean_np(np: str) -> str:
    np = np.replace("·", ".").strip(" \t\n,;:—–-\"“”'’*_")
    np = _ADVERB_TAIL.sub("", np)
    np = re.sub(
        r"^(?:(?:later|earlier|then|now|separately|meanwhile|however|also|today|yesterday|again"
        r"|finally|instead|still|jointly)\s+)+",
        "",
        np,
        flags=re.IGNORECASE,
    )
    np = re.sub(r"^(?:the|a|an)\s+", "", np, flags=re.IGNORECASE)
    np = re.sub(r"\s+(?:on|in|at|during|after)\s+\S.*\Z", "", np) if len(np.split()) > 1 else np
    # The full stop that ended the sentence ("... said Lena Vos.") is not part of the name.
    np = re.sub(r"(?<=[^\W\d_]{3})\.\Z", "", np)
    return " ".join(np.split())


def _person_name(np: str) -> str | None:
    """The name in a titled noun phrase: 'Energy Minister Grace N. Otieno' -> 'Grace N. Otieno'."""
    if " and " in np or "," in np:
        return None
    tokens = np.replace("(Rtd.)", "").split()
    name: list[str] = []
    for token in reversed(tokens):
        if _NAME_TOKEN.match(token) and token.lower().rstrip(".") not in _TITLE_WORDS:
            name.insert(0, token)
        else:
            break
    if not name:
        return None
    if len(name) == len(tokens):
        # A bare "Rafael D. Monteiro" is a person; "European Union" or "Lake Region" is not.
        if len(name) >= 2 and not any(
            t.lower().strip(".") in _AGENT_NOUNS or t.lower() in _PLACE_WORDS for t in name
        ):
            return " ".join(name).rstrip(".") if not re.search(r"\b[A-Z]\.\Z", np) else np
        return None
    before = tokens[len(tokens) - len(name) - 1]
    if before.lower() in ("of", "for", "and"):
        return None
    # "chief negotiator Monteiro": a lower-case role word still titles a name.
    if (
        before[0].islower()
        and before.lower() not in _TITLE_WORDS
        and before.lower() not in _AGENT_NOUNS
        and not before.lower().endswith(("er", "or", "ist"))
    ):
        return None
    return " ".join(name)


class _Names:
    """Full names seen in the text, so that 'Ruto' and 'Mr. Ndlovu' resolve to one speaker."""

    def __init__(self, text: str, default: str | None) -> None:
        self.by_surname: dict[str, str] = {}
        if default:
            self._add(default)
        run = re.compile(r"(?:(?:[A-Z][\w’'-]+|[A-Z]\.)\s+){1,5}[A-Z][\w’'-]+")
        for match in run.finditer(text):
            tokens = match.group(0).split()
            titled = [i for i, t in enumerate(tokens) if t.lower().rstrip(".") in _TITLE_WORDS]
            if titled:
                tokens = tokens[titled[-1] + 1 :]
            if len(tokens) >= 2 and not any(t.lower() in _AGENT_NOUNS for t in tokens):
                self._add(" ".join(tokens))

    def _add(self, name: str) -> None:
        if not name.split():
            return
        surname = name.split()[-1].lower()
        if len(surname) > 2:
            self.by_surname.setdefault(surname, name)

    def full(self, name: str) -> str:
        if " " not in name and name[:1].isupper():
            return self.by_surname.get(name.lower(), name)
        return name


def _looks_proper(word: str, initial: bool, text: str) -> bool:
    if not word[:1].isupper():
        return False
    if not initial:
        return True
    if word.lower().endswith(("tion", "ment", "ness", "ity", "ance", "ence", "ing", "ship")):
        return False
    return re.search(rf"(?<![.!?]\s)(?<=\s){re.escape(word)}\b", text) is not None or (
        re.search(rf"\b{re.escape(word.lower())}\b", text) is None
    )


def _head(np: str) -> str:
    """The head word of a noun phrase: 'the representative of Veldoria' -> 'representative'."""
    first_part = re.split(r"\s+(?:of|between|in|for|with|from|on|at|to)\s+", np)[0]
    words = first_part.split(" and ")[0].split()
    return re.sub(r"[’']s?\Z", "", words[-1]).lower() if words else ""


def _is_agent(np: str, text: str, initial: bool) -> bool:
    words = np.split()
    if not words:
        return False
    first_part = re.split(r"\s+(?:of|between|in|for|with|from|on|at|to)\s+", np)[0]
    head_words = first_part.split(" and ")[0].split()
    if not head_words:
        return False
    head = _head(np)
    if head in _NON_AGENT_HEADS:
        return False
    if head in _AGENT_NOUNS or head_words[-1].lower() in _AGENT_NOUNS:
        return True
    is_first = initial and len(head_words) == 1
    return _looks_proper(head_words[-1], is_first, text)


def _subject(masked: str) -> tuple[str | None, int]:
    """The subject of the main clause and where its verb starts (-1 when none was found)."""
    for match in re.finditer(r"[\w’'-]+", masked):
        word = match.group(0)
        lower = word.lower()
        is_verb = lower in _MAIN_VERBS or (
            lower.endswith("ed")
            and len(lower) > 4
            and word.islower()
            and "-" not in word
            and match.start() > 0
        )
        if not is_verb:
            continue
        before = masked[: match.start()]
        previous = before.split()[-1].lower() if before.split() else ""
        if previous in ("the", "a", "an", "of", "its", "their", "his", "her", "to", "by", "for"):
            continue
        segments = [s for s in before.split(",") if s.strip()]
        if not segments:
            return None, match.start()
        for segment in reversed(segments):
            first = segment.split()[0].lower()
            if first in _LEADING_PHRASE_WORDS or first[:1].isdigit():
                continue
            if first.endswith(("ing", "ed")) and first not in _PRONOUNS and len(segments) > 1:
                continue
            if re.fullmatch(_MONTH_NAMES + r"\.?(?:\s+\d{1,2})?", segment.strip()):
                continue
            return _clean_np(segment), match.start()
        return _clean_np(segments[-1]), match.start()
    return None, -1


# --- commitments ------------------------------------------------------------------------

_STOPWORDS = _words(
    """a an the of to for and or in on at by with from its their his her our my this that these
    those is are was were be been being has have had will would shall it as into over under
    between about than per also further new more other such which who whom whose what"""
)
_ID_SKIP = _STOPWORDS | _words(
    """ensure continue carried out being support help need work make take"""
)
_ANAPHOR = re.compile(
    r"^\W*(?:it|this|that)\s+(?:is|was|has|had|will|would|remains)\b"
    r"|\b(?:that|this)\s+(?:one|promise|pledge|commitment|target|goal)\b"
    r"|\bthe\s+(?:target|goal|promise|pledge)\b",
    re.IGNORECASE,
)
_AGREEMENT_ANAPHOR = re.compile(r"\bthe\s+(?:deal|agreement|accord|treaty|pact)\b", re.IGNORECASE)


def _normal_tokens(text: str) -> list[str]:
    text = re.sub(r"[’']s\b", "", text)
    text = re.sub(r"\b((?:[A-Za-z]\.){2,})", lambda m: m.group(1).replace(".", ""), text)
    return re.findall(r"[A-Za-z0-9]+", text)


def _stem(word: str) -> str:
    word = word.lower()
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _content_stems(text: str) -> set[str]:
    return {_stem(t) for t in _normal_tokens(text) if t.lower() not in _STOPWORDS}


def _common_stems(text: str) -> set[str]:
    """Stems of lower-case words only: shared names say little about which commitment it is."""
    return {
        _stem(t)
        for t in _normal_tokens(text)
        if t.islower() and t not in _STOPWORDS and len(t) >= 4
    }


def _acronyms(title: str) -> set[str]:
    found = set(re.findall(r"\(([A-Z][A-Z0-9&-]{1,9})\)", title))
    words = [w for w in re.findall(r"[A-Za-z]+", title) if w[0].isupper()]
    if len(words) >= 3:
        found.add("".join(w[0] for w in words))
    return found


def _match_known(
    sentence: str, known: Sequence[KnownCommitment], *, whole_title: bool = False
) -> KnownCommitment | None:
    stems = _content_stems(sentence)
    tokens = set(_normal_tokens(sentence))
    best: tuple[float, KnownCommitment] | None = None
    for item in known:
        score = 0.0
        id_words = item.id.replace("-", " ")
        if re.search(rf"(?<![\w-]){re.escape(item.id)}(?![\w-])", sentence, re.IGNORECASE) or (
            "-" in item.id and re.search(rf"\b{re.escape(id_words)}\b", sentence, re.IGNORECASE)
        ):
            score = 3.0
        elif _acronyms(item.title) & tokens:
            score = 2.0
        else:
            title_stems = _content_stems(item.title)
            hits = title_stems & stems
            if len(title_stems) >= 2 and len(hits) >= 2 and len(hits) / len(title_stems) >= 0.6:
                score = len(hits) / len(title_stems)
            elif whole_title and len(title_stems) == 1 and hits == title_stems:
                # A one-word suggestion ("Truce") named again: "violating the truce".
                score = 0.5 if not hits & _ID_SKIP and hits != {"commitment"} else 0.0
        if score and (best is None or score > best[0]):
            best = (score, item)
    return best[1] if best else None


def _object_phrase(masked: str, cue: _Cue) -> str:
    rest = masked[cue.end :]
    rest = re.sub(r"^\s*(?:to|on|upon|for|that|in\s+principle)\b\s*", "", rest, flags=re.I)
    # "announced it would contribute ...": the reported clause's verb starts the object.
    rest = re.sub(
        r"^(?:that\s+)?(?:it|they|he|she|we|the\s+\w+)\s+(?:would|will)\s+(?:also\s+)?",
        "",
        rest,
        flags=re.I,
    )
    rest = re.sub(
        r"^(?:continue\s+to|continuing\s+to|a\s+further|further|also|additional)\s+",
        "",
        rest,
        flags=re.I,
    )
    cut = re.search(r"[;:!?\"“”]|,(?!\d)|\.(?:\s|\Z)|\s[—–]\s|\s--\s|\Z", rest)
    assert cut is not None
    return rest[: cut.start()].strip()


def _clause_subject(masked: str, cue: _Cue) -> str:
    """The noun phrase before the cue in its clause, skipping asides between commas."""
    clause = re.split(r"[;:]|\bthat\b|\s[—–]\s", masked[: cue.start])[-1]
    clause = re.sub(
        r"(?:\s+(?:has|have|had|is|are|was|were|be|been|still|yet|already|repeatedly|also|now"
        r"|will|would))+\s*\Z",
        "",
        clause,
        flags=re.I,
    )
    segments = [s.strip() for s in re.split(r",(?!\d)", clause) if s.strip()]
    for segment in reversed(segments):
        first = segment.split()[0].lower()
        if len(segments) > 1 and (
            first in _LEADING_PHRASE_WORDS or first.endswith(("ing", "ed")) or first[:1].isdigit()
        ):
            continue
        segment = re.sub(r"^(?:the|a|an)\s+", "", segment, flags=re.IGNORECASE)
        return " ".join(_ADVERB_TAIL.sub("", segment).split())
    return ""


def _tidy_title(phrase: str) -> str:
    phrase = phrase.replace("·", ".").strip(" \t\n\"“”‘’'*_#([.…,;:—–-")
    phrase = re.sub(
        r"^(?:(?:his|her|its|their|our|my|the|a|an)\s+(?:country|government|nation)[’']s\s+"
        r"|(?:his|her|its|their|our|my|the|a|an)\s+)",
        "",
        phrase,
        flags=re.IGNORECASE,
    )
    words = phrase.split()[:14]
    while words and words[-1].lower() in _STOPWORDS:
        words.pop()
    title = " ".join(words).rstrip(".…,;:—–- ")
    return title[:1].upper() + title[1:]


_FUTURE_CUE = re.compile(
    rf"(?:(?:we|i)\s+)?(?:{_WILL}|would)\s+{_WILL_ADVERBS}(?:continue\s+to\s+)?(?!be\b)",
    re.IGNORECASE,
)
_NOT_ACTORS = _words("both all each either neither they we i you it he she this that")


def _suggest(masked: str, cue: _Cue, speaker: str | None) -> tuple[str, str]:
    """Suggest (id words, title) for a new commitment from the cue's object or subject."""
    future = _FUTURE_CUE.match(masked, cue.start, cue.end)
    if future and future.end() < cue.end:
        # "will reduce tariffs": the verb belongs in the title, not only in the cue.
        cue = _Cue(cue.start, future.end(), cue.status, cue.label, cue.strength)
    obj = _object_phrase(masked, cue)
    starts_adverbial = re.match(
        r"(?:because|since|after|as|due|until|while|although|repeatedly|by|in|on|at|for)\b",
        obj,
        re.IGNORECASE,
    )
    if not _content_stems(obj) or starts_adverbial:
        subject = _clause_subject(masked, cue)
        if len(_content_stems(subject)) >= 1 and subject.lower() not in _PRONOUNS:
            obj = subject
    actor = _clause_subject(masked, cue)
    title = _tidy_title(obj) or _tidy_title(masked[: cue.start]) or "Commitment"
    verb_first = re.match(r"[a-z]+\b", obj) is not None and not re.match(
        r"(?:his|her|its|their|our|my|the|a|an)\b", obj
    )
    actor_words = actor.split()
    if (
        verb_first
        and 0 < len(actor_words) <= 3
        and actor_words[0].lower() not in _NOT_ACTORS
        and actor_words[-1][:1].isupper()
    ):
        title = f"{actor} to {obj[:1].lower() + obj[1:]}"
        title = _tidy_title(title)
    words = [
        t.lower() for t in _normal_tokens(title) if t.lower() not in _ID_SKIP and not t.isdigit()
    ]
    sentence_acronyms = [
        a
        for a in re.findall(r"\b[A-Z]{2,6}\b", masked)
        if a.lower() not in words and (not speaker or a not in speaker)
    ]
    if sentence_acronyms:
        words.insert(0, sentence_acronyms[0].lower())
    elif not any(t[:1].isupper() for t in _normal_tokens(title)[1:]) and actor_words:
        last = actor_words[-1]
        if last[:1].isupper() and last.lower() not in _PRONOUNS and last.lower() not in words:
            words.insert(0, _normal_tokens(last)[0].lower() if _normal_tokens(last) else "")
    return "-".join(w for w in words[:4] if w), title


def _unique_id(base: str, used: set[str], next_suffix: dict[str, int]) -> str:
    """A slug of `base` no other commitment uses: '-2', '-3' ... are added on a clash."""
    slug = slugify(base, limit=40) or "commitment"
    try:
        check_commitment_id(slug)
    except UserError:
        slug = "commitment"
    candidate = slug
    while candidate in used:
        # Remember the next free number, so that many clashes on one slug stay cheap.
        counter = next_suffix.get(slug, 2)
        next_suffix[slug] = counter + 1
        suffix = f"-{counter}"
        candidate = slug[: 40 - len(suffix)].rstrip("-") + suffix
    return candidate


# --- proposing --------------------------------------------------------------------------


@attrs.frozen
class _Found:
    quote_start: int
    quote_end: int
    sentence: _Sentence
    masked: str  # the sentence with inner full stops masked, same length as the sentence
    cue: _Cue
    speaker: str | None
    quoted: bool


def _mask(sentence: str) -> str:
    # Full stops that did not end the sentence (Dr., U.S., Jan.) would otherwise stop the
    # noun phrases and clauses the rules below read; '·' keeps every offset in place.
    return re.sub(r"\.(?=\s*\S)", "·", sentence)


_CLOSING_QUOTES = {'"': '"', "”": "“", "»": "«"}


def _trim_end(text: str, start: int, end: int) -> int:
    """Drop trailing spaces and joiners, and a closing quote mark the span never opened."""
    while True:
        while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:—–-"):
            end -= 1
        mark = text[end - 1] if end > start else ""
        opener = _CLOSING_QUOTES.get(mark)
        if opener is None:
            return end
        if mark == opener:
            unmatched = text.count(mark, start, end - 1) % 2 == 0
        else:
            unmatched = text.count(opener, start, end - 1) <= text.count(mark, start, end - 1)
        if not unmatched:
            return end
        end -= 1


def propose(
    text: str,
    known: Sequence[KnownCommitment] = (),
    *,
    by: str | None = None,
    on: str | None = None,
    source: str | None = None,
) -> list[Proposal]:
    """Propose the statements in `text` that make, change or report on a commitment."""
    blocks, sentences = _segment(text)
    quotes = _Quotes(_quote_regions(text, blocks), sentences)
    names = _Names(text, by)
    last_person: str | None = None
    person_words: dict[str, str] = {}  # every way each person was named, titles included
    last_agent: str | None = None
    last_group: str | None = None  # "The Secretary and President Kamau", "both sides"
    chain_speaker: dict[int, str | None] = {}
    found: list[_Found] = []
    lead_in: tuple[str | None, _Cue | None] | None = None
    previous_block_kind = ""

    def resolve(np: str | None) -> str | None:
        if not np:
            return None
        np = _clean_np(np)
        lower = np.lower()
        if lower in ("he", "she", "his", "her"):
            return last_person or by
        if lower in ("they", "their") or lower in _GROUP_WORDS:
            return last_group or last_agent or last_person or by
        if lower in ("it", "its"):
            return last_agent or last_person or by
        if lower in ("we", "i", "our", "my"):
            return by
        if lower in _PERSON_ROLES:
            # "according to the minister": the person last named, if that was a minister;
            # another role ("the President said" after a minister) is someone else.
            if last_person and lower in person_words.get(last_person, last_person).lower():
                return last_person
            return names.full(np)
        person = _person_name(np)
        if person:
            return names.full(person)
        return names.full(np) if np else None

    def remember(np: str | None, resolved: str | None, initial: bool) -> None:
        nonlocal last_person, last_agent, last_group
        if not np or not resolved or np.lower() in _PRONOUNS:
            return
        cleaned = _clean_np(np)
        if not _is_agent(cleaned, text, initial) and not _person_name(cleaned):
            return
        last_agent = resolved
        if " and " in cleaned or _head(cleaned) in ("sides", "parties", "leaders", "delegations"):
            last_group = resolved
        if _person_name(cleaned) or resolved != cleaned or _head(cleaned) in _PERSON_ROLES:
            last_person = resolved
            person_words[resolved] = f"{person_words.get(resolved, resolved)} {np}"

    for sentence in sentences:
        block = blocks[sentence.block]
        if block.kind != "item" and (previous_block_kind == "item" or block.kind == "heading"):
            lead_in = None
        previous_block_kind = block.kind
        raw = text[sentence.start : sentence.end]
        masked = _mask(raw)
        region = quotes.at(sentence.start)
        starts_quoted = region is not None and (
            region.start <= sentence.start or sentence.start == region.start - 1
        )
        stripped = raw.rstrip().rstrip("*_").rstrip()
        is_last_in_block = sentence.end >= block.end
        if block.kind == "heading":
            continue
        if (
            block.kind == "para"
            and sentence.start == block.start
            and is_last_in_block
            and not re.search(r"[.!?…:;\"”’)]\Z", stripped)
            and len(stripped.split()) <= 25
        ):
            continue  # a title, byline or caption
        if stripped.endswith(":"):
            if is_last_in_block:
                subject_np, verb_at = _subject(masked)
                np = _clean_np(masked[:-1]) if verb_at < 0 and len(raw.split()) <= 8 else None
                np = np or subject_np
                if np and not (_is_agent(np, text, True) or _person_name(np)):
                    np = None
                loose = _find_cues(masked, loose=True)
                lead_in = (np, loose[0] if loose else None)
            continue
        if stripped.endswith("?"):
            continue

        if starts_quoted and region is not None:
            speaker = _chain_speaker(text, quotes, region, chain_speaker, resolve)
            quote_start = max(sentence.start, region.start)
            quote_end = min(sentence.end, region.end)
            cues = _find_cues(masked[quote_start - sentence.start : quote_end - sentence.start])
            cues = [
                _Cue(c.start + quote_start - sentence.start, c.end + quote_start - sentence.start,
                     c.status, c.label, c.strength)
                for c in cues
            ]  # fmt: skip
            if region.closed and region.end < sentence.end:
                _, np = _attribution_after(text, region.end + 1, sentence.end)
                if np:
                    resolved = resolve(np)
                    remember(np, resolved, False)
            quoted = True
        else:
            quoted = False
            quote_start, quote_end = sentence.start, sentence.end
            cues = _find_cues(masked)
            speaker, np, initial = _narrative_speaker(masked, text, resolve)
            if speaker is None and block.kind == "item" and lead_in is not None:
                # A list item without a subject continues its lead-in ("The Heads of
                # State:"), or else the account of whoever spoke last.
                speaker = resolve(lead_in[0]) if lead_in[0] else (last_person or by)
            elif speaker is None:
                speaker = by
            remember(np, speaker, initial)
            inner = quotes.opening_within(sentence.start, sentence.end)
            if inner is not None and cues and cues[0].start >= inner.start - sentence.start:
                prefix = masked[: inner.start - 1 - sentence.start]
                if _ATTR_BEFORE.search(prefix):
                    quote_start = inner.start
                    quote_end = min(sentence.end, inner.end)
                    quoted = True
            if not cues and block.kind == "item" and lead_in is not None and lead_in[1]:
                lead_cue = lead_in[1]
                cues = [_Cue(0, 0, lead_cue.status, lead_cue.label, "inherited")]
        if not cues:
            continue
        cue = cues[0]
        if cue.strength == "noun" and _PRAISE_VERBS.search(masked[: max(cue.start, 1)]):
            continue
        quote_start = _skip_markup(text, quote_start, quote_end)
        quote_end = _trim_end(text, quote_start, quote_end)  # after: the start may drop a mark
        if quote_end - quote_start < 3:
            continue
        found.append(_Found(quote_start, quote_end, sentence, masked, cue, speaker, quoted))

    found = _drop_paraphrases(found)
    return _assign(found, text, known, by=by, on=on, source=source)


_EMPHASISED_LABEL = re.compile(r"(\*\*|__)[^*_\n]{1,60}?:\s*\1\s+|(\*\*|__)[^*_\n]{1,60}?\2:\s+")


def _skip_markup(text: str, start: int, end: int) -> int:
    """Move a quote's start past opening quote marks and Markdown emphasis."""
    match = _EMPHASISED_LABEL.match(text, start, end)
    if match:
        start = match.end()  # "**Outcome:** We agreed ..." starts at "We"
    while start < end and (text[start] in "\"“‘'„«*_" or text[start].isspace()):
        start += 1
    return start


def _attribution_after(text: str, start: int, end: int) -> tuple[bool, str | None]:
    tail = _mask(text[start:end])
    match = _ATTR_AFTER.match(tail)
    if not match:
        return False, None
    np = match.group("np1") or match.group("np2")
    if np and len(np.split()) > 8:
        return False, None
    return True, np


def _chain_speaker(
    text: str,
    quotes: _Quotes,
    region: _Region,
    cache: dict[int, str | None],
    resolve: _Resolver,
) -> str | None:
    if region.chain in cache:
        return cache[region.chain]
    chain = quotes.chains[region.chain]
    speaker: str | None = None
    last = chain[-1]
    if last.closed:
        around = quotes.sentence_around(last.end)
        ok, np = _attribution_after(text, last.end + 1, around.end if around else last.end)
        if ok:
            speaker = resolve(np)
    if speaker is None:
        first = chain[0]
        around = quotes.sentence_around(first.start - 1)
        sentence_start = around.start if around else first.start
        prefix = _mask(text[sentence_start : max(sentence_start, first.start - 1)])
        match = _ATTR_BEFORE.search(prefix)
        if match:
            speaker = resolve(match.group("np"))
    if speaker is None:
        # No attribution of its own: the speaker of the quotation just before it in the same
        # paragraph ("...," said Vos. "We will ...") is the one still talking.
        earlier = quotes.before(chain[0])
        if earlier is not None and _same_paragraph(text, earlier.end, chain[0].start):
            speaker = cache.get(earlier.chain)
    if speaker is None:
        speaker = resolve("he")
    cache[region.chain] = speaker
    return speaker


def _same_paragraph(text: str, start: int, end: int) -> bool:
    return re.search(r"\n\s*\n", text[start:end]) is None


def _narrative_speaker(
    masked: str, text: str, resolve: _Resolver
) -> tuple[str | None, str | None, bool]:
    """(resolved speaker, the noun phrase it came from, whether it opened the sentence)."""
    trailing = _TRAILING_ATTR.search(masked)
    if trailing:
        np = trailing.group("np1") or trailing.group("np2")
        if np and len(np.split()) <= 8:
            return resolve(np), np, False
    according = _ACCORDING.search(masked)
    if according and according.start() < 3:
        np = according.group("np")
        return resolve(np), np, False
    np, _ = _subject(masked)
    if not np:
        return None, None, False
    cleaned = _clean_np(np)
    initial = masked.lstrip().startswith(np.split()[0]) if np.split() else False
    if cleaned.lower() in _PRONOUNS or cleaned.lower() in _GROUP_WORDS:
        return resolve(cleaned), np, initial
    if _person_name(cleaned) or _is_agent(cleaned, text, initial):
        return resolve(cleaned), np, initial
    return None, None, False


def _drop_paraphrases(found: list[_Found]) -> list[_Found]:
    # A news report often paraphrases a statement ("he noted that Macron committed to ...")
    # and then quotes it; the quotation is the better evidence, so the paraphrase goes.
    kept: list[_Found] = []
    for index, item in enumerate(found):
        if not item.quoted:
            words = _content_stems(item.masked) - _cue_stems(item)
            duplicate = any(
                later.quoted
                and later.cue.status == item.cue.status
                and later.speaker == item.speaker
                and len(words & (_content_stems(later.masked) - _cue_stems(later))) >= 2
                for later in found[index + 1 : index + 4]
            )
            if duplicate:
                continue
        kept.append(item)
    return kept


def _cue_stems(item: _Found) -> set[str]:
    return _content_stems(item.masked[item.cue.start : item.cue.end])


def _continues(quote: str, previous: Proposal, same_paragraph: bool) -> bool:
    # A sentence that shares the subject matter of the statement just before it ("We will
    # remove the first tariffs ...") is more news on that commitment, not a new one. One
    # shared word is enough for a commitment already in the log; a new suggestion needs two,
    # in the same paragraph, since its title is only a guess.
    shared = _common_stems(quote) & _common_stems(previous.title)
    if not previous.new:
        return len(shared) >= 1
    return same_paragraph and len(shared) >= 2


def _assign(
    found: list[_Found],
    text: str,
    known: Sequence[KnownCommitment],
    *,
    by: str | None,
    on: str | None,
    source: str | None,
) -> list[Proposal]:
    used = {k.id for k in known}
    next_suffix: dict[str, int] = {}
    suggested: list[KnownCommitment] = []
    proposals: list[Proposal] = []
    last_agreement: tuple[str, bool, str] | None = None
    previous_block = -1
    for item in found:
        quote = text[item.quote_start : item.quote_end]
        masked_quote = _mask(quote)
        match = _match_known(quote, known)
        earlier = _match_known(quote, suggested, whole_title=True)
        previous = proposals[-1] if proposals else None
        commitment: tuple[str, bool, str]
        if match is not None:
            commitment = (match.id, False, match.title)
        elif earlier is not None:
            commitment = (earlier.id, True, earlier.title)
        elif previous is not None and _AGREEMENT_ANAPHOR.search(masked_quote) and last_agreement:
            commitment = last_agreement
        elif previous is not None and (
            _ANAPHOR.search(masked_quote)
            or _continues(quote, previous, item.sentence.block == previous_block)
        ):
            commitment = (previous.commitment, previous.new, previous.title)
        else:
            words, title = _suggest(item.masked, item.cue, item.speaker)
            new_id = _unique_id(words, used, next_suffix)
            used.add(new_id)
            suggested.append(KnownCommitment(id=new_id, title=title))
            commitment = (new_id, True, title)
        status, label = parse_status(item.cue.label)
        if status != item.cue.status:  # pragma: no cover - the cue table is checked in tests
            raise AssertionError(f"label {label!r} does not give {item.cue.status!r}")
        if item.cue.label in ("agreed", "signed", "concluded"):
            last_agreement = commitment
        previous_block = item.sentence.block
        cue_text = " ".join(item.masked[item.cue.start : item.cue.end].replace("·", ".").split())
        proposals.append(
            Proposal(
                n=len(proposals) + 1,
                quote=quote,
                by=item.speaker,
                on=on,
                source=source,
                commitment=commitment[0],
                new=commitment[1],
                title=commitment[2],
                status=status,
                label=label,
                cue=cue_text,
            )
        )
    return proposals
