"""Commitments for ingest: matching a sentence to a known commitment, or suggesting a new one.

Owns: `KnownCommitment`; word stems, acronyms, matching by id, title and acronym; the
phrases that name a tracked commitment again ("the mission", "the Declaration") or name
another thing of its kind ("the mission in Somalia"); the title and whole-word id
suggested for a new commitment.

Imports the standard library, attrs, `tracker.domain`, `tracker.errors` and the ingest
modules `sentences`, `cues` and `speakers`.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
from collections.abc import Iterable, Mapping, Sequence

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
    # What the analyst filed it as (`tracker add --kind`): an agreement is "the agreement"
    # later in a text whatever its title calls it ("... Partnership", "Plan of Action").
    kind: str | None = None


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


@functools.lru_cache(maxsize=1024)
def _acronyms(title: str) -> frozenset[str]:
    return frozenset(_title_acronyms(title))


def _title_acronyms(title: str) -> set[str]:
    found = set(re.findall(r"\(([A-Z][A-Z0-9&-]{1,9})\)", title))
    for acronym in list(found):
        # "ASF-RDC": each part names the commitment too ("the ASF").
        found.update(part for part in acronym.split("-") if len(part) >= 3)
    words = [w for w in re.findall(r"[A-Za-z]+", title) if w[0].isupper()]
    if len(words) >= 3:
        found.add("".join(w[0] for w in words))
    # A name's initials, whether or not the title spells them out: "Multinational Security
    # Support" gives MSS, "Strategic Trade and Investment Partnership" STIP and STAIP.
    # Each run of capitalised words, and its tail after a place or party ("U.S.-Kenya
    # Strategic ...") or after "of" ("Operationalisation of the African Standby Force").
    plain = re.sub(r"\([^()]*\)", " ", title)
    for run in re.finditer(r"\b[A-Z][a-z]+(?:\s+(?:(?:of|and|for|the)\s+)*[A-Z][a-z]+)+", plain):
        names = run.group(0).split()
        starts = {0} | {
            i + 1
            for i, w in enumerate(names[:-1])
            if w.lower() in _PLACE_WORDS or (w == "of" and names[i + 1] != "the") or w == "the"
        }
        for start in sorted(starts):
            tail = names[start:]
            if not tail[0][0].isupper() or sum(1 for w in tail if w[0].isupper()) < 3:
                continue
            found.add("".join(w[0] for w in tail if w[0].isupper()))
            found.add("".join(w[0].upper() for w in tail))
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
    spans: tuple[tuple[int, int], ...] = ()
    # The spans that decide whether two matches are one mention: those of the title's own
    # words, not of a generic one it shares with the rest of the sentence ("deal").
    core: tuple[tuple[int, int], ...] = ()

    @property
    def mention(self) -> tuple[tuple[int, int], ...]:
        return self.core or self.spans


def _phrase_at(phrase: str, sentence: str) -> tuple[int, int] | None:
    words = _normal_tokens(phrase)
    if not words:
        return None
    pattern = r"\W+".join(re.escape(w) for w in words)
    found = re.search(rf"(?<![\w-]){pattern}(?![\w-])", sentence, re.IGNORECASE)
    return found.span() if found else None


def _phrase_in(phrase: str, sentence: str) -> bool:
    return _phrase_at(phrase, sentence) is not None


@functools.lru_cache(maxsize=16)
def _titles_of(known: tuple[KnownCommitment, ...]) -> dict[str, _Title]:
    return _titles(known)


def match_all(
    sentence: str,
    known: Sequence[KnownCommitment],
    *,
    whole_title: bool = False,
    defined: Mapping[str, str] | None = None,
) -> list[Match]:
    """Every known commitment the sentence names, best first, one per mention.

    By id or alias (3), by bracketed acronym (2), or by title words (1 to 2, see
    `_title_match`). Where two commitments are named by the same words ("the nuclear deal"
    for two nuclear agreements), only the better one is kept: one commitment per mention.
    `whole_title` matches suggestions made earlier in the same text by their words;
    `defined` maps acronyms the text itself defined to the ids they stand for.
    """
    if whole_title:
        return _match_suggested(sentence, known)
    titles = _titles_of(tuple(known))
    words = _tokens(sentence)
    tokens = {t.text for t in words}
    found: list[Match] = []
    for item in known:
        id_words = item.id.replace("-", " ")
        by_id = re.search(rf"(?<![\w-]){re.escape(item.id)}(?![\w-])", sentence, re.IGNORECASE) or (
            "-" in item.id and re.search(rf"\b{re.escape(id_words)}\b", sentence, re.I)
        )
        alias = next(
            (span for n in _names(item) if (span := _phrase_at(n, sentence)) is not None), None
        )
        own = {a for a, cid in (defined or {}).items() if cid == item.id}
        acronyms = (_acronyms(item.title) | own) & tokens
        if by_id:
            found.append(Match(item, 3.0, item.id, (by_id.span(),)))
        elif alias is not None:
            found.append(Match(item, 3.0, sentence[alias[0] : alias[1]], (alias,)))
        elif acronyms:
            hits = [t for t in words if t.text in acronyms]
            found.append(
                Match(
                    item,
                    2.0,
                    " ".join(sorted(acronyms)),
                    tuple((t.start, t.end) for t in hits),
                )
            )
        else:
            title = titles[item.id]
            score, hits = _title_match(title, words, item, sentence)
            if score:
                # Where it is named: by its distinctive words, a generic word ("agreement",
                # "deal") or a place only when nothing else named it, so that "the rare
                # earths agreement and the hostage deal" leaves "deal" to the hostage deal,
                # and "the mission in Haiti and the U.S.-Kenya partnership" leaves "Kenya"
                # to the partnership.
                own = {
                    k
                    for t, kind in zip(title.tokens, title.kinds, strict=True)
                    if kind not in ("generic", "place")
                    for k in t.keys
                }
                at = [t for t in hits if t.keys & own] or hits
                found.append(
                    Match(
                        item,
                        score,
                        " ".join(dict.fromkeys(t.text for t in hits)),
                        tuple((t.start, t.end) for t in hits),
                        tuple((t.start, t.end) for t in at),
                    )
                )
    found.sort(key=lambda m: -m.score)
    kept: list[Match] = []
    for match in found:
        if not any(_overlaps(match.mention, other.mention) for other in kept):
            kept.append(match)
    # Two tracked titles named by the same words about as well ("the nuclear deal" for two
    # nuclear agreements): neither, since a wrong link is worse than a new suggestion.
    return [
        m
        for m in kept
        if m.score >= 2.0
        or not any(
            other is not m
            and other.score < 2.0
            and m.score - other.score < _MARGIN
            and _overlaps(m.mention, other.mention)
            for other in found
        )
    ]


# How much better one title's words must name a sentence than another's sharing them.
_MARGIN = 0.1


def _overlaps(a: Sequence[tuple[int, int]], b: Sequence[tuple[int, int]]) -> bool:
    return any(x[0] < y[1] and y[0] < x[1] for x in a for y in b)


def _match_suggested(sentence: str, known: Sequence[KnownCommitment]) -> list[Match]:
    """A suggestion made earlier in the text, named again: by the rules for tracked titles,
    or, for a one-word suggestion ("Truce"), by that word ("violating the truce")."""
    titles = _titles_of(tuple(known))
    words = _tokens(sentence)
    keys = {k for t in words for k in t.keys}
    found: list[Match] = []
    for item in known:
        title = titles[item.id]
        score, hits = _title_match(title, words)
        if score:
            found.append(Match(item, score, " ".join(dict.fromkeys(t.text for t in hits))))
        elif (
            len(title.tokens) == 1
            and title.kinds[0] == "word"
            and title.tokens[0].keys & keys
            and title.tokens[0].text.lower() not in _ID_SKIP | {"commitment"}
        ):
            found.append(Match(item, 0.5, title.tokens[0].text))
    found.sort(key=lambda m: -m.score)
    return found


def _match_known(
    sentence: str, known: Sequence[KnownCommitment], *, whole_title: bool = False
) -> KnownCommitment | None:
    found = match_all(sentence, known, whole_title=whole_title)
    return found[0].item if found else None


# --- linking a sentence to a tracked commitment ---------------------------------------------
#
# Analysts title what they track by its formal name ("Coordinated Western sanctions package to
# deter a Russian invasion of Ukraine (2022)"); readouts refer to it in passing, in other
# words and another order ("massive sanctions against Russia", "the truce in Yemen", "an
# Indo-Pacific economic framework"). So words are compared by a light stem with a few
# synonyms ("accord", "deal" and "treaty" are all an agreement), and weighed: a title word
# that other tracked titles share counts for less (rarity over the analyst's own log), and
# a place or party name, a year or a generic word ("agreement", "plan", "support") never
# links on its own, since a readout names its countries and speaks of plans in every line.

_SYNONYMS = {
    "agreement": "agreement",
    "negotiation": "negotiation",
    "ceasefire": "ceasefire",
    "programme": "programme",
    "accord": "agreement",
    "accords": "agreement",
    "deal": "agreement",
    "deals": "agreement",
    "pact": "agreement",
    "treaty": "agreement",
    "treaties": "agreement",
    "agreements": "agreement",
    "talks": "negotiation",
    "negotiations": "negotiation",
    "negotiating": "negotiation",
    "negotiated": "negotiation",
    "negotiate": "negotiation",
    "truce": "ceasefire",
    "truces": "ceasefire",
    "ceasefires": "ceasefire",
    "program": "programme",
    "programs": "programme",
    "programmes": "programme",
    # The same thing in the words of another government or another year.
    "cessation": "ceasefire",
    "armistice": "ceasefire",
    "captives": "hostag",
    "abductees": "hostag",
    "atomic": "nuclear",
    "duties": "tariff",
    "levies": "tariff",
    "troops": "force",
    "peacekeepers": "peacekeep",
    "peacekeeping": "peacekeep",
    "vaccination": "vaccin",
    "vaccinations": "vaccin",
    "doses": "vaccin",
    "inoculation": "vaccin",
    "rebuilding": "reconstruct",
    "pullout": "withdrawal",
    "drawdown": "withdrawal",
    # General public-policy vocabulary: one thing under the names governments give it.
    "assistance": "aid",
    "financing": "fund",
    "finance": "fund",
    "feeding": "meal",
    "prisoners": "detain",
    "prisoner": "detain",
    "detainee": "detain",
    "detainees": "detain",
    "arms": "weapon",
    "polls": "election",
    "membership": "accession",
    "commerce": "trade",
    "soldiers": "force",
    "mou": "memorandum",
    "defense": "defenc",
}
# Peoples whose names are not their country's plus a suffix.
_DEMONYMS = {
    "chinese": "china",
    "french": "franc",
    "british": "britain",
    "dutch": "netherland",
    "swiss": "switzerland",
    "turkish": "turkey",
    "lebanese": "lebanon",
    "filipino": "philippin",
    "philippine": "philippin",
    "greek": "greec",
    "thai": "thailand",
    "afghan": "afghanistan",
    "welsh": "wal",
    "scottish": "scotland",
    "irish": "ireland",
    "congolese": "congo",
    "emirati": "emirat",
}
_SUFFIXES = ("ations", "ation", "ments", "ment", "ings", "ing", "ies", "ied", "ed", "es", "s")


@functools.lru_cache(maxsize=65536)
def _key(word: str) -> str:
    """A light stem: 'deployment' and 'deploying' give 'deploy', 'hostages' 'hostag'."""
    word = word.lower()
    if word in _SYNONYMS:
        return _SYNONYMS[word]
    # American and British spellings alike: "stabilization", "stabilisation".
    word = re.sub(r"(?<=[a-z]{3})iz(?=(?:e|es|ed|ing|ation|ations)$)", "is", word)
    # A noun in -tion names the act of its verb: "protection" protect, "adoption" adopt.
    tion = re.fullmatch(r"([a-z]{3,}[^a]t)ions?", word)
    if tion:
        return tion.group(1)
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            if suffix == "s" and word.endswith("ss"):
                break
            word = word[: -len(suffix)] + ("y" if suffix in ("ies", "ied") else "")
            break
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    return word


def _keys(token: str) -> frozenset[str]:
    """Every key of a word: a capitalised one also names its place ('Russian', 'Iranian')."""
    keys = {_key(token)}
    if token[:1].isupper():
        lower = token.lower()
        if lower in _DEMONYMS:
            keys.add(_DEMONYMS[lower])
        if lower.endswith("ian") and len(lower) > 5:
            # "Iranian" Iran, "Haitian" Haiti, "Canadian" Canada, "Ukrainian" Ukraine
            keys.update(_key(w) for w in (lower[:-3], lower[:-2], lower[:-1], lower[:-3] + "a"))
        elif lower.endswith("an") and len(lower) > 4:
            keys.add(_key(lower[:-1]))
        elif lower.endswith(("i", "ese")) and len(lower) > 4:
            keys.add(_key(lower[:-1] if lower.endswith("i") else lower[:-3]))
    return frozenset(keys)


# Names of places, peoples and parties: each may appear in a tracked title, and none links
# a sentence to it alone ("Russia", "the African Union", "the U.S.").
_PLACE_WORDS = _words(
    """afghanistan albania algeria andorra angola antigua argentina armenia australia austria
    azerbaijan bahamas bahrain bangladesh barbados belarus belgium belize benin bhutan bolivia
    bosnia herzegovina botswana brazil brunei bulgaria burkina faso burundi cabo verde cambodia
    cameroon canada chad chile china colombia comoros congo costa rica croatia cuba cyprus
    czech czechia denmark djibouti dominica dominican ecuador egypt salvador equatorial guinea
    eritrea estonia eswatini ethiopia fiji finland france gabon gambia georgia germany ghana
    greece grenada guatemala guyana haiti honduras hungary iceland india indonesia iran iraq
    ireland israel italy jamaica japan jordan kazakhstan kenya kiribati korea kosovo kuwait
    kyrgyzstan laos latvia lebanon lesotho liberia libya liechtenstein lithuania luxembourg
    madagascar malawi malaysia maldives mali malta marshall mauritania mauritius mexico
    micronesia moldova monaco mongolia montenegro morocco mozambique myanmar burma namibia nauru
    nepal netherlands zealand nicaragua niger nigeria macedonia norway oman pakistan palau
    palestine panama papua paraguay peru philippines poland portugal qatar romania russia
    rwanda samoa marino sao tome saudi arabia senegal serbia seychelles sierra leone singapore
    slovakia slovenia solomon somalia sudan spain sri lanka suriname sweden switzerland syria
    taiwan tajikistan tanzania thailand timor togo tonga trinidad tobago tunisia turkey turkiye
    turkmenistan tuvalu uganda ukraine emirates uae britain kingdom england scotland wales
    uruguay uzbekistan vanuatu vatican venezuela vietnam yemen zambia zimbabwe gaza west bank
    jerusalem crimea donbas kyiv kiev moscow beijing washington london paris brussels geneva
    tokyo delhi nairobi jeddah riyadh tehran stormont belfast dublin
    africa african america american europe european asia asian pacific indo atlantic arctic
    caribbean latin sahel balkans gulf middle east west north south eastern western northern
    southern central horn red sea mediterranean baltic nordic arab arabian
    british english french german italian spanish chinese japanese korean dutch swiss turkish
    israeli palestinian yemeni saudi iraqi afghan pakistani bangladeshi thai filipino
    us usa uk eu un au nato asean g7 g20 who imf oecd opec ecowas sadc igad brics
    hamas hezbollah houthi houthis taliban farc eln
    united states nations union republic federal federation community government governments
    international national global regional bilateral multilateral"""
)
_GENERIC_WORDS = _words(
    """agreement agreements accord deal treaty pact negotiation negotiations talks plan plans
    action actions framework frameworks package packages programme program initiative
    initiatives process mission missions commitment commitments cooperation partnership
    partnerships support implementation restoration operationalisation operationalization
    establishment development economic economy security peace joint comprehensive final
    strategic trade investment coordinated led brokered backed based sponsored capability
    capacity force forces agenda effort efforts relations relationship dialogue declaration
    statement summit meeting conference new fund funding funds assistance aid project policy
    strategy reform reforms measure measures step steps work mechanism arrangement goal goals
    target targets phase delivery provision release launch deployment creation formation held
    expansion extension renewal review full first second third two three out up"""
)
_MONTH_WORDS = _words(
    """january february march april may june july august september october november december"""
)
_PLACE_KEYS = frozenset(_key(w) for w in _PLACE_WORDS)
_GENERIC_KEYS = frozenset(_key(w) for w in _GENERIC_WORDS)
_WEIGHTS = {"word": 1.0, "year": 0.6, "generic": 0.4, "place": 0.4, "month": 0.2}
_HEAD_END = _words("of for to in on with by against between among from under over at")


@attrs.frozen
class _Token:
    text: str
    start: int
    end: int
    keys: frozenset[str]


def _tokens(text: str) -> list[_Token]:
    """Content words with their spans: no stopwords, "U.S." read as "US", no possessive s."""
    found: list[_Token] = []
    for match in re.finditer(r"(?:[A-Za-z]\.){2,}|[A-Za-z0-9]+", text):
        word = match.group(0).replace(".", "")
        if word.lower() in _STOPWORDS and not (word.isupper() and len(word) > 1):  # "WHO"
            continue
        if word in ("s", "S") and text[match.start() - 1 : match.start()] in ("'", "’"):
            continue
        found.append(_Token(word, match.start(), match.end(), _keys(word)))
    return found


def _kind(token: _Token) -> str:
    lower = token.text.lower()
    if token.text.isdigit():
        return "year"
    if lower in _MONTH_WORDS:
        return "month"
    if token.keys & _PLACE_KEYS or lower in _PLACE_WORDS:
        return "place"
    if lower in _GENERIC_WORDS or _key(lower) in _GENERIC_KEYS:
        return "generic"
    return "word"


@attrs.frozen
class _Title:
    """A tracked title's words, each with its kind and weight, and its head words."""

    tokens: tuple[_Token, ...]
    kinds: tuple[str, ...]
    weights: tuple[float, ...]
    heads: frozenset[int]  # indexes of the words that say what it is ("sanctions", "truce")
    noun: int  # of those, the one common noun that names it best ("interconnector"); or -1
    kind_of: int  # the word before its first preposition, whatever it is ("mission"); or -1


