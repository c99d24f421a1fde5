"""`tracker ingest`'s output: the proposals as a table or as JSON.

In a terminal the table fits its width: N, COMMITMENT and STATUS keep what they need (up
to a limit), and BY and QUOTE share the rest, the quote taking most of it. Piped output is
never clipped.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING, Any

from tracker.domain.values import status_with_label
from tracker.output.text import clip

if TYPE_CHECKING:
    from tracker.ingest import Proposal

HEADERS = ("N", "COMMITMENT", "STATUS", "BY", "QUOTE")
# In a terminal of WIDTH columns, COMMITMENT and STATUS take at most these shares of it
# (never less than the MIN), and BY takes at most BY_SHARE of what is left for BY and QUOTE.
COMMITMENT_SHARE, COMMITMENT_MIN = 0.22, 12
STATUS_SHARE, STATUS_MIN = 0.18, 9
BY_SHARE = 0.25
BY_MIN, QUOTE_MIN = 8, 20


def proposal_json(proposal: Proposal, logged: bool, engine: str = "rules") -> dict[str, Any]:
    return {
        "n": proposal.n,
        "quote": proposal.quote,
        "by": proposal.by,
        "on": proposal.on,
        "source": proposal.source,
        "commitment": proposal.commitment,
        "new": proposal.new,
        "title": proposal.title,
        "status": proposal.status,
        "label": proposal.label,
        "logged": logged,
        "cue": proposal.cue,
        "matched_on": proposal.matched_on or None,
        "closes": proposal.closes,
        "engine": engine,
    }


def proposals_json(
    items: Sequence[Proposal], logged: Collection[int], engine: str = "rules"
) -> list[dict[str, Any]]:
    """Each proposal's keys; `engine` says what made it ("rules" or "llm")."""
    return [proposal_json(p, p.n in logged, engine) for p in items]


def proposals_table(
    items: Sequence[Proposal],
    logged: Collection[int],
    width: int | None,
    model: str | None = None,
) -> str:
    """The proposals; `logged` numbers those already on the timeline (marked *).

    `model` names the language model that proposed them (`--engine llm`), said on a last line.
    """
    by_model = (
        f"proposed by {model} (--engine llm); the quotes are the text's own sentences\n"
        if model is not None
        else ""
    )
    if not items:
        return "no statement about a commitment found\n" + by_model
    rows = [
        (
            f"{p.n}*" if p.n in logged else str(p.n),
            p.commitment + (" (new)" if p.new else ""),
            status_with_label(p.status, p.label) + (" !" if p.closes else ""),
            p.by or "-",
            " ".join(p.quote.split()),
        )
        for p in items
    ]
    text = _fit(rows, width)
    if logged:
        text += "* already logged: --apply all leaves it out\n"
    if any(p.closes for p in items):
        text += "! closes the commitment: check that the sentence reports it done or ended\n"
    return text + by_model


def _fit(rows: Sequence[tuple[str, str, str, str, str]], width: int | None) -> str:
    need = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(HEADERS)]
    widths = list(need)
    if width is not None:
        widths[1] = min(need[1], max(COMMITMENT_MIN, int(width * COMMITMENT_SHARE)))
        widths[2] = min(need[2], max(STATUS_MIN, int(width * STATUS_SHARE)))
        shared = max(width - widths[0] - widths[1] - widths[2] - 4 * 2, BY_MIN + QUOTE_MIN)
        widths[3] = min(need[3], max(BY_MIN, int(shared * BY_SHARE)))
        widths[4] = max(shared - widths[3], QUOTE_MIN)
    lines = []
    for cells in [HEADERS, *rows]:
        clipped = [c if len(c) <= w else clip(c, w) for c, w in zip(cells, widths, strict=True)]
        lines.append("  ".join(c.ljust(w) for c, w in zip(clipped, widths, strict=True)).rstrip())
    return "\n".join(lines) + "\n"
