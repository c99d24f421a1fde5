"""Measure `tracker.ingest` against hand-labelled texts: `python -m tracker.ingest_eval [DIR]...`.

Owns the scoring of the extractor; it only reads files and prints. It may import
`tracker.ingest` and the standard library, and must not import the store, the CLI or
anything that writes. `--engine llm` scores the language-model engine instead of the rules:
it asks the model configured as for `tracker ingest --engine llm` (`TRACKER_LLM_MODEL`,
`OPENAI_BASE_URL`, `OPENAI_API_KEY`) through `tracker.application.llm`, sending each text
to that endpoint; its replies are cached as ingest's are (`--no-cache` asks again). Each
DIR is one of two formats:

**A labelled folder** (the real corpus, `../shared/ingest-corpus/dev` and `test`): texts
`NN_slug.txt` (a `Source:`/`Date:`/`Title:` header, a blank line, the body), labels
`NN_slug.expected.json` (a list of `quote`, `status`, optional `tracked`), and optionally
`tracked.json` (`id`, `title`, optional `aliases`), loaded first as the known commitments,
as `tracker add` would. Scored by the rule in that corpus's GUIDELINES.md:

- a proposal *matches* a label when at least 80% of the label's quote words (lower-cased
  runs of letters and digits, counted with repeats) occur in the proposal's quote;
- recall = labels some proposal matches / labels; precision = proposals that match some
  label / proposals; linking = labels carrying `tracked` that some matching proposal
  names by that id / such labels;
- status = matching proposals whose status is their label's / matching proposals. Where a
  sentence has several labels, proposals and labels are first paired one to one (the
  label's own `tracked` commitment first, then its status, then text order) and a
  proposal is judged by its pair; one left over is right if it has any of its labels'
  statuses. (Counting every label-proposal pair instead, as issue 13's first figures did,
  would mark a sentence correctly split into two commitments half wrong.)
- split = labels so paired one to one / labels: recall that also asks for one proposal
  per commitment of a sentence;
- a *wrong link* is a proposal attached to a tracked commitment (not a new suggestion)
  while no label its quote matches carries that id: worse than a new suggestion, since
  applying it files the statement under the wrong commitment;
- a *closing false alarm* is a proposal whose status is closing (fulfilled, broken,
  withdrawn, superseded, partial) while no label its quote matches has a closing status:
  the sentence does not report one, and applying it would close a commitment on no evidence.

Every miss, wrong status, missed link, false alarm and closing false alarm is printed
unless `--quiet`.

**The project's own corpus** (`tests/ingest_corpus`, the default): a directory holding
`labels.json` and the texts it names, scored as before (`--split`, `--details`):

- Each labelled sentence is located in the text (read as `tracker ingest FILE` reads it:
  a web page through trafilatura, as `tracker.application.sources` does) by exact search for
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

Empty denominators print as "-". The exit status is 0 whatever the scores; 2 when a
corpus cannot be read.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import attrs

from tracker.application.sources import Document, read_document
from tracker.ingest import KnownCommitment, Proposal, propose

DEFAULT_CORPUS = Path(__file__).resolve().parent.parent / "tests" / "ingest_corpus"
# (text, known, *, by, on, source, title) -> proposals: `propose` (the rules) or the model's.
Proposer = Callable[..., list[Proposal]]


def llm_proposer(*, use_cache: bool = True) -> Proposer:
    """The language-model engine, as `tracker ingest --engine llm` runs it (settings checked)."""
    from tracker.application.llm import llm_propose, llm_settings

    settings = llm_settings()

    def ask(
        text: str,
        known: Sequence[KnownCommitment],
        *,
        by: str | None = None,
        on: str | None = None,
        source: str | None = None,
        title: str | None = None,  # the rules' alone; the model reads the text
    ) -> list[Proposal]:
        found = llm_propose(text, known, settings, by=by, on=on, source=source, use_cache=use_cache)
        if found.dropped:
            print(f"  (left out of the model's reply: {found.why_dropped})")
        return found.proposals

    return ask


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


# --- labelled folders (the real corpus's format) ------------------------------------------

CLOSING = frozenset({"fulfilled", "broken", "withdrawn", "superseded", "partial"})
_WORD = re.compile(r"[^\W_]+")


def _word_list(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("’", "'"))


def quote_matches(label_quote: str, proposal_quote: str) -> bool:
    """GUIDELINES' rule: at least 80% of the label's quote words occur in the proposal's."""
    words = _word_list(label_quote)
    if not words:
        return False
    present = set(_word_list(proposal_quote))
    return sum(1 for w in words if w in present) >= 0.8 * len(words)