def _title_words(item: KnownCommitment) -> list[_Token]:
    # Brackets hold acronyms and asides ("(IPEF)", "(April 2022)"): matched on their own.
    # A bracketed name of several words ("(Jeddah talks)") is matched whole as an alias,
    # and its words count as the title's too: "the arrangements agreed in Jeddah".
    # So do the places of a bracketed aside, its dates left out: "(Pretoria, November 2022)".
    def blank(match: re.Match[str]) -> str:
        inner = match.group(0)[1:-1]
        if " " in inner.strip() and not re.search(r"\d", inner):
            return f" {inner} "
        kept = [
            part
            for part in re.split(r"[,;]", inner)
            if not re.search(r"\d", part) and part.strip().lower() not in _MONTH_WORDS
        ]
        if "," in inner and kept:
            words = " ".join(kept)
            return f" {words}".ljust(len(match.group(0)))
        return " " * len(match.group(0))

    plain = re.sub(r"\([^()]*\)", blank, item.title)
    return _tokens(plain)


def _titles(known: Sequence[KnownCommitment]) -> dict[str, _Title]:
    words = {item.id: _title_words(item) for item in known}
    frequency: dict[str, int] = {}
    for tokens in words.values():
        for key in {k for t in tokens for k in t.keys}:
            frequency[key] = frequency.get(key, 0) + 1
    total = len(known)
    titles: dict[str, _Title] = {}
    for item in known:
        tokens = words[item.id]
        kinds = tuple(_kind(t) for t in tokens)
        weights = tuple(
            _WEIGHTS[kind]
            * (1.0 + math.log((1 + total) / (1 + max(frequency.get(k, 0) for k in t.keys))))
            for t, kind in zip(tokens, kinds, strict=True)
        )
        # The head: the distinctive words before the title's first preposition ("Coordinated
        # Western sanctions package | to deter ..."), else its first distinctive word.
        words_before = [m.group(0).lower() for m in re.finditer(r"[\w-]+", item.title)]
        cut = next((i for i, w in enumerate(words_before) if w in _HEAD_END), len(words_before))
        head_text = " ".join(words_before[:cut])
        heads = {
            i
            for i, (t, kind) in enumerate(zip(tokens, kinds, strict=True))
            if kind == "word" and re.search(rf"\b{re.escape(t.text.lower())}\b", head_text)
        }
        if not heads:
            heads = {next((i for i, kind in enumerate(kinds) if kind == "word"), -1)} - {-1}
        # What kind of thing it is: the last word before the first preposition ("Kenya-led
        # Multinational Security Support (MSS) mission | in Haiti").
        plain = re.sub(r"\([^()]*\)", lambda m: " " * len(m.group(0)), item.title)
        stop = re.search(rf"\s(?:{'|'.join(sorted(_HEAD_END))})\s", plain)
        end = stop.start() if stop else len(plain)
        kind_of = max(
            (
                i
                for i, t in enumerate(tokens)
                if t.end <= end
                and kinds[i] in ("word", "generic")
                and t.text.lower() not in ("out", "up")
            ),
            default=-1,
        )
        titles[item.id] = _Title(
            tuple(tokens), kinds, weights, frozenset(heads), _noun(tokens, kinds, heads), kind_of
        )
    return titles


