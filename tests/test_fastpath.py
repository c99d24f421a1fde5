"""The console script's fast path (`tracker.fastpath`) against the typer app (`cli.main`).

Whatever the fast path claims, it must give exactly what typer gives: the same exit
status, the same bytes on stdout and stderr, and the same events in the log. What it
does not claim goes to typer untouched. Each side runs on its own copy of one database,
so a `log` on one side cannot change what the other sees.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import cli
from tests.conftest import PG_SERVER, WORKED_EXAMPLE, pg_cursor
from tracker import entry, fastpath
from tracker.errors import RuntimeFailure, TrackerError, UserError
from tracker.persistence import locate

ROOT = Path(__file__).resolve().parents[1]
Outcome = tuple[int, bytes, bytes]
Env = Mapping[str, str | None]

# The worked example, plus a follow-up, a closed commitment and tags: every section of the
# status outputs has something to show.
EXTRA_STEPS = [
    ["followup", "stip", "--due", "2025-03-01", "--note", "talks expected to resume", "--on", "2025-02-03"],
    ["add", "old-deal", "--title", "An old deal", "--party", "Kenya", "--tag", "trade", "--on", "2024-05-01"],
    ["log", "The old deal was signed.", "--by", "Trade Minister", "--on", "2024-06-01", "-c", "old-deal=signed", "--source", "https://example.org/1"],
]  # fmt: skip


# --- running either side in-process ------------------------------------------------------


@contextmanager
def environment(env: Env) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in env}
    try:
        for key, value in env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def invoke(
    entry: Callable[[], Any],
    argv: Sequence[str],
    env: Env,
    stdin: bytes = b"",
    cwd: Path | None = None,
) -> Outcome:
    """Run a console entry with this argv and environment; its exit status, stdout, stderr."""
    saved = sys.argv, sys.stdin, sys.stdout, sys.stderr
    saved_cwd = os.getcwd()
    out, err = io.BytesIO(), io.BytesIO()
    sys.argv = ["tracker", *argv]
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
    sys.stdout = io.TextIOWrapper(out, encoding="utf-8", write_through=True)
    sys.stderr = io.TextIOWrapper(
        err, encoding="utf-8", errors="backslashreplace", write_through=True
    )
    try:
        if cwd is not None:
            os.chdir(cwd)  # a relative --db lands in a folder of its own
        with environment(env):
            try:
                entry()
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
        sys.stdout.flush()
        sys.stderr.flush()
        return code, out.getvalue(), err.getvalue()
    finally:
        sys.argv, sys.stdin, sys.stdout, sys.stderr = saved
        os.chdir(saved_cwd)


def claimed_main() -> None:
    assert fastpath.parse(sys.argv[1:]) is not None, f"the fast path does not claim {sys.argv}"
    fastpath.main()


UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
HASH = re.compile(r"\b[0-9a-f]{64}\b")
RECORDED = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


def normal(data: bytes, places: Mapping[str, str]) -> str:
    """Output with what differs by nature between two runs (ids, hashes, clock, paths) masked."""
    text = data.decode("utf-8", "backslashreplace")
    for path, name in sorted(places.items(), key=lambda p: -len(p[0])):
        text = text.replace(path, name)
    return RECORDED.sub("<time>", HASH.sub("<hash>", UUID.sub("<uuid>", text)))


# --- databases: a populated template, and one copy per side --------------------------------


class Stores:
    """The template database for a store kind, copied once for each side of a comparison."""

    def __init__(self, kind: str, root: Path) -> None:
        self.kind = kind
        self.root = root
        self.template = ""
        self.made: list[str] = []

    def build(self) -> None:
        if self.kind == "sqlite":
            self.template = str(self.root / "template.db")
        else:
            self.template = self.new_pg_database()
        env = {"TRACKER_DB": self.template, "TRACKER_USER": "tester"}
        for step in [*WORKED_EXAMPLE, *EXTRA_STEPS]:
            result = invoke(cli.main, step, env)
            assert result[0] == 0, (step, result)

    def new_pg_database(self, template: str | None = None) -> str:
        import uuid
        from urllib.parse import urlsplit, urlunsplit

        name = f"tracker_fp_{uuid.uuid4().hex[:12]}"
        copy = f' TEMPLATE "{urlsplit(template).path[1:]}"' if template else ""
        with pg_cursor(PG_SERVER) as admin:
            admin.execute(f'CREATE DATABASE "{name}"{copy}')
        self.made.append(name)
        return urlunsplit(urlsplit(PG_SERVER)._replace(path=f"/{name}"))

    def copy(self, folder: Path, side: str) -> str:
        if self.kind == "sqlite":
            target = folder / f"{side}.db"
            shutil.copyfile(self.template, target)
            return str(target)
        return self.new_pg_database(self.template)

    def drop_all(self) -> None:
        if self.kind != "sqlite" and self.made:
            with pg_cursor(PG_SERVER) as admin:
                for name in self.made:
                    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Stores]]:
    made: dict[str, Stores] = {}
    yield made
    for stores in made.values():
        stores.drop_all()


@pytest.fixture
def stores(
    templates: dict[str, Stores], store_kind: str, tmp_path_factory: pytest.TempPathFactory
) -> Stores:
    if store_kind not in templates:
        built = Stores(store_kind, tmp_path_factory.mktemp(f"template-{store_kind}"))
        built.build()
        templates[store_kind] = built
    return templates[store_kind]


def history(db: str) -> Outcome:
    return invoke(cli.main, ["--db", db, "history", "--format", "json"], {})


def compare(
    stores: Stores,
    folder: Path,
    argv: Sequence[str],
    env: Env | None = None,
    stdin: bytes = b"",
) -> tuple[str, str, str]:
    """Run argv both ways, each on its own copy; assert the same outcome and the same log."""
    outcomes: list[tuple[int, str, str]] = []
    logs: list[str] = []
    for side, main_fn in (("typer", cli.main), ("fast", claimed_main)):
        db = stores.copy(folder, side)
        home = folder / f"{side}-home"
        home.mkdir(exist_ok=True)

        def place(text: str, db: str = db, home: Path = home) -> str:
            return text.replace("{db}", db).replace("{home}", str(home))

        side_env: dict[str, str | None] = {
            "TRACKER_DB": db,
            "XDG_CONFIG_HOME": str(home),
            "TRACKER_REVIEW_EVERY": None,
        }
        side_env.update({k: None if v is None else place(v) for k, v in (env or {}).items()})
        places = {db: "{db}", str(home): "{home}"}
        status, out, err = invoke(main_fn, [place(a) for a in argv], side_env, stdin, cwd=home)
        outcomes.append((status, normal(out, places), normal(err, places)))
        logs.append(normal(history(db)[1], places))
    assert outcomes[1] == outcomes[0]
    assert logs[1] == logs[0], "the fast path recorded something else than typer"
    status, text, error = outcomes[0]
    return str(status), text, error


# --- the table: successes and every error the application raises for status and log ---------

N = ["--now", "2025-03-15"]
STATUS_CASES = [
    ["status"],
    ["status", *N],
    ["status", "--format", "json", *N],
    ["status", "--format=csv", *N],
    ["status", *N, "--format", "md", "--open"],
    ["status", "--stale", "--now", "2025-06-01"],
    ["status", "--status", "pending", "--status=agreed", *N],
    ["status", "--status", "fulfilled", "--format", "json", *N],
    ["status", "--party", "kenya", *N],
    ["status", "--party", "Nobody", *N],
    ["status", "--by", "william ruto", *N],
    ["status", "--by", "Nobody", "--by=William Ruto", "--format", "json", *N],
    ["status", "--tag", "trade", *N],
    ["status", "--kind", "agreement", "--sort", "id", *N],
    ["status", "--sort=last", *N],
    ["status", "--sort", "since", "--format", "csv", *N],
    ["status", "--sort", "stale", "--stale", "--now", "2025-06-01"],
    ["status", "--as-of", "2025-01-26"],
    ["status", "--as-of", "2025-01-27", "--open"],
    ["status", "--now", "-2w"],
    ["status", "--open", "--open", "--stale", "--format", "table", "--format", "json", *N],
    ["status", "stip", *N],
    ["status", "stip"],
    ["status", "stip", "--format", "json", *N],
    ["status", "--format", "csv", "stip", *N],
    ["status", "stip", "--format=md"],
    ["status", "stip", "--as-of", "2025-01-27"],
    ["status", "old-deal", "--format", "json"],
    ["--as", "someone", "status", "stip"],
    ["--as=", "status"],
    ["--db", "{db}", "status"],
    ["--db={db}", "--db", "{db}", "status", "stip"],
    # errors
    ["status", "nope"],
    ["status", "stp"],
    ["status", "Bad ID"],
    ["status", ""],
    ["status", "-"],
    ["status", "--format", "xml"],
    ["status", "stip", "--format", "yaml"],
    ["status", "stip", "--open"],
    ["status", "stip", "--stale"],
    ["status", "stip", "--party", "Kenya"],
    ["status", "stip", "--status", "agreed"],
    ["status", "stip", "--sort", "id"],
    ["status", "stip", "--by", "William Ruto"],
    ["status", "--sort", "bogus"],
    ["status", "--kind", "treaty"],
    ["status", "--by", ""],
    ["status", "--tag", "a\tb"],
    ["status", "--now", "01/02/2025"],
    ["status", "--now", "2025-02-30"],
    ["status", "--as-of", "someday"],
    ["status", "stip", "--as-of", "2020-01-01"],
    ["status", "--status", "bogus"],
    ["status", "--status", ""],
    ["status", "--party", ""],
    ["status", "--party", "bad\nname"],
    ["--db", "{home}/missing/x.db", "status"],
    ["--db", "{home}", "status"],
    ["--db", "mysql://u@h/x", "status"],
    ["--db=", "status"],
]  # fmt: skip
Q = "We discussed the matter."
LOG_CASES = [
    ["log", Q, "--by", "A Speaker", "-c", "stip=signed", "--on", "2025-02-01"],
    ["log", "--by", "A", Q, "-cstip", "--on=2025-02-01"],
    ["log", Q, "--by=A", "--commitment", "stip=pending", "--commitment=haiti-mss-strategy", "--source", "https://example.org/x", "--tag", "t1", "--tag", "t2", "--note", "a note"],
    ["log", Q, "--by", "A", "-c", "fresh-one=agreed", "--title", "A fresh one", "--on", "2025-02-01"],
    ["log", Q, "--by", "A", "-c", "stip", "--on", "-1d", "--by", "B"],
    ["log", Q, "--by", "Marco Rubio", "--by=William Ruto", "-c", "stip", "--on", "2025-02-01"],
    ["log", Q, "--by", "A", "--by", "B", "--by", "A", "-c", "stip"],
    ["log", Q, "--by", "A", "-c", "stip", "--on", "today"],
    ["log", "“Curly” — quotes, é", "--by", "Ministre Élu", "-c", "stip=in the works"],
    ["--as", "someone", "log", Q, "--by", "A", "-c", "stip"],
    ["log", Q, "--by", "A"],
    # errors
    ["log", Q, "--by", "A", "-c", "stp=pending"],
    ["log", Q, "--by", "A", "-c", "nope"],
    ["log", Q, "--by", "A", "-c", "Bad Id"],
    ["log", Q, "--by", "A", "-c", "stip", "--on", "2025-13-01"],
    ["log", Q, "--by", "A", "-c", "stip", "--on", "01/02/2025"],
    ["log", Q, "--by", "A", "-c", "stip", "--on", "tomorrow"],
    ["log", "", "--by", "A", "-c", "stip"],
    ["log", "   ", "--by", "A", "-c", "stip"],
    ["log", "x" * 100_001, "--by", "A", "-c", "stip"],
    ["log", "red \x1b[31malert\x1b[0m", "--by", "A", "-c", "stip"],
    ["log", Q, "--by", "A", "-c", "stip=bogus"],
    ["log", Q, "--by", "A", "-c", "stip="],
    ["log", Q, "--by", "A", "-c=stip"],
    ["log", Q, "--by", "", "-c", "stip"],
    ["log", Q, "--by=", "-c", "stip"],
    ["log", Q, "--by", "A", "--by", "", "-c", "stip"],
    ["log", Q, "--by", "A", "--by", "B\nC", "-c", "stip"],
    ["log", Q, "--by", "A\nB", "-c", "stip"],
    ["log", Q, "--by", "A", "-c", "stip", "--source", ""],
    ["log", Q, "--by", "A", "-c", "stip", "--tag", ""],
    ["log", Q, "--by", "A", "-c", "stip", "--note", "  "],
    ["log", Q, "--by", "A", "-c", "a-one", "-c", "b-two", "--title", "Two at once"],
    ["log", Q, "--by", "A", "-c", "stip", "--title", "Already there"],
    ["log", Q, "--by", "A", "-c", "new-one", "--title", ""],
    ["--as", "", "log", Q, "--by", "A", "-c", "stip"],
    ["--as=bad\tname", "log", Q, "--by", "A", "-c", "stip"],
    ["--db", "{home}/missing/x.db", "log", Q, "--by", "A", "-c", "stip"],
    ["--db", "mysql://u@h/x", "log", Q, "--by", "A", "-c", "stip"],
]  # fmt: skip


REMIND_CASES = [
    ["remind", *N],
    ["remind"],
    ["remind", "--now", "2025-02-10"],
    ["remind", "--now=2025-06-01", "--format", "json"],
    ["remind", "--format=md", *N],
    ["remind", "--format", "html", *N],
    ["remind", "--format", "text", "--format", "md", *N, "--now", "2025-06-01"],
    ["remind", *N, "--record"],
    ["remind", "--record", "--record", "--format", "json", *N],
    ["--as", "someone", "remind", "--record", *N],
    ["--as", "someone", "remind", *N],
    # errors
    ["remind", "--format", "xml"],
    ["remind", "--format", "table", *N],
    ["remind", "--now", "someday"],
    ["remind", "--now", "2025-02-30", "--record"],
    ["--as", "", "remind", "--record", *N],
    ["--as", "", "remind", *N],
    ["--db", "{home}/missing/x.db", "remind"],
    ["--db", "{home}/missing/x.db", "remind", "--record"],
    ["--db", "mysql://u@h/x", "remind"],
]  # fmt: skip


def case_id(argv: Sequence[str]) -> str:
    return " ".join(a if len(a) < 30 else a[:27] + "..." for a in argv)


@pytest.mark.parametrize("argv", STATUS_CASES + LOG_CASES + REMIND_CASES, ids=case_id)
def test_fast_path_gives_what_typer_gives(stores: Stores, tmp_path: Path, argv: list[str]) -> None:
    compare(stores, tmp_path, argv)


PG_CASES = [
    ["status", *N],
    ["status", "stip", "--format", "json", *N],
    ["status", "--status", "pending", "--format", "csv", *N],
    ["status", "stp"],
    ["status", "stip", "--open"],
    ["log", Q, "--by", "A", "-c", "stip=signed", "--on", "2025-02-01"],
    ["log", Q, "--by", "A", "-c", "fresh-one=agreed", "--title", "A fresh one"],
    ["log", Q, "--by", "A", "-c", "stp=pending"],
    ["log", Q, "--by", "A", "-c", "stip", "--on", "2025-02-30"],
    ["remind", *N],
    ["remind", "--record", "--format", "json", *N],
    ["remind", "--format", "md", "--now", "2025-06-01"],
]  # fmt: skip


@pytest.mark.both_stores
@pytest.mark.parametrize("argv", PG_CASES, ids=case_id)
def test_fast_path_gives_what_typer_gives_on_both_stores(
    stores: Stores, tmp_path: Path, argv: list[str]
) -> None:
    compare(stores, tmp_path, argv)


def test_an_unreachable_postgresql_server_is_the_same_error(stores: Stores, tmp_path: Path) -> None:
    code, _, err = compare(stores, tmp_path, ["--db", "postgresql://u@127.0.0.1:1/x", "status"])
    assert code == "1"
    assert err.startswith("Error: ")


@pytest.mark.parametrize(
    ("stdin", "expect"),
    [
        (b"A quote from\r\nstandard input\n", "0"),
        ("“Non-ASCII” on stdin".encode(), "0"),
        (b"not \xff UTF-8", "2"),
        (b"", "2"),
    ],
)
def test_a_quote_from_standard_input(
    stores: Stores, tmp_path: Path, stdin: bytes, expect: str
) -> None:
    argv = ["log", "-", "--by", "A", "-c", "stip", "--on", "2025-02-01"]
    assert compare(stores, tmp_path, argv, stdin=stdin)[0] == expect


@pytest.mark.parametrize(
    ("argv", "env"),
    [
        (["status", "stip"], {"TRACKER_DB": "{db}"}),
        (["status"], {"TRACKER_DB": ""}),  # empty: click ignores it; the default is used
        (["log", Q, "--by", "A", "-c", "stip"], {"TRACKER_DB": ""}),
        (["--db", "{db}", "status"], {"TRACKER_DB": "{home}/elsewhere.db"}),
        (["log", Q, "--by", "A", "-c", "stip"], {"TRACKER_USER": ""}),  # the login name
        (["log", Q, "--by", "A", "-c", "stip"], {"TRACKER_USER": "from-env"}),
        (["--as", "given", "log", Q, "--by", "A", "-c", "stip"], {"TRACKER_USER": "from-env"}),
        (["log", Q, "--by", "A", "-c", "stip"], {"TRACKER_USER": "bad\x07name"}),
        (["status", "stip"], {"TRACKER_REVIEW_EVERY": "2w"}),
        (["status"], {"TRACKER_REVIEW_EVERY": "often"}),
        (["status", "stip"], {"COLUMNS": "40"}),
        (["status", *N], {"COLUMNS": "50"}),
        (["remind", *N], {"TRACKER_REVIEW_EVERY": "2w"}),
        (["remind", *N], {"TRACKER_REVIEW_EVERY": "often"}),
        (["remind", "--record", *N], {"TRACKER_USER": "from-env"}),
        (["remind", *N], {"NO_COLOR": "1", "COLUMNS": "40"}),
    ],
    ids=lambda v: case_id(v) if isinstance(v, list) else repr(v),
)
def test_environment_variables_mean_what_they_mean_to_click(
    stores: Stores, tmp_path: Path, argv: list[str], env: dict[str, str]
) -> None:
    compare(stores, tmp_path, argv, env)


# --- what the fast path does not claim -------------------------------------------------------

UNCLAIMED = [
    [],
    ["--help"],
    ["-h"],
    ["--version"],
    ["status", "--help"],
    ["status", "-h"],
    ["log", "--help"],
    ["log", Q, "--by", "A", "-h"],
    ["status", "--"],
    ["--", "status"],
    ["log", Q, "--by", "A", "-c", "stip", "--"],
    ["log", "--", "-quote", "--by", "A"],
    ["status", "a", "b"],
    ["log", "--by", "A", "-c", "stip"],
    ["log", Q, "-c", "stip"],
    ["log", Q, "Q2", "--by", "A"],
    ["log", Q, "--by"],
    ["status", "--format"],
    ["status", "--open=yes"],
    ["status", "--stale="],
    ["status", "--bogus"],
    ["status", "--no-open"],
    ["status", "-x"],
    ["status", "-c", "x"],
    ["status", "-open"],
    ["status", "-5"],
    ["log", "-5 percent", "--by", "A"],
    ["log", Q, "--by", "A", "--open"],
    ["log", Q, "--by", "A", "-C", "stip"],
    ["log", Q, "--by", "A", "-hc", "stip"],
    ["--db"],
    ["--db", "x"],
    ["--as", "x", "--db"],
    ["path"],
    ["add", "x", "--title", "X"],
    ["stat"],
    ["Status"],
    ["-", "status"],
    ["status", "--db", "x"],
    ["--verbose", "status"],
    ["--install-completion"],
    ["--show-completion"],
    ["--db", "x", "remind", "--output", "r.txt"],
    ["remind", "--cron", "0 8 * * *"],
    ["remind", "--output-dir", "d", "--notify", "cat"],
    ["remind", "--notify=cat"],
    ["remind", "extra"],
    ["remind", "--record=yes"],
    ["remind", "--now"],
    ["remind", "-h"],
    ["remind", "--help"],
    ["remind", "--as", "x"],
    ["remind", "--open"],
    ["--db", "x", "reminds"],
]  # fmt: skip


@pytest.mark.parametrize("argv", UNCLAIMED, ids=case_id)
def test_what_the_fast_path_does_not_claim_goes_to_typer_untouched(
    argv: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert fastpath.parse(argv) is None
    seen: list[list[str]] = []
    monkeypatch.setattr(cli, "main", lambda: seen.append(list(sys.argv)))
    monkeypatch.setattr(sys, "argv", ["tracker", *argv])
    before = list(sys.argv)
    fastpath.main()
    assert seen == [before]
    assert sys.argv == before


def test_shell_completion_always_goes_to_typer() -> None:
    argv = ["status", "stip"]
    assert fastpath.parse(argv, {}) is not None
    assert fastpath.parse(argv, {"_TRACKER_COMPLETE": "complete_bash"}) is None


def test_windows_goes_to_typer(monkeypatch: pytest.MonkeyPatch) -> None:
    # click expands wildcards in argv and writes to the console its own way there.
    monkeypatch.setattr(sys, "platform", "win32")
    assert fastpath.parse(["status"], {}) is None


@pytest.mark.parametrize("argv", [["status", "--help"], ["log", Q], ["stat"], []], ids=case_id)
def test_unclaimed_argv_gives_typers_own_answer(argv: list[str]) -> None:
    env = {"TRACKER_DB": None}
    assert invoke(fastpath.main, argv, env) == invoke(cli.main, argv, env)


# --- the parser against click's, on generated command lines ---------------------------------


_group: list[Any] = []


def click_parse(argv: Sequence[str]) -> tuple[str, dict[str, Any], dict[str, Any]] | None:
    """What typer's click makes of argv (with os.environ as it is), or None: it refuses it."""
    if not _group:
        from typer.main import get_command

        _group.append(get_command(cli.app))
    group = _group[0]
    try:
        with contextlib_redirect():
            ctx = group.make_context("tracker", list(argv))
            name, command, rest = group.resolve_command(ctx, [*ctx._protected_args, *ctx.args])
            assert name is not None and command is not None
            sub = command.make_context(name, rest, parent=ctx)
    except Exception:  # a usage error, or help (click's Exit)
        return None
    params = {k: list(v) if isinstance(v, tuple) else v for k, v in sub.params.items()}
    return name, dict(ctx.params), params