@attrs.define
class FolderScore:
    """Counts for one labelled text or a folder of them."""

    labels: int = 0
    proposals: int = 0
    found: int = 0  # labels some proposal matches
    matched: int = 0  # proposals that match some label
    split: int = 0  # labels paired one to one with a proposal
    status_right: int = 0
    tracked: int = 0
    linked: int = 0
    closing_alarms: int = 0
    wrong_links: int = 0

    def add(self, other: FolderScore) -> None:
        for field in attrs.fields(FolderScore):
            setattr(self, field.name, getattr(self, field.name) + getattr(other, field.name))

    def figures(self) -> dict[str, float | None]:
        def ratio(part: int, whole: int) -> float | None:
            return part / whole if whole else None

        return {
            "recall": ratio(self.found, self.labels),
            "precision": ratio(self.matched, self.proposals),
            "status": ratio(self.status_right, self.matched),
            "split": ratio(self.split, self.labels),
            "linking": ratio(self.linked, self.tracked),
            "closing_alarms": float(self.closing_alarms),
            "wrong_links": float(self.wrong_links),
        }


def score_labelled(
    labels: Sequence[dict[str, Any]],
    proposals: Sequence[Proposal],
    tracked_ids: frozenset[str] = frozenset(),
) -> tuple[FolderScore, list[str]]:
    """Score one text's proposals against its labels by GUIDELINES' rule; also the findings."""
    notes: list[str] = []
    score = FolderScore(labels=len(labels), proposals=len(proposals))
    matches = [[quote_matches(label["quote"], p.quote) for p in proposals] for label in labels]
    # One-to-one pairing, for status and the "split" figure: a label's own commitment first,
    # then its status, then text order.
    pairs = sorted(
        (
            label.get("tracked") is None or p.commitment != label.get("tracked"),
            p.status != label["status"],
            li,
            pi,
        )
        for li, label in enumerate(labels)
        for pi, p in enumerate(proposals)
        if matches[li][pi]
    )
    label_of: dict[int, int] = {}
    proposal_of: dict[int, int] = {}
    for _, _, li, pi in pairs:
        if li not in proposal_of and pi not in label_of:
            proposal_of[li] = pi
            label_of[pi] = li
    score.split = len(proposal_of)
    for li, label in enumerate(labels):
        quote = label["quote"][:90]
        matched = [p for pi, p in enumerate(proposals) if matches[li][pi]]
        tracked = label.get("tracked")
        if tracked:
            score.tracked += 1
            if any(p.commitment == tracked for p in matched):
                score.linked += 1
            else:
                got = ", ".join(p.commitment for p in matched) or "nothing"
                notes.append(f"  missed link to {tracked} (got {got}): {quote!r}")
        if not matched:
            notes.append(f"  missed [{label['status']}]: {quote!r}")
            continue
        score.found += 1
        if li not in proposal_of:
            notes.append(f"  shares its only proposal with another label: {quote!r}")
    for pi, proposal in enumerate(proposals):
        matched_labels = [labels[li] for li in range(len(labels)) if matches[li][pi]]
        if not matched_labels:
            notes.append(
                f"  false alarm [{proposal.status} via {proposal.cue!r}, {proposal.commitment}]: "
                f"{proposal.quote[:90]!r}"
            )
        else:
            score.matched += 1
            paired = [labels[label_of[pi]]] if pi in label_of else matched_labels
            if any(proposal.status == x["status"] for x in paired):
                score.status_right += 1
            else:
                want = " or ".join(f"{x['status']} ({x.get('cue', '')!r})" for x in paired)
                notes.append(
                    f"  wrong status {proposal.status} (cue {proposal.cue!r}), want {want}: "
                    f"{proposal.quote[:90]!r}"
                )
        if proposal.commitment in tracked_ids and not any(
            x.get("tracked") == proposal.commitment for x in matched_labels
        ):
            score.wrong_links += 1
            want = ", ".join(str(x.get("tracked") or "new") for x in matched_labels) or "no label"
            notes.append(
                f"  wrong link to {proposal.commitment} on {proposal.matched_on!r} (want {want}): "
                f"{proposal.quote[:90]!r}"
            )
        if proposal.status in CLOSING and not any(x["status"] in CLOSING for x in matched_labels):
            score.closing_alarms += 1
            notes.append(
                f"  CLOSING FALSE ALARM {proposal.status} via {proposal.cue!r}: "
                f"{proposal.quote[:90]!r}"
            )
    return score, notes


