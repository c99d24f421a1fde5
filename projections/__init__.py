"""Read models derived from the log; each can be dropped and rebuilt by replaying it.

Must not import cli or a database driver: projections speak `projections.sql.Sql`.

`VERSIONS` (each projection's name and version) is all a store needs on open to tell
whether its projections are current, so it costs no more than `projections.model`;
`PROJECTIONS` (the projection objects, with their fold and the event codec) is imported
on first use (PEP 562), by what appends, rebuilds, imports or verifies.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from projections import model

if TYPE_CHECKING:
    from projections.commitments import CommitmentProjection

    PROJECTIONS: tuple[CommitmentProjection, ...]

# (name, version) of each projection in PROJECTIONS, in the same order.
VERSIONS: tuple[tuple[str, int], ...] = ((model.NAME, model.VERSION),)

__all__ = ["PROJECTIONS", "VERSIONS", "CommitmentProjection"]


def __getattr__(name: str) -> Any:
    if name in ("PROJECTIONS", "CommitmentProjection"):
        from projections.commitments import CommitmentProjection

        globals()["CommitmentProjection"] = CommitmentProjection
        globals()["PROJECTIONS"] = (CommitmentProjection(),)
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
