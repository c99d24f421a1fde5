"""Finding things: `search`, `names`, and the status list's filters and orders."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.domain.search import Candidate, rank, terms

pytestmark = pytest.mark.both_stores

SEARCH_KEYS = [
    "commitment", "title", "on", "by", "speakers", "quote", "source", "event", "matches",
]  # fmt: skip
NOW = ("--now", "2025-04-01")


def ok(result):
    assert result.exit_code == 0, result
    return result.stdout


def refused(result, message):
    assert result.exit_code == 2, result
    assert result.stdout == ""
    assert message in result.stderr, result
    assert len(result.stderr.splitlines()) == 1


@pytest.fixture
def desk(run):
    """Three commitments, spoken about by different people, with tags and kinds."""
    steps = [
        ["add", "port-deal", "--title", "Reopen the harbour to grain ships", "--party", "Ghana",
         "--party", "United States", "--tag", "trade", "--kind", "agreement", "--on", "2025-01-01"],
        ["add", "vaccines", "--title", "Deliver vaccines to the north", "--party", "US",
         "--kind", "request", "--on", "2025-01-01"],
        ["add", "school-fees", "--title", "Abolish school fees", "--party", "Ghana",
         "--tag", "Education", "--on", "2025-01-01", "--due", "2025-02-01"],
        ["log", "We will open the harbour before the rains.", "--by", "Ama Mensah", "--by",
         "Kari Nordmann", "-c", "port-deal=committed", "--on", "2025-01-10",
         "--source", "https://example.org/accra-readout"],
        ["log", "Ships wait offshore; the vaccine cold chain is ready.", "--by", "Health Ministry",
         "-c", "vaccines", "-c", "port-deal", "--on", "2025-03-20"],
        ["log", "Fees stay for now.", "--by", "ama mensah", "-c", "school-fees=pending",
         "--on", "2025-01-05"],
        ["log", "A harbour quote that was withdrawn.", "--by", "Someone", "-c", "port-deal",
         "--on", "2025-01-11"],
    ]  # fmt: skip
    for step in steps:
        ok(run(*step))
    withdrawn = json.loads(ok(run("history", "--format", "json")))[-1]["id"]
    ok(run("retract", withdrawn, "--reason", "misattributed"))


def search(run, *words):
    return json.loads(ok(run("search", *words, "--format", "json")))


def test_search_finds_quotes_speakers_sources_and_titles_best_first(run, desk):
    found = search(run, "harbour")
    assert [(h["commitment"], h["on"]) for h in found] == [
        ("port-deal", "2025-01-10"),  # in the quote and the title
        ("port-deal", "2025-03-20"),  # in the title only
    ]  # the retracted statement is not found
    assert found[0]["matches"] == ["harbour"]
    assert list(found[0]) == SEARCH_KEYS
    assert found[0]["speakers"] == ["Ama Mensah", "Kari Nordmann"]
    assert found[0]["by"] == "Ama Mensah, Kari Nordmann"
    # A speaker, a source, a prefix of a word; every word must match somewhere.
    assert {h["quote"] for h in search(run, "mensah")} == {
        "We will open the harbour before the rains.",
        "Fees stay for now.",
    }
    assert [h["on"] for h in search(run, "accra")] == ["2025-01-10"]
    assert [h["commitment"] for h in search(run, "vacc", "ship")] == ["vaccines", "port-deal"]
    assert search(run, "vaccine", "fees") == []
    assert search(run, "withdrawn") == []


def test_search_table_shows_commitment_date_speaker_and_the_matching_words(run, desk):
    out = ok(run("search", "Ships", "ministry"))
    assert out.splitlines() == [
        "ON          COMMITMENT  BY               MATCHED          QUOTE",
        "2025-03-20  port-deal   Health Ministry  ships, Ministry  "
        "Ships wait offshore; the vaccine cold chain is ready.",
        "2025-03-20  vaccines    Health Ministry  Ships, Ministry  "
        "Ships wait offshore; the vaccine cold chain is ready.",
    ]
    assert ok(run("search", "nothing-like-it")) == "no statement matches 'nothing-like-it'\n"
    assert len(search(run, "the")) > 1
    assert len(json.loads(ok(run("search", "the", "--limit", "1", "--format", "json")))) == 1


def test_search_refuses_no_words_and_a_bad_limit(run, desk):
    refused(run("search", " -- "), "give the words to search for")
    refused(run("search", "x", "--limit", "0"), "--limit must be at least 1")
    refused(run("search", "x", "--format", "csv"), "unknown format 'csv'")


def test_names_lists_every_spelling_with_counts(run, desk):
    counts = json.loads(ok(run("names", "--format", "json")))
    assert counts == [
        {"name": "Ama Mensah", "statements": 1, "commitments": 0},
        {"name": "ama mensah", "statements": 1, "commitments": 0},
        {"name": "Ghana", "statements": 0, "commitments": 2},
        {"name": "Health Ministry", "statements": 1, "commitments": 0},
        {"name": "Kari Nordmann", "statements": 1, "commitments": 0},
        {"name": "United States", "statements": 0, "commitments": 1},
        {"name": "US", "statements": 0, "commitments": 1},
    ]  # the retracted statement's speaker is not counted
    table = ok(run("names")).splitlines()
    assert table[0].split() == ["STATEMENTS", "COMMITMENTS", "NAME"]
    assert table[-1].split() == ["0", "1", "US"]


def ids(run, *args):
    return [r["id"] for r in json.loads(ok(run("status", *args, "--format", "json", *NOW)))]


def test_status_filters_by_speaker_tag_and_kind(run, desk):
    assert ids(run, "--by", "AMA MENSAH", "--sort", "id") == ["port-deal", "school-fees"]
    assert ids(run, "--by", "Kari Nordmann") == ["port-deal"]
    assert ids(run, "--by", "Someone") == []  # only through a retracted statement
    assert ids(run, "--by", "Ama Mensah", "--as-of", "2025-01-06") == ["school-fees"]
    assert ids(run, "--tag", "education") == ["school-fees"]
    assert ids(run, "--kind", "request") == ["vaccines"]
    assert ids(run, "--kind", "agreement", "--party", "ghana") == ["port-deal"]
    refused(run("status", "--kind", "treaty"), "unknown kind 'treaty'")
    refused(run("status", "--by", ""), "speaker (--by)")
    refused(run("status", "--sort", "newest"), "unknown sort 'newest'; use one of: stale, id")
    refused(run("status", "vaccines", "--tag", "x"), "filter or order the list; drop the ID")


def test_status_sorts_most_overdue_first_by_default(run, desk):
    rows = json.loads(ok(run("status", "--format", "json", *NOW)))
    assert [(r["id"], r["overdue_days"]) for r in rows] == [
        ("school-fees", 56),  # quiet since 2025-01-05
        ("port-deal", 0),
        ("vaccines", 0),
    ]
    assert ids(run, "--sort", "stale") == ["school-fees", "port-deal", "vaccines"]
    assert ids(run, "--sort", "id") == ["port-deal", "school-fees", "vaccines"]
    assert ids(run, "--sort", "last") == ["port-deal", "vaccines", "school-fees"]
    assert ids(run, "--sort", "since") == ["port-deal", "school-fees", "vaccines"]


words = st.text(alphabet="abcdeé ", min_size=1, max_size=12)


@given(st.lists(st.tuples(words, words, words), min_size=1, max_size=8), words)
def test_every_search_hit_has_every_query_word_and_hits_come_best_first(docs, query):
    candidates = [
        Candidate(
            commitment_id="c", title=title, seq=n, event_id=str(n), on="2025-01-01",
            speaker=speaker, speakers=(speaker,), quote=quote, source=None,
        )
        for n, (title, speaker, quote) in enumerate(docs)
    ]  # fmt: skip
    hits = rank(candidates, query)
    for hit in hits:
        text = " ".join((hit.candidate.title, hit.candidate.speaker, hit.candidate.quote)).lower()
        assert all(any(w.startswith(t) for w in text.split()) for t in terms(query))
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_a_speaker_match_outranks_a_quote_match_and_ties_go_to_the_latest():
    def said(n, on, speaker, quote):
        return Candidate(
            commitment_id="c", title="t", seq=n, event_id=str(n), on=on,
            speaker=speaker, speakers=(speaker,), quote=quote, source=None,
        )  # fmt: skip

    hits = rank(
        [
            said(1, "2025-01-01", "Kari", "Ruto spoke."),
            said(2, "2025-01-03", "Kari", "Ruto again."),
            said(3, "2025-01-02", "Ruto", "Nothing."),
            said(4, "2025-01-03", "Kari", "Rutoism."),
        ],
        "ruto",
    )
    assert [h.candidate.seq for h in hits] == [3, 2, 1, 4]
