"""`tracker ingest` from the command line: proposals, JSON keys, and --apply in one transaction."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.conftest import event_count

pytestmark = pytest.mark.both_stores

# The seed article is a real readout: read from beside the project, never copied into it.
SEED = Path(
    os.environ.get(
        "TRACKER_SEED_ARTICLE", Path(__file__).resolve().parents[2] / "shared" / "seed-article.txt"
    )
)
needs_seed = pytest.mark.skipif(
    not SEED.is_file(), reason=f"the seed article is not at {SEED}; set TRACKER_SEED_ARTICLE"
)
KEYS = [
    "n",
    "quote",
    "by",
    "on",
    "source",
    "commitment",
    "new",
    "title",
    "status",
    "label",
    "logged",
    "cue",
    "matched_on",
    "closes",
    "engine",  # rules, or llm (--engine llm)
]


@pytest.fixture
def stip(run):
    assert run("add", "stip", "--kind", "agreement", "--title",
               "Strategic Trade and Investment Partnership (STIP)").exit_code == 0  # fmt: skip


def proposals(run, *args: str) -> list[dict]:
    result = run("ingest", str(SEED), "--by", "William Ruto", "--on", "2025-01-27", *args,
                 "--format", "json")  # fmt: skip
    assert result.exit_code == 0, result
    return json.loads(result.stdout)


@needs_seed
def test_seed_article_proposals(run, stip):
    found = proposals(run, "--source", "https://example.org/readout")
    text = SEED.read_text(encoding="utf-8")
    assert [list(p) for p in found] == [KEYS] * len(found)
    assert {p["engine"] for p in found} == {"rules"}
    by_status = [
        (p["commitment"] if not p["new"] else "new", p["status"], p["label"]) for p in found
    ]
    assert by_status == [
        ("stip", "pending", "pending conclusion"),
        ("new", "in_progress", "ongoing"),  # the paraphrase of the MSS sentence that follows
        ("new", "committed", "agreed"),
        ("new", "committed", "committed"),
        ("new", "proposed", "discussed"),  # "expressed support for"
        ("new", "committed", "committed"),
    ]
    for p in found:
        assert p["quote"] in text
        assert (p["by"], p["on"], p["source"]) == (
            "William Ruto",
            "2025-01-27",
            "https://example.org/readout",
        )
    assert "Haiti" in found[2]["quote"] and "Macron" in found[5]["quote"]
    assert event_count(run) == 1  # nothing written without --apply


@needs_seed
def test_apply_logs_the_chosen_proposals_in_one_go(run, stip):
    result = run(
        "ingest", str(SEED), "--by", "William Ruto", "--on", "2025-01-27", "--apply", "all"
    )
    assert result.stdout == (
        "logged 6 statements, added 4 commitments (proposals 1, 2, 3, 4, 5, 6)\n"
    )
    rows = {r["id"]: r for r in json.loads(run("status", "--format", "json").stdout)}
    assert (rows["stip"]["status"], rows["stip"]["label"]) == ("pending", "pending conclusion")
    assert sorted(r["status"] for r in rows.values()) == [
        "committed", "committed", "committed", "pending", "proposed"
    ]  # fmt: skip
    assert run("verify").exit_code == 0
    again = proposals(run)
    assert [p["new"] for p in again] == [False] * 6  # the added commitments now match
    twice = run("ingest", str(SEED), "--by", "William Ruto", "--on", "2025-01-27", "--apply", "all")
    assert twice.stdout == "nothing to log: 6 of 6 proposals are already logged\n"
    assert event_count(run) == 11  # stip, 4 commitments added, 6 statements


@needs_seed
def test_apply_some(run, stip):
    result = run(
        "ingest", str(SEED), "--by", "William Ruto", "--on", "2025-01-27", "--apply", "1,3"
    )
    assert result.exit_code == 0
    assert event_count(run) == 1 + 1 + 2  # stip's statement; one new commitment and its statement


@needs_seed
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--apply", "0"], "'0' is not a proposal from the table (1 to 6)"),
        (["--apply", "1,x"], "'x' is not a proposal from the table"),
        (["--apply", "1:No Such"], "invalid commitment id 'No Such'"),
        (["--apply", "2=maybe"], "unknown status 'maybe'"),
        (["--apply", "1:nosuch"], "unknown commitment 'nosuch'"),
        (["--format", "xml"], "unknown format 'xml'"),
        (["--on", "01/27/2025"], "is ambiguous"),
    ],
)
def test_bad_ingest_input_writes_nothing(run, stip, args, message):
    result = run("ingest", str(SEED), "--by", "William Ruto", *args)
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1 and message in result.stderr
    assert event_count(run) == 1


def test_apply_needs_a_speaker(run, tmp_path):
    text = tmp_path / "note.txt"
    text.write_text("The parties agreed to extend the ceasefire by thirty days.\n")
    result = run("ingest", str(text), "--on", "2025-01-27", "--apply", "all")
    if result.exit_code == 0:  # the extractor named a speaker itself
        assert event_count(run) >= 2
    else:
        assert result.exit_code == 2 and "has no speaker; give one with --by" in result.stderr
        assert event_count(run) == 0


def test_non_utf8_and_missing_files(run, tmp_path):
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("Le président a signé l'accord.".encode("latin-1"))
    result = run("ingest", str(bad))
    assert result.exit_code == 2 and "is not UTF-8 text" in result.stderr
    assert "is not a readable file" in run("ingest", str(tmp_path / "nope.txt")).stderr


def test_stdin_and_html(run):
    html = "<html><body><p>The ministers <b>agreed</b> to reopen the border crossing.</p></body></html>"
    result = run("ingest", "-", "--by", "A", "--on", "2025-01-27", "--format", "json", input=html)
    found = json.loads(result.stdout)
    assert found and "<b>" not in found[0]["quote"]


def test_the_title_line_names_what_the_text_refers_back_to(run, tmp_path):
    assert run("add", "grid", "--kind", "agreement", "--title",
               "Norland-Southland power interconnector").exit_code == 0  # fmt: skip
    readout = tmp_path / "readout.txt"
    readout.write_text(
        "Title: Ministers review the power interconnector between Norland and Southland\n"
        "Date: 2025-03-04\n\n"
        "The ministers agreed that the interconnector must be finished by the spring.\n",
        encoding="utf-8",
    )
    result = run("ingest", str(readout), "--format", "json")
    assert result.exit_code == 0, result
    (found,) = json.loads(result.stdout)
    assert (found["commitment"], found["new"]) == ("grid", False)


def test_a_commitment_added_as_an_agreement_is_the_agreement_named_again(run, tmp_path):
    assert run("add", "ghana-trade", "--kind", "agreement", "--title",
               "Canada-Ghana Strategic Trade and Investment Partnership").exit_code == 0  # fmt: skip
    readout = tmp_path / "readout.txt"
    readout.write_text(
        "The ministers reviewed the Canada-Ghana Strategic Trade and Investment Partnership."
        "\n\nThey committed to sign the agreement before the end of the year.\n",
        encoding="utf-8",
    )
    result = run("ingest", str(readout), "--on", "2025-03-04", "--format", "json")
    assert result.exit_code == 0, result
    assert json.loads(result.stdout)[-1]["commitment"] == "ghana-trade"