def _noun(tokens: Sequence[_Token], kinds: Sequence[str], heads: set[int]) -> int:
    """The common noun that names a tracked commitment best, or -1: the head's last
    distinctive lower-case word ("Tanvania-Zambora power interconnector"), else the last word
    of the title's first run of them ("phase-out of electric vehicle tariffs"). A capitalised
    word is part of a name ("WHO Pandemic Agreement"): "future pandemics" is not about it."""
    common = [i for i, k in enumerate(kinds) if k == "word" and tokens[i].text.islower()]
    in_head = [i for i in common if i in heads]
    if in_head:
        return in_head[-1]
    if not common:
        return -1
    noun = common[0]
    while noun + 1 in common:
        noun += 1
    return noun


def _longest_run(title: Sequence[_Token], sentence: Sequence[_Token]) -> int:
    """The most title words in a row that the sentence also has in a row ("power-sharing
    Executive", "Indo-Pacific economic framework")."""
    best = 0
    for i in range(len(title)):
        for j in range(len(sentence)):
            run = 0
            while (
                i + run < len(title)
                and j + run < len(sentence)
                and title[i + run].keys & sentence[j + run].keys
            ):
                run += 1
            best = max(best, run)
    return best


_ACCORD_KEYS = frozenset(
    _key(w)
    for w in _words(
        """agreement negotiation declaration process initiative mission plan framework
        package convention protocol compact charter"""
    )
)


