"""The SQL a projection may use, whatever database is behind it: `?` placeholders, rows as dicts.

Both stores (`tracker.persistence.sqlite`, `tracker.persistence.postgres`) provide it;
projections are written against it and never import a store or a driver.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

Row = dict[str, Any]


class Sql(Protocol):
    """Just enough SQL for projections: `?` placeholders, rows as dicts."""

    dialect: str

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement; return the rows it changed (-1 when the driver cannot say)."""
        ...

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None: ...

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]: ...

    def query_tuples(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Rows as tuples, in the order of the SELECT list: for reads of thousands of rows,
        where a dict per row costs more than the query."""
        ...
