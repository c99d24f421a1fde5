"""Event types and their codec: the vocabulary of facts the log records.

Must not import from tracker/ or projections/: events are the bottom layer.
"""

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