def _place_names_accord(title: _Title, sentence: Sequence[_Token]) -> bool:
    """A place or name of the title followed by its kind of accord, in the sentence: "the
    Geneva accord", "the Lakeside agreement", "the Pretoria agreement" (wherever the title
    puts the place: "... agreement between Ethiopia and the TPLF (Pretoria)")."""
    pairs = {
        (k1, k2)
        for a, kind in zip(title.tokens, title.kinds, strict=True)
        if kind == "place" or (kind == "word" and a.text[:1].isupper())
        for b in title.tokens
        if b is not a
        for k1 in a.keys
        for k2 in b.keys & _ACCORD_KEYS
    }
    return any(
        (k1, k2) in pairs for a, b in itertools.pairwise(sentence) for k1 in a.keys for k2 in b.keys
    )


def _kind_and_name(title: _Title, hit: Sequence[int], sentence: Sequence[_Token]) -> bool:
    if title.kind_of < 0 or title.kind_of not in hit:
        return False
    names = [
        i
        for i in hit
        if i != title.kind_of
        and (
            title.kinds[i] == "place"
            or (title.kinds[i] == "word" and title.tokens[i].text[:1].isupper())
        )
    ]
    kind_at = [j for j, t in enumerate(sentence) if t.keys & title.tokens[title.kind_of].keys]
    name_at = [j for j, t in enumerate(sentence) for i in names if t.keys & title.tokens[i].keys]
    return any(abs(a - b) <= 6 for a in kind_at for b in name_at)


