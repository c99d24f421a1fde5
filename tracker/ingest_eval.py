"""Measure `tracker.ingest` against the hand-labelled corpus: `python -m tracker.ingest_eval`.

Owns the scoring of the extractor; it only reads files and prints. It may import
`tracker.ingest` and the standard library, and must not import the store, the CLI or
anything that writes. `--corpus DIR` points at a directory holding `labels.json` and the
texts it names (default: tests/ingest_corpus in this checkout).

Matching, precisely:

- Each labelled sentence is located in the text (after `read_input`) by exact search for
  its quote, or failing that with every run of whitespace (no-break spaces included)
  matching any other run, since HTML reduction turns `&nbsp;` and line breaks into plain
  spaces; a label whose quote is still not found is reported and ignored.
- A proposal *matches* the labelled sentence whose span overlaps its quote's span by the most
  characters, provided the overlap is at least half of the shorter of the two spans.
  Each labelled sentence is matched by at most one proposal (the first, in text order); a
  second proposal on the same sentence counts as a duplicate.
- A proposal is *kept* when it matches a sentence labelled `commit: true`. Proposals on
  sentences labelled `commit: false`, on unlabelled text, or duplicates are false alarms.
- precision = kept / proposals; recall = commit sentences matched / commit sentences;
  status accuracy = kept proposals whose status equals the label / kept proposals.
- Also shown, for information: speaker accuracy (some label keyword occurs in `by`,
  case-insensitively; an empty list accepts any speaker) and commitment accuracy (the id is
  one of the label's `ids`; or, for a new suggestion, some `title_words` entry occurs in the
  suggested title, or the label names neither ids nor title words).

Empty denominators print as "-". The exit status is 0 whatever the scores; 2 when the
corpus cannot be read.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs

from tracker.ingest import KnownCommitment, Proposal, propose, read_input

DEFAULT_CORPUS = Path(__file__).resolve().parent.parent / "tests" / "ingest_corpus"


@attrs.define
class Score:
    """Counts for one text or one group of texts."""

    proposals: int = 0
    kept: int = 0
    commits: int = 0
    found: int = 0
    status_right: int = 0
    speaker_right: int = 0
    commitment_right: int = 0

    def add(self, other: Score) -> None:
        for field in attrs.fields(Score):
            setattr(self, field.name, getattr(self, field.name) + getattr(other, field.name))


@attrs.frozen
class Label:
    start: int
    end: int
    entry: dict[str, Any]


def _ratio(part: int, whole: int) -> str:
    return f"{part / whole:6.1%}" if whole else "     -"


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def _locate(text: str, quote: str) -> tuple[int, int] | None:
    at = text.find(quote)
    if at >= 0:
        return at, at + len(quote)
    pattern = r"\s+".join(re.escape(word) for word in quote.split())
    match = re.search(pattern, text) if pattern else None
    return match.span() if match else None


def _span(text: str, proposal: Proposal, after: int) -> tuple[int, int]:
    at = text.find(proposal.quote, after)
    if at < 0:
        at = text.find(proposal.quote)
    return at, at + len(proposal.quote)


def _speaker_ok(proposal: Proposal, entry: dict[str, Any]) -> bool:
    keywords = entry.get("by") or []
    if not keywords:
        return True
    said_by = (proposal.by or "").lower()
    return any(word.lower() in said_by for word in keywords)


def _commitment_ok(proposal: Proposal, entry: dict[str, Any]) -> bool:
    ids = entry.get("ids") or []
    words = entry.get("title_words") or []
    if proposal.commitment in ids:
        return True
    if not proposal.new:
        return False
    if words:
        return any(word.lower() in proposal.title.lower() for word in words)
    return not ids


def score_text(
    text: str, labels: Sequence[dict[str, Any]], proposals: Sequence[Proposal]
) -> tuple[Score, list[str]]:
    """Score one text's proposals against its labels; also return readable findings."""
    notes: list[str] = []
    located: list[Label] = []
    for entry in labels:
        span = _locate(text, entry["quote"])
        if span is None:
            notes.append(f"  label not found in text: {entry['quote'][:70]!r}")
        else:
            located.append(Label(span[0], span[1], entry))
    score = Score(proposals=len(proposals), commits=sum(1 for x in located if x.entry["commit"]))
    matched: set[int] = set()
    cursor = 0
    for proposal in proposals:
        span = _span(text, proposal, cursor)
        cursor = max(cursor, span[0])
        best: tuple[int, int] | None = None
        for index, label in enumerate(located):
            shared = _overlap(span, (label.start, label.end))
            shorter = min(span[1] - span[0], label.end - label.start)
            if shared and shared * 2 >= shorter and (best is None or shared > best[0]):
                best = (shared, index)
        if best is None:
            notes.append(f"  false alarm (unlabelled) [{proposal.status}]: {proposal.quote[:80]!r}")
            continue
        index = best[1]
        entry = located[index].entry
        if index in matched:
            notes.append(f"  duplicate: {proposal.quote[:80]!r}")
            continue
        matched.add(index)
        if not entry["commit"]:
            notes.append(
                f"  false alarm ({entry.get('why', 'not a commitment')}) "
                f"[{proposal.status} via {proposal.cue!r}]: {proposal.quote[:70]!r}"
            )
            continue
        score.kept += 1
        score.found += 1
        if proposal.status == entry["status"]:
            score.status_right += 1
        else:
            notes.append(
                f"  wrong status {proposal.status} (cue {proposal.cue!r}), "
                f"want {entry['status']}: {proposal.quote[:70]!r}"
            )
        if _speaker_ok(proposal, entry):
            score.speaker_right += 1
        else:
            notes.append(
                f"  wrong speaker {proposal.by!r}, want {entry['by']}: {proposal.quote[:50]!r}"
            )
        if _commitment_ok(proposal, entry):
            score.commitment_right += 1
        else:
            notes.append(
                f"  wrong commitment {proposal.commitment!r} ({proposal.title!r}), want ids "
                f"{entry.get('ids')} or title words {entry.get('title_words')}"
            )
    for index, label in enumerate(located):
        if label.entry["commit"] and index not in matched:
            notes.append(f"  missed [{label.entry['status']}]: {label.entry['quote'][:80]!r}")
    return score, notes


