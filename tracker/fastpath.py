"""The console script's entry: `status`, `log` and `remind` without importing typer.

`tracker status` and `tracker log` are what an analyst types all day, so they must
start fast, and importing typer (with its vendored click) costs more than the work;
`tracker remind` runs from cron and scripts over the whole list, and must not pay it
either. `main` parses argv by hand for a conservative subset of those commands, the
invocations whose meaning is beyond doubt, and runs them through the same command
bodies and error boundary the typer app uses (`tracker.entry`). Anything else,
including every usage error, goes to the typer app (`cli.main`) with argv untouched,
so help, completion and click's messages stay exactly as they are.

The subset (checked against click's parser in tests/test_fastpath.py):

    tracker [GLOBAL]... status [ID] [STATUS-OPTION]...
    tracker [GLOBAL]... log QUOTE --by SPEAKER [LOG-OPTION]...   (--by repeatable)
    tracker [GLOBAL]... remind [--now DATE] [--format FORMAT] [--record]

GLOBAL is `--db VALUE` or `--as VALUE`; options and arguments of the command may come
in any order; every option with a value is `--opt VALUE` or `--opt=VALUE` (the value
taken verbatim, even when it starts with '-'), and `-c` also `-cVALUE`, as click
reads them. A repeatable option accumulates; another given twice keeps the last. Not
claimed (handed to typer): no command or another command, `-h`/`--help`, `--`, an
option the command does not have (or given before the wrong command), an option
missing its value, a flag given a value, a missing QUOTE or `--by`, an extra
argument, shell completion (`_TRACKER_COMPLETE` set) and Windows (where click
expands wildcards in argv and writes to the console its own way).
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Mapping, Sequence
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tracker.application.session import Settings

COMPLETE_VAR = "_TRACKER_COMPLETE"

# option -> (parameter, kind); kind: "value" (last one wins), "multi" (accumulates), "flag"
GLOBAL_OPTIONS = {"--db": "db", "--as": "actor"}
ENVVARS = {"db": "TRACKER_DB", "actor": "TRACKER_USER"}
COMMAND_OPTIONS: dict[str, dict[str, tuple[str, str]]] = {
    "status": {
        "--as-of": ("as_of", "value"),
        "--now": ("now", "value"),
        "--status": ("statuses", "multi"),
        "--party": ("party", "value"),
        "--by": ("by", "value"),
        "--tag": ("tag", "value"),
        "--kind": ("kind", "value"),
        "--sort": ("sort", "value"),
        "--open": ("open_only", "flag"),
        "--stale": ("stale", "flag"),
        "--format": ("fmt", "value"),
    },
    "log": {
        "--by": ("by", "multi"),
        "--on": ("on", "value"),
        "--source": ("source", "value"),
        "-c": ("refs", "multi"),
        "--commitment": ("refs", "multi"),
        "--title": ("title", "value"),
        "--tag": ("tags", "multi"),
        "--note": ("note", "value"),
    },
    # Not --output, --cron, --output-dir nor --notify: typer reads those (click checks a
    # --output path; --cron runs for days, where start-up does not count).
    "remind": {
        "--now": ("now", "value"),
        "--format": ("fmt", "value"),
        "--record": ("record", "flag"),
    },
}
# The one short option of the subset: click reads `-cVALUE` (and `-c=X` as the value "=X").
SHORT_OPTIONS = {"log": "-c"}


class Invocation:
    """A claimed command line: the command, the global options and the command's parameters."""

    def __init__(
        self, command: str, db: str | None, actor: str | None, params: dict[str, Any]
    ) -> None:
        self.command = command
        self.db = db
        self.actor = actor
        self.params = params

    def __repr__(self) -> str:
        return f"Invocation({self.command!r}, db={self.db!r}, actor={self.actor!r}, {self.params})"


