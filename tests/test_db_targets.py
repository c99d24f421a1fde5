"""What --db accepts: a database file (or a postgresql:// URL), nothing that only looks like one."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest

from tests.conftest import WORKED_EXAMPLE


@pytest.mark.parametrize(
    ("target", "fragment"),
    [
        (":memory:", "would keep nothing after the command"),
        ("file:kept.db?mode=ro", "is an SQLite URI, not a file path"),
        ("file::memory:?cache=shared", "is an SQLite URI, not a file path"),
        ("FILE:kept.db", "is an SQLite URI, not a file path"),
    ],
)
@pytest.mark.parametrize("command", [WORKED_EXAMPLE[0], ["status"], ["verify"], ["export"]])
def test_non_file_sqlite_targets_are_refused_and_leave_nothing(
    run, tmp_path, monkeypatch, target, fragment, command
):
    monkeypatch.chdir(tmp_path)
    result = run("--db", target, *command)
    assert result.exit_code == 2, result
    (line,) = result.stderr.splitlines()
    assert line == (
        f"Error: --db {target} {fragment}; give the path of a database file such as "
        "./tracker.db, or a postgresql:// URL"
    )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", [WORKED_EXAMPLE[0], ["status"], ["verify"]])
def test_a_fifo_as_db_is_refused_at_once(tmp_path, command):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    # A separate process with a timeout: a blocking open would hang the test run.
    result = subprocess.run(
        [sys.executable, "-m", "cli", "--db", str(fifo), *command],
        capture_output=True,
        text=True,
        timeout=20,
        cwd=os.path.dirname(os.path.dirname(__file__)),
    )
    assert result.returncode == 2, result
    assert result.stderr == (
        f"Error: --db {fifo} is a named pipe (FIFO), not a database file; give the path of "
        "a database file such as ./tracker.db, or a postgresql:// URL\n"
    )
    assert stat.S_ISFIFO(fifo.stat().st_mode) and sorted(tmp_path.iterdir()) == [fifo]


def test_a_device_as_db_is_refused(run):
    result = run("--db", "/dev/null", "status")
    assert result.exit_code == 2
    assert "--db /dev/null is a device, not a database file" in result.stderr


def test_a_control_character_in_the_path_is_shown_escaped(run, tmp_path):
    result = run("--db", f"{tmp_path}/\x1b[31mred/x.db", *WORKED_EXAMPLE[0])
    assert result.exit_code == 2
    assert "\x1b" not in result.stderr and "\\x1b[31mred" in result.stderr


def test_a_pre_existing_empty_file_becomes_private(run, tmp_path):
    target = tmp_path / "made-before.db"
    target.touch(mode=0o644)
    target.chmod(0o644)
    assert run("--db", str(target), *WORKED_EXAMPLE[0]).exit_code == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


@pytest.mark.parametrize("command", [["status"], ["retract"], ["add"]])
def test_a_huge_id_is_echoed_once_and_cut_short(run, command):
    huge = "a" * 100_000
    args = {
        "status": ["status", huge],
        "retract": ["retract", huge, "--reason", "typo"],
        "add": ["add", huge, "--title", "T"],
    }[command[0]]
    result = run(*args)
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert len(line) < 1_000 and line.count("(100,000 characters)") == 1, line[:300]
