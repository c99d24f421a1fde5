"""The language-model engine's pure half: the prompt it sends, and what tracker keeps of a reply.

Owns: numbering a text's sentences (`number_sentences`), the messages and JSON schema sent
to the model (`build_messages`, `REPLY_SCHEMA`), and turning a reply into `Proposal`s
(`read_reply`). The model never writes a quote: it answers with sentence numbers, and each
quote is tracker's own sentence, verbatim. Whatever in a reply cannot be trusted is dropped
and counted (`Dropped`): sentence numbers that are not in the text, statuses that are not
SPEC's, ids that are not ids, speakers whose words the text does not contain.

Pure and offline like the rest of `tracker.ingest`: the standard library, attrs,
`tracker.domain` and the ingest modules only. Nothing here touches the network (that is
`tracker.application.llm`) or writes anything.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

import attrs

from tracker.domain.values import STATUSES, check_commitment_id, check_line, check_name
from tracker.errors import UserError
from tracker.ingest.cues import CLOSING_STATUSES
from tracker.ingest.matching import KnownCommitment
from tracker.ingest.propose import Proposal, fit_speaker
from tracker.ingest.sentences import split_sentences

# Bump when the prompt or the reading of replies changes meaning: it is part of the cache key.
PROMPT_VERSION = "1"
REASON_LIMIT = 200  # characters of the model's reason kept as the proposal's cue

# What each status means, in the labelling guidelines' sense (our own words, condensed).
STATUS_MEANINGS: dict[str, str] = {
    "proposed": "raised, discussed, urged, requested, called for, or its need or importance "
    "stressed, and nobody has agreed to it yet (discussed, called for, urged, pressed, "
    "encouraged, offered)",
    "pending": "under negotiation, or awaiting a decision, signature or approval "
    "(negotiating, working toward concluding, looked forward to signing, awaiting)",
    "committed": "a party pledged, promised, announced or agreed to do it, and the doing is "
    "still ahead (agreed to, committed to, pledged, will provide, decided to, reaffirmed "
    "their commitment)",
    "in_progress": "being carried out, or continued (continue to, is implementing, ongoing, "
    "underway, has begun)",
    "stalled": "delayed, blocked, or without progress (delayed, on hold, no progress, "
    "outstanding commitments)",
    "fulfilled": "done (signed, concluded, adopted, delivered, completed, a vote authorising "
    "it passed; a claimed result)",
    "partial": "done in part (partially, in part)",
    "broken": "not kept or violated (violated, failed to, did not observe)",
    "withdrawn": "abandoned by its parties (withdrew, cancelled, abandoned)",
    "superseded": "replaced by another commitment (replaced by, superseded)",
}
assert tuple(STATUS_MEANINGS) == tuple(STATUSES)

_INSTRUCTIONS = """\
You help an analyst who tracks public commitments: actions or outcomes that a named party
(a government, a leader, an organisation, or the parties together) promises, agrees,
negotiates, is asked to deliver, is delivering, has delivered, or failed to deliver.
You read a text whose sentences are numbered, and list the sentences an analyst would log,
each with the commitment it concerns and the status the sentence asserts on its own date.

Log a sentence when it makes, asks for, reports on or changes a commitment. Do not log
greetings, thanks or congratulations that commit to nothing, condolences, condemnations or
concern that ask for no action, background that describes the world with no party acting,
or the bare fact that a meeting or call took place. A thank-you or a welcome counts when it
reports a commitment or its delivery ("thanked Kenya for agreeing to lead the mission").

Statuses (use exactly these words):
{statuses}

Decide by what the sentence itself asserts, not by what is known later:
- "will continue to X", "continue to X", ongoing work, deliveries under way: in_progress;
  but "pledged / committed / resolved to continue X": committed.
- "agreed to X", "agreed to finalize talks on X", "agreed to stay in close touch":
  committed; "agreed on the importance of X", "agreed on the need to X", "agreed that X
  must": proposed.
