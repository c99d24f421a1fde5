"""The `tracker` command line: thin typer commands that parse, call the application, render.

One boundary (`TrackerGroup.invoke`, through `tracker.entry.failure`) turns the
project's own errors into a single `Error: …` line on stderr and their exit status;
anything else is a bug and keeps its traceback. Heavy modules are imported inside the
commands that need them. The bodies of `status` and `log` live in `tracker.entry`,
shared with `tracker.fastpath`, the console script's typer-free entry for those two.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from typer.core import TyperGroup

from tracker import entry
from tracker.application.session import Settings
from tracker.entry import FORMATS_REMIND, check_format, term_width
from tracker.errors import TrackerError, UserError
from tracker.persistence.locate import default_db_path

# Options several commands share, declared once (typer reads the Annotated metadata).
On = Annotated[
    str | None,
    typer.Option("--on", metavar="DATE", help="The day it was said or done (default today)."),
]
Now = Annotated[
    str | None,
    typer.Option(
        "--now", metavar="DATE", help="Measure staleness at this date (default today, or --as-of)."
    ),
]
AsOf = Annotated[
    str | None,
    typer.Option("--as-of", metavar="DATE", help="As it stood on this date."),
]
OutputFile = Annotated[
    Path | None,
    typer.Option("--output", metavar="FILE", help="Write it to this file, not standard output."),
]


def format_option(choices: str) -> Any:
    """The `--format` option, with the formats a command writes."""
    return typer.Option("--format", metavar="FORMAT", help=choices)


class TrackerGroup(TyperGroup):
    """Routes the project's errors to one stderr line and its exit code (`commands.failure`)."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except Exception as exc:
            error = entry.failure(exc)
            if error is None and isinstance(ctx.obj, Settings):
                error = entry.damage(ctx.obj, exc)  # a damaged row, if verify finds one
            if error is None:
                raise  # a closed pipe (click exits quietly), or a bug: keep its traceback
            fail(error)


def fail(exc: TrackerError) -> NoReturn:
    typer.echo(entry.error_line(exc), err=True)
    raise SystemExit(exc.exit_code)


