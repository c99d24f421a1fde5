"""Writing files safely, and opening an import's input.

Files are written through a temporary file and renamed, so a reader never sees half a
report; an output path that is a folder, in a missing folder or the database itself is
refused before any work is done.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from tracker.errors import RuntimeFailure, UserError


def check_output_path(path: Path, database: str | None = None, what: str = "--output") -> None:
    """Refuse an output path that cannot be written, before anything else is done."""
    if path.is_dir():
        raise UserError(f"{what} {path} is a directory; give a file name")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise UserError(f"the folder {folder} does not exist; create it or choose another {what}")
    if database and path.exists() and Path(database).exists() and path.samefile(database):
        raise UserError(f"{what} {path} is the database itself; choose another file")


def write_lines_atomically(path: Path, lines: Iterable[str]) -> None:
    """Write to a temporary file beside `path`, fsync, then rename over it."""
    check_output_path(path)
    if path.exists() and not path.is_file():
        # A device or a pipe (/dev/stdout, a FIFO): write into it; never rename over it.
        with path.open("w", encoding="utf-8", newline="\n") as f:
            for line in lines:
                f.write(line + "\n")
        return
    import tempfile

    folder = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            for line in lines:
                f.write(line + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_file_atomically(path: Path, text: str) -> None:
    write_lines_atomically(path, [text[:-1] if text.endswith("\n") else text])


def refuse_special(path: Path, what: str) -> None:
    """Refuse a path that is a symbolic link, a FIFO, a device or a socket.

    For files written unattended (the scheduler's reports): writing into a FIFO blocks
    until someone reads it, and a link can point anywhere. Checked with lstat, so
    nothing is opened or followed.
    """
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise RuntimeFailure(f"cannot check {what} {path} ({exc.strerror})") from None
    if stat.S_ISREG(mode):
        return
    kind = (
        "a symbolic link"
        if stat.S_ISLNK(mode)
        else "a named pipe (FIFO)"
        if stat.S_ISFIFO(mode)
        else "a folder"
        if stat.S_ISDIR(mode)
        else "a device or socket"
    )
    raise RuntimeFailure(f"{what} {path} is {kind}, not a plain file; remove it or move it away")


def write_report_atomically(path: Path, text: str) -> None:
    """A new file replacing `path` by rename, never written into what is there (see above)."""
    refuse_special(path, "the report file")
    import tempfile

    folder = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)  # O_EXCL: never followed
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o600)
        refuse_special(path, "the report file")  # made meanwhile? rename would replace it
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def open_import_stream(name: str) -> Iterator[IO[bytes]]:
    """A seekable binary stream of an export; standard input is spooled to a temp file."""
    if name == "-":
        import shutil
        import tempfile

        with tempfile.TemporaryFile() as spool:
            shutil.copyfileobj(sys.stdin.buffer, spool)
            spool.seek(0)
            yield spool
        return
    path = Path(name)
    if path.is_dir():
        raise UserError(f"{name} is a directory; give an export file made by tracker export")
    try:
        stream = path.open("rb")
    except FileNotFoundError:
        raise UserError(
            f"{name} does not exist; give an export file made by tracker export"
        ) from None
    except OSError as exc:
        raise UserError(f"cannot read {name} ({exc.strerror})") from None
    with stream:
        yield stream