- "the importance of" a concrete action (reaching a deal, safe passage): proposed; the
  importance of a general value (peace and stability, the relationship): do not log.
  When the sentence says the action is already under way ("the importance of ongoing
  cooperation on X"), the word for its current state decides (in_progress).
- Support for an announced, scheduled event ("strong support for the upcoming summit"):
  committed. "Reaffirmed support for X" is committed only when a party commits to act;
  otherwise proposed.
- "Looked forward to" a signature or decision: pending; to a dated event: committed.
- "Offered" good offices or help: proposed. "Outstanding commitments": stalled.
  Claims of results ("our work has secured the border"): fulfilled.
- A meeting's general purpose ("to discuss bilateral ties", "to prepare the summit"): do
  not log; a purpose that names a concrete action ("to discuss the swift deployment of
  the mission"): proposed.
- Traps: a status word that governs something else does not set the commitment's status.
  "Concluded a week of meetings on X" concludes the meetings, not X (log the next steps
  the meetings agreed). A status word inside a name ("Declaration of Commitment") is not
  a cue. A closing status (fulfilled, partial, broken, withdrawn, superseded) needs a
  sentence that reports the commitment itself done, kept in part, violated, abandoned or
  replaced; "after the agreement was signed" in a subordinate clause does not.
- A sentence that bears on several distinct, concrete commitments ("discussed A, B and
  C") gives one statement for each; a list of cooperation areas under one verb ("working
  together on health, climate and trade") is one statement.
- Consecutive sentences may give one commitment different statuses; label each sentence
  by what it asserts.

Commitments: when a sentence concerns one of the tracked commitments listed (by its id,
title, acronym, alias or an evident paraphrase), give that id. Otherwise suggest a new
id (lower-case words joined by single hyphens, at most 40 characters, naming the
commitment, not the speaker) and a short title; use the same new id for every sentence
about the same new commitment, and give "title" as "" for a tracked id.

Speaker: the person, office or body that makes, agrees or is asked for the commitment,
named as in the text ("Secretary Blinken", "President Ruto"; for "the two sides" or
"both leaders", the parties named together, such as "Secretary Blinken and Foreign
Minister Faisal"); never a clause; "" when the text names nobody.

Reason: a few words on why (the words that decide the status).

Answer only with JSON of this form, no other text:
{{"statements": [{{"sentence": 3, "commitment": "an-id", "title": "", "status": "committed",
  "speaker": "…", "reason": "…"}}]}}
An empty list is a fine answer when no sentence is to be logged."""


REPLY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "statements": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "sentence": {"type": "integer"},
                    "commitment": {"type": "string"},
                    "title": {"type": "string"},
                    "status": {"type": "string", "enum": list(STATUSES)},
                    "speaker": {"type": "string"},
                    "reason": {"type": "string"},
                },
                "required": ["sentence", "commitment", "title", "status", "speaker", "reason"],
                "additionalProperties": False,
            },
        }
    },
    "required": ["statements"],
    "additionalProperties": False,
}


def number_sentences(text: str) -> list[str]:
    """The text's sentences as ingest splits them, each verbatim; sentence N is item N-1."""
    sentences = [text[start:end].strip() for start, end in split_sentences(text)]
    return [s for s in sentences if s]


def build_messages(
    sentences: Sequence[str], known: Sequence[KnownCommitment]
) -> list[dict[str, str]]:
    """The chat messages for one text: the instructions, then the tracked list and sentences."""
    statuses = "\n".join(f"- {name}: {meaning}" for name, meaning in STATUS_MEANINGS.items())
    system = _INSTRUCTIONS.format(statuses=statuses)
    if known:
        lines = []
        for k in known:
            aliases = f" (also called: {'; '.join(k.aliases)})" if k.aliases else ""
            lines.append(f"- {k.id}: {k.title}{aliases}")
        tracked = "Tracked commitments:\n" + "\n".join(lines)
    else:
        tracked = "Tracked commitments: none yet."
    numbered = "\n".join(f"[{i}] {' '.join(s.split())}" for i, s in enumerate(sentences, 1))
    user = f"{tracked}\n\nThe text, one numbered sentence a line:\n{numbered}"
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


class MalformedReply(ValueError):
    """The reply is not the JSON object asked for; the message says what is wrong."""


@attrs.define
class Dropped:
    """Statements of a reply that tracker left out, by reason."""

    incomplete: int = 0
    sentence: int = 0
    status: int = 0
    commitment: int = 0
    speaker: int = 0
    repeated: int = 0

    def total(self) -> int:
        return sum(attrs.astuple(self))

    def describe(self) -> str:
        """What was dropped, such as '2 with a sentence number not in the text'; '' if none."""
        words = {
            "incomplete": "incomplete",
            "sentence": "with a sentence number not in the text",
            "status": "with a status that is not SPEC's",
            "commitment": "with an invalid commitment id or title",
            "speaker": "with a speaker the text does not name",
            "repeated": "repeating an earlier one",
        }
        return ", ".join(
            f"{count} {words[name]}" for name, count in attrs.asdict(self).items() if count
        )


def parse_json(content: str) -> Any:
    """The JSON in a reply: the whole content, or the object inside a code fence or prose."""
    text = content.strip()
    try:
        return json.loads(text)
    except ValueError:
        pass
    fenced = re.search(r"```(?:json)?\s*(.*?)```", text, re.DOTALL | re.IGNORECASE)
    if fenced:
        try:
            return json.loads(fenced.group(1))
        except ValueError:
            pass
    start, end = text.find("{"), text.rfind("}")
    if 0 <= start < end:
        try:
            return json.loads(text[start : end + 1])
        except ValueError:
            pass
    raise MalformedReply("it is not JSON")


def read_reply(
    content: str,
    sentences: Sequence[str],
    text: str,
    known: Sequence[KnownCommitment],
    *,
    by: str | None = None,
    on: str | None = None,
    source: str | None = None,
) -> tuple[list[Proposal], Dropped]:
    """The proposals a reply gives, each quote tracker's own sentence; and what was dropped.

    Raises `MalformedReply` when the reply is not a JSON object with a `statements` list.
    """
    data = parse_json(content)
    if isinstance(data, list):
        items: Any = data
    elif isinstance(data, dict) and isinstance(data.get("statements"), list):
        items = data["statements"]
    else:
        raise MalformedReply('it has no "statements" list')
    titles = {k.id: k.title for k in known}
    new_titles: dict[str, str] = {}
    words = _word_set(text)
    dropped = Dropped()
    seen: set[tuple[int, str]] = set()
    kept: list[tuple[int, int, str, str, str, str | None]] = []
    for order, item in enumerate(items):
        if not isinstance(item, dict) or not all(
            isinstance(item.get(key), str) for key in ("commitment", "status")
        ):
            dropped.incomplete += 1
            continue
        number = item.get("sentence")
        if isinstance(number, str) and number.strip().isdigit():
            number = int(number)
        if isinstance(number, bool) or not isinstance(number, int):
            dropped.incomplete += 1
            continue
        if not 1 <= number <= len(sentences):
            dropped.sentence += 1
            continue
        status = "_".join(item["status"].replace("-", " ").lower().split())
        if status not in STATUSES:
            dropped.status += 1
            continue
        cid = item["commitment"].strip()
        try:
            check_commitment_id(cid)
        except UserError:
            dropped.commitment += 1
            continue
        if cid not in titles and cid not in new_titles:
            title = item.get("title")
            title = title.strip() if isinstance(title, str) else ""
            try:
                new_titles[cid] = check_line("title", title or cid.replace("-", " "))
            except UserError:
                dropped.commitment += 1
                continue
        speaker: str | None = None
        if by is None:
            said = item.get("speaker")
            said = " ".join(said.split()) if isinstance(said, str) else ""
            if said:
                if not _names_in_text(said, words):
                    dropped.speaker += 1
                    continue
                speaker = said
        if (number, cid) in seen:
            dropped.repeated += 1
            continue
        seen.add((number, cid))
        reason = item.get("reason")
        reason = " ".join(reason.split())[:REASON_LIMIT] if isinstance(reason, str) else ""
        kept.append((number, order, cid, status, reason, speaker))
    kept.sort(key=lambda k: (k[0], k[1]))
    proposals = [
        Proposal(
            n=n,
            quote=sentences[number - 1],
            by=by if by is not None else speaker,
            on=on,
            source=source,
            commitment=cid,
            new=cid not in titles,
            title=titles.get(cid) or new_titles[cid],
            status=status,
            label=status,
            cue=reason,
            closes=status in CLOSING_STATUSES,
        )
        for n, (number, _, cid, status, reason, speaker) in enumerate(kept, 1)
    ]
    return proposals, dropped


_GLUE = frozenset(
    ["and", "of", "the", "for", "de", "del", "da", "di", "von", "van", "der", "den", "bin",
     "al", "la", "le", "du", "des", "on", "in", "to", "y", "e"]
)  # fmt: skip


def _word_set(text: str) -> frozenset[str]:
    return frozenset(w.lower() for w in re.findall(r"[^\W_]+", text.replace("’", "'")))


def _names_in_text(speaker: str, words: frozenset[str]) -> bool:
    """Whether a speaker reads as a name and each of its words occurs in the text.

    "President Ruto" passes for a text that says "President William Ruto"; an invented name,
    a clause ("facilitators note with concern that ...") or anything over 80 characters fails.
    """
    try:
        check_name("speaker", speaker)
    except UserError:
        return False
    if not fit_speaker(speaker):
        return False
    own = [w.lower() for w in re.findall(r"[^\W_]+", speaker.replace("’", "'"))]
    return bool(own) and all(w in words or w in _GLUE for w in own)
