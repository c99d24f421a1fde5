"""Proposing statements for ingest: `propose` and the assignment of commitments.

Owns: `Proposal`; walking the sentences, choosing each one's cue, speaker and quote span;
dropping paraphrases of later quotations; splitting coordinated clauses; assigning each
statement to a commitment, by what it names or what it refers back to in the document.

Imports the standard library, attrs, `tracker.domain` and the other ingest modules.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

import attrs

from tracker.domain.values import parse_status
from tracker.ingest.cues import _PRAISE_VERBS, CLOSING_STATUSES, _Cue, _find_cues, _governing
from tracker.ingest.matching import (
    _AGREEMENT_ANAPHOR,
    _ANAPHOR,
    KnownCommitment,
    _content_stems,
    _match_known,
    _suggest,
    _unique_id,
    defined_acronyms,
    head_keys,
    kind_keys,
    match_all,
    named_again,
    names_other,
    place_share,
    shared_keys,
    short_name,
)
from tracker.ingest.sentences import _mask, _quote_regions, _Quotes, _segment, _Sentence
from tracker.ingest.speakers import (
    _AGENT_NOUNS,
    _ATTR_BEFORE,
    _GROUP_WORDS,
    _PERSON_ROLES,
    _PRONOUNS,
    _TITLE_WORDS,
    _attribution_after,
    _chain_speaker,
    _clean_np,
    _head,
    _is_agent,
    _Names,
    _narrative_speaker,
    _person_name,
    _subject,
)


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
    # The words of the quote that named an existing commitment (its id, an alias, an acronym
    # or title words); empty for a new suggestion or one carried over from the sentence before.
    matched_on: str = ""
    # The status closes the commitment (fulfilled, partial, broken, withdrawn, superseded).
    # Ingest proposes one only from a cue that states it outright in the sentence's own
    # clause: "signed", "violated", "neither side observed"; never from a name or a
    # subordinate clause ("after the agreement was signed").
    closes: bool = False


@attrs.frozen
class _Found:
    quote_start: int
    quote_end: int
    sentence: _Sentence
    masked: str  # the sentence with inner full stops masked, same length as the sentence
    cue: _Cue
    speaker: str | None
    quoted: bool
    cues: tuple[_Cue, ...] = ()  # every cue of the quote, in text order


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
    title: str | None = None,
) -> list[Proposal]:
    """Propose the statements in `text` that make, change or report on a commitment.

    `title` is the document's own title (a page's, or a `Title:` line), when known: the
    tracked commitments it names are named before the text's first word.
    """
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
        if lower in _GROUP_WORDS or _BOTH_SIDES.fullmatch(np):
            # "the two sides", "both leaders": the parties last named together, when they
            # were named ("Secretary Rubio and President Ruto"); else the words themselves,
            # never one party alone.
            return last_group if last_group and " and " in last_group else np
        if lower in ("they", "their"):
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
        cue = _governing(cues, masked)
        if cue.strength == "noun" and _PRAISE_VERBS.search(masked[: max(cue.start, 1)]):
            continue
        quote_start = _skip_markup(text, quote_start, quote_end)
        quote_end = _trim_end(text, quote_start, quote_end)  # after: the start may drop a mark
        if quote_end - quote_start < 3:
            continue
        in_quote = tuple(
            sorted(
                (
                    c
                    for c in cues
                    if quote_start - sentence.start <= c.start < quote_end - sentence.start
                ),
                key=lambda c: c.start,
            )
        )
        if not fit_speaker(speaker):
            speaker = by  # a clause, not a name: the caller's --by, or nobody
        found.append(
            _Found(quote_start, quote_end, sentence, masked, cue, speaker, quoted, in_quote)
        )

    found = _drop_paraphrases(found)
    named_in_block: dict[int, dict[str, tuple[KnownCommitment, int]]] = {}
    defined: dict[str, str] = {}
    mentions: list[tuple[int, KnownCommitment]] = []  # every tracked one named, in text order
    if known and title:
        mentions.extend((-1, m.item) for m in match_all(title, known))
    topic = _document_topic(mentions)
    if known:
        for sentence in sentences:
            matches = match_all(text[sentence.start : sentence.end], known, defined=defined)
            defined.update(defined_acronyms(text[sentence.start : sentence.end], matches))
            for match in matches:
                named = named_in_block.setdefault(sentence.block, {})
                named.setdefault(match.item.id, (match.item, sentence.start))
                at = min((span[0] for span in match.spans), default=0)
                mentions.append((sentence.start + at, match.item))
    mentions.sort(key=lambda m: m[0])
    # Where the sentence before each sentence starts, when both are in one paragraph.
    sentences_before = {
        b.start: a.start for a, b in itertools.pairwise(sentences) if a.block == b.block
    }
    return _assign(
        found,
        text,
        known,
        named_in_block,
        defined,
        mentions,
        topic,
        sentences_before,
        by=by,
        on=on,
        source=source,
    )


_EMPHASISED_LABEL = re.compile(r"(\*\*|__)[^*_\n]{1,60}?:\s*\1\s+|(\*\*|__)[^*_\n]{1,60}?\2:\s+")


def _skip_markup(text: str, start: int, end: int) -> int:
    """Move a quote's start past opening quote marks and Markdown emphasis."""
    match = _EMPHASISED_LABEL.match(text, start, end)
    if match:
        start = match.end()  # "**Outcome:** We agreed ..." starts at "We"
    while start < end and (text[start] in "\"“‘'„«*_" or text[start].isspace()):
        start += 1
    return start


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


