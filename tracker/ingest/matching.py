"""Commitments for ingest: matching a sentence to a known commitment, or suggesting a new one.

Owns: `KnownCommitment`; word stems, acronyms, matching by id, title and acronym; the title
and whole-word id suggested for a new commitment.

Imports the standard library, attrs, `tracker.domain`, `tracker.errors` and the ingest
modules `sentences`, `cues` and `speakers`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import attrs

from tracker.domain.values import check_commitment_id, slugify
from tracker.errors import UserError
from tracker.ingest.cues import _WILL, _WILL_ADVERBS, _Cue
from tracker.ingest.sentences import _words
from tracker.ingest.speakers import _ADVERB_TAIL, _LEADING_PHRASE_WORDS, _PRONOUNS


def _names_tuple(names: Iterable[str]) -> tuple[str, ...]:
    return tuple(names)


@attrs.frozen(kw_only=True)
class KnownCommitment:
    """A commitment already in the log, as ingest needs to match it."""

    id: str
    title: str
    # Other names texts use for it ("MSS", "the trade partnership"): `tracker add --alias`.
    aliases: tuple[str, ...] = attrs.field(default=(), converter=_names_tuple)


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
_AGREEMENT_ANAPHOR = re.compile(
    r"\b(?:the|such\s+an?|this|that)\s+(?:deal|agreement|accord|treaty|pact)\b", re.IGNORECASE
)


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
    stems = {_stem(t) for t in _normal_tokens(text) if t.lower() not in _STOPWORDS}
    # "Russian" names Russia, "Kenyan" Kenya: a capitalised word in -an also gives its country.
    stems.update(
        t[:-1].lower() for t in _normal_tokens(text) if t[:1].isupper() and t.endswith("an")
    )
    return stems


def _common_stems(text: str) -> set[str]:
    """Stems of lower-case words only: shared names say little about which commitment it is."""
    return {
        _stem(t)
        for t in _normal_tokens(text)
        if t.islower() and t not in _STOPWORDS and len(t) >= 4
    }


def _acronyms(title: str) -> set[str]:
    found = set(re.findall(r"\(([A-Z][A-Z0-9&-]{1,9})\)", title))
    for acronym in list(found):
        # "ASF-RDC": each part names the commitment too ("the ASF").
        found.update(part for part in acronym.split("-") if len(part) >= 3)
    words = [w for w in re.findall(r"[A-Za-z]+", title) if w[0].isupper()]
    if len(words) >= 3:
        found.add("".join(w[0] for w in words))
    return found


def _names(item: KnownCommitment) -> list[str]:
    """Other names of a commitment: its aliases and the words its title puts in brackets."""
    names = list(item.aliases)
    for inner in re.findall(r"\(([^()]{3,60})\)", item.title):
        # "(Stormont talks)", "(Brexit deal)"; an acronym or a year is matched elsewhere.
        if " " in inner.strip() and not re.fullmatch(r"[\d\s,–-]+", inner):
            names.append(inner)
    return names


def _proper_stems(title: str) -> set[str]:
    """Stems of the title's capitalised words, its first word excepted: the names in it."""
    words = _normal_tokens(re.sub(r"\([^()]*\)", " ", title))[1:]
    names = {_stem(w) for w in words if w[:1].isupper() and w.lower() not in _STOPWORDS}
    return names | {w[:-1].lower() for w in words if w[:1].isupper() and w.endswith("an")}


@attrs.frozen
class Match:
    """A known commitment a sentence names, how strongly, and the words it was named by."""

    item: KnownCommitment
    score: float
    words: str


def _phrase_in(phrase: str, sentence: str) -> bool:
    words = _normal_tokens(phrase)
    if not words:
        return False
    pattern = r"\W+".join(re.escape(w) for w in words)
    return re.search(rf"(?<![\w-]){pattern}(?![\w-])", sentence, re.IGNORECASE) is not None


def match_all(
    sentence: str, known: Sequence[KnownCommitment], *, whole_title: bool = False
) -> list[Match]:
    """Every known commitment the sentence names, best first.

    By id or alias (3), by acronym (2), or by title words: at least two of the title's
    content words, either three fifths of them or including a name from the title ("Iran"
    in "the Iran nuclear deal" for the JCPOA's title).
    """
    stems = _content_stems(sentence)
    tokens = set(_normal_tokens(sentence))
    found: list[Match] = []
    for item in known:
        score = 0.0
        words = ""
        id_words = item.id.replace("-", " ")
        alias = next((n for n in _names(item) if _phrase_in(n, sentence)), None)
        if re.search(rf"(?<![\w-]){re.escape(item.id)}(?![\w-])", sentence, re.IGNORECASE) or (
            "-" in item.id and re.search(rf"\b{re.escape(id_words)}\b", sentence, re.IGNORECASE)
        ):
            score, words = 3.0, item.id
        elif alias is not None:
            score, words = 3.0, alias
        elif _acronyms(item.title) & tokens:
            score, words = 2.0, " ".join(sorted(_acronyms(item.title) & tokens))
        else:
            title_stems = _content_stems(item.title)
            hits = title_stems & stems
            named = hits & _proper_stems(item.title)
            if len(title_stems) >= 2 and len(hits) >= 2 and len(hits) / len(title_stems) >= 0.6:
                score = len(hits) / len(title_stems)
            elif len(hits) >= 2 and named:
                score = 0.5
            elif whole_title and len(title_stems) == 1 and hits == title_stems:
                # A one-word suggestion ("Truce") named again: "violating the truce".
                score = 0.5 if not hits & _ID_SKIP and hits != {"commitment"} else 0.0
            words = " ".join(sorted(hits))
        if score:
            found.append(Match(item, score, words))
    found.sort(key=lambda m: -m.score)
    return found


def _match_known(
    sentence: str, known: Sequence[KnownCommitment], *, whole_title: bool = False
) -> KnownCommitment | None:
    found = match_all(sentence, known, whole_title=whole_title)
    return found[0].item if found else None


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
    slug = _whole_words(slugify(base, limit=400), 40) or "commitment"
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
        candidate = (_whole_words(slug, 40 - len(suffix)) or slug[: 40 - len(suffix)]) + suffix
    return candidate


def _whole_words(slug: str, limit: int) -> str:
    """The longest run of `slug`'s leading words that fits in `limit`: never a cut word."""
    if len(slug) <= limit:
        return slug
    cut = slug[: limit + 1]
    return cut[: cut.rfind("-")] if "-" in cut else ""
