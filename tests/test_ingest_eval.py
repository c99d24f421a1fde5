"""Tests of tracker.ingest_eval: GUIDELINES' matching rule, the scores, and both corpus formats."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tracker.ingest import Proposal
from tracker.ingest_eval import main, quote_matches, score_labelled

# The real corpus is read from beside the project, never copied into it.
REAL_CORPUS = Path(
    os.environ.get(
        "TRACKER_INGEST_CORPUS",
        Path(__file__).resolve().parents[1].parent / "shared" / "ingest-corpus",
    )
)
needs_real_corpus = pytest.mark.skipif(
    not (REAL_CORPUS / "test").is_dir(),
    reason=f"the real ingest corpus is not at {REAL_CORPUS}; set TRACKER_INGEST_CORPUS",
)


def proposal(quote: str, status: str = "committed", commitment: str = "x") -> Proposal:
    return Proposal(
        n=1, quote=quote, by=None, on=None, source=None, commitment=commitment, new=False,
        title="X", status=status, label=status, cue="",
    )  # fmt: skip


def test_a_proposal_matches_when_four_fifths_of_the_label_words_are_in_it() -> None:
    label = "The ministers agreed to open two new border crossings by June."  # 11 words
    assert quote_matches(label, label)
    assert quote_matches(label, "the ministers agreed to open two new border crossings")  # 9/11
    assert not quote_matches(label, "The ministers agreed to open two crossings")  # 7/11
    assert not quote_matches("", label)


def test_scores_count_recall_precision_status_linking_and_closing_alarms() -> None:
    both = "They agreed to extend the truce and pledged to fund the port repairs."
    labels = [
        {"quote": both, "status": "committed", "tracked": "truce"},
        {"quote": both, "status": "committed"},
        {"quote": "The port reopened last week.", "status": "fulfilled"},
        {"quote": "They will keep talking about water.", "status": "in_progress"},
    ]
    proposals = [
        proposal(both, "committed", "truce"),
        proposal("The port reopened last week.", "in_progress"),
        proposal("The weather was fine and the talks concluded.", "fulfilled"),
    ]
    score, notes = score_labelled(labels, proposals)
    assert (score.found, score.labels) == (3, 4)  # one proposal on `both` matches both labels
    assert score.split == 2  # but only one of them has a proposal of its own
    assert (score.matched, score.proposals) == (2, 3)
    assert score.status_right == 1  # the port: in_progress, not fulfilled
    assert (score.linked, score.tracked) == (1, 1)
    assert score.closing_alarms == 1  # "concluded" on a sentence that reports nothing closed
    assert any(n.startswith("  missed [in_progress]") for n in notes)
    assert any("CLOSING FALSE ALARM fulfilled" in n for n in notes)


def test_a_labelled_folder_is_scored_with_its_tracked_commitments(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "01_port.txt").write_text(
        "Source: https://example.org/port\nDate: 2024-05-02\nTitle: Port talks\n\n"
        "The ministers agreed to reopen the Harbour Road Bridge by June.\n",
        encoding="utf-8",
    )
    (tmp_path / "01_port.expected.json").write_text(
        json.dumps([{
            "quote": "The ministers agreed to reopen the Harbour Road Bridge by June.",
            "status": "committed", "tracked": "harbour-bridge",
        }]),
        encoding="utf-8",
    )  # fmt: skip
    (tmp_path / "tracked.json").write_text(
        json.dumps(
            [{"id": "harbour-bridge", "kind": "commitment", "title": "Harbour Road Bridge"}]
        ),
        encoding="utf-8",
    )
    assert main([str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "TOTAL " + tmp_path.name in out
    total = next(line for line in out.splitlines() if line.startswith("TOTAL"))
    assert total.split()[2:9] == ["1", "1", "1.00", "1.00", "1.00", "1.00", "0"]


def test_a_folder_without_labels_is_refused(tmp_path: Path) -> None:
    labelled = tmp_path / "l"
    labelled.mkdir()
    (labelled / "a.expected.json").write_text("[]", encoding="utf-8")
    (labelled / "a.txt").write_text("Nothing here.\n", encoding="utf-8")
    assert main([str(labelled), str(tmp_path / "missing")]) == 2


@needs_real_corpus
def test_eval_runs_on_the_real_corpus(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(REAL_CORPUS / "dev"), "--quiet"]) == 0
    assert "TOTAL dev" in capsys.readouterr().out


# The figures reached on the real corpus's test folder, which no rule was tuned on (measured
# there twice). A rule change that lowers one of them fails here; raise them as rules improve.
# Issue 13's target is 0.7 for each; linking is not there yet.
TEST_FLOORS = {"recall": 0.80, "precision": 0.75, "status": 0.78, "linking": 0.40}


@needs_real_corpus
def test_the_real_test_folder_keeps_its_figures(capsys: pytest.CaptureFixture[str]) -> None:
    from tracker.ingest_eval import score_folder

    total = score_folder(REAL_CORPUS / "test", quiet=True)
    capsys.readouterr()
    figures = total.figures()
    for name, floor in TEST_FLOORS.items():
        value = figures[name]
        assert value is not None and value >= floor, (name, value)
    assert total.closing_alarms == 0  # never a closing status from a sentence without one


def test_a_proposal_filed_under_a_tracked_commitment_no_label_names_is_a_wrong_link() -> None:
    quote = "The ministers agreed to widen the port."
    labels = [{"quote": quote, "status": "committed"}]
    score, notes = score_labelled(
        labels, [proposal(quote, commitment="truce")], frozenset({"truce"})
    )
    assert score.wrong_links == 1
    assert any(n.startswith("  wrong link to truce") for n in notes)
    score, _ = score_labelled(labels, [proposal(quote, commitment="port-x")], frozenset({"truce"}))
    assert score.wrong_links == 0  # a new suggestion is never a wrong link
