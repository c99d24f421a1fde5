"""The facts the log records: one frozen attrs class per event type, named in the past tense.

Each class carries its stable type string (`TYPE`) and the schema number of its
current data shape (`SCHEMA`). No I/O and no serialisation here: that is the codec's.
Must not import from tracker/ or projections/.
"""

from __future__ import annotations

from typing import ClassVar

import attrs


@attrs.frozen(kw_only=True)
class CommitmentRef:
    """A commitment a statement concerns, and the status it asserts, if any."""

    id: str
    status: str | None = None
    label: str | None = None


@attrs.frozen(kw_only=True)
class CommitmentAdded:
    """A commitment started being tracked (with an optional starting status and follow-up)."""

    TYPE: ClassVar[str] = "commitment.added"
    SCHEMA: ClassVar[int] = 1

    commitment: str
    title: str
    kind: str = "commitment"
    parties: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()  # other names texts use for it ("MSS"); ingest matches them
    status: str | None = None
    label: str | None = None
    review_every: str | None = None
    due: str | None = None
    supersedes: str | None = None


@attrs.frozen(kw_only=True)
class CommitmentAmended:
    """A commitment's description was corrected; fields left as None are unchanged.

    `clear` (schema 2) names what goes back to having none: `review_every` (the default
    interval applies again) and `due` (the open follow-up is withdrawn). Schema 1 had no
    `clear` and reads unchanged.
    """

    TYPE: ClassVar[str] = "commitment.amended"
    SCHEMA: ClassVar[int] = 2

    commitment: str
    title: str | None = None
    kind: str | None = None
    parties: tuple[str, ...] | None = None
    tags: tuple[str, ...] | None = None
    aliases: tuple[str, ...] | None = None  # the whole new list
    review_every: str | None = None
    clear: tuple[str, ...] | None = None


@attrs.frozen(kw_only=True)
class StatementRecorded:
    """Someone said or published something, on a day, about one or more commitments.

    Schema 2 names the speakers as a list, in the order given (a joint statement has
    several); schema 1 had one `by` string, read as a one-element list (events.codec).
    """

    TYPE: ClassVar[str] = "statement.recorded"
    SCHEMA: ClassVar[int] = 2

    quote: str
    speakers: tuple[str, ...]
    source: str | None = None
    commitments: tuple[CommitmentRef, ...]  # at least one
    tags: tuple[str, ...] = ()
    note: str | None = None

    @property
    def by(self) -> str:
        """The speakers as one line, joined with ", " (SPEC: a status row's `by`)."""
        return ", ".join(self.speakers)


@attrs.frozen(kw_only=True)
class FollowupScheduled:
    """A next development is expected on a commitment by a due date; replaces any open one."""

    TYPE: ClassVar[str] = "followup.scheduled"
    SCHEMA: ClassVar[int] = 1

    commitment: str
    due: str
    note: str | None = None


@attrs.frozen(kw_only=True)
class FollowupCompleted:
    """The open follow-up on a commitment was done."""

    TYPE: ClassVar[str] = "followup.completed"
    SCHEMA: ClassVar[int] = 1

    commitment: str
    note: str | None = None


@attrs.frozen(kw_only=True)
class EventRetracted:
    """An earlier event was withdrawn from the record; it stays in the log, marked."""

    TYPE: ClassVar[str] = "event.retracted"
    SCHEMA: ClassVar[int] = 1

    event: str
    reason: str


@attrs.frozen(kw_only=True)
class ReminderIssued:
    """A reminder report was issued for a local calendar day, flagging these commitments."""

    TYPE: ClassVar[str] = "reminder.issued"
    SCHEMA: ClassVar[int] = 1

    day: str
    now: str
    items: tuple[str, ...] = ()
    schedule: str | None = None


Event = (
    CommitmentAdded
    | CommitmentAmended
    | StatementRecorded
    | FollowupScheduled
    | FollowupCompleted
    | EventRetracted
    | ReminderIssued
)

EVENT_TYPES: dict[str, type[Event]] = {
    cls.TYPE: cls
    for cls in (
        CommitmentAdded,
        CommitmentAmended,
        StatementRecorded,
        FollowupScheduled,
        FollowupCompleted,
        EventRetracted,
        ReminderIssued,
    )
}


def commitments_of(event: Event) -> tuple[str, ...]:
    """The ids of the commitments an event is about (a supersession concerns both)."""
    if isinstance(event, StatementRecorded):
        return tuple(ref.id for ref in event.commitments)
    if isinstance(event, CommitmentAdded):
        return (event.commitment,) + ((event.supersedes,) if event.supersedes else ())
    if isinstance(event, CommitmentAmended | FollowupScheduled | FollowupCompleted):
        return (event.commitment,)
    return ()
