"""Progress of long imports, rebuilds and verifies, stage by stage: on a terminal only,
silent when piped.

One bar per stage (an import: checking, appending, folding, indexing; a rebuild: folding,
indexing; a verify: file, chain, replaying, comparing), each with its count and elapsed time,
drawn by rich's progress display (rich ships with typer) on the stream it is given (stderr
in the CLI), at most ten times a second. The stores report `(stage, done, total)` (see
`tracker.persistence.store.Stages`); total 0 means not known yet. The clock and the stream
are injected so it can be tested; rich is imported only when there is something to draw.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

IMPORT_STAGES = ("checking", "appending", "folding", "indexing")
REBUILD_STAGES = ("folding", "indexing")
VERIFY_STAGES = ("file", "chain", "replaying", "comparing")


class StageProgress:
    """Call with (stage, done, total); call `close()` when finished (also on failure)."""

    def __init__(
        self,
        stages: Sequence[str],
        stream: TextIO,
        *,
        enabled: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
        width: int | None = None,
    ) -> None:
        self.stages = tuple(stages)
        self.enabled = stream.isatty() if enabled is None else enabled
        self.clock = clock
        self.last_drawn = -1.0
        self._bars: Progress | None = None
        self._tasks: dict[str, TaskID] = {}
        self._stream = stream
        self._width = width

    def _start(self) -> Progress:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        console = Console(
            file=self._stream, force_terminal=True, width=self._width, highlight=False
        )
        bars = Progress(
            TextColumn("{task.description:<9}"),
            BarColumn(bar_width=24),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            auto_refresh=False,  # drawn from the calls below: no thread
            get_time=self.clock,
            redirect_stdout=False,
            redirect_stderr=False,
        )
        for stage in self.stages:
            self._tasks[stage] = bars.add_task(stage, total=None, start=False)
        bars.start()
        self._bars = bars
        return bars

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled or stage not in self.stages:
            return
        bars = self._bars or self._start()
        task = self._tasks[stage]
        if not bars.tasks[self.stages.index(stage)].started:
            bars.start_task(task)
        bars.update(task, completed=done, total=total or None)
        now = self.clock()
        if (total and done >= total) or now - self.last_drawn >= 0.1:
            self.last_drawn = now
            bars.refresh()

    def close(self) -> None:
        if self._bars is not None:
            self._bars.refresh()
            self._bars.stop()
            self._bars = None