def _continues(
    quote: str, previous: Proposal, same_paragraph: bool, known: Sequence[KnownCommitment]
) -> bool:
    # A sentence that shares the subject matter of the statement just before it ("We will
    # remove the first tariffs ...") is more news on that commitment, not a new one. For a
    # commitment already in the log, the word that says what it is will do in the same
    # paragraph ("sanctions" after a sanctions package), or anywhere a place that is much of
    # its name ("in Geneva" after "the Geneva ceasefire"); a word shared in passing will not
    # ("a power purchase agreement" after a power interconnector). A new suggestion needs
    # two distinctive words in the same paragraph, since its title is only a guess. Generic
    # words ("plan", "support", "package") never carry a statement over.
    if not previous.new:
        item = next((k for k in known if k.id == previous.commitment), None)
        if item is None:
            return False
        shared = shared_keys(quote, item.title, places=True)
        return (same_paragraph and bool(shared & head_keys(item, known))) or place_share(
            quote, item, known
        ) >= 0.2
    return same_paragraph and len(shared_keys(quote, previous.title, places=False)) >= 2


def _assign(
    found: list[_Found],
    text: str,
    known: Sequence[KnownCommitment],
    named_in_block: dict[int, dict[str, tuple[KnownCommitment, int]]],
    defined: dict[str, str],
    mentions: Sequence[tuple[int, KnownCommitment]],
    document_topic: KnownCommitment | None,
    sentences_before: dict[int, int],
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
    by_id = {k.id: k for k in known}
    anchor: Proposal | None = None  # what the next sentence may carry on: the last proposal
    for item in found:
        quote = text[item.quote_start : item.quote_end]
        masked_quote = _mask(quote)
        matches = match_all(quote, known, defined=defined)
        earlier = _match_known(quote, suggested, whole_title=True)
        previous = anchor

        def other(cid: str, quote: str = quote) -> bool:
            # The sentence calls a thing of this one's kind by words its title lacks ("the
            # health partnership" after a trade partnership): not this one carried over.
            tracked = by_id.get(cid)
            return tracked is not None and names_other(quote, tracked)

        targets: list[tuple[tuple[str, bool, str], _Cue, str]] = []
        strong = [m for m in matches if m.score >= 0.6]
        if len(strong) > 1:
            # "discussed A, B and C": one proposal per commitment, each with the cue before it.
            for m in sorted(strong, key=lambda m: _position(masked_quote, m.words)):
                cue = _governing_cue(item, _position(masked_quote, m.words))
                targets.append(((m.item.id, False, m.item.title), cue, m.words))
        elif matches:
            m = matches[0]
            targets.append(((m.item.id, False, m.item.title), item.cue, m.words))
        elif earlier is not None:
            targets.append(((earlier.id, True, earlier.title), item.cue, ""))
        elif (
            previous is not None
            and _AGREEMENT_ANAPHOR.search(masked_quote)
            and last_agreement
            and not other(last_agreement[0])
            and (last_agreement[1] or not _accords_compete(mentions, item.quote_start))
        ):
            targets.append((last_agreement, item.cue, ""))
        elif (
            previous is not None
            and not previous.new
            and previous.status in ("pending", "proposed")
            and _REACH_AGREEMENT.search(masked_quote)
            and _AN_ACCORD.search(previous.title)
            and not other(previous.commitment)
        ):
            # "... to reach a fair and balanced agreement", just after the talks on a tracked
            # agreement: the agreement those talks are for (not a mission or a fund).
            targets.append(((previous.commitment, False, previous.title), item.cue, ""))
        elif (again := named_again(quote, item.quote_start, mentions, text, known)) is not None:
            # "the mission", "this partnership": the one tracked commitment of that kind
            # the text has named before.
            targets.append(((again.item.id, False, again.item.title), item.cue, ""))
        elif (again := short_name(quote, known)) is not None:
            # "honour the Declaration they signed": the one tracked title with that noun
            # as a name.
            targets.append(((again.item.id, False, again.item.title), item.cue, ""))
        elif (
            it := _it_refers_to(item, masked_quote, mentions, sentences_before)
        ) is not None and not other(it.id):
            # "They discussed the Lobito Corridor. They agreed to extend it to Zambia."
            targets.append(((it.id, False, it.title), item.cue, ""))
        elif (
            topic := _earlier_topic(
                quote, proposals, known, [k for at, k in mentions if at < item.quote_start]
            )
        ) is not None and not other(topic.id):
            targets.append(((topic.id, False, topic.title), item.cue, ""))
        elif (
            previous is not None
            and (
                _ANAPHOR.search(masked_quote)
                or _continues(quote, previous, item.sentence.block == previous_block, known)
            )
            and not other(previous.commitment)
        ):
            targets.append(((previous.commitment, previous.new, previous.title), item.cue, ""))
        elif (named := _paragraph_topic(item, named_in_block)) is not None and not other(named.id):
            targets.append(((named.id, False, named.title), item.cue, ""))
        elif (
            document_topic is not None
            and set(named_in_block.get(item.sentence.block, {})) == {document_topic.id}
            and {k.id for _, k in mentions} == {document_topic.id}
            and not other(document_topic.id)
        ):
            # A communiqué whose title names one tracked commitment, and names no other:
            # a paragraph of it that names that one is about it throughout ("Council agreed
            # to convene a meeting ... In this regard ... the ASF-RDC").
            targets.append(((document_topic.id, False, document_topic.title), item.cue, ""))
        else:
            words, title = _suggest(item.masked, item.cue, item.speaker)
            new_id = _unique_id(words, used, next_suffix)
            used.add(new_id)
            suggested.append(KnownCommitment(id=new_id, title=title))
            targets.append(((new_id, True, title), item.cue, ""))
        home = -1
        if len(targets) == 1 and len(clauses := _clauses(item)) > 1:
            # "stressed the need for A and also reaffirmed support for B": one proposal
            # per clause, each with its own cue and commitment.
            targets, home = _clause_targets(
                item,
                text,
                targets[0],
                clauses,
                known,
                defined,
                used,
                next_suffix,
                suggested,
                mentions,
            )
        previous_block = item.sentence.block
        for commitment, cue, matched_on in targets:
            status, label = parse_status(cue.label)
            if status != cue.status:  # pragma: no cover - the cue table is checked in tests
                raise AssertionError(f"label {label!r} does not give {cue.status!r}")
            if cue.label in ("agreed", "signed", "concluded") or (
                matched_on and _AN_ACCORD.search(commitment[2])
            ):
                # What "the deal" or "the agreement" will refer to: something agreed, or a
                # tracked commitment that is an accord by its title (not a mission).
                last_agreement = commitment
            cue_text = " ".join(item.masked[cue.start : cue.end].replace("·", ".").split())
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
                    matched_on=matched_on,
                    closes=status in CLOSING_STATUSES,
                )
            )
        if targets:
            anchor = proposals[home - len(targets)] if home >= 0 else proposals[-1]
    return proposals


