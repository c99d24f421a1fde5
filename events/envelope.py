"""The envelope every event has in the log: its fields, and the hash the chain starts from.

SPEC "The event log" defines both; `events.codec` builds and checks events with them.
Kept apart, constants only, so that a store can open (and `tracker status` can read)
without loading the codec or attrs. Must not import from tracker/ or projections/.
"""

from __future__ import annotations

GENESIS_HASH = "0" * 64
ENVELOPE_FIELDS = (
    "id",
    "seq",
    "type",
    "schema",
    "occurred_on",
    "recorded_at",
    "recorded_by",
    "data",
    "prev_hash",
    "hash",
)
