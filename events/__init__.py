"""Event types and their codec: the vocabulary of facts the log records.

Must not import from tracker/ or projections/: events are the bottom layer.

The names below are imported from their modules on first use (PEP 562), so that
`import events.rules` (which the domain needs everywhere) costs only the rules, and
reading the status never loads attrs, the event types or the codec.
`from events import CODEC, StoredEvent` works as ever.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from events.codec import CODEC, GENESIS_HASH, Codec, CodecError, NewEvent, StoredEvent
    from events.types import (
        EVENT_TYPES,
        CommitmentAdded,
        CommitmentAmended,
        CommitmentRef,
        Event,
        EventRetracted,
        FollowupCompleted,
        FollowupScheduled,
        ReminderIssued,
        StatementRecorded,
        commitments_of,
    )

# Each lazily imported name, and the module that defines it.
_HOMES = {
    **dict.fromkeys(
        ("CODEC", "GENESIS_HASH", "Codec", "CodecError", "NewEvent", "StoredEvent"), "events.codec"
    ),
    **dict.fromkeys(
        (
            "EVENT_TYPES",
            "CommitmentAdded",
            "CommitmentAmended",
            "CommitmentRef",
            "Event",
            "EventRetracted",
            "FollowupCompleted",
            "FollowupScheduled",
            "ReminderIssued",
            "StatementRecorded",
            "commitments_of",
        ),
        "events.types",
    ),
}

__all__ = [
    "CODEC",
    "EVENT_TYPES",
    "GENESIS_HASH",
    "Codec",
    "CodecError",
    "CommitmentAdded",
    "CommitmentAmended",
    "CommitmentRef",
    "Event",
    "EventRetracted",
    "FollowupCompleted",
    "FollowupScheduled",
    "NewEvent",
    "ReminderIssued",
    "StatementRecorded",
    "StoredEvent",
    "commitments_of",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(home), name)
    globals()[name] = value  # later look-ups find it without this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