_AN_ACCORD = re.compile(
    r"\b(?:agreements?|accords?|deals?|treat(?:y|ies)|pacts?|ceasefires?|truces?|declarations?"
    r"|plan\s+of\s+action|framework|partnership|understanding|compact|protocol|convention"
    r"|settlement|talks|negotiations?)\b",
    re.IGNORECASE,
)
_REACH_AGREEMENT = re.compile(
    r"\b(?:reach(?:ing)?|secur(?:e|ing)|conclud(?:e|ing)|find(?:ing)?|strik(?:e|ing))\s+"
    r"(?:an?|the)\s+(?:[\w-]+\s+){0,4}?(?:agreement|deal|accord|settlement)\b",
    re.IGNORECASE,
)


# What joins a second reporting verb to the first: ", and", "and also", ", offered",
# ", and they discussed", "and the leaders agreed".
_NEXT_CLAUSE = re.compile(
    r"(?:,\s*(?:and\s+|while\s+)?|\s+and\s+|\s+while\s+)(?:also\s+)?"
    r"(?:(?:they|he|she|we|it|both\s+sides|the\s+two\s+\w+|the\s+\w+)\s+)?(?:also\s+)?$",
    re.IGNORECASE,
)


def _clauses(item: _Found) -> list[tuple[int, int, _Cue]]:
    """The sentence's coordinated clauses, each with the cue that governs it, as (start,
    end, cue) in the sentence; one clause when its verbs are not coordinated."""
    offset = item.quote_start - item.sentence.start
    end = item.quote_end - item.sentence.start
    verbs: list[_Cue] = []
    for cue in sorted((c for c in item.cues if c.strength == "verb"), key=lambda c: c.start):
        if verbs and cue.start < verbs[-1].end:
            continue
        verbs.append(cue)
    starts = [offset]
    for before, cue in itertools.pairwise(verbs):
        between = item.masked[before.end : cue.start]
        if _NEXT_CLAUSE.search(between) and len(_content_stems(between)) >= 2:
            starts.append(cue.start)
    if len(starts) == 1:
        return []
    clauses = []
    for start, stop in zip(starts, [*starts[1:], end], strict=True):
        own = [c for c in item.cues if start <= c.start < stop]
        if not own:
            return []
        # The sentence's governing cue governs its own clause still.
        governing = item.cue if start <= item.cue.start < stop else _governing(own, item.masked)
        clauses.append((start, stop, governing))
    return clauses