def _head_and_accord(title: _Title, sentence: Sequence[_Token]) -> bool:
    heads = {k for i in title.heads for k in title.tokens[i].keys}
    return any(
        bool(a.keys & heads and b.keys & _ACCORD_KEYS) for a, b in itertools.pairwise(sentence)
    )


def _title_match(
    title: _Title,
    sentence: Sequence[_Token],
    item: KnownCommitment | None = None,
    text: str = "",
) -> tuple[float, list[_Token]]:
    """How well a sentence names a tracked title by its words (0 when it does not), and the
    sentence's words that did."""
    keys = {k for t in sentence for k in t.keys}
    hit = [i for i, t in enumerate(title.tokens) if t.keys & keys]
    if not hit:
        return 0.0, []
    total = sum(title.weights)
    coverage = sum(title.weights[i] for i in hit) / total if total else 0.0
    kinds = [title.kinds[i] for i in hit]
    distinctive = kinds.count("word")
    others = [i for i in hit if title.kinds[i] in ("word", "place", "year")]
    head = any(i in title.heads for i in hit)
    strong = (
        # The head word and another name or word of the title: "sanctions against Russia",
        # "the truce in Yemen", "the Iran nuclear deal".
        (head and len(others) >= 2)
        # Two distinctive words covering a fair part of the title.
        or (distinctive >= 2 and coverage >= 0.3)
        # Most of the title, whatever its words: "Colombia's 2016 Peace Accord".
        or (len(hit) >= 3 and coverage >= 0.6 and distinctive + kinds.count("year") >= 1)
        # Three title words in a row: "an Indo-Pacific economic framework".
        or _longest_run(title.tokens, sentence) >= 3
    )
    weak = (
        # A place naming an accord, as the title does: "the Geneva accord".
        _place_names_accord(title, sentence)
        # What it is, and where or whose, close together: "the security mission in Haiti".
        or _kind_and_name(title, hit, sentence)
        # Its head word and a kind of accord: "the hostage deal", "the nuclear talks".
        or _head_and_accord(title, sentence)
    )
    if not strong and weak and item is not None and text:
        # A few words and what it is: not when the sentence says it is another one ("the
        # U.S.-Kenya health partnership", "an agreement with Ukraine on grain exports").
        kind_keys = _KIND_KEYS | _ACCORD_KEYS
        if title.kind_of >= 0:
            kind_keys = kind_keys | title.tokens[title.kind_of].keys
        nouns = [t for t in sentence if t.keys & kind_keys]
        if nouns and all(other_thing(text, t.start, t.end, item) for t in nouns):
            weak = False
    if not (strong or weak):
        return 0.0, []
    hit_keys = {k for i in hit for k in title.tokens[i].keys}
    return 1.0 + coverage, [t for t in sentence if t.keys & hit_keys]


def _object_phrase(masked: str, cue: _Cue) -> str:
    rest = masked[cue.end :]
    # A cue that ends inside a word ("looked forward to sign|ing"): the word is the cue's.
    rest = re.sub(r"^\w+", "", rest)
    rest = re.sub(r"^\s*(?:to|on|upon|for|of|that|in\s+principle)\b\s*", "", rest, flags=re.I)
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