@contextmanager
def contextlib_redirect() -> Iterator[None]:
    """Keep click's help and error text out of the test output."""
    saved = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = io.StringIO()
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


# fast path parameter -> typer parameter
TYPER_NAMES = {
    "statuses": "status_filter",
    "refs": "commitment",
    "tags": "tag",
    "actor": "as_",
}


def as_typer(invocation: fastpath.Invocation) -> tuple[str, dict[str, Any], dict[str, Any]]:
    params = {
        TYPER_NAMES.get(k, k): list(v) if isinstance(v, list) else v
        for k, v in invocation.params.items()
    }
    if invocation.command == "remind":  # the options the fast path leaves to typer
        params = {"output": None, "cron": None, "output_dir": None, "notify": None, **params}
    return invocation.command, {"db": invocation.db, "as_": invocation.actor}, params


# Option values are taken verbatim, even when they look like options.
VALUES = ["stip", "stip=agreed", "x", "", " ", "-", "-2w", "2025-01-27", "é", "a=b", "json",
          "table", "xml", "Kenya", "=stip", "--by", "-c", "--help", "-h", "--open", "status",
          "log", "{db}", "today"]  # fmt: skip
ARGUMENTS = ["stip", "haiti-mss-strategy", "old-deal", "nope", "x", "", "-", "é", "Bad ID",
             "A quote.", "status", "log"]  # fmt: skip
