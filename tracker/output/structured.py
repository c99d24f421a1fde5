"""What other programs read: JSON with stable keys (SPEC's status row keys first) and CSV."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from projections.model import followup_fate

if TYPE_CHECKING:  # only named in annotations: `status` starts faster without them
    from projections.model import Entry
    from tracker.domain.search import Hit, NameCount
    from tracker.domain.staleness import Detail, StatusRow


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)


def status_json(row: StatusRow, review_default: str) -> dict[str, Any]:
    s = row.state
    last = s.last_statement
    return {
        "id": s.id,
        "title": s.title,
        "kind": s.kind,
        "status": s.status,
        "label": s.label,
        "status_since": s.status_since,
        "parties": list(s.parties),
        "last_statement": None
        if last is None
        else {
            "on": last.on,
            "by": last.by,
            "speakers": list(last.speakers),
            "quote": last.quote,
            "source": last.source,
            "event": last.event,
        },
        "followup_due": s.followup_due,
        "stale": row.stale,
        "stale_reasons": [r.text for r in row.reasons],
        "overdue_days": row.overdue_days,
        "open": s.is_open,
        "tags": list(s.tags),
        "aliases": list(s.aliases),
        "review_every": s.review_every or review_default,
        "added_on": s.added_on,
        "statement_count": s.statement_count,
        "followup_note": s.followup_note,
        "supersedes": s.supersedes,
        "superseded_by": s.superseded_by,
    }


def entry_json(entry: Entry) -> dict[str, Any]:
    return {
        "event": entry.event_id,
        "seq": entry.seq,
        "kind": entry.role,
        "on": entry.effective_on,
        "by": entry.speaker,
        "speakers": json.loads(entry.speakers) if entry.speakers else None,
        "quote": entry.quote,
        "source": entry.source,
        "note": entry.note,
        "status": entry.status,
        "label": entry.label,
        "due": entry.due,
        "recorded_at": entry.recorded_at,
        "recorded_by": entry.recorded_by,
        "retracted": entry.retracted,
        "retraction_reason": entry.retraction_reason,
    }


def followup_json(detail: Detail) -> dict[str, Any] | None:
    """The latest follow-up (open or closed) and what answered it (SPEC rule 1), if any."""
    fate = followup_fate(detail.timeline)
    if fate is None:
        return None
    answer = fate.answer or fate.done
    return {
        "due": fate.followup.due,
        "note": fate.followup.note,
        "set_on": fate.followup.effective_on,
        "event": fate.followup.event_id,
        "open": fate.done is None,
        "answered": answer is not None,
        # Awaited: open, unanswered, on an open commitment (what `remind` can bring up).
        "awaited": answer is None and detail.row.state.is_open,
        "answered_by": None
        if answer is None
        else {
            "kind": answer.role,
            "on": answer.effective_on,
            "by": answer.speaker,
            "event": answer.event_id,
            "seq": answer.seq,
        },
    }


def detail_json(detail: Detail, review_default: str) -> dict[str, Any]:
    data = status_json(detail.row, review_default)
    data["followup"] = followup_json(detail)
    data["timeline"] = [entry_json(e) for e in detail.timeline]
    return data


CSV_COLUMNS = (
    "id",
    "title",
    "kind",
    "status",
    "label",
    "status_since",
    "parties",
    "last_statement_on",
    "last_statement_by",
    "last_statement_quote",
    "last_statement_source",
    "followup_due",
    "stale",
    "stale_reasons",
)


# What a spreadsheet reads as the start of a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: str) -> str:
    """A cell a spreadsheet shows as text: one starting like a formula gets a leading '."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def status_csv(rows: Sequence[StatusRow]) -> str:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in rows:
        s, last = r.state, r.state.last_statement
        writer.writerow(
            csv_cell(cell)
            for cell in (
                s.id,
                s.title,
                s.kind,
                s.status,
                s.label,
                s.status_since,
                "; ".join(s.parties),
                last.on if last else "",
                last.by if last else "",
                last.quote if last else "",
                (last.source or "") if last else "",
                s.followup_due or "",
                "yes" if r.stale else "no",
                "; ".join(x.text for x in r.reasons),
            )
        )
    return out.getvalue()


def search_json(hit: Hit) -> dict[str, Any]:
    c = hit.candidate
    return {
        "commitment": c.commitment_id,
        "title": c.title,
        "on": c.on,
        "by": c.speaker,
        "speakers": list(c.speakers),
        "quote": c.quote,
        "source": c.source,
        "event": c.event_id,
        "matches": list(hit.matches),
    }


def names_json(count: NameCount) -> dict[str, Any]:
    return {"name": count.name, "statements": count.statements, "commitments": count.commitments}
