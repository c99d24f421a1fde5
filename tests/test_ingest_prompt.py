"""The language-model engine's pure half: numbering, the prompt, and reading a reply."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.application.llm import _backoff
from tracker.domain.values import STATUSES
from tracker.ingest import KnownCommitment, split_sentences
from tracker.ingest.prompt import (
    REPLY_SCHEMA,
    MalformedReply,
    build_messages,
    number_sentences,
    parse_json,
    read_reply,
)

TEXT = (
    "President William Ruto met the Harbour Council on Monday. The Council agreed to widen the "
    "north quay by June.\n\nPresident Ruto urged the Council to publish the dredging plan. "
    "Both sides said the rail link is under way."
)
SENTENCES = number_sentences(TEXT)
QUAY = KnownCommitment(id="north-quay", title="Widen the north quay", aliases=("the quay works",))


def item(sentence: object, commitment: str = "north-quay", status: str = "committed",
         speaker: str = "", title: str = "", **extra: object) -> dict[str, object]:  # fmt: skip
    return {"sentence": sentence, "commitment": commitment, "title": title, "status": status,
            "speaker": speaker, "reason": "why", **extra}  # fmt: skip


def reply(*items: dict[str, object]) -> str:
    return json.dumps({"statements": list(items)})


def test_sentences_are_the_texts_own_and_numbered_from_one():
    assert [TEXT[a:b].strip() for a, b in split_sentences(TEXT)] == SENTENCES
    assert SENTENCES[1] == "The Council agreed to widen the north quay by June."
    assert len(SENTENCES) == 4


def test_the_prompt_carries_statuses_tracked_commitments_and_numbered_sentences():
    system, user = build_messages(SENTENCES, [QUAY])
    assert (system["role"], user["role"]) == ("system", "user")
    for status in STATUSES:
        assert f"\n- {status}: " in system["content"]
    assert "- north-quay: Widen the north quay (also called: the quay works)" in user["content"]
    assert "[2] The Council agreed to widen the north quay by June." in user["content"]
    assert "Tracked commitments: none yet." in build_messages(SENTENCES, [])[1]["content"]
    assert REPLY_SCHEMA["properties"]["statements"]["items"]["properties"]["status"][
        "enum"
    ] == list(STATUSES)


def test_a_reply_becomes_proposals_with_the_texts_quotes():
    content = reply(
        item(4, "rail-link", "in progress", "Both sides", title="Build the rail link"),
        item(2, "north-quay", "COMMITTED", "The Council", quote="The Council built ten quays."),
        item("3", "dredging-plan", "proposed", "President Ruto", title="Publish the dredging plan"),
    )
    found, dropped = read_reply(content, SENTENCES, TEXT, [QUAY], on="2025-03-03", source="memo")
    assert dropped.total() == 0 and dropped.describe() == ""
    assert [(p.n, p.quote, p.commitment, p.new, p.title, p.status, p.by) for p in found] == [
        (1, SENTENCES[1], "north-quay", False, "Widen the north quay", "committed", "The Council"),
        (2, SENTENCES[2], "dredging-plan", True, "Publish the dredging plan", "proposed", "President Ruto"),
        (3, SENTENCES[3], "rail-link", True, "Build the rail link", "in_progress", "Both sides"),
    ]  # fmt: skip
    assert {(p.on, p.source, p.cue, p.closes, p.matched_on) for p in found} == {
        ("2025-03-03", "memo", "why", False, "")
    }


def test_what_cannot_be_trusted_is_dropped_and_counted():
    content = reply(
        item(5), item(0), item(-1), item(True), item(2, status="done-ish"),
        item(2, commitment="North Quay"), item(2, speaker="Governor Smith"),
        item(2, speaker="The Council said it would widen the quay and more"),
        item(2, speaker="The Council"), item(2, speaker="The Council"), {"sentence": 2},
        "not an object",
    )  # fmt: skip
    found, dropped = read_reply(content, SENTENCES, TEXT, [QUAY])
    assert [(p.quote, p.by) for p in found] == [(SENTENCES[1], "The Council")]
    assert dropped.describe() == (
        "3 incomplete, 3 with a sentence number not in the text, 1 with a status that is not "
        "SPEC's, 1 with an invalid commitment id or title, 2 with a speaker the text does not "
        "name, 1 repeating an earlier one"
    )


@pytest.mark.parametrize(
    ("speaker", "kept"),
    [
        ("President Ruto", True),  # the text says "President William Ruto"
        ("President William Ruto and the Council", True),
        ("", True),  # nobody named: the proposal has no speaker (or --by's)
        ("Prime Minister Ruto", False),  # "Prime" and "Minister" are not in the text
        ("the Council agreed to widen", False),  # a clause, not a name
        ("x" * 81, False),
    ],
)
def test_speakers_must_be_named_in_the_text(speaker, kept):
    found, dropped = read_reply(reply(item(2, speaker=speaker)), SENTENCES, TEXT, [QUAY])
    assert (len(found), dropped.speaker) == ((1, 0) if kept else (0, 1))
    if kept:
        assert found[0].by == (speaker or None)


def test_by_stands_for_every_speaker():
    found, _ = read_reply(reply(item(2, speaker="Governor Smith")), SENTENCES, TEXT, [], by="Amara")
    assert [p.by for p in found] == ["Amara"]


def test_a_new_id_keeps_its_first_title_and_a_missing_title_uses_the_id():
    content = reply(item(2, "quay-works", title="First"), item(4, "quay-works", title="Second"),
                    item(3, "dredging-plan"))  # fmt: skip
    found, _ = read_reply(content, SENTENCES, TEXT, [])
    assert [(p.commitment, p.new, p.title) for p in found] == [
        ("quay-works", True, "First"), ("dredging-plan", True, "dredging plan"), ("quay-works", True, "First"),
    ]  # fmt: skip


def test_closing_statuses_are_marked():
    found, _ = read_reply(reply(item(2, status="fulfilled")), SENTENCES, TEXT, [QUAY])
    assert (found[0].status, found[0].label, found[0].closes) == ("fulfilled", "fulfilled", True)


@pytest.mark.parametrize(
    "content",
    [
        '{"statements": []}',
        '```json\n{"statements": []}\n```',
        'Here is the answer: {"statements": []} Hope it helps.',
        "[]",
    ],
)
def test_plain_json_is_read_from_fences_and_prose(content):
    assert read_reply(content, SENTENCES, TEXT, [])[0] == []


@pytest.mark.parametrize(
    ("content", "why"),
    [("Sentence 2, committed.", "it is not JSON"), ('{"items": []}', 'it has no "statements" list'),
     ('"statements"', 'it has no "statements" list'), ("{broken", "it is not JSON")],
)  # fmt: skip
def test_malformed_replies(content, why):
    with pytest.raises(MalformedReply, match=why):
        read_reply(content, SENTENCES, TEXT, [])
    if content.startswith("{b"):
        with pytest.raises(MalformedReply):
            parse_json(content)


WORDS = st.sampled_from(["north-quay", "rail-link", "Bad Id", "", "x-" * 40])
SPEAKERS = st.sampled_from(["", "The Council", "President Ruto", "Mayor Invented", "both sides"])
STATUS_WORDS = st.sampled_from([*STATUSES, "in progress", "maybe", "", "Fulfilled"])
ITEMS = st.one_of(
    st.builds(item, st.integers(-2, 7), WORDS, STATUS_WORDS, SPEAKERS, st.text(max_size=5)),
    st.just("junk"),
    st.dictionaries(st.sampled_from(["sentence", "status"]), st.integers(0, 3)),
)


@given(st.lists(ITEMS, max_size=12))
def test_every_proposal_quotes_the_text_with_a_spec_status(items):
    found, dropped = read_reply(json.dumps({"statements": items}), SENTENCES, TEXT, [QUAY])
    assert len(found) + dropped.total() == len(items)
    assert [p.n for p in found] == list(range(1, len(found) + 1))
    for p in found:
        assert p.quote in SENTENCES and p.quote in TEXT
        assert p.status in STATUSES
        assert p.by is None or p.by in {"The Council", "President Ruto", "both sides"}


def test_backoff_doubles_and_obeys_retry_after_up_to_a_limit():
    class Response:
        def __init__(self, headers: dict[str, str]) -> None:
            self.headers = headers

    class Limited:
        def __init__(self, headers: dict[str, str]) -> None:
            self.response = Response(headers)

    assert [_backoff(Limited({}), n) for n in (1, 2)] == [2.0, 4.0]
    assert _backoff(Limited({"retry-after": "0"}), 1) == 0.0
    assert _backoff(Limited({"retry-after": "600"}), 1) == 30.0
    assert _backoff(Limited({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}), 1) == 2.0
