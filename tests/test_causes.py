"""The real cause is named: a full disk, a read-only database, a busy one."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import WORKED_EXAMPLE

ROOT = Path(__file__).parent.parent


@pytest.fixture
def tiny_disk(tmp_path):
    """A 2 MiB tmpfs: a disk that can really fill up. Needs root (mount) or is skipped."""
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("a full disk is simulated with a small tmpfs, which needs root to mount")
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(disk)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({mounted.stderr.decode().strip()})")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def fill(disk: Path) -> Path:
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError:
        pass
    finally:
        os.close(fd)
    return filler


def one_line(result, code: int = 1) -> str:
    assert result.exit_code == code, result
    (line,) = result.stderr.splitlines()
    assert line.startswith("Error: ")
    return line


def test_a_full_disk_is_named_and_nothing_is_written(run, tiny_disk):
    db = str(tiny_disk / "t.db")
    for step in WORKED_EXAMPLE:
        assert run("--db", db, *step).exit_code == 0
    before = run("--db", db, "export").stdout
    filler = fill(tiny_disk)
    big = "A long pledge. " * 6_000
    for _ in range(3):  # the WAL may take a first one; a later one finds no room
        result = run("--db", db, "log", big, "--by", "A Speaker", "-c", "stip")
        if result.exit_code != 0:
            break
    line = one_line(result)
    assert "no space left" in line and "nothing was written" in line, line
    assert "cannot rollback" not in line and "damaged" not in line
    filler.unlink()
    after = run("--db", db, "export").stdout
    assert after.startswith(before)
    assert run("--db", db, "verify").exit_code == 0


def test_an_import_onto_a_full_disk_is_named_and_leaves_no_file(run, tiny_disk, tmp_path):
    for step in WORKED_EXAMPLE:
        assert run(*step).exit_code == 0
    saved = tmp_path / "saved.jsonl"
    assert run("export", "--output", str(saved)).exit_code == 0
    fill(tiny_disk)
    result = run("--db", str(tiny_disk / "new.db"), "import", str(saved))
    line = one_line(result)
    assert "no space left" in line and "nothing was written" in line, line
    assert sorted(p.name for p in tiny_disk.iterdir()) == ["filler"]


def as_unprivileged(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run tracker without root's power to write anything (file modes then apply)."""
    prefix: list[str] = []
    if os.geteuid() == 0:
        if not shutil.which("setpriv"):
            pytest.skip("running as root without setpriv: file modes cannot be enforced")
        prefix = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search"]
    return subprocess.run(
        [*prefix, sys.executable, "-m", "tracker.fastpath", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


@pytest.mark.parametrize("folder_too", [False, True])
def test_a_read_only_database_can_be_read_but_not_written(run, tmp_path, folder_too):
    place = tmp_path / "shared"
    place.mkdir()
    db = place / "r.db"
    for step in WORKED_EXAMPLE:
        assert run("--db", str(db), *step).exit_code == 0
    expected = run("--db", str(db), "export").stdout
    db.chmod(0o444)
    if folder_too:
        place.chmod(0o555)
    try:
        for command in (["status"], ["status", "stip"], ["history"], ["verify"], ["export"]):
            result = as_unprivileged(["--db", str(db), *command], place)
            assert result.returncode == 0, (command, result.stderr)
            if command == ["export"]:
                assert result.stdout == expected
        for command in (WORKED_EXAMPLE[1], ["rebuild"], ["add", "new", "--title", "New"]):
            result = as_unprivileged(["--db", str(db), *command], place)
            assert result.returncode == 1, (command, result.stderr)
            assert result.stderr == (
                f"Error: {db} is read-only: reading commands work, writing ones need write access\n"
            )
    finally:
        place.chmod(0o755)
    assert run("--db", str(db), "export").stdout == expected


def test_a_busy_database_is_named_busy(run, db_path, monkeypatch):
    import tracker.persistence.sqlite as sqlite_store

    assert run(*WORKED_EXAMPLE[0]).exit_code == 0
    monkeypatch.setattr(sqlite_store, "BUSY_TIMEOUT_MS", 200)
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        line = one_line(run(*WORKED_EXAMPLE[1]))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert f"the database {db_path} is busy" in line and "try again" in line
