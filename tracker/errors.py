"""The project's own errors: each becomes one line on stderr and an exit status.

Must not import anything from the project: every layer raises these.
"""

from __future__ import annotations


class TrackerError(Exception):
    """A failure the user can understand and act on; shown as one line, never a traceback."""

    exit_code = 1


class UserError(TrackerError):
    """Bad input: nothing was written; exit status 2."""

    exit_code = 2


class RuntimeFailure(TrackerError):
    """Something outside the user's input went wrong (disk, lock, notify command); exit 1."""

    exit_code = 1