def _clause_targets(
    item: _Found,
    text: str,
    first: tuple[tuple[str, bool, str], _Cue, str],
    clauses: Sequence[tuple[int, int, _Cue]],
    known: Sequence[KnownCommitment],
    defined: dict[str, str],
    used: set[str],
    next_suffix: dict[str, int],
    suggested: list[KnownCommitment],
    mentions: Sequence[tuple[int, KnownCommitment]],
) -> tuple[list[tuple[tuple[str, bool, str], _Cue, str]], int]:
    """One target per clause: the sentence's own commitment goes to the clause that names
    it (the first, when it was carried over or suggested); each other clause to the tracked
    commitment it names, else to a new suggestion from its own cue. Also returns which
    target is the sentence's own, for the next sentence to carry on."""
    commitment, _, matched_on = first
    new = commitment[1]
    if new:
        # Suggested from the whole sentence's governing cue: suggest again, per clause.
        used.discard(commitment[0])
        suggested[:] = [k for k in suggested if k.id != commitment[0]]
    home = 0
    if matched_on:
        at = _position(item.masked, matched_on)
        home = next((i for i, (a, b, _) in enumerate(clauses) if a <= at < b), 0)
    targets: list[tuple[tuple[str, bool, str], _Cue, str]] = []
    own = 0
    for index, (start, stop, cue) in enumerate(clauses):
        if index == home and not new:
            own = len(targets)
            targets.append((commitment, cue, matched_on))
            continue
        clause = text[item.sentence.start + start : item.sentence.start + stop]
        matches = match_all(clause, known, defined=defined)
        again = (
            named_again(clause, item.sentence.start + start, mentions, text, known)
            if not matches
            else None
        )
        if matches and matches[0].item.id != commitment[0]:
            m = matches[0]
            targets.append(((m.item.id, False, m.item.title), cue, m.words))
        elif again is not None:
            # "... and looked forward to concluding the agreement": the one named before,
            # unless that is the sentence's own (one statement per sentence and commitment).
            if again.item.id != commitment[0]:
                targets.append(((again.item.id, False, again.item.title), cue, ""))
        elif not matches:
            words, title = _suggest(item.masked, cue, item.speaker, stop=stop)
            new_id = _unique_id(words, used, next_suffix)
            used.add(new_id)
            suggested.append(KnownCommitment(id=new_id, title=title))
            targets.append(((new_id, True, title), cue, ""))
    return targets, own


# "it" as what a commitment verb acts on: "agreed to extend it", "pledged to fund it".
_ACTS_ON_IT = re.compile(
    r"\b(?:implement|fund|financ|extend|expand|sign|conclud|ratif|renew|finali[sz]|complet"
    r"|join|accelerat|advanc|honou?r|respect|observ|uphold|deliver|support|launch|operationali"
    r"[sz]|deploy|scale)\w*\s+it\b",
    re.IGNORECASE,
)


def _it_refers_to(
    item: _Found,
    masked_quote: str,
    mentions: Sequence[tuple[int, KnownCommitment]],
    sentences_before: dict[int, int],
) -> KnownCommitment | None:
    """The tracked commitment "it" stands for: the one the sentence before, in the same
    paragraph, named (whether or not it was logged), when it named only one."""
    if not _ACTS_ON_IT.search(masked_quote):
        return None
    before = sentences_before.get(item.sentence.start)
    if before is None:
        return None
    named = {k.id: k for at, k in mentions if before <= at < item.sentence.start}
    return next(iter(named.values())) if len(named) == 1 else None