JUNK = ["--help", "-h", "--", "-x", "--bogus", "--open=1", "--stale=", "-cstip", "-c=stip",
        "-", "", "status", "log", "--db", "--as", "--format", "-hc", "-ch", "--by=", "---",
        "--commitment=stip", "--status=agreed", "-c", "--by", "--title", "--now", "-C", "--as-of=",
        "--no-stale", "--Format", "-cc", "-2w", "--install", "--dbx=1"]  # fmt: skip


def option_tokens(options: Sequence[str], flags: Sequence[str]) -> st.SearchStrategy[list[str]]:
    value = st.sampled_from(VALUES)
    return st.one_of(
        st.tuples(st.sampled_from(options), value).map(list),
        st.tuples(st.sampled_from(options), value).map(lambda t: [f"{t[0]}={t[1]}"]),
        st.sampled_from(flags).map(lambda f: [f]) if flags else st.nothing(),
        value.map(lambda v: [f"-c{v}"]) if "-c" in options else st.nothing(),
    )


STATUS_ITEMS = option_tokens(["--as-of", "--now", "--status", "--party", "--format"], ["--open", "--stale"])  # fmt: skip
LOG_ITEMS = option_tokens(["--by", "--on", "--source", "-c", "--commitment", "--title", "--tag", "--note"], [])  # fmt: skip
REMIND_ITEMS = option_tokens(["--now", "--format"], ["--record"])
GLOBAL_ITEMS = option_tokens(["--db", "--as"], [])