app = typer.Typer(
    cls=TrackerGroup,
    name="tracker",
    help="Track what governments, organisations and leaders commit to in public, "
    "and whether they keep it.",
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def settings(ctx: typer.Context) -> Settings:
    root = ctx.find_root()
    if not isinstance(root.obj, Settings):
        root.obj = Settings(None, None)
    return root.obj


def complete_ids(ctx: typer.Context, incomplete: str) -> list[str]:
    """Shell completion of commitment ids from the database in use; silent on any error."""
    try:
        from tracker.application.read import commitment_ids
        from tracker.application.session import open_session

        db = ctx.find_root().params.get("db") or os.environ.get("TRACKER_DB") or default_db_path()
        session = open_session(db, actor="completion", create=False)
        try:
            return [i for i in commitment_ids(session) if i.startswith(incomplete.split("=")[0])]
        finally:
            session.store.close()
    except Exception:
        return []


def write_output(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    from tracker.output.files import write_file_atomically

    write_file_atomically(output, text)


@app.callback()
def main_options(
    ctx: typer.Context,
    db: str | None = typer.Option(
        None,
        "--db",
        metavar="PATH_OR_URL",
        envvar="TRACKER_DB",
        help="Database file (or postgresql:// URL). Default: tracker.db in the per-user app dir.",
        show_envvar=True,
    ),
    as_: str | None = typer.Option(
        None,
        "--as",
        metavar="NAME",
        envvar="TRACKER_USER",
        help="Who records. Default: your login name.",
    ),
) -> None:
    """Track what governments, organisations and leaders commit to in public."""
    ctx.obj = Settings(db, as_)
    ctx.call_on_close(ctx.obj.close)


@app.command()
def add(
    ctx: typer.Context,
    commitment_id: str = typer.Argument(..., metavar="ID", help="Short id: a-z, 0-9 and '-'."),
    title: str = typer.Option(..., "--title", metavar="TEXT", help="What the commitment is."),
    kind: str = typer.Option(
        "commitment", "--kind", metavar="KIND", help="commitment, agreement or request."
    ),
    party: list[str] = typer.Option(
        [], "--party", metavar="NAME", help="A party to it (repeatable)."
    ),
    status: str | None = typer.Option(
        None, "--status", metavar="STATUS", help="Starting status (default proposed)."
    ),
    due: str | None = typer.Option(
        None, "--due", metavar="DATE", help="Schedule a follow-up due on this date."
    ),
    review_every: str | None = typer.Option(
        None,
        "--review-every",
        metavar="DURATION",
        help="Stale after this long without a statement (30d, 2w, 3m).",
    ),
    tag: list[str] = typer.Option([], "--tag", metavar="TAG", help="A tag (repeatable)."),
    alias: list[str] = typer.Option(
        [],
        "--alias",
        metavar="TEXT",
        help="Another name texts use for it, such as an acronym; ingest matches it (repeatable).",
    ),
    supersedes: str | None = typer.Option(
        None,
        "--supersedes",
        metavar="ID",
        help="Mark this older commitment superseded by the new one.",
        autocompletion=complete_ids,
    ),
    on: On = None,
) -> None:
    """Start tracking a commitment."""
    from tracker.application import record

    stored = record.add(
        settings(ctx).session(write=True),
        commitment_id,
        title=title,
        kind=kind,
        parties=party,
        status=status,
        due=due,
        review_every=review_every,
        tags=tag,
        supersedes=supersedes,
        on=on,
        aliases=alias,
    )
    typer.echo(f"added {commitment_id} (event {stored[0].id})")


@app.command()
def log(
    ctx: typer.Context,
    quote: str = typer.Argument(
        ..., metavar="QUOTE", help="The quoted words; '-' reads them from stdin."
    ),
    by: list[str] = typer.Option(
        ...,
        "--by",
        metavar="SPEAKER",
        help="Who said or published it (repeatable: a joint statement).",
    ),
    on: On = None,
    source: str | None = typer.Option(None, "--source", metavar="TEXT", help="URL or citation."),
    commitment: list[str] = typer.Option(
        [],
        "-c",
        "--commitment",
        metavar="ID[=STATUS]",
        help="ID or ID=STATUS the statement concerns (repeatable).",
        autocompletion=complete_ids,
    ),
    title: str | None = typer.Option(
        None,
        "--title",
        metavar="TEXT",
        help="Add the (single) -c commitment with this title in the same step.",
    ),
    tag: list[str] = typer.Option([], "--tag", metavar="TAG", help="A tag (repeatable)."),
    note: str | None = typer.Option(None, "--note", metavar="TEXT", help="The analyst's note."),
) -> None:
    """Append one statement about one or more commitments."""
    output = entry.log(
        settings(ctx),
        quote,
        by=by,
        refs=commitment,
        on=on,
        source=source,
        title=title,
        tags=tag,
        note=note,
    )
    typer.echo(output, nl=False)


@app.command()
def amend(
    ctx: typer.Context,
    commitment_id: str = typer.Argument(..., metavar="ID", autocompletion=complete_ids),
    title: str | None = typer.Option(None, "--title", metavar="TEXT"),
    kind: str | None = typer.Option(None, "--kind", metavar="KIND"),
    party: list[str] = typer.Option(
        [], "--party", metavar="NAME", help="Replaces the parties (repeatable)."
    ),
    add_party: list[str] = typer.Option(
        [], "--add-party", metavar="NAME", help="Adds a party (repeatable)."
    ),
    remove_party: list[str] = typer.Option(
        [], "--remove-party", metavar="NAME", help="Removes a party (repeatable)."
    ),
    review_every: str | None = typer.Option(
        None,
        "--review-every",
        metavar="DURATION",
        help="Stale after this long without a statement; 'default' for the default.",
    ),
    tag: list[str] = typer.Option(
        [], "--tag", metavar="TAG", help="Replaces the tags (repeatable)."
    ),
    alias: list[str] = typer.Option(
        [],
        "--alias",
        metavar="TEXT",
        help="Teach it another name texts use, such as an acronym (repeatable; adds).",
    ),
    add_tag: list[str] = typer.Option([], "--add-tag", metavar="TAG", help="Adds a tag."),
    remove_tag: list[str] = typer.Option(
        [], "--remove-tag", metavar="TAG", help="Removes a tag (repeatable)."
    ),
    clear_due: bool = typer.Option(
        False, "--clear-due", help="Withdraw the open follow-up: nothing is due any more."
    ),
    on: On = None,
) -> None:
    """Correct a commitment's description (recorded as an event)."""
    from tracker.application import record

    stored = record.amend(
        settings(ctx).session(write=True),
        commitment_id,
        title=title,
        kind=kind,
        parties=party or None,
        review_every=review_every,
        tags=tag or None,
        on=on,
        aliases=alias,
        add_parties=add_party,
        remove_parties=remove_party,
        add_tags=add_tag,
        remove_tags=remove_tag,
        clear_due=clear_due,
    )
    typer.echo(f"amended {commitment_id} (event {stored[0].id})")


@app.command()
def followup(
    ctx: typer.Context,
    commitment_id: str = typer.Argument(..., metavar="ID", autocompletion=complete_ids),
    due: str | None = typer.Option(
        None, "--due", metavar="DATE", help="When the next development is due."
    ),
    done: bool = typer.Option(False, "--done", help="Mark the open follow-up done."),
    note: str | None = typer.Option(None, "--note", metavar="TEXT"),
    on: On = None,
) -> None:
    """Schedule a follow-up on a commitment, or mark the open one done."""
    from tracker.application import record

    stored = record.followup(
        settings(ctx).session(write=True), commitment_id, due=due, done=done, note=note, on=on
    )
    what = "marked the follow-up done" if done else f"follow-up due {due}"
    typer.echo(f"{commitment_id}: {what} (event {stored[0].id})")


def _status_epilog() -> str:
    """What `tracker status --help` ends with: the statuses and their aliases (where the
    error for an unknown status points) and what the STALE column counts."""
    from tracker.domain.values import STATUSES

    lines = ["\b", "Statuses (open, then closed) and the words taken for each (kept as the label):"]
    lines += [f"  {name}: {', '.join(aliases)}" for name, (_, aliases) in STATUSES.items()]
    lines += [
        "",
        "\b",
        "STALE (table column): how many days past its limit a stale commitment is: past its",
        "follow-up's due date, or past its review interval counted from the last statement.",
        "So 'no statement for 434 days, review every 30 days' is 404d stale.",
    ]
    return "\n".join(lines)


@app.command(epilog=_status_epilog())
def status(
    ctx: typer.Context,
    commitment_id: str | None = typer.Argument(
        None, metavar="[ID]", autocompletion=complete_ids, help="Show one commitment in detail."
    ),
    as_of: AsOf = None,
    now: Now = None,
    status_filter: list[str] = typer.Option(
        [], "--status", metavar="STATUS", help="Only this status (repeatable)."
    ),
    party: str | None = typer.Option(
        None, "--party", metavar="NAME", help="Only commitments with this party."
    ),
    by: str | None = typer.Option(
        None, "--by", metavar="SPEAKER", help="Only commitments this speaker made a statement on."
    ),
    tag: str | None = typer.Option(None, "--tag", metavar="TAG", help="Only with this tag."),
    kind: str | None = typer.Option(
        None, "--kind", metavar="KIND", help="Only this kind: commitment, agreement or request."
    ),
    open_only: bool = typer.Option(False, "--open", help="Only open commitments."),
    stale: bool = typer.Option(False, "--stale", help="Only stale commitments."),
    sort: str | None = typer.Option(
        None,
        "--sort",
        metavar="ORDER",
        help="stale (default: most overdue first, then id), id, since or last (latest first).",
    ),
    fmt: Annotated[
        str,
        format_option(
            "table, json, csv or md. In csv, a cell a spreadsheet would read as a formula "
            "(starting with =, +, -, @, a tab or a carriage return) starts with a ' instead."
        ),
    ] = "table",
) -> None:
    """Show the current status of every commitment, or one in detail with its timeline."""
    output = entry.status(
        settings(ctx),
        commitment_id,
        as_of=as_of,
        now=now,
        statuses=status_filter,
        party=party,
        open_only=open_only,
        stale=stale,
        fmt=fmt,
        by=by,
        tag=tag,
        kind=kind,
        sort=sort,
    )
    typer.echo(output, nl=False)


@app.command()
def history(
    ctx: typer.Context,
    commitment_id: str | None = typer.Argument(None, metavar="[ID]", autocompletion=complete_ids),
    fmt: Annotated[str, format_option("table or json.")] = "table",
) -> None:
    """List events in log order: all of them, or those concerning one commitment."""
    import json

    from tracker.application import read
    from tracker.output import structured, text

    fmt = check_format(fmt, ("table", "json"))
    session = settings(ctx).session(write=False)
    events = list(read.history(session, commitment_id))
    if fmt == "json":
        objects = [json.loads(e.export_line()) for e in events]
        typer.echo(structured.dumps(objects))
    else:
        typer.echo(text.history_table(events, term_width()), nl=False)


@app.command()
def search(
    ctx: typer.Context,
    words: list[str] = typer.Argument(
        ..., metavar="TEXT...", help="The words to find (every one must match)."
    ),
    fmt: Annotated[str, format_option("table or json.")] = "table",
    limit: int = typer.Option(20, "--limit", metavar="N", help="Show at most N statements."),
) -> None:
    """Find statements by the words of their quote, speakers, source or commitment title."""
    from tracker.application import read
    from tracker.output import structured
    from tracker.output import text as render

    fmt = check_format(fmt, ("table", "json"))
    text = " ".join(words)
    hits = read.search(settings(ctx).session(write=False), text, limit=limit)
    if fmt == "json":
        typer.echo(structured.dumps([structured.search_json(h) for h in hits]))
    else:
        typer.echo(render.search_table(hits, text, term_width()), nl=False)


@app.command()
def names(
    ctx: typer.Context,
    fmt: Annotated[str, format_option("table or json.")] = "table",
) -> None:
    """List the distinct speakers and parties, spelled as typed, with how often each occurs."""
    from tracker.application import read
    from tracker.output import structured, text

    fmt = check_format(fmt, ("table", "json"))
    counts = read.names(settings(ctx).session(write=False))
    if fmt == "json":
        typer.echo(structured.dumps([structured.names_json(c) for c in counts]))
    else:
        typer.echo(text.names_table(counts, term_width()), nl=False)


@app.command()
def remind(
    ctx: typer.Context,
    now: Now = None,
    fmt: Annotated[str, format_option("text, md, json or html.")] = "text",
    output: OutputFile = None,
    record: bool = typer.Option(False, "--record", help="Record the report (once per day)."),
    cron: str | None = typer.Option(
        None,
        "--cron",
        metavar="EXPR",
        help='Keep running; issue the report on this cron schedule ("0 8 * * 1-5").',
    ),
    output_dir: Path | None = typer.Option(
        None,
        "--output-dir",
        metavar="DIR",
        help="With --cron: write reminders-YYYY-MM-DD.<ext> here.",
    ),
    notify: str | None = typer.Option(
        None,
        "--notify",
        metavar="COMMAND",
        help="With --cron: run this command (sh -c) with the report on stdin.",
    ),
) -> None:
    """Print the reminder report of stale commitments (or issue it on a schedule)."""
    fmt = check_format(fmt, FORMATS_REMIND)
    if output is not None:
        from tracker.output.files import check_output_path

        check_output_path(output, settings(ctx).location)
    if cron is None:
        if output_dir is not None or notify is not None:
            raise UserError("--output-dir and --notify go with --cron; use --output for one report")
        color = output is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ
        text, note = entry.remind(settings(ctx), now=now, fmt=fmt, record=record, color=color)
        write_output(text, output)
        if note is not None:  # on stderr, so the report on stdout stays as it is
            typer.echo(note, err=True)
        return
    if now is not None or output is not None:
        raise UserError("--cron runs on the clock; drop --now and --output (use --output-dir)")
    from tracker.application.schedule import run_schedule

    run_schedule(
        lambda: settings(ctx).session(write=True),  # opened only once the options are good
        cron,
        fmt=fmt,
        output_dir=output_dir,
        notify=notify,
    )


@app.command()
def ingest(
    ctx: typer.Context,
    file: str = typer.Argument(
        ..., metavar="FILE|URL|-", help="Text, Markdown or HTML; an http(s) URL; '-' is stdin."
    ),
    by: str | None = typer.Option(
        None, "--by", metavar="SPEAKER", help="The speaker of every proposal (overrides the text)."
    ),
    on: str | None = typer.Option(
        None,
        "--on",
        metavar="DATE",
        help="The day of the statements (default: the page's or Date: line's date, else today).",
    ),
    source: str | None = typer.Option(
        None,
        "--source",
        metavar="TEXT",
        help="URL or citation of the text (default: the page's URL or Source: line).",
    ),
    fmt: Annotated[str, format_option("table or json.")] = "table",
    apply: str | None = typer.Option(
        None,
        "--apply",
        metavar="ITEM,...|all",
        help="Log these proposals in one transaction. ITEM is N, N:ID (against that "
        "commitment), N=STATUS or N:ID=STATUS; all leaves out what is already logged.",
    ),
    review: bool = typer.Option(
        False,
        "--review",
        help="Go through the proposals one by one at the terminal, then log the accepted.",
    ),
    engine: str | None = typer.Option(
        None,
        "--engine",
        metavar="rules|llm",
        help="rules (default, offline) or llm: send the text to the model at OPENAI_BASE_URL "
        "(TRACKER_LLM_MODEL, OPENAI_API_KEY). Default: TRACKER_INGEST_ENGINE, else rules.",
    ),
    no_cache: bool = typer.Option(
        False, "--no-cache", help="--engine llm: ask the model again, ignoring its cached reply."
    ),
) -> None:
    """Propose the statements in an article or readout that bear on a commitment."""
    from tracker.application import ingest
    from tracker.application.llm import check_engine, llm_settings
    from tracker.application.sources import read_document
    from tracker.output import structured
    from tracker.output.proposals import proposals_json, proposals_table

    fmt = check_format(fmt, ("table", "json"))
    if review and apply is not None:
        raise UserError("--review and --apply both choose what to log; give one of them")
    if review and not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UserError("--review needs an interactive terminal; in a script use --apply ITEM,...")
    llm = llm_settings() if check_engine(engine) == "llm" else None
    document = read_document(file, sys.stdin.buffer)
    undated = on is None and document.date is None
    session = settings(ctx).session(write=apply is not None or review)
    proposals = ingest.ingest_proposals(
        session, document, by=by, on=on, source=source, llm=llm, use_cache=not no_cache
    )
    if apply is None and not review:
        if fmt == "json":
            found = proposals_json(proposals.items, proposals.logged, proposals.engine)
            typer.echo(structured.dumps(found))
        else:
            table = proposals_table(
                proposals.items, proposals.logged, term_width(), proposals.model
            )
            typer.echo(table, nl=False)
        _note_dropped(proposals.dropped, proposals.why_dropped)
        _note_undated(undated, document.name)
        return
    _note_dropped(proposals.dropped, proposals.why_dropped)
    if not proposals.items:
        raise UserError("nothing to apply: no statement about a commitment was found")
    if review:
        from tracker.review import Quit
        from tracker.review import review as walk

        try:
            chosen = walk(proposals, input, typer.echo)
        except (Quit, KeyboardInterrupt):
            typer.echo("\nreview ended: nothing was written", err=True)
            raise typer.Exit(130) from None
    else:
        chosen = ingest.parse_selection(apply or "", proposals)
    if not chosen:
        already = len(proposals.logged)
        typer.echo(
            f"nothing to log: {already} of {len(proposals.items)} proposals are already logged"
            if already
            else "nothing chosen: nothing was written"
        )
        return
    stored = ingest.ingest_apply(session, proposals, chosen)
    typer.echo(_applied(stored, [c.n for c in chosen]))
    _note_undated(undated, document.name)


def _note_dropped(dropped: int, why: str) -> None:
    """`--engine llm`: one line for the statements of the model's reply that were left out."""
    if dropped:
        typer.echo(
            f"warning: the model proposed {dropped} statement{'s' if dropped != 1 else ''} "
            f"that tracker left out: {why}",
            err=True,
        )


def _note_undated(undated: bool, name: str) -> None:
    """Say so when the statements were dated today for want of a date (after the output)."""
    if undated:
        typer.echo(
            f"note: {name} gives no date, so the statements are dated today; "
            "give --on DATE if they were made on another day",
            err=True,
        )


def _applied(stored: list[Any], chosen: list[int]) -> str:
    from tracker.domain.values import plural

    added = sum(1 for e in stored if e.type == "commitment.added")
    logged = len(stored) - added
    skipped = len(chosen) - logged
    parts = [f"logged {plural(logged, 'statement')}"]
    if added:
        parts.append(f"added {plural(added, 'commitment')}")
    if skipped:
        parts.append(f"skipped {skipped} already in the log")
    return f"{', '.join(parts)} (proposals {', '.join(map(str, chosen))})"


@app.command()
def report(
    ctx: typer.Context,
    as_of: AsOf = None,
    now: Now = None,
    fmt: Annotated[str, format_option("html or md.")] = "html",
    output: OutputFile = None,
) -> None:
    """Write a status board of every commitment: counts, timelines, quotes and sources."""
    from tracker.application.board import gather
    from tracker.output.board import board_html, board_md

    fmt = check_format(fmt, ("html", "md"))
    if output is not None:
        from tracker.output.files import check_output_path

        check_output_path(output, settings(ctx).location)
    gathered = gather(settings(ctx).session(write=False), as_of=as_of, now=now)
    write_output(board_html(gathered) if fmt == "html" else board_md(gathered), output)


@app.command()
def retract(
    ctx: typer.Context,
    event_id: str = typer.Argument(
        ...,
        metavar="EVENT",
        help="The event's log position (SEQ in tracker history), or its id or 8+ characters of it.",
    ),
    reason: str = typer.Option(..., "--reason", metavar="TEXT", help="Why the event is withdrawn."),
) -> None:
    """Retract an event: projections then ignore it; nothing is deleted."""
    import json

    from tracker.application import record

    stored = record.retract(settings(ctx).session(write=True), event_id, reason=reason)
    target = json.loads(stored[0].data)["event"]
    typer.echo(f"retracted {target} (event {stored[0].id})")


@app.command()
def export(
    ctx: typer.Context,
    output: OutputFile = None,
    fmt: Annotated[str, format_option("jsonl (the log) or ics (follow-ups).")] = "jsonl",
) -> None:
    """Write every event as JSON Lines, in log order, exactly as stored (or follow-ups as ics)."""
    from tracker.application.integrity import export_lines

    check_format(fmt, ("jsonl", "ics"))
    if output is not None:
        from tracker.output.files import check_output_path

        check_output_path(output, settings(ctx).location)
    session = settings(ctx).session(write=False)
    if fmt == "ics":
        from tracker.application import calendar

        write_output(calendar.export_ics(session), output)
        return
    if output is None:
        for line in export_lines(session):
            sys.stdout.write(line + "\n")
        return
    from tracker.output.files import write_lines_atomically

    write_lines_atomically(output, export_lines(session))


@app.command(name="import")
def import_(
    ctx: typer.Context,
    file: str = typer.Argument(..., metavar="FILE|-", help="An export; '-' reads stdin."),
) -> None:
    """Append the events of an export; every line is checked before anything is written."""
    from tracker.application.integrity import import_events
    from tracker.output.files import open_import_stream
    from tracker.output.progress import IMPORT_STAGES, StageProgress

    progress = StageProgress(IMPORT_STAGES, sys.stderr)
    try:
        with open_import_stream(file) as stream:
            result = import_events(settings(ctx).session(write=True), stream, progress)
    finally:
        progress.close()
    typer.echo(f"imported {result.added} events, skipped {result.skipped} already in the log")


@app.command()
def verify(
    ctx: typer.Context,
    fmt: Annotated[str, format_option("text or json.")] = "text",
    full: bool = typer.Option(
        False,
        "--full",
        help="Check the whole file with SQLite's integrity_check (slower) instead of quick_check.",
    ),
) -> None:
    """Check the file, the hash chain, the triggers and the projections, in one snapshot."""
    from tracker.application.integrity import verify as run_verify
    from tracker.output import structured
    from tracker.output.progress import VERIFY_STAGES, StageProgress

    check_format(fmt, ("text", "json"))
    session = settings(ctx).session(write=False, catch_up=False)
    progress = StageProgress(VERIFY_STAGES, sys.stderr)
    try:
        result = run_verify(session, full=full, progress=progress)
    finally:
        progress.close()
    if fmt == "json":
        typer.echo(
            structured.dumps(
                {
                    "ok": result.ok,
                    "events": result.events,
                    "problems": [
                        {"seq": p.seq, "id": p.event_id, "problem": p.what} for p in result.problems
                    ],
                }
            )
        )
    elif result.ok and not result.events:
        typer.echo("ok: 0 events; the database is new or empty, and intact")
    elif result.ok:
        typer.echo(f"ok: {result.events} events, hash chain intact, projections match the log")
    else:
        for problem in result.problems:
            typer.echo(f"FAIL: {problem}")
    if not result.ok:
        raise SystemExit(1)


@app.command()
def rebuild(ctx: typer.Context) -> None:
    """Drop the projections and replay the log; rebuild the log's indexes; name damage left."""
    from tracker.output.progress import REBUILD_STAGES, StageProgress

    session = settings(ctx).session(write=True, catch_up=False)
    progress = StageProgress(REBUILD_STAGES, sys.stderr)
    try:
        count = session.store.rebuild(progress)
    finally:
        progress.close()
    typer.echo(f"rebuilt the projections from {count} events")


@app.command()
def path(ctx: typer.Context) -> None:
    """Print the database in use."""
    from tracker.persistence.locate import display_location

    typer.echo(display_location(settings(ctx).location))


def main() -> None:
    app(prog_name="tracker")


if __name__ == "__main__":
    main()
