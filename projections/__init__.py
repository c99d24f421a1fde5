"""Read models derived from the log; each can be dropped and rebuilt by replaying it.

Must not import cli or a database driver: projections speak `tracker.store.Sql`.
"""

from projections.commitments import CommitmentProjection

PROJECTIONS = (CommitmentProjection(),)

__all__ = ["PROJECTIONS", "CommitmentProjection"]