@st.composite
def command_lines(draw: st.DrawFn, junk: float = 0.05) -> list[str]:
    """`tracker [GLOBAL]... status|log ...` from the subset's grammar, now and then off it."""

    def chance(p: float) -> bool:  # (Hypothesis favours 0: make 0 the usual case)
        return draw(st.integers(0, 999)) >= 1000 * (1 - p)

    def maybe_junk() -> list[str]:
        return [draw(st.sampled_from(JUNK))] if chance(junk) else []

    argv: list[str] = []
    for item in draw(st.lists(GLOBAL_ITEMS, max_size=3)):
        argv += item + maybe_junk()
    command = draw(st.sampled_from(["status", "log", "remind"]))
    argv.append(command)
    options = {"status": STATUS_ITEMS, "log": LOG_ITEMS, "remind": REMIND_ITEMS}[command]
    items = draw(st.lists(options, max_size=7))
    if command == "log" and not chance(0.1):
        items.insert(draw(st.integers(0, len(items))), ["--by", draw(st.sampled_from(VALUES))])
    usual = 0 if command == "remind" or (command == "status" and draw(st.booleans())) else 1
    arguments = draw(st.integers(0, 2)) if chance(0.1) else usual
    for _ in range(arguments):  # arguments go anywhere among the options
        items.insert(draw(st.integers(0, len(items))), [draw(st.sampled_from(ARGUMENTS))])
    for item in items:
        argv += item + maybe_junk()
    return argv