def _row(name: str, score: Score) -> str:
    return (
        f"{name:<38} {score.proposals:>5} {score.kept:>5} {score.commits:>5}  "
        f"{_ratio(score.kept, score.proposals)} {_ratio(score.found, score.commits)} "
        f"{_ratio(score.status_right, score.kept)} {_ratio(score.speaker_right, score.kept)} "
        f"{_ratio(score.commitment_right, score.kept)}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tracker.ingest_eval", description="Score tracker.ingest on a corpus."
    )
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="corpus directory")
    parser.add_argument(
        "--split", choices=("all", "dev", "heldout"), default="all", help="texts to score"
    )
    parser.add_argument("--details", action="store_true", help="list misses and false alarms")
    args = parser.parse_args(argv)
    try:
        corpus = json.loads((args.corpus / "labels.json").read_text(encoding="utf-8"))
        texts: list[dict[str, Any]] = corpus["texts"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        print(f"Error: cannot read the corpus in {args.corpus}: {error}", file=sys.stderr)
        return 2
    totals = {"dev": Score(), "heldout": Score()}
    print(
        f"{'text':<38} {'props':>5} {'kept':>5} {'label':>5}  {'prec':>6} {'recall':>6} "
        f"{'status':>6} {'by':>6} {'match':>6}"
    )
    for entry in sorted(texts, key=lambda t: (t.get("split") != "dev", t["file"])):
        split = "dev" if entry.get("split") == "dev" else "heldout"
        if args.split not in ("all", split):
            continue
        path = args.corpus / entry["file"]
        if entry.get("optional") and not path.exists():
            # The seed article is a real one: it is read from beside the project, never copied in.
            print(f"{entry['file']}: not found here, skipped")
            continue
        try:
            text = read_input(path.read_text(encoding="utf-8"), path.name)
        except OSError as error:
            print(f"Error: cannot read {path}: {error}", file=sys.stderr)
            return 2
        known = [KnownCommitment(id=k["id"], title=k["title"]) for k in entry.get("known", [])]
        proposals = propose(text, known, by=entry.get("by"))
        score, notes = score_text(text, entry["sentences"], proposals)
        totals[split].add(score)
        print(_row(f"{entry['file']} ({split})", score))
        if args.details:
            for note in notes:
                print(note)
    overall = Score()
    print()
    for split, score in totals.items():
        if args.split in ("all", split):
            print(_row(f"TOTAL {split}", score))
            overall.add(score)
    print(_row("TOTAL overall", overall))
    print("\nprec = proposals kept; recall = commitment statements found; status, by and match =")
    print("share of kept proposals with the labelled status, speaker and commitment.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