# A cue that reports another party's act: "welcomed the decision", "noted the pledge".
_REPORTED_ACT = re.compile(
    r"(?:welcom|not(?:ed|ing)|thank|applaud|commend|prais|hail|acknowledg|recogni)", re.I
)
_MAKER_AFTER = re.compile(
    r"(?:of|by|from)\s+(?:the\s+)?(?P<np>[A-Z][\w·’'-]*(?:\s+[A-Z][\w·’'-]*){0,3})\s+"
    r"(?:to\s+|that\s+(?:(?:it|they|he|she|the\s+\w+)\s+(?:would|will)\s+(?:also\s+)?)?)"
)
_MAKER_BEFORE = re.compile(r"(?P<np>[A-Z][\w·-]*(?:\s+[A-Z][\w·-]*){0,2})[’']s\s+[\w-]+\s*$")


def _maker(masked: str, cue: _Cue, obj: str) -> tuple[str, int] | None:
    """Who made the commitment a reported-act cue names, and where its action starts in
    `obj`: ("US", 10) for "welcomed the decision | of the US to extend ...", ("Japan", 0)
    for "welcomed Japan's pledge | to fund ..."; ("", 0) when the cue names no one (the
    speaker welcomed someone's decision, not their own); None for any other cue."""
    said = masked[cue.start : cue.end]
    if not _REPORTED_ACT.match(said):
        return None
    after = _MAKER_AFTER.match(obj)
    if after:
        return after.group("np").replace("·", "."), after.end()
    before = _MAKER_BEFORE.search(said)
    return (before.group("np") if before else ""), 0