def is_labelled_folder(folder: Path) -> bool:
    return folder.is_dir() and any(folder.glob("*.expected.json"))


def load_tracked(folder: Path) -> list[KnownCommitment]:
    """The folder's tracked.json as known commitments (none when the file is absent)."""
    path = folder / "tracked.json"
    if not path.exists():
        return []
    entries = json.loads(path.read_text(encoding="utf-8"))
    return [
        KnownCommitment(
            id=k["id"], title=k["title"], aliases=tuple(k.get("aliases", ())), kind=k.get("kind")
        )
        for k in entries
    ]


def propose_file(
    path: Path, known: Sequence[KnownCommitment], proposer: Proposer = propose
) -> list[Proposal]:
    """Propose from a saved readout as `tracker ingest` would: its header gives date and source."""
    document = read_text(path)
    return proposer(
        document.text, known, on=document.date, source=document.url, title=document.title
    )


def read_text(path: Path) -> Document:
    """A corpus file read as `tracker ingest FILE` reads it (`tracker.application.sources`):
    a web page through trafilatura, a text with its `Source:`/`Date:`/`Title:` header."""
    with open(os.devnull, "rb") as nothing:
        return read_document(str(path), nothing)


def score_folder(folder: Path, *, quiet: bool = False, proposer: Proposer = propose) -> FolderScore:
    """Score every text of a labelled folder, printing one row per text (and the findings)."""
    known = load_tracked(folder)
    total = FolderScore()
    for label_path in sorted(folder.glob("*.expected.json")):
        stem = label_path.name.removesuffix(".expected.json")
        text_path = folder / f"{stem}.txt"
        labels = json.loads(label_path.read_text(encoding="utf-8"))
        proposals = propose_file(text_path, known, proposer)
        score, notes = score_labelled(labels, proposals, frozenset(k.id for k in known))
        total.add(score)
        print(_folder_row(stem[:44], score))
        if not quiet:
            for note in notes:
                print(note)
    return total


def _figure(value: float | None) -> str:
    return f"{value:6.2f}" if value is not None else "     -"


def _folder_row(name: str, score: FolderScore) -> str:
    f = score.figures()
    return (
        f"{name:<44} {score.labels:>4} {score.proposals:>4} {_figure(f['recall'])} "
        f"{_figure(f['precision'])} {_figure(f['status'])} {_figure(f['linking'])} "
        f"{score.closing_alarms:>4} {_figure(f['split'])} {score.wrong_links:>4}"
    )


