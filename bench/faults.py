"""The fault campaign: the tool on its users' worst day, as a script anyone can rerun.

    python bench/faults.py [--quick] [--seed N] [--db-url postgresql://...] [--out FILE]

Runs the installed `tracker` in subprocesses, as a user would, against scratch databases
in a temporary folder (never yours), and prints a Markdown table: for each scenario the
tries, the failures (a false alarm, a missed corruption, a traceback, a refusal that is
not one clear line) and the events lost (reported as logged, then missing).

Scenarios:

- kill -9 during `import`, `log` (a loop of them) and `rebuild`: the log afterwards holds
  every event a command reported, `verify` says ok, an import is all or nothing.
- concurrent writers + verify: two processes appending while `verify` runs; every
  verify must say ok (a false alarm is a failure). SQLite, and PostgreSQL with --db-url.
- random corruptions of a copy of a database (random bytes, or a zeroed page): `verify
  --full` must catch every one that changes anything. A corruption that changes nothing
  a user can see (free space, unused bytes: the export, the status, SQLite's
  integrity_check all identical) is counted as harmless, not as caught or missed.
  No command may print a traceback on a damaged copy.
- damaged projection rows: every projection column set to ten kinds of bad value, then
  eleven reading commands: one line (exit 1) or a correct answer, never a traceback.
- hostile command lines and malformed import lines: each refused with exactly one
  `Error:` line (exit 1 or 2; for import, naming the line), nothing written, no traceback.

Standard library only (psycopg2 for --db-url). `--quick` takes about two minutes here,
the full campaign about nine.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.synthetic import synthetic_export  # noqa: E402  (the repository's own test data)

TRACEBACK = "Traceback (most recent call last)"


class Campaign:
    def __init__(self, work: Path, tracker: list[str], rng: random.Random) -> None:
        self.work = work
        self.tracker = tracker
        self.rng = rng
        self.rows: list[tuple[str, int, int, int, str]] = []

    # --- running tracker ---------------------------------------------------------------------

    def run(
        self, db: str, *args: str, stdin: str | None = None, timeout: float = 120
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*self.tracker, "--db", db, *args],
            input=stdin,
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, "TRACKER_USER": "campaign", "NO_COLOR": "1"},
        )

    def popen(self, db: str, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [*self.tracker, "--db", db, *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "TRACKER_USER": "campaign", "NO_COLOR": "1"},
        )

    def record(self, name: str, tries: int, failures: int, lost: int, note: str = "") -> None:
        self.rows.append((name, tries, failures, lost, note))
        print(f"  {name}: {tries} tries, {failures} failures, {lost} lost {note}", file=sys.stderr)

    def fresh(self, name: str) -> str:
        path = self.work / name
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return str(path)

    def seeded(self, name: str, events: int) -> str:
        """A database holding a synthetic log of `events` commitments (more events)."""
        source = self.work / f"synthetic-{events}.jsonl"
        if not source.exists():
            source.write_text(synthetic_export(events), encoding="utf-8")
        db = self.fresh(name)
        result = self.run(db, "import", str(source))
        assert result.returncode == 0, result.stderr
        return db

    def count(self, db: str) -> int:
        result = self.run(db, "export")
        return len(result.stdout.splitlines())

    def ids(self, db: str) -> set[str]:
        return {json.loads(x)["id"] for x in self.run(db, "export").stdout.splitlines()}

    def verify_ok(self, db: str, *extra: str) -> tuple[bool, str]:
        result = self.run(db, "verify", *extra)
        return result.returncode == 0, result.stdout + result.stderr

    # --- kill -9 -------------------------------------------------------------------------------

    def kill_during_import(self, tries: int, events: int) -> None:
        source = self.work / f"synthetic-{events}.jsonl"
        text = synthetic_export(events)
        source.write_text(text, encoding="utf-8")
        events = len(text.splitlines())  # the export's events (commitments have several)
        # Kill at moments spread over a whole import: time one first.
        timing = time.monotonic()
        assert self.run(self.fresh("kill-import.db"), "import", str(source)).returncode == 0
        duration = time.monotonic() - timing
        failures = lost = 0
        outcomes = {"none": 0, "all": 0}
        for _ in range(tries):
            db = self.fresh("kill-import.db")
            process = self.popen(db, "import", str(source))
            time.sleep(self.rng.uniform(0.05, duration * 1.1))
            process.kill()
            process.communicate()
            finished = process.returncode == 0
            held = self.count(db)
            ok, _ = self.verify_ok(db)
            if held == 0:
                outcomes["none"] += 1
            elif held == events:
                outcomes["all"] += 1
            if not ok or held not in (0, events):
                failures += 1
            if finished and held != events:
                lost += events - held
        self.record(
            "kill -9 during import", tries, failures, lost,
            f"({outcomes['none']} left empty, {outcomes['all']} complete, {events} events each)",
        )  # fmt: skip

    def kill_during_log(self, tries: int) -> None:
        failures = lost = 0
        db = self.fresh("kill-log.db")
        assert self.run(db, "add", "loop", "--title", "A looping pledge").returncode == 0
        script = (
            "for i in $(seq 1 400); do "
            f'{" ".join(self.tracker)} --db {db} log "Pledge $i" --by Speaker -c loop '
            "|| exit 1; done"
        )
        for _ in range(tries):
            process = subprocess.Popen(
                ["sh", "-c", script],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                start_new_session=True,
                env={**os.environ, "TRACKER_USER": "campaign"},
            )
            time.sleep(self.rng.uniform(0.3, 2.0))
            os.killpg(process.pid, signal.SIGKILL)
            out, err = process.communicate()
            reported = {line.split()[2] for line in out.splitlines() if line.startswith("logged")}
            missing = reported - self.ids(db)
            lost += len(missing)
            ok, _ = self.verify_ok(db)
            if missing or not ok or TRACEBACK in err:
                failures += 1
        self.record("kill -9 during log", tries, failures, lost, f"({self.count(db)} events)")

    def kill_during_rebuild(self, tries: int, events: int) -> None:
        db = self.seeded("kill-rebuild.db", events)
        before = self.run(db, "export").stdout
        timing = time.monotonic()
        assert self.run(db, "rebuild").returncode == 0
        duration = time.monotonic() - timing
        failures = lost = 0
        for _ in range(tries):
            process = self.popen(db, "rebuild")
            time.sleep(self.rng.uniform(0.05, duration * 1.1))
            process.kill()
            process.communicate()
            ok, _ = self.verify_ok(db)
            after = self.run(db, "export").stdout
            lost += max(0, len(before.splitlines()) - len(after.splitlines()))
            if not ok or after != before:
                failures += 1
        self.record(
            "kill -9 during rebuild", tries, failures, lost, f"({len(before.splitlines())} events)"
        )

    # --- concurrent writers + verify ---------------------------------------------------------

    def concurrent(self, label: str, db: str, verifies: int) -> None:
        assert self.run(db, "add", "shared", "--title", "A shared pledge").returncode == 0
        stop = self.work / "stop-writers"
        stop.unlink(missing_ok=True)
        script = (
            f'i=0; while [ ! -e "{stop}" ]; do i=$((i+1)); '
            f"{' '.join(self.tracker)} --db '{db}' log \"Writer $0 says $i\" --by Speaker "
            "-c shared >/dev/null || exit 1; done"
        )
        writers = [
            subprocess.Popen(["sh", "-c", script, str(n)], stderr=subprocess.PIPE, text=True)
            for n in range(2)
        ]
        alarms = tracebacks = 0
        try:
            time.sleep(1.0)
            for _ in range(verifies):
                result = self.run(db, "verify")
                if result.returncode != 0:
                    alarms += 1
                if TRACEBACK in result.stderr:
                    tracebacks += 1
        finally:
            stop.touch()
            errors = [w.communicate(timeout=120)[1] for w in writers]
        writer_failures = sum(1 for w in writers if w.returncode != 0)
        ok, _ = self.verify_ok(db)
        self.record(
            f"concurrent writers + verify ({label})", verifies,
            alarms + tracebacks + writer_failures + (0 if ok else 1), 0,
            f"({self.count(db)} events written meanwhile; {alarms} false alarms"
            + (f"; writer errors: {errors}" if writer_failures else "") + ")",
        )  # fmt: skip

    # --- corruption ----------------------------------------------------------------------------

    def corruption(self, tries: int, events: int) -> None:
        original = self.seeded("pristine.db", events)
        with sqlite3.connect(original) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        expected_export = self.run(original, "export").stdout
        expected_status = self.run(original, "status", "--format", "json").stdout
        size = Path(original).stat().st_size
        caught = caught_quick = harmless = missed = tracebacks = 0
        kinds = {"bytes": 0, "page": 0}
        for n in range(tries):
            copy = self.fresh("corrupt.db")
            shutil.copyfile(original, copy)
            with open(copy, "r+b") as f:
                if n % 2:
                    kinds["page"] += 1
                    page = self.rng.randrange(1, size // page_size)  # not page 1: the header
                    f.seek(page * page_size)
                    f.write(b"\0" * page_size)
                else:
                    kinds["bytes"] += 1
                    for _ in range(self.rng.randint(1, 16)):
                        f.seek(self.rng.randrange(100, size))
                        f.write(bytes([self.rng.randrange(256)]))
            quick_ok, _ = self.verify_ok(copy)
            ok, report = self.verify_ok(copy, "--full")
            outputs = [
                self.run(copy, *command)
                for command in (["export"], ["status", "--format", "json"], ["history"])
            ]
            if any(TRACEBACK in r.stderr for r in outputs) or TRACEBACK in report:
                tracebacks += 1
            if not ok:
                caught += 1
                caught_quick += not quick_ok
                continue
            same = (
                outputs[0].stdout == expected_export
                and outputs[1].stdout == expected_status
                and _integrity(copy) == "ok"
            )
            if same:
                harmless += 1
            else:
                missed += 1
        changed = tries - harmless
        rate = f"{100 * caught / changed:.0f}%" if changed else "n/a"
        self.record(
            "random corruption of a copy (verify --full)", tries, missed + tracebacks, 0,
            f"({kinds['bytes']} byte flips, {kinds['page']} zeroed pages: {caught} caught, "
            f"{harmless} changed nothing visible, {missed} missed: {rate} of real damage caught"
            f" ({caught_quick} by plain verify, quick_check); {tracebacks} tracebacks)",
        )  # fmt: skip

    def damaged_rows(self, quick: bool) -> None:
        db = self.seeded("rows.db", 60)
        with sqlite3.connect(db) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            columns = {
                table: [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
                for table in ("commitments", "timeline", "reminders", "retractions")
            }
            some = conn.execute("SELECT id FROM commitments LIMIT 1").fetchone()[0]
        bad = ["CAST(X'C3FFFE' AS TEXT)", "12345", "NULL", "'not json ['", "'9999-99-99'", "-1",
               "1e308", "'[1,2]'", "'{\"a\":1}'", "''"]  # fmt: skip
        commands = [["status"], ["status", some], ["status", "--format", "json"],
                    ["status", "--format", "csv"], ["status", "--format", "md"], ["history"],
                    ["history", some], ["remind", "--now", "2031-01-01"], ["verify"],
                    ["export", "--format", "ics"],
                    ["status", some, "--as-of", "2025-03-01"]]  # fmt: skip
        combos = [(t, c, v) for t, names in columns.items() for c in names for v in bad]
        # A sample, to keep the run short on a shared machine: a sixth of the combinations
        # with three commands each (--quick), or half of them with four.
        combos = self.rng.sample(combos, len(combos) // (6 if quick else 2))
        per_combo = 3 if quick else 4
        tries = failures = 0
        scratch = self.work / "row.db"
        for table, column, value in combos:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{scratch}{suffix}").unlink(missing_ok=True)
            shutil.copyfile(db, scratch)
            try:
                with sqlite3.connect(scratch) as conn:
                    conn.execute(f"UPDATE {table} SET {column} = {value}")
            except sqlite3.Error:
                continue  # a NOT NULL or a check refuses it: not a damage to test
            for command in self.rng.sample(commands, per_combo):
                tries += 1
                result = self.run(str(scratch), *command)
                if TRACEBACK in result.stderr or not _clean(result):
                    failures += 1
                    if failures <= 3:
                        print(
                            f"    {table}.{column} = {value}, {command}: {result.stderr[-300:]!r}",
                            file=sys.stderr,
                        )
        self.record("damaged projection rows", tries, failures, 0, "(one line or an answer)")

    # --- hostile input -----------------------------------------------------------------------

    def hostile_command_lines(self) -> None:
        fifo = self.work / "pipe"
        if not fifo.exists():
            os.mkfifo(fifo)
        huge = "a" * 100_000
        cases: list[tuple[str, list[str]]] = [
            (":memory:", ["add", "x", "--title", "T"]),
            ("file:x.db?mode=ro", ["add", "x", "--title", "T"]),
            ("file::memory:", ["status"]),
            (str(fifo), ["add", "x", "--title", "T"]),
            (str(fifo), ["status"]),
            ("/dev/null", ["status"]),
            (str(self.work), ["status"]),
            (str(self.work / "no\x1b[31mfolder" / "x.db"), ["add", "x", "--title", "T"]),
            ("h.db", ["add", huge, "--title", "T"]),
            ("h.db", ["status", huge]),
            ("h.db", ["retract", huge, "--reason", "r"]),
            ("h.db", ["add", "Bad_ID", "--title", "T"]),
            ("h.db", ["add", "x", "--title", "T\u202eevil"]),
            ("h.db", ["add", "x", "--title", "T", "--party", "Ru\u200bto"]),
            ("h.db", ["add", "x", "--title", "T", "--party", "Line\u2028break"]),
            ("h.db", ["add", "x", "--title", "T", "--due", "99999-01-01"]),
            ("h.db", ["add", "x", "--title", "T", "--review-every", "999999y"]),
            ("h.db", ["log", "q", "--by", "S", "-c", "x", "--on", "9999-12-31"]),
            ("h.db", ["log", "q" * 100_001, "--by", "S", "-c", "x"]),
            ("h.db", ["log", "q", "--by", "\x07bell", "-c", "x"]),
            ("h.db", ["log", "q", "--by", "S", "-c", "x=nonsense"]),
            ("h.db", ["status", "--format", "xml"]),
            ("h.db", ["status", "--as-of", "yesterday-ish"]),
            ("h.db", ["export", "--output", str(self.work)]),
            ("h.db", ["export", "--output", str(self.work / "missing" / "x.jsonl")]),
            ("h.db", ["import", str(self.work / "missing.jsonl")]),
            ("h.db", ["remind", "--cron", "61 * * * *", "--output-dir", "."]),
            ("h.db", ["remind", "--cron", "0 8 * * *", "--output-dir", "reports; touch PWNED #"]),
        ]
        failures = 0
        os.chdir(self.work)
        for db, args in cases:
            before = sorted(p.name for p in self.work.iterdir())
            result = self.run(db, *args, timeout=30)
            after = sorted(p.name for p in self.work.iterdir())
            lines = result.stderr.splitlines()
            one_line = len(lines) == 1 and lines[0].startswith("Error: ") and len(lines[0]) < 1000
            if result.returncode not in (1, 2) or not one_line or after != before:
                failures += 1
                print(
                    f"    refused badly: {args[:3]!r} -> {result.stderr[:200]!r}", file=sys.stderr
                )
        self.record("hostile command lines", len(cases), failures, 0, "(one line, nothing left)")

    def malformed_import_lines(self) -> None:
        db = self.seeded("import-source.db", 30)
        lines = self.run(db, "export").stdout.splitlines()
        first = json.loads(lines[0])

        def edit(index: int, **changes: object) -> list[str]:
            event = json.loads(lines[index])
            for key in ("seq", "prev_hash", "hash"):
                event.pop(key)
            event.update(changes)
            return [json.dumps({k: v for k, v in json.loads(x).items()
                                if k not in ("seq", "prev_hash", "hash")})
                    for x in lines[:index]] + [json.dumps(event)]  # fmt: skip

        plain0 = json.dumps(
            {k: v for k, v in first.items() if k not in ("seq", "prev_hash", "hash")}
        )
        cases: list[list[str] | bytes] = [
            lines[:3] + lines[4:],  # a middle line deleted
            [lines[0], lines[2], lines[1], *lines[3:]],  # two lines swapped
            [*lines[:2], edit(2, recorded_by="someone")[-1], *lines[3:]],  # hash removed
            [lines[0], lines[1][:50]],  # cut short
            [lines[0], "[1, 2, 3]"],
            [plain0[:-1] + ', "recorded_by": "twice"}'],
            [plain0.replace('"schema": 1', '"schema": ' + "9" * 5000)],
            [
                plain0.replace('"data": {', '"data": ' + "[" * 100_000 + "{", 1)[:-1]
                + "]" * 100_000
                + "}"
            ],
            [plain0.replace('"schema": 1', '"schema": NaN')],
            [plain0.replace('"schema": 1', '"schema": 1e999')],
            edit(0, occurred_on="9999-12-31"),
            edit(0, occurred_on="2025-02-30"),
            edit(0, recorded_at="yesterday"),
            edit(0, id="NOT-A-UUID"),
            edit(0, type="commitment.deleted"),
            edit(0, schema=99),
            edit(0, colour="red"),
            edit(0, data={**first["data"], "title": "T" * 501}),
            edit(0, data={**first["data"], "tags": ["t" * 5000]}),
            edit(0, data={**first["data"], "parties": ["Ru\u200bto"]}),
            edit(0, data={**first["data"], "parties": ["A", "A"]}),
            edit(0, data={**first["data"], "title": "  padded  "}),
            edit(0, data={**first["data"], "commitment": "Bad_ID"}),
            edit(0, recorded_by="Line\u2028break"),
            b"\xff\xfe not utf-8\n",
            [json.dumps({"id": first["id"]})],
            [lines[0], lines[0]],
        ]
        failures = 0
        for n, case in enumerate(cases):
            source = self.work / "malformed.jsonl"
            if isinstance(case, bytes):
                source.write_bytes(case)
            else:
                source.write_text("\n".join(case) + "\n", encoding="utf-8")
            target = self.fresh("malformed.db")
            result = self.run(target, "import", str(source))
            lines_out = result.stderr.splitlines()
            good = (
                result.returncode == 2
                and len(lines_out) == 1
                and lines_out[0].startswith("Error: line ")
                and lines_out[0].endswith("nothing was imported")
                and not Path(target).exists()
            )
            if not good:
                failures += 1
                print(
                    f"    case {n} accepted or badly refused: {result.stderr[:200]!r}",
                    file=sys.stderr,
                )
        self.record("malformed import lines", len(cases), failures, 0, "(one line naming it)")


def _integrity(path: str) -> str:
    try:
        with sqlite3.connect(path) as conn:
            return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    except sqlite3.Error as exc:
        return str(exc)


def _clean(result: subprocess.CompletedProcess[str]) -> bool:
    """An answer (exit 0), or exactly one `Error:` line with exit 1 or 2."""
    if result.returncode == 0:
        return True
    if result.args[3:4] == ["verify"] and result.returncode == 1 and not result.stderr:
        return all(line.startswith("FAIL: ") for line in result.stdout.splitlines())
    lines = result.stderr.splitlines()
    return result.returncode in (1, 2) and len(lines) == 1 and lines[0].startswith("Error: ")


def _pg_database(url: str) -> Callable[[], None] | tuple[str, Callable[[], None]]:
    import uuid
    from urllib.parse import urlsplit, urlunsplit

    import psycopg2

    def admin(statement: str) -> None:
        conn = psycopg2.connect(url)
        try:
            conn.autocommit = True
            with conn.cursor() as cursor:
                cursor.execute(statement)
        finally:
            conn.close()

    name = f"tracker_faults_{uuid.uuid4().hex[:12]}"
    admin(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return urlunsplit(urlsplit(url)._replace(path=f"/{name}")), drop


def table(rows: Sequence[tuple[str, int, int, int, str]]) -> str:
    out = ["| scenario | tries | failures | events lost | notes |", "|---|---:|---:|---:|---|"]
    out += [
        f"| {name} | {tries} | {fails} | {lost} | {note} |"
        for name, tries, fails, lost, note in rows
    ]
    return "\n".join(out) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer tries (about two minutes)")
    parser.add_argument("--seed", type=int, default=15, help="random seed (default 15)")
    parser.add_argument("--db-url", help="also run concurrent writers on PostgreSQL")
    parser.add_argument("--out", type=Path, help="also write the table to this file")
    parser.add_argument("--tracker", help="the tracker command (default: next to this Python)")
    args = parser.parse_args(argv)

    beside = Path(sys.executable).parent / "tracker"
    tracker = [args.tracker] if args.tracker else [str(beside)] if beside.exists() else ["tracker"]
    q = args.quick
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="tracker-faults-") as folder:
        campaign = Campaign(Path(folder), tracker, random.Random(args.seed))
        campaign.kill_during_import(tries=5 if q else 30, events=500 if q else 2_000)
        campaign.kill_during_log(tries=3 if q else 20)
        campaign.kill_during_rebuild(tries=4 if q else 20, events=500 if q else 2_000)
        campaign.concurrent("SQLite", campaign.fresh("concurrent.db"), 6 if q else 40)
        if args.db_url:
            url, drop = _pg_database(args.db_url)  # type: ignore[misc]
            try:
                campaign.concurrent("PostgreSQL", url, 6 if q else 40)
            finally:
                drop()
        campaign.corruption(tries=20 if q else 120, events=300)
        campaign.damaged_rows(quick=q)
        campaign.hostile_command_lines()
        campaign.malformed_import_lines()
        rows = campaign.rows
    report = (
        f"Fault campaign ({'--quick' if q else 'full'}, seed {args.seed}, "
        f"{time.monotonic() - started:.0f} s, Python {sys.version.split()[0]}, "
        f"SQLite {sqlite3.sqlite_version}, {os.cpu_count()} cores)\n\n" + table(rows)
    )
    print(report)
    if args.out:
        args.out.write_text(report, encoding="utf-8")
    return 1 if any(fails or lost for _, _, fails, lost, _ in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