def parse(argv: Sequence[str], environ: Mapping[str, str] | None = None) -> Invocation | None:
    """The invocation argv means, or None when it is outside the subset (typer decides)."""
    env = os.environ if environ is None else environ
    if COMPLETE_VAR in env or sys.platform.startswith("win") or "--" in argv:
        return None
    args = list(argv)
    found: dict[str, str] = {}
    i = 0
    while i < len(args) and args[i][:1] == "-" and len(args[i]) > 1:  # click: "-" is an argument
        name, eq, value = args[i].partition("=")
        if name not in GLOBAL_OPTIONS:
            return None
        if not eq:
            if i + 1 >= len(args):
                return None
            value = args[i + 1]
            i += 1
        found[GLOBAL_OPTIONS[name]] = value
        i += 1
    if i >= len(args) or args[i] not in COMMAND_OPTIONS:
        return None
    command = args[i]
    parsed = _parse_command(command, args[i + 1 :])
    if parsed is None:
        return None
    # click: an option not given takes its env var, unless that is empty.
    for param, var in ENVVARS.items():
        if param not in found and env.get(var):
            found[param] = env[var]
    return Invocation(command, found.get("db"), found.get("actor"), parsed)


def _parse_command(command: str, args: list[str]) -> dict[str, Any] | None:
    options = COMMAND_OPTIONS[command]
    params: dict[str, Any] = {}
    for param, kind in options.values():
        params[param] = [] if kind == "multi" else False if kind == "flag" else None
    positional: list[str] = []
    short = SHORT_OPTIONS.get(command)
    i = 0
    while i < len(args):
        arg = args[i]
        i += 1
        if arg[:1] != "-" or len(arg) == 1:
            positional.append(arg)
            continue
        if short is not None and arg.startswith(short) and len(arg) > len(short):
            name, value = short, arg[len(short) :]  # -cVALUE
        else:
            name, eq, explicit = arg.partition("=")
            if name not in options:
                return None
            if options[name][1] == "flag":
                if eq:
                    return None  # click: the option does not take a value
                params[options[name][0]] = True
                continue
            if eq:
                value = explicit
            elif i < len(args):
                value = args[i]
                i += 1
            else:
                return None  # click: the option requires an argument
        param, kind = options[name]
        if kind == "multi":
            params[param].append(value)
        else:
            params[param] = value
    if command == "remind":
        if positional:
            return None  # click: an extra argument
        if params["fmt"] is None:
            params["fmt"] = "text"
        return params
    if command == "status":
        if len(positional) > 1:
            return None
        params["commitment_id"] = positional[0] if positional else None
        if params["fmt"] is None:
            params["fmt"] = "table"
        return params
    if len(positional) != 1 or not params["by"]:
        return None
    params["quote"] = positional[0]
    return params


# --- running a claimed invocation, as typer would --------------------------------------------


def main() -> None:
    """The `tracker` console script."""
    invocation = parse(sys.argv[1:])
    if invocation is None:
        from cli import main as typer_main

        typer_main()
        return
    sys.exit(run(invocation))


def run(invocation: Invocation) -> int:
    """Run a claimed invocation; the exit status typer's app would give, and the same output.

    The same boundary as `cli.TrackerGroup.invoke` and typer's own `main`: the project's
    errors become one `Error: …` line and their status, a closed pipe exits 1 quietly,
    Ctrl-C exits 130; anything else is a bug and keeps its traceback.
    """
    from tracker import entry
    from tracker.application import session

    try:
        settings = session.Settings(invocation.db, invocation.actor)
        try:
            if invocation.command == "status":
                echo(entry.status(settings, **invocation.params))
            elif invocation.command == "log":
                echo(entry.log(settings, **invocation.params))
            else:
                remind(settings, **invocation.params)
        except Exception as exc:
            error = entry.failure(exc) or entry.damage(settings, exc)
            if error is None:
                raise
            echo(entry.error_line(error) + "\n", err=True)
            return error.exit_code
        finally:
            settings.close()
    except EOFError:
        echo("\n", err=True)
        echo("Aborted!\n", err=True)
        return 1
    except KeyboardInterrupt:
        return 130
    except OSError as exc:
        import errno

        if exc.errno != errno.EPIPE:
            raise
        sys.stdout = _PacifyFlush(sys.stdout)
        sys.stderr = _PacifyFlush(sys.stderr)
        return 1
    return 0


