"""The PostgreSQL store's own rules: what it refuses, and moving a desk between stores."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest

from tests.conftest import WORKED_EXAMPLE, pg_cursor, pg_unavailable, scratch_pg_database


@pytest.fixture
def pg_url():
    reason = pg_unavailable()
    if reason:
        pytest.skip(reason)
    with scratch_pg_database() as url:
        yield url


def one_line(result, code: int, fragment: str) -> None:
    assert result.exit_code == code, result
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and fragment in lines[0], (
        result.stderr
    )


def sql(url: str, statement: str) -> None:
    with pg_cursor(url) as cursor:
        cursor.execute(statement)


def test_events_cannot_be_updated_deleted_or_truncated(run, pg_url):
    import psycopg2.errors

    assert run("--db", pg_url, *WORKED_EXAMPLE[0]).exit_code == 0
    for statement in (
        "UPDATE events SET recorded_by = 'x'",
        "DELETE FROM events",
        "TRUNCATE events",
        "INSERT INTO events SELECT seq + 5, id || 'x', type, schema, occurred_on, recorded_at, "
        "recorded_by, data, prev_hash, hash FROM events",
    ):
        with pytest.raises(psycopg2.errors.RaiseException):
            sql(pg_url, statement)
    assert run("--db", pg_url, "verify").exit_code == 0


def test_a_database_holding_other_tables_is_refused_untouched(run, pg_url):
    sql(pg_url, "CREATE TABLE recipes (name TEXT)")
    one_line(run("--db", pg_url, "status"), 2, "holds tables (recipes) but no tracker log")
    one_line(run("--db", pg_url, *WORKED_EXAMPLE[0]), 2, "holds tables (recipes)")
    with pg_cursor(pg_url) as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
        )
        tables = cursor.fetchall()
    assert tables == [("recipes",)]


def test_a_database_from_a_newer_version_is_refused(run, pg_url):
    assert run("--db", pg_url, "status").exit_code == 0  # creates the schema
    sql(pg_url, "INSERT INTO tracker_migrations VALUES ('m999_future', now())")
    one_line(run("--db", pg_url, "status"), 2, "written by a newer version of tracker")


def test_an_altered_trigger_function_is_caught_by_verify(run, pg_url):
    assert run("--db", pg_url, *WORKED_EXAMPLE[0]).exit_code == 0
    sql(
        pg_url,
        "CREATE OR REPLACE FUNCTION tracker_refuse_change() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$",
    )
    result = run("--db", pg_url, "verify")
    assert result.exit_code == 1
    assert "immutability trigger events_no_update was altered" in result.stdout


def test_path_hides_the_password_and_a_dead_server_is_one_line(run):
    url = "postgresql://analyst:s3cret@127.0.0.1:1/desk"
    assert run("--db", url, "path").stdout == "postgresql://analyst:***@127.0.0.1:1/desk\n"
    result = run("--db", url, "status")
    one_line(result, 1, "cannot connect to postgresql://analyst:***@127.0.0.1:1/desk")
    assert "s3cret" not in result.stderr


def test_a_desk_moves_from_laptop_to_server_and_back_exactly(run, pg_url, tmp_path: Path):
    laptop = str(tmp_path / "laptop.db")
    for step in WORKED_EXAMPLE:
        assert run("--db", laptop, *step).exit_code == 0
    run("--db", laptop, "followup", "stip", "--due", "2025-03-01", "--on", "2025-02-01")
    exported = run("--db", laptop, "export").stdout
    dump = tmp_path / "desk.jsonl"
    dump.write_text(exported, encoding="utf-8")
    assert run("--db", pg_url, "import", str(dump)).exit_code == 0
    assert run("--db", pg_url, "export").stdout == exported
    assert run("--db", pg_url, "verify").exit_code == 0
    for args in (
        ["status", "--format", "json"],
        ["remind", "--now", "2025-03-15", "--format", "json"],
    ):
        assert run("--db", pg_url, *args).stdout == run("--db", laptop, *args).stdout
    back = str(tmp_path / "back.db")
    (tmp_path / "server.jsonl").write_text(run("--db", pg_url, "export").stdout, encoding="utf-8")
    assert run("--db", back, "import", str(tmp_path / "server.jsonl")).exit_code == 0
    assert run("--db", back, "export").stdout == exported
    stip = json.loads(run("--db", pg_url, "status", "stip", "--format", "json").stdout)
    assert stip["label"] == "pending conclusion"


def test_a_disabled_trigger_is_caught_by_verify(run, pg_url):
    assert run("--db", pg_url, *WORKED_EXAMPLE[0]).exit_code == 0
    sql(pg_url, "ALTER TABLE events DISABLE TRIGGER events_no_update")
    result = run("--db", pg_url, "verify")
    assert result.exit_code == 1
    assert "immutability trigger events_no_update is disabled" in result.stdout


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            "postgresql://u@127.0.0.1:1/x?password=s3cret",
            "postgresql://u@127.0.0.1:1/x?password=***",
        ),
        ("postgresql://u:s3cret@127.0.0.1:abc/x", "postgresql://u:***@127.0.0.1:abc/x"),
        ("postgresql://u:s3cret@h1:1,h2:2/x", "postgresql://u:***@h1:1,h2:2/x"),
        ("POSTGRESQL://u:s3cret@127.0.0.1:1/x", "POSTGRESQL://u:***@127.0.0.1:1/x"),
    ],
)
def test_passwords_never_show_whatever_the_url(run, url, shown):
    assert run("--db", url, "path").stdout == f"{shown}\n"
    result = run("--db", url, "status")
    assert result.exit_code in (1, 2) and "s3cret" not in result.stderr + result.stdout
    assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr


def test_an_unknown_url_scheme_is_refused(run):
    result = run("--db", "postgresql+psycopg://u:s3cret@h/x", "status")
    one_line(result, 2, "postgresql+psycopg:// is not a store tracker knows")
    assert "s3cret" not in result.stderr


def test_a_server_error_after_connecting_is_one_line(run, pg_url):
    assert run("--db", pg_url, *WORKED_EXAMPLE[0]).exit_code == 0
    sql(pg_url, "CREATE ROLE tracker_reader LOGIN")
    sql(pg_url, "GRANT SELECT ON ALL TABLES IN SCHEMA public TO tracker_reader")
    reader = pg_url.replace("postgres@", "tracker_reader@")
    try:
        result = run("--db", reader, "log", "q", "--by", "A", "-c", "stip", "--on", "2025-01-01")
        one_line(result, 1, "the PostgreSQL server refused: permission denied")
    finally:
        sql(pg_url, "DROP OWNED BY tracker_reader")
        sql(pg_url, "DROP ROLE tracker_reader")


def test_an_import_and_a_rebuild_leave_the_planner_statistics(run, pg_url, tmp_path: Path):
    """Without them (autovacuum off, or not yet run) `log` read back its append with a
    scan of the whole events table."""

    def analysed(url: str) -> set[str]:
        with pg_cursor(url) as cursor:
            cursor.execute("SELECT DISTINCT tablename FROM pg_stats WHERE schemaname = 'public'")
            return {r[0] for r in cursor.fetchall()}

    for step in WORKED_EXAMPLE:
        assert run("--db", pg_url, *step).exit_code == 0
    export = tmp_path / "log.jsonl"
    assert run("--db", pg_url, "export", "--output", str(export)).exit_code == 0
    with scratch_pg_database() as fresh:
        assert run("--db", fresh, "import", str(export)).exit_code == 0
        assert {"events", "timeline", "commitments"} <= analysed(fresh)
    assert run("--db", pg_url, "rebuild").exit_code == 0
    assert {"events", "timeline", "commitments"} <= analysed(pg_url)


def test_a_database_missing_its_migrations_record_gets_the_full_checks(run, pg_url):
    """The everyday open reads the schema record, the checkpoints and the last seq at
    once; anything unexpected there falls back to the checks that name the problem."""
    assert run("--db", pg_url, *WORKED_EXAMPLE[0]).exit_code == 0
    sql(pg_url, "INSERT INTO tracker_migrations (name, applied_at) VALUES ('m999_future', now())")
    one_line(run("--db", pg_url, "status"), 2, "newer version of tracker (schema step m999_future)")
    sql(pg_url, "DROP TABLE tracker_migrations")
    one_line(run("--db", pg_url, "status"), 2, "but no tracker log")


def test_ctrl_c_stops_a_command_waiting_on_the_server_and_writes_nothing(run, pg_url):
    """Ctrl-C must not wait for the server: a `log` queued behind another writer's lock
    stops at once with exit 130, and its statement is not in the log."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from tracker.persistence.postgres import WRITE_LOCK

    assert run("--db", pg_url, *WORKED_EXAMPLE[0]).exit_code == 0
    with pg_cursor(pg_url) as other_writer:
        other_writer.execute("SELECT pg_advisory_lock(%s)", (WRITE_LOCK,))
        env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
        proc = subprocess.Popen(
            [sys.executable, "-m", "tracker.fastpath", "--db", pg_url, "log",
             "Queued behind the lock.", "--by", "A Speaker", "-c", "stip=pending"],
            env={**env, "TRACKER_USER": "tester"},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )  # fmt: skip
        try:
            # Wait until it is queued on the lock, then interrupt it.
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                other_writer.execute(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                )
                if other_writer.fetchone()[0]:
                    break
                time.sleep(0.05)
            else:
                pytest.fail("the log never queued on the write lock")
            started = time.monotonic()
            proc.send_signal(signal.SIGINT)
            code = proc.wait(timeout=10)
            took = time.monotonic() - started
        finally:
            proc.kill()
            proc.wait()
    assert code == 130, proc.stderr.read() if proc.stderr else ""
    assert took < 5
    assert "Queued behind the lock." not in run("--db", pg_url, "export").stdout


