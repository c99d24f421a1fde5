"""What the two entry points share: the error boundary and the everyday command bodies.

`cli.py` (the typer app: every command, help, completion) and `tracker.fastpath` (a
hand parser for the everyday `status` and `log` invocations, which must start fast)
both call these: `failure` maps an exception to the one line and exit status the user
sees, and `status` and `log` return the exact text to print.

Nothing here imports typer or click; heavy modules are imported where they are used.
"""

from __future__ import annotations

import os
import re
import sqlite3
import sys
from collections.abc import Sequence

from tracker.application.session import Settings
from tracker.errors import RuntimeFailure, TrackerError, UserError, first_line, shown

FORMATS_STATUS = ("table", "json", "csv", "md")
FORMATS_REMIND = ("text", "md", "json", "html")


def check_format(value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise UserError(f"unknown format {value!r}; use one of: {', '.join(allowed)}")
    return value


def term_width() -> int | None:
    """Clip to the terminal (or to $COLUMNS when set); other piped output is never clipped."""
    if sys.stdout.isatty() or os.environ.get("COLUMNS", "").isdigit():
        import shutil

        return shutil.get_terminal_size().columns
    return None


def error_line(error: TrackerError) -> str:
    """The one line the user sees: control characters from a path or id shown escaped, so
    nothing echoed can move the cursor, colour the terminal or start a second line."""
    return "Error: " + _LONG_WORD.sub(_clip_word, shown(str(error)))


# A value echoed in an error (an id, a name) longer than this is cut short: a
# 100,000-character id is not worth a screenful, let alone two.
_LONG_WORD = re.compile(r"[^\s'\"();:,]{301,}")


def _clip_word(match: re.Match[str]) -> str:
    word = match.group()
    return f"{word[:60]}… ({len(word):,} characters)"


def _named_sqlite(exc: sqlite3.DatabaseError) -> TrackerError | None:
    """A full disk, a read-only file or a busy database met outside a store's own checks."""
    code = getattr(exc, "sqlite_errorcode", None)
    code = code & 0xFF if isinstance(code, int) else None
    if code == 13:  # SQLITE_FULL
        return RuntimeFailure("no space left on the disk holding the database; nothing was written")
    if code == 8:  # SQLITE_READONLY
        return RuntimeFailure(
            "the database is read-only: reading commands work, writing ones need write access"
        )
    if code in (5, 6):  # SQLITE_BUSY, SQLITE_LOCKED
        return RuntimeFailure(f"the database is busy ({exc}); another process holds it, try again")
    return None


def damage(settings: Settings, exc: Exception) -> TrackerError | None:
    """For an error that is not ours (None from `failure`): is the database damaged?

    A projection row changed behind tracker's back (an invalid date, a number where a
    list belongs, bytes that are not UTF-8) can break any reader. Rather than guess, this
    asks `verify`: when it finds the database damaged, that is the one line the user sees
    (exit 1), naming what is wrong and the repair; when it finds nothing, the error is a
    bug and keeps its traceback.
    """
    store = settings.opened_store
    if store is None or isinstance(exc, BrokenPipeError | KeyboardInterrupt):
        return None
    try:
        from tracker.application.integrity import verify
        from tracker.application.session import Session

        result = verify(Session(store=store, actor="reader"))
    except Exception:
        return None
    if result.ok:
        return None
    first = str(result.problems[0])
    more = f" (and {len(result.problems) - 1} more)" if len(result.problems) > 1 else ""
    return RuntimeFailure(
        f"the database {store.location} is damaged: {first}{more}; the command stopped "
        f"at it ({type(exc).__name__}); tracker rebuild repairs the projections, "
        "tracker verify lists every problem"
    )


def failure(exc: Exception) -> TrackerError | None:
    """The error boundary: the one-line error `exc` becomes, or None when it is not ours.

    The front end prints `Error: …` on stderr and exits with its status. None means
    re-raise: a BrokenPipeError (a reader such as `head` closed the pipe; the front end
    exits quietly) or anything else, which is a bug and keeps its traceback.
    """
    if isinstance(exc, TrackerError):
        return exc
    from events.codec import CodecError, NewerSchemaError

    if isinstance(exc, NewerSchemaError):
        return UserError(f"the database holds an event written by a newer tracker ({exc})")
    if isinstance(exc, CodecError):
        return RuntimeFailure(
            f"the log holds an event this tracker cannot read ({exc}); it was changed "
            "behind tracker's back: run tracker verify"
        )
    if isinstance(exc, sqlite3.DatabaseError) and _named_sqlite(exc):
        return _named_sqlite(exc)
    if isinstance(exc, sqlite3.DatabaseError):
        return RuntimeFailure(
            f"the database is damaged or was changed behind tracker's back ({exc}); "
            "run tracker verify (tracker rebuild repairs the projections)"
        )
    if isinstance(exc, BrokenPipeError):
        return None
    if isinstance(exc, OSError):
        where = f" {exc.filename}" if exc.filename else ""
        return RuntimeFailure(f"cannot write{where}: {exc.strerror or exc}")
    if type(exc).__module__.startswith("psycopg"):
        from tracker.persistence.postgres import redact

        return RuntimeFailure(f"the PostgreSQL server refused: {redact(first_line(exc))}")
    return None


def status(
    settings: Settings,
    commitment_id: str | None,
    *,
    as_of: str | None = None,
    now: str | None = None,
    statuses: Sequence[str] = (),
    party: str | None = None,
    open_only: bool = False,
    stale: bool = False,
    fmt: str = "table",
    by: str | None = None,
    tag: str | None = None,
    kind: str | None = None,
    sort: str | None = None,
) -> str:
    """`tracker status [ID]`: the list, or one commitment in detail with its timeline."""
    from tracker.application import read
    from tracker.output import markdown, structured, text

    fmt = check_format(fmt, FORMATS_STATUS)
    session = settings.session(write=False)
    default = session.default_review
    if commitment_id is not None:
        if (
            statuses
            or open_only
            or stale
            or any(v is not None for v in (party, by, tag, kind, sort))
        ):
            raise UserError(
                "--status, --party, --by, --tag, --kind, --open, --stale and --sort "
                "filter or order the list; drop the ID"
            )
        detail = read.status_detail(session, commitment_id, as_of=as_of, now=now)
        if fmt == "json":
            return structured.dumps(structured.detail_json(detail, default)) + "\n"
        if fmt == "csv":
            return structured.status_csv([detail.row])
        if fmt == "md":
            return markdown.status_md([detail.row])
        return text.detail_text(detail, default, term_width())
    _, rows = read.status_list(
        session,
        as_of=as_of,
        now=now,
        statuses=statuses,
        party=party,
        open_only=open_only,
        stale_only=stale,
        by=by,
        tag=tag,
        kind=kind,
        sort=sort,
    )
    if fmt == "json":
        return structured.dumps([structured.status_json(r, default) for r in rows]) + "\n"
    if fmt == "csv":
        return structured.status_csv(rows)
    if fmt == "md":
        return markdown.status_md(rows)
    return text.status_table(rows, term_width())


def log(
    settings: Settings,
    quote: str,
    *,
    by: str | Sequence[str],
    refs: Sequence[str] = (),
    on: str | None = None,
    source: str | None = None,
    title: str | None = None,
    tags: Sequence[str] = (),
    note: str | None = None,
) -> str:
    """`tracker log QUOTE --by SPEAKER... -c ID[=STATUS]...`: append one statement."""
    from tracker.application import record

    if quote == "-":
        data = sys.stdin.buffer.read()
        try:
            # A quote pasted on Windows ends its lines with CR LF; store plain LF.
            quote = data.decode("utf-8").replace("\r\n", "\n")
        except UnicodeDecodeError:
            raise UserError("the quote on standard input is not valid UTF-8") from None
    stored = record.log(
        settings.session(write=True),
        quote,
        by=by,
        refs=refs,
        on=on,
        source=source,
        title=title,
        tags=tags,
        note=note,
    )
    statement = stored[-1]
    added = " (and added the commitment)" if len(stored) > 1 else ""
    return f"logged statement {statement.id} on {statement.occurred_on}{added}\n"


def remind(
    settings: Settings, *, now: str | None, fmt: str, record: bool, color: bool
) -> tuple[str, str | None]:
    """`tracker remind [--now DATE] [--record]`: the report's text, and the note on whether
    this run recorded it (None without `--record`), for stderr. `fmt` is checked already."""
    import gc

    from tracker.application import remind as reminders
    from tracker.output.reminders import render_report

    # A report of thousands of rows makes hundreds of thousands of small objects and no
    # cycles; the cyclic collector would walk them over and over as they pile up (10-15%
    # of the report's CPU on 16k stale rows). Off while the report is made, then back.
    enabled = gc.isenabled()
    gc.disable()
    try:
        session = settings.session(write=record)
        day = session.date(now, "--now date") if now is not None else session.today
        report, note = reminders.issue(session, day, recording=record, full=fmt == "json")
        return render_report(report, fmt, session.default_review, color=color), note
    finally:
        if enabled:
            gc.enable()