ENVS = st.fixed_dictionaries(
    {
        "TRACKER_DB": st.sampled_from([None, "", "/tmp/env.db"]),
        "TRACKER_USER": st.sampled_from([None, "", "env-user"]),
    }
)


@settings(max_examples=600, deadline=None, suppress_health_check=list(HealthCheck))
@given(command_lines(), ENVS)
def test_the_parser_reads_what_click_reads(argv: list[str], env: dict[str, str | None]) -> None:
    claimed = fastpath.parse(argv, {k: v for k, v in env.items() if v is not None})
    with environment(env):
        clicks = click_parse(argv)
    if claimed is not None:
        assert clicks is not None, f"claimed {argv}, which click refuses"
        assert as_typer(claimed) == clicks


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(command_lines(junk=0.02), st.data())
def test_whatever_the_fast_path_claims_it_runs_as_typer_does(
    stores: Stores, tmp_path: Path, argv: list[str], data: st.DataObject
) -> None:
    assume(fastpath.parse(argv, {}) is not None)
    folder = tmp_path / str(data.draw(st.integers(0, 10**9), label="folder"))
    folder.mkdir(exist_ok=True)
    env: dict[str, str | None] = {"TRACKER_USER": "tester", "_TRACKER_COMPLETE": None}
    compare(stores, folder, argv, env)


