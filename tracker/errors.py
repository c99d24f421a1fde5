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


def first_line(exc: BaseException) -> str:
    """The first line of what `exc` says (its class name when it says nothing).

    A database driver's message can run on over several lines (PostgreSQL adds DETAIL,
    HINT and CONTEXT); a message of ours quotes only the first.
    """
    lines = str(exc).strip().splitlines()
    return lines[0].strip() if lines else type(exc).__name__


def shown(text: str) -> str:
    """`text` safe to echo on a terminal: control, bidi and line-separator characters escaped.

    A path or id from the user or a file could carry escape sequences that rewrite the
    terminal, or a newline that forges a second line; they are shown as \\xNN / \\uNNNN.
    """
    out = []
    for char in text:
        code = ord(char)
        if code < 0x20 or 0x7F <= code < 0xA0:
            out.append(f"\\x{code:02x}")
        elif code in _INVISIBLE:
            out.append(f"\\u{code:04x}")
        else:
            out.append(char)
    return "".join(out)


_INVISIBLE = frozenset(
    {0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2028, 0x2029, 0x2060, 0xFEFF}
    | set(range(0x202A, 0x202F))
    | set(range(0x2066, 0x206A))
)