def remind(settings: Settings, *, now: str | None, fmt: str, record: bool) -> None:
    """`cli.remind` without --output or --cron: the report on stdout in one write, as
    `cli.write_output` writes it; the note on recording on stderr, as `typer.echo`."""
    from tracker import entry

    fmt = entry.check_format(fmt, entry.FORMATS_REMIND)
    color = sys.stdout.isatty() and "NO_COLOR" not in os.environ
    text, note = entry.remind(settings, now=now, fmt=fmt, record=record, color=color)
    sys.stdout.write(text)
    if note is not None:
        echo(note + "\n", err=True)


# --- typer.echo(text, nl=False), without typer ----------------------------------------------


def echo(text: str, *, err: bool = False) -> None:
    """Write `text` to stdout (or stderr) as `typer.echo(text, nl=False, err=err)` does.

    That is click's `echo` off Windows: a stream whose encoding is ASCII is replaced by a
    UTF-8 one over its buffer; ANSI escape codes are stripped unless writing to a
    terminal; the stream is flushed.
    """
    stream = _text_writer(sys.stderr if err else sys.stdout)
    if stream is None:
        return
    if not text:
        stream.flush()
        return
    if "\x1b" in text and not _isatty(stream):
        import re

        text = re.sub(r"\033\[[;?0-9]*[a-zA-Z]", "", text)
    stream.write(text)
    stream.flush()


class _NonClosingTextWriter:
    """A UTF-8 text writer over a binary stream that never closes that stream."""

    def __init__(self, binary: IO[bytes]) -> None:
        import io

        encoding = getattr(binary, "encoding", None) or sys.getdefaultencoding()
        if _is_ascii(encoding):
            encoding = "utf-8"
        self.binary = binary
        self.wrapper = io.TextIOWrapper(binary, encoding, "replace", line_buffering=True)

    def write(self, text: str) -> int:
        return self.wrapper.write(text)

    def flush(self) -> None:
        self.wrapper.flush()

    def isatty(self) -> bool:
        return self.binary.isatty()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self.wrapper.detach()


_writers: dict[int, tuple[Any, Any]] = {}


def _text_writer(stream: Any) -> Any:
    """click's `_force_correct_text_writer(stream, None, None)` off Windows, cached per stream.

    A text stream is used as it is unless its encoding is unset or ASCII; then (or for a
    binary stream) a UTF-8 writer with errors="replace" over its binary buffer.
    """
    if stream is None:
        return None
    key = id(stream)
    if key not in _writers or _writers[key][0] is not stream:
        writer = stream
        if _is_binary_writer(stream, False):
            writer = _NonClosingTextWriter(stream)
        elif _is_ascii(getattr(stream, "encoding", None) or "ascii"):
            binary = _find_binary_writer(stream)
            if binary is not None:
                writer = _NonClosingTextWriter(binary)
        _writers[key] = (stream, writer)
    return _writers[key][1]


def _is_ascii(encoding: str) -> bool:
    import codecs

    try:
        return codecs.lookup(encoding).name == "ascii"
    except LookupError:
        return False


def _is_binary_writer(stream: Any, default: bool) -> bool:
    try:
        stream.write(b"")
    except Exception:
        try:
            stream.write("")
            return False
        except Exception:
            pass
        return default
    return True


def _find_binary_writer(stream: Any) -> Any:
    if _is_binary_writer(stream, False):
        return stream
    buffer = getattr(stream, "buffer", None)
    if buffer is not None and _is_binary_writer(buffer, True):
        return buffer
    return None


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except Exception:
        return False


class _PacifyFlush:
    """click's PacifyFlushWrapper: after a closed pipe, flushing at exit stays quiet."""

    def __init__(self, wrapped: Any) -> None:
        self.wrapped = wrapped

    def flush(self) -> None:
        import errno

        try:
            self.wrapped.flush()
        except OSError as exc:
            if exc.errno != errno.EPIPE:
                raise

    def __getattr__(self, attr: str) -> Any:
        return getattr(self.wrapped, attr)


if __name__ == "__main__":
    main()