@pytest.mark.slow
def test_the_generated_command_lines_are_mostly_claimed() -> None:
    """Guard the property tests: the strategy must reach the fast path often enough."""
    claimed = 0
    seen = 0

    @settings(max_examples=300, database=None)
    @given(command_lines())
    def count(argv: list[str]) -> None:
        nonlocal claimed, seen
        seen += 1
        claimed += fastpath.parse(argv, {}) is not None

    count()
    assert claimed >= seen // 3


# --- the pieces shared with typer ----------------------------------------------------------


def typer_app_dir() -> str:
    import typer

    return typer.get_app_dir("tracker")


@pytest.mark.parametrize("platform", ["linux", "darwin", "win32", "cygwin"])
@pytest.mark.parametrize(
    "env",
    [
        {},
        {"XDG_CONFIG_HOME": "/x/conf"},
        {"XDG_CONFIG_HOME": ""},
        {"XDG_CONFIG_HOME": "/x//conf/"},
        {"HOME": "/home/someone"},
        {"APPDATA": "C:\\Users\\me\\AppData\\Roaming"},
        {"APPDATA": ""},
    ],
    ids=repr,
)
def test_the_default_database_is_typers(
    platform: str, env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import typer._click.utils as click_utils

    for key in ("XDG_CONFIG_HOME", "APPDATA", "LOCALAPPDATA"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(sys, "platform", platform)
    monkeypatch.setattr(click_utils, "WIN", platform.startswith("win"))
    assert locate.app_dir("tracker") == typer_app_dir()
    assert locate.default_db_path() == str(Path(typer_app_dir()) / "tracker.db")


def test_the_default_database_is_typers_here() -> None:
    assert locate.default_db_path() == str(Path(typer_app_dir()) / "tracker.db")


class FakePsycopgError(Exception):
    pass


FakePsycopgError.__module__ = "psycopg2.errors"


def test_the_error_boundary_maps_what_it_always_mapped() -> None:
    from events.codec import CodecError, NewerSchemaError

    def mapped(exc: Exception) -> tuple[type[TrackerError], str] | None:
        error = entry.failure(exc)
        return None if error is None else (type(error), str(error))

    mine = UserError("bad input")
    assert entry.failure(mine) is mine
    assert mapped(NewerSchemaError("schema 9")) == (
        UserError,
        "the database holds an event written by a newer tracker (schema 9)",
    )
    assert mapped(CodecError("bad shape")) == (
        RuntimeFailure,
        "the log holds an event this tracker cannot read (bad shape); it was changed "
        "behind tracker's back: run tracker verify",
    )
    assert mapped(sqlite3.DatabaseError("malformed")) == (
        RuntimeFailure,
        "the database is damaged or was changed behind tracker's back (malformed); "
        "run tracker verify (tracker rebuild repairs the projections)",
    )
    assert entry.failure(BrokenPipeError()) is None
    assert mapped(PermissionError(13, "Permission denied", "/x/y")) == (
        RuntimeFailure,
        "cannot write /x/y: Permission denied",
    )
    assert mapped(OSError("disk on fire")) == (RuntimeFailure, "cannot write: disk on fire")
    assert mapped(FakePsycopgError("password authentication failed\nDETAIL: x")) == (
        RuntimeFailure,
        "the PostgreSQL server refused: password authentication failed",
    )
    assert mapped(FakePsycopgError("")) == (
        RuntimeFailure,
        "the PostgreSQL server refused: FakePsycopgError",
    )
    assert entry.failure(ValueError("a bug")) is None
    assert entry.failure(KeyError("a bug")) is None


# --- real processes: the console script's own streams -------------------------------------


ENTRIES = {
    "fast": "from tracker.fastpath import main; main()",  # what the console script runs
    "typer": "import cli; cli.main()",  # what it ran before
}


def process(
    entry: str, argv: Sequence[str], env: Mapping[str, str], stdin: bytes = b""
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-c", ENTRIES[entry], *argv],
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        input=stdin,
        capture_output=True,
        check=False,
    )


def both_processes(
    stores: Stores, tmp_path: Path, argv: Sequence[str], env: Mapping[str, str] | None = None
) -> tuple[subprocess.CompletedProcess[bytes], subprocess.CompletedProcess[bytes]]:
    results = []
    for side in ("typer", "fast"):
        db = stores.copy(tmp_path, side)
        results.append(process(side, argv, {"TRACKER_DB": db, **(env or {})}))
    return results[0], results[1]


def masked(result: subprocess.CompletedProcess[bytes]) -> tuple[int, bytes, bytes]:
    return (
        result.returncode,
        UUID.sub("<uuid>", result.stdout.decode("utf-8", "replace")).encode(),
        result.stderr,
    )


@pytest.mark.parametrize(
    "argv",
    [
        ["status", "stip", *N],
        ["status", "--format", "json", *N],
        ["status", "stp"],
        ["status", "é"],
        ["log", "“Quoted”", "--by", "Élu", "-c", "stip"],
        ["log", Q, "--by", "A", "-c", "nöpe"],
    ],
    ids=case_id,
)
@pytest.mark.parametrize("encoding", ["utf-8", "ascii", "latin-1"])
def test_the_console_streams_are_written_as_click_writes_them(
    stores: Stores, tmp_path: Path, argv: list[str], encoding: str
) -> None:
    # An ASCII stdout (PYTHONIOENCODING=ascii) is one click replaces by UTF-8.
    # A Latin-1 one is used as it is: text it cannot encode is a crash (a bug, with its
    # traceback) both ways.
    env = {"PYTHONIOENCODING": encoding, "TRACKER_USER": "tester"}
    typer, fast = both_processes(stores, tmp_path, argv, env)
    if b"Traceback" in typer.stderr:
        assert encoding == "latin-1"
        assert (fast.returncode, fast.stdout) == (typer.returncode, typer.stdout)
        assert fast.stderr.splitlines()[-1] == typer.stderr.splitlines()[-1]
        return
    assert masked(fast) == masked(typer)


def into_a_closed_pipe(stores: Stores, tmp_path: Path, args: list[str]) -> list[tuple[int, bytes]]:
    """(exit code, stderr) of typer's side and then the fast path's, each writing `args`'s
    output into a pipe nobody reads (the first write fails with EPIPE)."""
    outcomes = []
    for side in ("typer", "fast"):
        db = stores.copy(tmp_path, side)
        read, write = os.pipe()
        os.close(read)
        try:
            result = subprocess.run(
                [sys.executable, "-c", ENTRIES[side], *args],
                env={**os.environ, "PYTHONPATH": str(ROOT), "TRACKER_DB": db},
                stdout=write,
                stderr=subprocess.PIPE,
                check=False,
            )
        finally:
            os.close(write)
        outcomes.append((result.returncode, result.stderr))
    return outcomes


def test_a_reader_that_closes_the_pipe_early_gets_quiet(stores: Stores, tmp_path: Path) -> None:
    """`tracker status | head -1`: no traceback and no error line, as typer does it."""
    outcomes = into_a_closed_pipe(stores, tmp_path, ["status", "--format", "json"])
    assert outcomes[1] == outcomes[0]
    assert outcomes[0] == (1, b"")


@pytest.mark.parametrize("encoding", ["utf-8", "ascii", "latin-1"])
def test_the_report_is_written_to_the_console_as_typer_writes_it(
    stores: Stores, tmp_path: Path, encoding: str
) -> None:
    # `remind` writes its report with sys.stdout.write, not click's echo: on an ASCII or
    # Latin-1 stdout its curly quotes are a crash (with its traceback) both ways.
    env = {"PYTHONIOENCODING": encoding, "TRACKER_USER": "tester"}
    typer, fast = both_processes(stores, tmp_path, ["remind", "--record", *N], env)
    assert (fast.returncode, masked(fast)[1]) == (typer.returncode, masked(typer)[1])
    assert UUID.sub("<uuid>", fast.stderr.decode().splitlines()[-1]) == UUID.sub(
        "<uuid>", typer.stderr.decode().splitlines()[-1]
    )


def test_a_reader_that_closes_the_pipe_early_stops_the_report_as_typer_does(
    stores: Stores, tmp_path: Path
) -> None:
    outcomes = into_a_closed_pipe(stores, tmp_path, ["remind", *N])
    assert outcomes[1] == outcomes[0]


def test_the_fast_path_imports_neither_typer_nor_the_heavy_modules(
    stores: Stores, tmp_path: Path
) -> None:
    db = stores.copy(tmp_path, "fast")
    probe = (
        "import sys\n"
        "from tracker.fastpath import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as exc:\n"
        "    print('exit', exc.code, file=sys.stderr)\n"
        "print(' '.join(sorted(sys.modules)), file=sys.stderr)\n"
    )
    heavy = ("typer", "click", "sqlite_utils", "apscheduler", "psycopg2", "rich", "icalendar",
             "tracker.application.remind", "tracker.application.board", "tracker.output.board",
             "tracker.ingest", "tracker.application.integrity", "tracker.application.schedule", "cli", "tempfile", "csv", "html", "getpass")  # fmt: skip
    # Reading the status needs no event to be made or decoded: not attrs (and what it
    # drags in: inspect, ast...), not the event types and codec, not the projection's fold.
    heavy_for_status = ("attr", "attrs", "events.codec", "events.types",
                        "projections.commitments", "tracker.domain.decide", "inspect", "uuid")  # fmt: skip
    for argv in (
        ["status", "stip", "--format", "json"],
        ["status", "stip"],
        ["status", "stip", "--as-of", "2025-02-01", "--format", "json"],
        ["status"],
        ["status", "--format", "json"],
        ["status", "--as-of", "2025-02-01", "--open", "--stale", *N],
        ["status", "no-such-thing"],  # the error, with its did-you-mean
        ["log", Q, "--by", "A", "-c", "stip=agreed", "--on", "2025-02-01"],
        ["log", Q, "--by", "A", "-c", "stp"],
        ["remind", *N],
        ["remind", "--format", "md", *N],
        ["remind", "--record", *N],
    ):
        result = subprocess.run(
            [sys.executable, "-c", probe, *argv],
            env={**os.environ, "PYTHONPATH": str(ROOT), "TRACKER_DB": db},
            capture_output=True,
            text=True,
            check=False,
        )
        *_, last = result.stderr.splitlines()
        loaded = set(last.split())
        assert "tracker.entry" in loaded, result.stderr
        if argv[0] == "remind":
            # Reading the report is reading the status (Markdown escapes with `html`);
            # recording it makes an event.
            forbidden = tuple(m for m in heavy if m not in ("tracker.application.remind", "html"))
            forbidden += () if "--record" in argv else heavy_for_status
        else:
            forbidden = heavy + (heavy_for_status if argv[0] == "status" else ())
        imported = sorted(m for m in loaded if m.split(".")[0] in forbidden or m in forbidden)
        assert imported == [], f"{argv}: {imported}"
        if "stip=agreed" in argv:  # the probe hides nothing: this `log` makes an event
            assert {"attrs", "events.codec", "projections.commitments"} <= loaded


def test_reading_the_status_of_a_stale_database_rebuilds_it_first(
    stores: Stores, tmp_path: Path
) -> None:
    """`status` loads the fold only when the projections must catch up, and then does."""
    db = stores.copy(tmp_path, "fast")
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE projection_checkpoints SET version = version - 1")
        conn.execute("DELETE FROM commitments")
    conn.close()
    result = subprocess.run(
        [sys.executable, "-m", "tracker.fastpath", "status", "stip", "--format", "json", *N],
        env={**os.environ, "PYTHONPATH": str(ROOT), "TRACKER_DB": db},
        capture_output=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["status"] == "pending"


def test_the_console_script_is_the_fast_path() -> None:
    import tomllib

    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts == {"tracker": "tracker.fastpath:main"}


def test_status_json_is_the_same_object_both_ways(stores: Stores, tmp_path: Path) -> None:
    _, out, _ = compare(stores, tmp_path, ["status", "stip", "--format", "json", *N])
    assert json.loads(out)["status"] == "pending"
