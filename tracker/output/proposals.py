"""`tracker ingest`'s output: the proposals as a table or as JSON."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from tracker.output.text import table

if TYPE_CHECKING:  # only named in annotations: `status` starts faster without them
    pass


def proposal_json(proposal: Any) -> dict[str, Any]:
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
        "cue": proposal.cue,
    }


def proposals_table(proposals: Sequence[Any], width: int | None) -> str:
    if not proposals:
        return "no statement about a commitment found\n"
    rows = [
        (
            str(p.n),
            p.commitment + (" (new)" if p.new else ""),
            p.status if p.label == p.status else f"{p.status} ({p.label})",
            p.by or "-",
            p.quote,
        )
        for p in proposals
    ]
    return table(("N", "COMMITMENT", "STATUS", "BY", "QUOTE"), rows, width)