@contextmanager
def silent_server():
    """A TCP port that accepts connections and never answers, like a hung server: the
    URL to it. Needs only the driver, not a PostgreSQL server."""
    pytest.importorskip("psycopg2", reason="the postgres extra is not installed")
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            with suppress(OSError):
                accepted.append(listener.accept()[0])

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"postgresql://postgres@127.0.0.1:{listener.getsockname()[1]}/x"
    finally:
        stop.set()
        thread.join()
        for sock in [*accepted, listener]:
            sock.close()


def spawn_status(url: str, **extra_env: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRACKER_", "PG"))}
    return subprocess.Popen(
        [sys.executable, "-m", "tracker.fastpath", "--db", url, "status"],
        env={**env, **extra_env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_server_that_never_answers_fails_after_the_connect_timeout():
    """libpq's connect_timeout (in the URL, or PGCONNECT_TIMEOUT) bounds the wait for a
    server that accepts and never answers: one line, exit 1, instead of a hang."""
    with silent_server() as url:
        for target, env in ((f"{url}?connect_timeout=2", {}), (url, {"PGCONNECT_TIMEOUT": "2"})):
            started = time.monotonic()
            proc = spawn_status(target, **env)
            try:
                _, stderr = proc.communicate(timeout=30)
            finally:
                proc.kill()
            took = time.monotonic() - started
            assert proc.returncode == 1, stderr
            assert stderr == f"Error: cannot connect to {target} (timeout expired)\n"
            assert 1.5 < took < 15


def test_the_connect_timeout_follows_libpq():
    pytest.importorskip("psycopg2", reason="the postgres extra is not installed")
    from tracker.persistence.postgres import DEFAULT_CONNECT_TIMEOUT, connect_timeout

    url = "postgresql://u@h/d"
    assert connect_timeout(url) == DEFAULT_CONNECT_TIMEOUT
    assert connect_timeout(url + "?connect_timeout=7") == 7
    assert connect_timeout(url + "?connect_timeout=1") == 2  # libpq's minimum
    assert connect_timeout(url + "?connect_timeout=0") is None  # for ever, as in libpq


def test_ctrl_c_while_connecting_exits_130():
    """Ctrl-C while the server has not yet answered the connection ends the command at
    once with 130, not with a connection error."""
    with silent_server() as url:
        proc = spawn_status(url)
        try:
            time.sleep(1.5)  # started, imported, and waiting for the server
            assert proc.poll() is None
            started = time.monotonic()
            proc.send_signal(signal.SIGINT)
            _, stderr = proc.communicate(timeout=10)
            took = time.monotonic() - started
        finally:
            proc.kill()
    assert proc.returncode == 130, stderr
    assert "cannot connect" not in stderr
    assert took < 5


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("postgresql://u:pa%zzword@127.0.0.1/x", "invalid percent-encoded token"),
        ("postgresql://u:s3cret@127.0.0.1:99999/x", "a port is not a number from 1 to 65535"),
        ("postgresql://u:s3cret@127.0.0.1:abc/x", "a port is not a number from 1 to 65535"),
        # a password with an unescaped "/": libpq reads "u" as the host and "s3" as the port
        ("postgresql://u:s3/cret@127.0.0.1/x", "a port is not a number from 1 to 65535"),
        (
            'postgresql://u:s3"cret@[::1/x',
            'end of string reached when looking for matching "]" in IPv6 host address in URI',
        ),
        (
            "postgresql://u:s3cret@[::1/x",
            'end of string reached when looking for matching "]" in IPv6 host address in URI',
        ),
        ("postgresql://u:s3cret@127.0.0.1/x?bogus=1", "invalid URI query parameter"),
        (
            "postgresql://u:s3cret@127.0.0.1/x?connect_timeout=soon",
            "connect_timeout is not a whole number of seconds",
        ),
    ],
)
def test_a_malformed_url_is_bad_input_and_never_shows_the_password(run, url, reason):
    """A URL libpq cannot read is a typo to fix (exit 2), not a server that failed to
    answer; libpq's quoted token is left out, as it may be the password."""
    pytest.importorskip("psycopg2", reason="the postgres extra is not installed")
    for command in (["status"], ["log", "q", "--by", "A", "-c", "x", "--on", "2025-01-01"]):
        result = run("--db", url, *command)
        one_line(result, 2, f"is malformed ({reason}); correct it in --db or TRACKER_DB")
        for secret in ("s3", "cret", "pa%zzword"):
            assert secret not in result.stderr


def test_a_refused_append_is_one_line_without_the_servers_detail(run, pg_url):
    assert run("--db", pg_url, *WORKED_EXAMPLE[0]).exit_code == 0
    sql(
        pg_url,
        "CREATE FUNCTION no_appends() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "RAISE EXCEPTION 'appends are paused' USING DETAIL = 'maintenance window', "
        "HINT = 'try later'; END $$",
    )
    sql(pg_url, "CREATE TRIGGER no_appends BEFORE INSERT ON events EXECUTE FUNCTION no_appends()")
    before = run("--db", pg_url, "export").stdout
    result = run(
        "--db", pg_url, "log", "More talks.", "--by", "A", "-c", "stip", "--on", "2025-02-01"
    )
    assert result.stderr == (
        "Error: the log refused the append (appends are paused); nothing was written\n"
    )
    assert result.exit_code == 1
    sql(pg_url, "DROP TRIGGER no_appends ON events")
    assert run("--db", pg_url, "export").stdout == before


def test_the_server_is_reached_through_a_descriptor_above_1023(pg_url, tmp_path: Path):
    """select() cannot watch a file descriptor numbered 1024 or more; the wait for the
    server must work whatever number the connection's socket gets."""
    import resource

    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    if hard != resource.RLIM_INFINITY and hard < 1200:
        pytest.skip(f"this machine allows {hard} open files, too few to test")
    script = (
        "import os, resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_NOFILE, (1200, resource.getrlimit("
        "resource.RLIMIT_NOFILE)[1]))\n"
        "held = [os.open(os.devnull, os.O_RDONLY) for _ in range(1100)]\n"
        "assert max(held) > 1024\n"
        "from tracker.fastpath import main\n"
        "sys.argv = ['tracker', '--db', sys.argv[1], 'status']\n"
        "main()\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRACKER_", "PG"))}
    result = subprocess.run(
        [sys.executable, "-c", script, pg_url],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "no commitments match; add one with: tracker add ID --title TEXT\n"


@pytest.mark.parametrize(
    ("url", "env", "shown"),
    [
        ("postgresql://u:s3cret@127.0.0.1/x?sslmode=maybe", {}, 'invalid sslmode value: "maybe"'),
        (
            "postgresql://u:s3cret@127.0.0.1/x",
            {"PGSSLMODE": "maybe"},
            'invalid sslmode value: "maybe"',
        ),
    ],
)
def test_an_option_libpq_refuses_when_connecting_is_bad_input(url, env, shown):
    """Settings libpq refuses before connecting, in the URL or in the PG* environment,
    are bad input (exit 2), named with the option, never with the password."""
    proc = spawn_status(url, **env)
    _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 2, stderr
    assert stderr == (
        f"Error: the PostgreSQL connection settings are invalid ({shown}); correct the URL "
        "in --db or TRACKER_DB, or the PG* environment variables\n"
    )


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://u@127.0.0.1:+5432/x",
        "postgresql://u@127.0.0.1:%205432/x",
        "postgresql://u@127.0.0.1/x?port=%205432%20&connect_timeout=%2010%20",
        "postgresql://u@h1:1,h2:2/x",
        "postgresql:///x?host=/var/run/postgresql",
    ],
)
def test_urls_libpq_accepts_are_not_refused(url):
    pytest.importorskip("psycopg2", reason="the postgres extra is not installed")
    from tracker.persistence.postgres import url_problem

    assert url_problem(url) is None


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://u:s3/cret@h/db", "postgresql://u:***@h/db"),
        (
            "postgresql://u@h/x?pass%77ord=s3cret&sslmode=require",
            "postgresql://u@h/x?pass%77ord=***&sslmode=require",
        ),
        ("postgresql://u@h/x?PASSWORD=s3cret#frag", "postgresql://u@h/x?PASSWORD=***#frag"),
    ],
)
def test_redact_hides_passwords_libpq_would_misread_or_decode(url, shown):
    from tracker.persistence.postgres import redact

    assert redact(url) == shown


def test_verify_notices_a_column_added_to_a_projection_on_postgresql(run, pg_url):
    assert run("--db", pg_url, *WORKED_EXAMPLE[0]).exit_code == 0
    sql(pg_url, "ALTER TABLE commitments ADD COLUMN extra INTEGER DEFAULT 0")
    result = run("--db", pg_url, "verify")
    assert result.exit_code == 1
    assert "projection table commitments has columns a fresh replay has not (extra)" in (
        result.stdout
    )
