"""Speakers for ingest: names, subjects, and who said a sentence or a quotation.

Owns: titles, roles and agent nouns; cleaning a noun phrase; person names and their full
forms; the subject of a main clause; attribution before and after quotations.

Imports the standard library and `tracker.ingest.sentences` only.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from tracker.ingest.sentences import _MONTH_NAMES, _mask, _Quotes, _Region, _words

_Resolver = Callable[[str | None], str | None]

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
