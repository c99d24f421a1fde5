"""A reproducible synthetic log of many commitments, as an export `tracker import` accepts.

For testing the status board at scale (and for looking at it): statuses move along a
plausible path, some commitments get follow-ups, a few statements are retracted.
"""

from __future__ import annotations

import json
import random
import uuid
from datetime import UTC, date, datetime, timedelta

# The vocabulary of every synthetic log, the benchmark's too (bench/run.py imports it):
# changing it changes the benchmark's files (bump bench's GENERATOR_VERSION).
TOPICS = (
    ("trade", "Trade and investment partnership with {p}"),
    ("security", "Security support for {p}'s peace mission"),
    ("climate", "Climate finance pledge to {p}"),
    ("debt", "Debt restructuring talks with {p}"),
    ("health", "Vaccine delivery agreement with {p}"),
    ("energy", "Geothermal power project with {p}"),
    ("roads", "Highway financing agreement with {p}"),
    ("visa", "Visa facilitation accord with {p}"),
    ("water", "Cross-border water sharing framework with {p}"),
    ("ports", "Port modernisation loan from {p}"),
)
PARTIES = (
    "Kenya", "United States", "France", "European Union", "African Union", "Ethiopia",
    "Somalia", "United Kingdom", "China", "World Bank", "IGAD", "Uganda", "Tanzania",
    "Haiti", "Côte d'Ivoire", "South Sudan", "Sudan", "Japan", "India", "Rwanda",
)  # fmt: skip
SPEAKERS = (
    "William Ruto", "Marco Rubio", "Emmanuel Macron", "Spokesperson", "Foreign Ministry",
    "National Treasury", "Ambassador", "Special Envoy", "Trade Minister", "State House",
)  # fmt: skip
# Each status with the statuses that may follow it.
PATH = {
    "proposed": ("pending", "committed", "withdrawn"),
    "pending": ("committed", "stalled", "pending", "withdrawn"),
    "committed": ("in_progress", "stalled", "committed", "broken"),
    "in_progress": ("in_progress", "fulfilled", "partial", "stalled"),
    "stalled": ("in_progress", "broken", "withdrawn", "stalled"),
}
LABELS = {"pending": "negotiating", "committed": "agreed", "in_progress": "underway"}


def synthetic_export(count: int, *, seed: int = 8, until: date = date(2025, 8, 1)) -> str:
    """`count` commitments' events as JSON Lines (no seq or hashes: the log assigns them)."""
    rng = random.Random(seed)
    lines: list[dict[str, object]] = []
    clock = [0]

    def event(kind: str, on: date, data: dict[str, object]) -> str:
        clock[0] += 1
        event_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        stamp = datetime(2025, 8, 2, tzinfo=UTC) + timedelta(seconds=clock[0])
        lines.append(
            {
                "id": event_id,
                "type": kind,
                "schema": 1,
                "occurred_on": on.isoformat(),
                "recorded_at": stamp.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                "recorded_by": "generator",
                "data": data,
            }
        )
        return event_id

    span = (until - date(2023, 1, 1)).days
    for n in range(count):
        topic, title = TOPICS[n % len(TOPICS)]
        parties = rng.sample(PARTIES, rng.choice((1, 1, 2)))
        added = date(2023, 1, 1) + timedelta(days=int(span * rng.random() ** 0.5) - 20)
        cid = f"{topic}-{n:04d}"
        event(
            "commitment.added",
            added,
            {
                "commitment": cid,
                "kind": rng.choice(("commitment", "agreement", "request")),
                "parties": parties,
                "tags": [],
                "title": title.format(p=parties[-1]),
            },
        )
        status, on = "proposed", added
        statements: list[str] = []
        for _ in range(rng.choice((0, 1, 2, 3, 4, 5, 6, 8, 10))):
            on = on + timedelta(days=rng.randrange(5, 90))
            if on >= until:
                break
            ref: dict[str, str] = {"id": cid}
            if status in PATH and rng.random() < 0.75:
                status = rng.choice(PATH[status])
                ref.update(status=status, label=LABELS.get(status, status))
            statements.append(
                event(
                    "statement.recorded",
                    on,
                    {
                        "by": rng.choice(SPEAKERS),
                        "commitments": [ref],
                        "quote": f"Statement {len(statements) + 1} on {title.format(p=parties[-1])}"
                        f": the parties said it was {ref.get('label', 'under discussion')}.",
                        "source": f"https://example.org/readouts/{cid}/{len(statements) + 1}"
                        if rng.random() < 0.7
                        else "Press briefing",
                        "tags": [],
                    },
                )
            )
        if status in PATH and rng.random() < 0.45:
            scheduled = min(on + timedelta(days=rng.randrange(1, 40)), until)
            event(
                "followup.scheduled",
                scheduled,
                {
                    "commitment": cid,
                    "due": (scheduled + timedelta(days=rng.randrange(14, 120))).isoformat(),
                    "note": "next round expected",
                },
            )
        if statements and rng.random() < 0.05:
            event(
                "event.retracted",
                until,
                {"event": rng.choice(statements), "reason": "misattributed quote"},
            )
    return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
