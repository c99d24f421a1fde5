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


# The figures reached on the real corpus's test folder, which no rule was tuned on and no
# one read to choose a rule (scored twice in the first round of work, five times in the
# second, and in the third twice by accident mid-work and once for its final state: these
# are that last scoring). The third round's references back raised dev's linking from 0.91
# to 0.96 and lowered test's from 0.43 to 0.36 (one statement of the fourteen) with two more
# wrong links: docs/ingest.md says so. A rule change that lowers one of these, or files more
# statements under the wrong tracked commitment, fails here; raise them as rules improve.
# Issue 13's target is 0.7 for each; linking is not there.
TEST_FLOORS = {"recall": 0.81, "precision": 0.79, "status": 0.88, "linking": 0.35}
TEST_WRONG_LINKS = 7
# And dev's, which the rules were tuned on (docs/ingest.md).
DEV_FLOORS = {"recall": 0.93, "precision": 0.94, "status": 0.97, "linking": 0.95}
DEV_WRONG_LINKS = 1


@needs_real_corpus
@pytest.mark.parametrize(
    ("folder", "floors", "wrong_links"),
    [("test", TEST_FLOORS, TEST_WRONG_LINKS), ("dev", DEV_FLOORS, DEV_WRONG_LINKS)],
)
def test_the_real_corpus_keeps_its_figures(
    folder: str,
    floors: dict[str, float],
    wrong_links: int,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from tracker.ingest_eval import score_folder

    total = score_folder(REAL_CORPUS / folder, quiet=True)
    capsys.readouterr()
    figures = total.figures()
    for name, floor in floors.items():
        value = figures[name]
        assert value is not None and value >= floor, (name, value)
    assert total.closing_alarms == 0  # never a closing status from a sentence without one
    assert total.wrong_links <= wrong_links


def test_the_eval_reads_a_page_as_tracker_ingest_does(tmp_path: Path) -> None:
    """One reader for both: a saved page goes through trafilatura in the eval too."""
    from tracker.application.sources import read_document
    from tracker.ingest_eval import read_text

    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><title>Port talks</title></head><body><nav><a href='/'>Home</a></nav>"
        "<article><h1>Port talks</h1><p>The ministers agreed to reopen the harbour bridge by"
        " June, and said the repairs would be paid for from the regional fund.</p>"
        "<p>They will meet again in the autumn to review how the works are going.</p>"
        "</article><footer>Share this page</footer></body></html>",
        encoding="utf-8",
    )
    with open(os.devnull, "rb") as nothing:
        expected = read_document(str(page), nothing)
    read = read_text(page)
    assert read == expected
    assert "agreed to reopen the harbour bridge" in read.text
    assert "Share this page" not in read.text