def _suggest(
    masked: str, cue: _Cue, speaker: str | None, *, stop: int | None = None
) -> tuple[str, str]:
    """Suggest (id words, title) for a new commitment from the cue's object or subject;
    `stop` ends the cue's clause where the sentence goes on to another."""
    if stop is not None:
        masked = masked[:stop]
    future = _FUTURE_CUE.match(masked, cue.start, cue.end)
    if future and future.end() < cue.end:
        # "will reduce tariffs": the verb belongs in the title, not only in the cue.
        cue = _Cue(cue.start, future.end(), cue.status, cue.label, cue.strength)
    obj = _object_phrase(masked, cue)
    maker = _maker(masked, cue, obj)
    if maker is not None:
        # "welcomed the decision of the US to extend X": the US's commitment to extend X,
        # whoever welcomed it.
        obj = obj[maker[1] :]
    starts_adverbial = re.match(
        r"(?:because|since|after|as|due|until|while|although|repeatedly|by|in|on|at|for)\b",
        obj,
        re.IGNORECASE,
    )
    said = masked[cue.start : cue.end].split()
    if not _content_stems(obj) and stop is not None and len(said) > 1:
        # "offered his good offices": the cue holds its object.
        obj = " ".join(said[1:])
    elif not _content_stems(obj) or starts_adverbial:
        subject = _clause_subject(masked, cue)
        if len(_content_stems(subject)) >= 1 and subject.lower() not in _PRONOUNS:
            obj = subject
    actor = maker[0] if maker is not None else _clause_subject(masked, cue)
    title = _tidy_title(obj) or _tidy_title(masked[: cue.start]) or "Commitment"
    verb_first = (
        re.match(r"[a-z]+\b", obj) is not None
        and not re.match(r"(?:his|her|its|their|our|my|the|a|an)\b", obj)
        # "international support", "political dialogue": an adjective, not a verb.
        and not re.match(r"[a-z]{3,}(?:al|ic|ive|ous|ary|ful)\b", obj)
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


def shared_keys(sentence: str, title: str, *, places: bool) -> set[str]:
    """Keys of the distinctive words a sentence shares with a title: never generic words;
    names (places, parties, and any word capitalised in both, like "Mercosia") only when
    `places`."""
    title_tokens = _tokens(title)
    sentence_tokens = _tokens(sentence)
    capitalised = {k for t in title_tokens if t.text[:1].isupper() for k in t.keys}
    parties = _party_keys(title)
    in_sentence: dict[str, bool] = {}
    for t in sentence_tokens:
        for k in t.keys:
            in_sentence[k] = in_sentence.get(k, True) and t.text[:1].isupper()
    shared: set[str] = set()
    for t in title_tokens:
        kind = _kind(t)
        for k in t.keys & in_sentence.keys():
            name = kind == "place" or (k in capitalised and in_sentence[k])
            if (kind == "word" and not name) or (places and name and k not in parties):
                shared.add(k)
    return shared


# Halves of one region's name, not two parties: "Indo-Pacific", "Asia-Pacific".
_REGION_PARTS = _words("indo asia pacific euro afro atlantic arctic")


def _party_keys(title: str) -> frozenset[str]:
    """The keys of a bilateral title's parties ("U.S.-Kenya", "Canada-Ghana"): they say
    who, not which, and a readout between them names them in every other sentence."""
    keys: set[str] = set()
    for pair in re.finditer(
        r"((?:[A-Z]\.){2,}|[A-Z][a-z]+)[-–]((?:[A-Z]\.){2,}|[A-Z][a-z]+)", title
    ):
        sides = [_tokens(side) for side in pair.groups()]
        if all(
            len(side) == 1
            and _kind(side[0]) == "place"
            and side[0].text.lower() not in _REGION_PARTS
            for side in sides
        ):
            keys.update(k for side in sides for k in side[0].keys)
    return frozenset(keys)


def head_keys(item: KnownCommitment, known: Sequence[KnownCommitment]) -> frozenset[str]:
    """The keys of the common noun that says what a tracked commitment is ("sanctions")."""
    title = _titles_of(tuple(known)).get(item.id)
    if title is None:
        return frozenset()
    return title.tokens[title.noun].keys if title.noun >= 0 else frozenset()


def place_share(sentence: str, item: KnownCommitment, known: Sequence[KnownCommitment]) -> float:
    """The part of the title's weight that the places and parties it shares with the
    sentence make up: "Geneva" is much of "Geneva ceasefire accord", "Russia" little of a
    sanctions package's eight words."""
    title = _titles_of(tuple(known)).get(item.id)
    if title is None:
        return 0.0
    keys = {k for t in _tokens(sentence) for k in t.keys} - _party_keys(item.title)
    total = sum(title.weights)
    shared = sum(
        w
        for t, kind, w in zip(title.tokens, title.kinds, title.weights, strict=True)
        if kind == "place" and t.keys & keys
    )
    return shared / total if total else 0.0


_DEFINITION = re.compile(r"\(([A-Z][A-Za-z0-9&-]{1,9})\)")


def defined_acronyms(sentence: str, matches: Sequence[Match]) -> dict[str, str]:
    """Acronyms a sentence defines for the tracked commitments it names by their words:
    "... the Multinational Security Support mission (MSS) ..." makes "MSS" name it after."""
    found: dict[str, str] = {}
    for match in matches:
        if not match.spans:
            continue
        last = max(end for _, end in match.spans)
        definition = _DEFINITION.match(sentence, last) or _DEFINITION.match(
            sentence, last + len(sentence[last:]) - len(sentence[last:].lstrip())
        )
        if definition and sum(1 for c in definition.group(1) if c.isupper()) >= 2:
            found[definition.group(1)] = match.item.id
    return found


# --- a tracked commitment named again in fewer words ----------------------------------------
#
# A readout names a tracked commitment once in full ("the Multinational Security Support
# mission in Haiti") and then by what it is: "the mission", "this partnership", "the deal".
# Such a definite noun phrase refers back to the one tracked commitment of that kind the
# text has named, unless the phrase itself says it is another thing: a modifier or a name
# the title does not have ("the health partnership", "an agreement on grain exports", "the
# mission in Sudan"), or an indefinite "an agreement" in between that brought in a new one.

_KIND_NOUNS = _words(
    """agreement agreements accord accords deal deals treaty treaties pact truce ceasefire
    partnership mission force framework programme program initiative declaration plan
    package process compact charter convention protocol fund facility corridor roadmap
    strategy agenda sanctions mechanism arrangement memorandum dialogue negotiations talks
    scheme project resolution reform reforms election elections operation exchange loan
    legislation budget"""
)
_KIND_KEYS = frozenset(_key(w) for w in _KIND_NOUNS)
# Words that may stand before or after a commitment's noun without making it another
# commitment: how it is going, how much it matters, when ("the ongoing mission", "this
# vital partnership", "the long-awaited deal").
_PLAIN_MODIFIERS = _words(
    """ongoing current upcoming planned proposed vital important critical crucial historic
    landmark successful swift rapid timely effective continued ambitious recent future whole
    entire said existing awaited long robust strong key major significant same overall
    broader wider essential urgent prompt early quick expeditious complete envisaged agreed
    signed renewed revised expanded extended enhanced upgraded initial eventual possible
    potential prospective remaining outstanding fragile durable lasting permanent
    sustainable sustained enduring fair balanced parties sides countries leaders
    governments two both all today tomorrow yesterday week weeks month months year years
    weekend monday tuesday wednesday thursday friday saturday sunday january february march
    april may june july august september october november december time"""
)
# A determiner and at most two modifiers before the noun: "the mission", "this vital
# partnership", "the U.S.-Kenya health partnership".
_DETERMINER = re.compile(
    r"\b(?:the|this|that|these|those|such\s+an?)\s+(?:[\w.’'-]+\s+){0,2}$", re.IGNORECASE
)
_INDEFINITE = re.compile(r"\b(?:an?|another|any)\s+(?:[\w.’'-]+\s+){0,2}$", re.IGNORECASE)


@functools.lru_cache(maxsize=1024)
def _title_keys(item: KnownCommitment) -> frozenset[str]:
    """Every key of a commitment's title, brackets and aliases included."""
    text = " ".join((item.title, *item.aliases))
    return frozenset(k for t in _tokens(text) for k in t.keys)


@functools.lru_cache(maxsize=1024)
def kind_keys(item: KnownCommitment) -> frozenset[str]:
    """The keys of the nouns that say what kind of commitment it is ("mission", "deal"),
    and "agreement" for one filed as an agreement."""
    keys = _title_keys(item) & _KIND_KEYS
    return keys | {_key("agreement")} if item.kind == "agreement" else keys


def _other_word(word: str, title_keys: frozenset[str], *, names_only: bool) -> bool:
    """Whether a word next to a commitment's noun makes it another commitment."""
    for part in re.findall(r"[A-Za-z0-9]+", word.replace(".", "")):
        lower = part.lower()
        if lower in _STOPWORDS or lower in _PLAIN_MODIFIERS or part.isdigit():
            continue
        token = _Token(part, 0, 0, _keys(part))
        if token.keys & title_keys:
            continue
        kind = _kind(token)
        name = kind == "place" or part[:1].isupper()
        if names_only and not name:
            continue
        if kind in ("generic", "month") and not name:
            continue
        if kind == "place" and lower in _GENERAL_PLACE_WORDS:
            continue
        return True
    return False


# Words of the place list that name no one place ("international", "bilateral").
_GENERAL_PLACE_WORDS = _words(
    """international national global regional bilateral multilateral united states nations
    union republic federal federation community government governments"""
)
_OF_RIGHT = re.compile(
    r"\s+(?P<prep>on|for|of|covering|concerning|between|in|with|to)\s+(?:the\s+|a\s+|an\s+)?"
    r"(?P<word>[\w.’'-]+)(?:\s+(?P<next>[\w.’'-]+))?",
    re.IGNORECASE,
)


def other_thing(sentence: str, start: int, end: int, item: KnownCommitment) -> bool:
    """Whether the noun at `start:end` of the sentence is said to be something the tracked
    title is not: a place or name the title lacks, before it ("the Sudan mission", "the
    Canada-Peru partnership") or after it ("the mission in Sudan"), or a subject after it
    that the title lacks ("an agreement on grain exports")."""
    title_keys = _title_keys(item)
    before = re.findall(r"[\w.’'-]+", sentence[max(0, start - 60) : start])
    for word in reversed(before[-2:]):
        word = re.sub(r"[’']s$", "", word)
        if word.lower() in _STOPWORDS or word.lower() in ("such",):
            break
        # Only a name: a describing word before it ("the police mission", "the landmark
        # trade partnership") is how readouts paraphrase the tracked one.
        if _other_word(word, title_keys, names_only=True):
            return True
    for _ in range(2):  # "an agreement with Ukraine | on grain exports"
        after = _OF_RIGHT.match(sentence, end)
        if after is None:
            break
        prep = after.group("prep").lower()
        names_only = prep not in ("on", "covering", "concerning")
        word = after.group("word")
        end = after.end("word")
        if after.group("next") and word.lower() in _PLAIN_MODIFIERS:
            word, end = after.group("next"), after.end("next")
        # "with" and "to" more often belong to the verb ("discussed the mission with the
        # President", "hand the mission to the UN"): read past them, judge nothing there.
        if prep not in ("with", "to") and _other_word(word, title_keys, names_only=names_only):
            return True
    return False


def named_again(
    sentence: str,
    at: int,
    earlier: Sequence[tuple[int, KnownCommitment]],
    text: str,
    known: Sequence[KnownCommitment],
) -> Match | None:
    """The tracked commitment a definite noun phrase of the sentence refers back to.

    `at` is where the sentence starts in `text`; `earlier` lists (position in `text`,
    commitment) for every tracked commitment named before, in text order. The phrase's
    noun must be one of the commitment's kind nouns or its title's head noun ("the
    interconnector"), no other tracked commitment of that kind named before, no
    indefinite one ("an agreement") in between, and the phrase must not say it is another
    thing.
    """
    nouns = {
        k.id: kind_keys(k) | head_keys(k, known) for k in {k.id: k for _, k in earlier}.values()
    }
    for token in _tokens(sentence):
        keys = token.keys & frozenset().union(*nouns.values())
        window = sentence[max(0, token.start - 40) : token.start]
        determiner = _DETERMINER.search(window) if keys else None
        if determiner is None:
            continue
        kinds = [(pos, k) for pos, k in earlier if pos < at + token.start and nouns[k.id] & keys]
        if len({k.id for _, k in kinds}) != 1:
            continue
        last, item = kinds[-1]
        between = text[last : at + token.start]
        if any(
            _INDEFINITE.search(between[max(0, t.start - 40) : t.start])
            for t in _tokens(between)
            if t.keys & keys
        ):
            continue
        if other_thing(sentence, token.start, token.end, item):
            continue
        begin = token.start - len(window) + determiner.start()
        return Match(item, 0.5, sentence[begin : token.end], ((token.start, token.end),))
    return None


# Capitalised alone, these name an institution more often than a commitment ("the Fund"
# in an IMF statement, "the Force Commander").
_NOT_SHORT_NAMES = _words("fund force agenda operation budget")


def short_name(sentence: str, known: Sequence[KnownCommitment]) -> Match | None:
    """The tracked commitment a capitalised kind noun names on its own: "honour the
    Declaration they signed", "the Partnership's first review", when exactly one tracked
    title holds that noun capitalised. A capitalised common noun is a document's short
    name; words capitalised after it ("the Declaration of Principles") must be the
    title's too."""
    for token in _tokens(sentence):
        if not (token.text[:1].isupper() and token.text[1:].islower()) or token.start == 0:
            continue
        if not token.keys & _KIND_KEYS or not re.search(r"\bthe\s+$", sentence[: token.start]):
            continue
        if token.text.lower() in _NOT_SHORT_NAMES:
            continue
        holders = [
            k
            for k in known
            if any(t.keys & token.keys and t.text[:1].isupper() for t in _title_words(k))
        ]
        if len(holders) != 1:
            continue
        item = holders[0]
        rest = re.match(
            r"(?:\s+(?:of|for|on|and|the|to)\b)*((?:\s+[A-Z][\w-]*)+)", sentence[token.end :]
        )
        if rest and any(not (t.keys & _title_keys(item)) for t in _tokens(rest.group(1))):
            continue
        if other_thing(sentence, token.start, token.end, item):
            continue
        return Match(item, 0.5, token.text, ((token.start, token.end),))
    return None


def names_other(sentence: str, item: KnownCommitment) -> bool:
    """Whether the sentence calls a thing of the commitment's kind by words its title lacks:
    "the U.S.-Kenya health partnership" is not a trade and investment partnership."""
    keys = kind_keys(item)
    return any(
        t.keys & keys and other_thing(sentence, t.start, t.end, item) for t in _tokens(sentence)
    )
