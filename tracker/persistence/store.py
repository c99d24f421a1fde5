"""The interface every event store offers, whatever database is behind it.

An append-only, hash-chained log with its projections in the same database: appending
(with a caller's decision run inside the write transaction, so a decision and its events
see one state and two writers cannot both add the same id), reading events in log order
and reading projections in one snapshot, catching projections up in the append's
transaction, rebuilding them, and the bookkeeping `verify` and `import` need. This module
holds no SQL of its own; it must not import a driver.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Protocol

from projections.sql import Sql

if TYPE_CHECKING:  # only named in annotations: reading the status never loads the codec
    from events import NewEvent, StoredEvent


Decide = Callable[[Sql], "Sequence[NewEvent]"]


# Long work reports its stage as it goes: (stage, done, total), total 0 when unknown. The
# stages are "checking" and "appending" (an import), "folding" (the timeline and status
# rows) and "indexing" (the search index); `tracker.output.progress` draws them.
Stages = Callable[[str, int, int], None]


def silent(stage: str, done: int, total: int) -> None:
    """A progress report nobody asked for."""


class EventStore(Protocol):
    """An append-only, hash-chained event log with its projections in the same database."""

    location: str

    def append(self, decide: Decide) -> list[StoredEvent]:
        """Run `decide` in one write transaction, append what it returns, catch up, commit."""
        ...

    def read(self, after: int = 0, *, seqs: Collection[int] | None = None) -> Iterator[StoredEvent]:
        """Events in log order with seq > after (or just those seqs)."""
        ...

    def reading(self) -> AbstractContextManager[Sql]:
        """A consistent read snapshot of the projections."""
        ...

    def rebuild(self, progress: Stages | None = None) -> int:
        """Drop the projections and replay the whole log; returns the number of events."""
        ...

    def writing(self) -> AbstractContextManager[Sql]:
        """A write transaction (the store's lock held) for a bulk append such as an import."""
        ...

    def append_stream(
        self, batches: Iterable[Sequence[NewEvent]], progress: Stages | None = None
    ) -> int:
        """Inside `writing()`: chain and append decided events, catching projections up."""
        ...

    def last_seq(self) -> int:
        """The position of the last event (0 for an empty log)."""
        ...

    def checkpoints(self) -> dict[str, tuple[int, int]]:
        """Each projection's recorded (version, seq)."""
        ...

    def trigger_problems(self) -> list[str]:
        """Missing or altered database rules that keep events immutable and chained, and
        triggers on the events that tracker did not make."""
        ...

    def physical_problems(self, *, full: bool = False) -> list[str]:
        """The database's own check of its file (SQLite's quick_check, or integrity_check)."""
        ...

    def savepoint(self) -> AbstractContextManager[None]:
        """Inside `reading()`: a step whose failure does not end the snapshot."""
        ...

    def close(self) -> None: ...

    def discard_if_empty(self) -> None:
        """Close; remove what this process created if nothing was logged into it."""
        ...