def _document_topic(mentions: Sequence[tuple[int, KnownCommitment]]) -> KnownCommitment | None:
    """The one tracked commitment the document's title names, if it names one."""
    named = {k.id: k for at, k in mentions if at < 0}
    return next(iter(named.values())) if len(named) == 1 else None


def _accords_compete(mentions: Sequence[tuple[int, KnownCommitment]], before: int) -> bool:
    """Whether the text named two tracked accords before: "the agreement" is then neither."""
    accords = {k.id for at, k in mentions if at < before and "agreement" in kind_keys(k)}
    return len(accords) > 1


def _paragraph_topic(
    item: _Found, named_in_block: dict[int, dict[str, tuple[KnownCommitment, int]]]
) -> KnownCommitment | None:
    """The one tracked commitment the sentence's paragraph names, if it names only one.

    A readout gives a tracked commitment a paragraph, naming it once and then going on in
    fewer words: "Our position on the nuclear agreement with Iran is clear ... Iran is
    fulfilling its obligations." The paragraph must have named it before the sentence, and
    the sentence must still share a distinctive word or a name ("Iran") with its title;
    where a paragraph names two, the sentence is left to a new suggestion.
    """
    named = list(named_in_block.get(item.sentence.block, {}).values())
    if len(named) != 1:
        return None
    topic, first_named_at = named[0]
    offset = item.sentence.start
    quote = item.masked[item.quote_start - offset : item.quote_end - offset]
    if first_named_at < item.sentence.start and shared_keys(quote, topic.title, places=True):
        return topic
    return None


def _position(masked_quote: str, words: str) -> int:
    """Where the words that named a commitment first occur in the quote (its end if nowhere)."""
    for word in words.split():
        match = re.search(rf"\b{re.escape(word)}", masked_quote, re.IGNORECASE)
        if match:
            return match.start()
    return len(masked_quote)


def _governing_cue(item: _Found, at: int) -> _Cue:
    """The cue that governs a commitment named at `at` in the quote: the last verb cue before it."""
    offset = item.quote_start - item.sentence.start
    before = [c for c in item.cues if c.strength == "verb" and c.start - offset <= at]
    return before[-1] if before else item.cue


def _earlier_topic(
    quote: str,
    proposals: Sequence[Proposal],
    known: Sequence[KnownCommitment],
    mentioned: Sequence[KnownCommitment] = (),
) -> KnownCommitment | None:
    """A known commitment named earlier in the text whose title's noun the quote repeats.

    A readout names a tracked commitment once ("the African Standby Force") and then goes
    on about it in its own words ("the Commission ... the standby force's deployment").
    `mentioned` lists those the text named before, in any sentence, in text order.
    """
    named = {p.commitment for p in proposals if p.matched_on} | {k.id for k in mentioned}
    for item in reversed([k for k in known if k.id in named]):
        if shared_keys(quote, item.title, places=False) & head_keys(item, known):
            return item
    return None


_BOTH_SIDES = re.compile(
    r"(?:the\s+)?(?:two|both)\s+(?:sides|parties|leaders|ministers|delegations|countries"
    r"|governments|presidents|prime\s+ministers)",
    re.IGNORECASE,
)
# Lower-case words a name of a person, office or body may hold ("Minister of State for
# Trade", "the Council of the European Union"); any other lower-case word makes it a clause.
_NAME_GLUE = frozenset(
    [
        "of",
        "and",
        "the",
        "for",
        "de",
        "del",
        "da",
        "di",
        "von",
        "van",
        "der",
        "den",
        "bin",
        "al",
        "la",
        "le",
        "du",
        "des",
        "on",
        "in",
        "to",
        "y",
        "e",
    ]
)
SPEAKER_LIMIT = 80


def fit_speaker(speaker: str | None) -> bool:
    """Whether `speaker` reads as a person, office or body: short, and no clause inside.

    "Secretary Rubio and President Ruto" fits; "Saudi and U.S. facilitators note with
    concern that neither side" does not, nor anything over 80 characters.
    """
    if speaker is None:
        return True
    if len(speaker) > SPEAKER_LIMIT or len(speaker.split()) > 10:
        return False
    lower_words = [w for w in re.findall(r"[\w’'-]+", speaker) if w.islower()]
    odd = [w for w in lower_words if w not in _NAME_GLUE and w not in _ROLE_WORDS]
    return not odd


_ROLE_WORDS = (
    _TITLE_WORDS
    | _AGENT_NOUNS
    | frozenset(
        [
            "two",
            "both",
            "sides",
            "leaders",
            "foreign",
            "general",
            "secretary-general",
            "prime",
            "ministers",
        ]
    )
)