def _score_folders(folders: Sequence[Path], quiet: bool, proposer: Proposer) -> int:
    header = (
        f"{'text':<44} {'lab':>4} {'prop':>4} {'recall':>6} {'prec':>6} {'status':>6} "
        f"{'link':>6} {'clos':>4} {'split':>6} {'wlnk':>4}"
    )
    totals: list[tuple[Path, FolderScore]] = []
    for folder in folders:
        print(f"== {folder}")
        print(header)
        try:
            totals.append((folder, score_folder(folder, quiet=quiet, proposer=proposer)))
        except (OSError, ValueError, KeyError, TypeError) as error:
            print(f"Error: cannot read the corpus in {folder}: {error}", file=sys.stderr)
            return 2
        print()
    print(header)
    for folder, score in totals:
        print(_folder_row(f"TOTAL {folder.name}", score))
    print(
        "\nrecall = labels found; prec = proposals that match a label; status = matched"
        "\nproposals with the labelled status; link = tracked labels proposed against their"
        "\nid; clos = closing statuses proposed from sentences that report none; split ="
        "\nlabels paired one to one (a sentence with two labels needs two proposals); wlnk ="
        "\nproposals attached to a tracked commitment no label of their sentence names."
    )
    return 0


# --- the project's own corpus -------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tracker.ingest_eval", description="Score tracker.ingest on a corpus."
    )
    parser.add_argument(
        "folders",
        nargs="*",
        type=Path,
        help="labelled folders (*.txt, *.expected.json, tracked.json) to score",
    )
    parser.add_argument(
        "--corpus", type=Path, default=None, help="a corpus directory (either format)"
    )
    parser.add_argument(
        "--split", choices=("all", "dev", "heldout"), default="all", help="texts to score"
    )
    parser.add_argument("--details", action="store_true", help="list misses and false alarms")
    parser.add_argument("--quiet", action="store_true", help="labelled folders: totals only")
    parser.add_argument(
        "--engine",
        choices=("rules", "llm"),
        default="rules",
        help="rules (default) or llm: the model of TRACKER_LLM_MODEL at OPENAI_BASE_URL, "
        "which is sent every text",
    )
    parser.add_argument(
        "--no-cache", action="store_true", help="--engine llm: ask again, ignoring cached replies"
    )
    args = parser.parse_args(argv)
    from tracker.errors import TrackerError

    try:
        return _main(args)
    except TrackerError as error:
        print(f"Error: {error}", file=sys.stderr)
        return error.exit_code


def _main(args: argparse.Namespace) -> int:
    args.proposer = propose
    if args.engine == "llm":
        args.proposer = llm_proposer(use_cache=not args.no_cache)
        print(f"engine: llm, model {os.environ.get('TRACKER_LLM_MODEL', '').strip()}")
    folders: list[Path] = list(args.folders) + ([args.corpus] if args.corpus else [])
    labelled = [f for f in folders if is_labelled_folder(f)]
    if labelled:
        if len(labelled) < len(folders):
            other = next(f for f in folders if f not in labelled)
            print(f"Error: {other} is not a labelled folder (no *.expected.json)", file=sys.stderr)
            return 2
        return _score_folders(labelled, args.quiet, args.proposer)
    if len(folders) > 1:
        print("Error: give one corpus with labels.json at a time", file=sys.stderr)
        return 2
    return _score_own_corpus(folders[0] if folders else DEFAULT_CORPUS, args)


def _score_own_corpus(folder: Path, args: argparse.Namespace) -> int:
    try:
        corpus = json.loads((folder / "labels.json").read_text(encoding="utf-8"))
        texts: list[dict[str, Any]] = corpus["texts"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        print(f"Error: cannot read the corpus in {folder}: {error}", file=sys.stderr)
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
        path = folder / entry["file"]
        if entry.get("optional") and not path.exists():
            # The seed article is a real one: it is read from beside the project, never copied in.
            print(f"{entry['file']}: not found here, skipped")
            continue
        try:
            text = read_text(path).text
        except OSError as error:
            print(f"Error: cannot read {path}: {error}", file=sys.stderr)
            return 2
        known = [KnownCommitment(id=k["id"], title=k["title"]) for k in entry.get("known", [])]
        proposals = args.proposer(text, known, by=entry.get("by"))
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
