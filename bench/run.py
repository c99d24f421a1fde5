"""The benchmark suite of the "Performance" issue: every target row, measured in one run.

    python bench/run.py [--quick] [--sizes 10k,100k,1m] [--runs N] [--db-url URL] [--out FILE]

It builds seeded synthetic exports (JSON Lines exactly as `tracker import` accepts them),
caches them under `bench/.cache/`, and runs the installed `tracker` command in
subprocesses as a user would: a fresh database per import run, then `rebuild`,
`status ID --format json`, `log`, `status --open` and `remind` on the imported log.
In the same run it measures the floors (`python -c "import sqlite3"` and the standard
library's sqlite3 inserting the same lines with a sha256 each) and the peer (Taskwarrior
on 20k tasks), because this machine is shared and noisy: only figures taken side by side
can be compared. Runs of the commands compared with each other are interleaved, so a
burst of noise hits both sides alike, and every figure is a median.

Wall time, CPU time and peak RSS are taken by a tiny wrapper process with `os.wait4` on
the command's own pid (see WRAPPER for why not from this script), so the RSS is the
tracker process's own: the console script is the interpreter itself, nothing in between.

Standard library only; psycopg2 for `--db-url`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

# The synthetic log's vocabulary is shared with the tests' (tests/synthetic.py, standard
# library only): run as a script, this folder is on the path, the checkout is not.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.synthetic import PARTIES, SPEAKERS, TOPICS

BENCH_DIR = Path(__file__).resolve().parent
DEFAULT_CACHE = BENCH_DIR / ".cache"
# Bump when the generator changes, so stale cached files are never reused.
GENERATOR_VERSION = 1
SEED = 20250127
MAX_COMMITMENTS = 20_000
# A fixed clock for the commands whose output depends on "today", so that a run next
# year measures the same report as a run today (the synthetic log ends in July 2025).
NOW = "2025-09-01"
# The commitment `status ID` shows: an ordinary one (not one of the "hot" ones).
STATUS_INDEX = 42

# --- the synthetic log -----------------------------------------------------------------------

ANALYSTS = ("wanjiku", "otieno", "amina", "desk")
# Every status with the words an analyst types for it (SPEC's aliases and the name).
WORDS: dict[str, tuple[str, ...]] = {
    "proposed": ("proposed", "raised", "discussed", "requested", "called for"),
    "pending": ("pending", "negotiating", "pending conclusion", "awaiting"),
    "committed": ("committed", "agreed", "pledged", "promised", "announced"),
    "in_progress": ("in progress", "ongoing", "underway", "in the works", "implementing"),
    "stalled": ("stalled", "blocked", "delayed", "on hold"),
    "fulfilled": ("fulfilled", "kept", "concluded", "signed", "delivered", "completed", "done"),
    "partial": ("partial", "compromise", "partly kept"),
    "broken": ("broken", "violated", "reneged", "failed"),
    "withdrawn": ("withdrawn", "abandoned", "cancelled", "dropped"),
    "superseded": ("superseded", "replaced"),
}
# A plausible next status from each one (rulings are never final, so closed ones reopen).
NEXT: dict[str, tuple[str, ...]] = {
    "proposed": ("pending", "pending", "committed", "withdrawn", "proposed"),
    "pending": ("committed", "committed", "stalled", "pending", "withdrawn"),
    "committed": ("in_progress", "in_progress", "stalled", "committed", "broken"),
    "in_progress": ("in_progress", "fulfilled", "partial", "stalled", "in_progress"),
    "stalled": ("in_progress", "broken", "withdrawn", "stalled", "pending"),
    "fulfilled": ("fulfilled", "partial", "in_progress"),
    "partial": ("partial", "in_progress", "fulfilled"),
    "broken": ("broken", "pending", "proposed"),
    "withdrawn": ("withdrawn", "proposed", "pending"),
    "superseded": ("superseded",),
}
OPENINGS = (
    "We discussed the {t} and the parties said it was {w}",
    "Officials confirmed that the {t} is {w}",
    "Both sides reaffirmed that the {t} was {w}",
    "The minister told reporters the {t} had been {w}",
    "In the readout, the {t} was described as {w}",
    "The delegation said the {t} remains {w}",
)
MENTIONS = (
    "The {t} came up again during the call",
    "Talks touched on the {t}",
    "Officials gave an update on the {t}",
    "The communiqué mentions the {t} in passing",
    "Reporters asked about the {t}",
)
FILLERS = (
    ", according to the readout",
    " after talks in Nairobi",
    " and further meetings are planned for next month",
    " despite concerns raised by civil society groups",
    ", with technical teams to report back before the summit",
    " as part of the wider regional agenda",
    " — the statement added that funding had been identified",
    " (officials declined to give a timeline)",
    ", and the “next steps” will be set out by the secretariat",
    " while parliament reviews the budget",
    " in line with the framework agreed last year",
    ", a senior official said on condition of anonymity",
)
RETRACT_REASONS = ("misattributed quote", "duplicate of an earlier entry", "wrong date")


def parse_size(text: str) -> int:
    text = text.strip().lower().replace("_", "")
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    number = text[:-1] if scale > 1 else text
    value = int(float(number) * scale)
    if value < 10:
        raise argparse.ArgumentTypeError(f"size {text!r} is too small")
    return value


def size_label(events: int) -> str:
    if events % 1_000_000 == 0:
        return f"{events // 1_000_000}M"
    if events % 1_000 == 0:
        return f"{events // 1_000}k"
    return str(events)


def commitments_for(events: int) -> int:
    """20k commitments, or events/5 for the small files (so most events are statements)."""
    return min(MAX_COMMITMENTS, events // 5)


def commitment_id(n: int) -> str:
    return f"{TOPICS[n % len(TOPICS)][0]}-{n:05d}"


class _Pool:
    """A set with O(1) random choice and removal (swap with the last element)."""

    def __init__(self) -> None:
        self.items: list[Any] = []
        self.where: dict[Any, int] = {}

    def add(self, item: Any) -> None:
        if item not in self.where:
            self.where[item] = len(self.items)
            self.items.append(item)

    def remove(self, item: Any) -> None:
        i = self.where.pop(item)
        last = self.items.pop()
        if i < len(self.items):
            self.items[i] = last
            self.where[last] = i

    def choice(self, rng: random.Random) -> Any:
        return self.items[rng.randrange(len(self.items))]

    def __len__(self) -> int:
        return len(self.items)


def generate(events: int, seed: int = SEED) -> Iterator[str]:
    """The lines of a synthetic export of `events` events (no seq or hashes: the log assigns).

    The first `commitments_for(events)` events add commitments; the rest are, roughly,
    78% statements (55% of them assert a status, mostly through an alias; 10% name two
    commitments; 3% are backfills dated earlier), 10% follow-ups scheduled, 5% follow-ups
    done, 3% amendments, 1% retractions of recent statements, the remainder statements.
    A fifth of the activity goes to a "hot" 5% of the commitments.
    """
    rng = random.Random(seed)
    ncom = commitments_for(events)
    start = dt.date(2019, 1, 1)
    statements_from = 730  # 2021-01-01: commitments are added in 2019-2020
    span = (dt.date(2025, 7, 31) - start).days
    days = [(start + dt.timedelta(days=d)).isoformat() for d in range(span + 200)]
    base = dt.datetime(2025, 8, 1)
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    titles: list[str] = []
    status = ["proposed"] * ncom
    open_followups = _Pool()
    recent_statements = _Pool()
    retracted: set[str] = set()

    def line(i: int, kind: str, day: int, data: dict[str, Any]) -> tuple[str, str]:
        event_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        at = base + dt.timedelta(milliseconds=250 * i)
        return event_id, dumps(
            {
                "id": event_id,
                "type": kind,
                "schema": 1,
                "occurred_on": days[day],
                "recorded_at": f"{at:%Y-%m-%dT%H:%M:%S}.{at.microsecond // 1000:03d}Z",
                "recorded_by": ANALYSTS[rng.randrange(len(ANALYSTS))],
                "data": data,
            }
        )

    def quote(title: str, word: str | None) -> str:
        t = title[0].lower() + title[1:]
        text = (
            rng.choice(OPENINGS).format(t=t, w=word) if word else rng.choice(MENTIONS).format(t=t)
        )
        target = rng.randint(60, 200)
        while len(text) < target:
            text += rng.choice(FILLERS)
        if len(text) > 200:
            text = text[:200].rsplit(" ", 1)[0].rstrip(",;—(")
        return text.rstrip() + "."

    def pick() -> int:
        if rng.random() < 0.2:
            return rng.randrange(max(1, ncom // 20)) * 20 % ncom
        return rng.randrange(ncom)

    for i in range(events):
        if i < ncom:
            topic_title = TOPICS[i % len(TOPICS)][1]
            parties = rng.sample(PARTIES, rng.choice((1, 2, 2, 3)))
            title = topic_title.format(p=parties[-1])
            titles.append(title)
            data: dict[str, Any] = {
                "commitment": commitment_id(i),
                "kind": rng.choice(("commitment", "agreement", "request")),
                "parties": parties,
                "tags": rng.sample(("trade", "security", "climate", "finance", "health"), 1)
                if rng.random() < 0.3
                else [],
                "title": title,
            }
            r = rng.random()
            if r < 0.1:
                data["review_every"] = rng.choice(("60d", "2w", "3m"))
            elif r < 0.2:
                word = rng.choice(WORDS["pending"])
                status[i] = "pending"
                data.update(status="pending", label=word)
            yield line(i, "commitment.added", rng.randrange(statements_from), data)[1]
            continue
        progress = (i - ncom) / max(1, events - ncom)
        day = statements_from + int(progress * (span - statements_from)) - rng.randrange(20)
        r = rng.random()
        if r < 0.10:
            c = pick()
            open_followups.add(c)
            data = {"commitment": commitment_id(c), "due": days[day + rng.randrange(14, 120)]}
            if rng.random() < 0.5:
                data["note"] = "next round of talks expected"
            yield line(i, "followup.scheduled", day, data)[1]
            continue
        if r < 0.15 and open_followups:
            c = open_followups.choice(rng)
            open_followups.remove(c)
            data = {"commitment": commitment_id(c)}
            if rng.random() < 0.5:
                data["note"] = "the update arrived"
            yield line(i, "followup.completed", day, data)[1]
            continue
        if r < 0.18:
            c = pick()
            yield line(
                i,
                "commitment.amended",
                day,
                {"commitment": commitment_id(c), "title": f"{titles[c]} (revised at {i})"},
            )[1]
            continue
        if r < 0.19 and recent_statements:
            target = recent_statements.choice(rng)
            recent_statements.remove(target)
            retracted.add(target)
            data = {"event": target, "reason": rng.choice(RETRACT_REASONS)}
            yield line(i, "event.retracted", day, data)[1]
            continue
        if rng.random() < 0.03:
            day = statements_from + rng.randrange(max(1, day - statements_from))  # a backfill
        chosen = [pick()]
        if rng.random() < 0.1:
            other = pick()
            if other != chosen[0]:
                chosen.append(other)
        refs: list[dict[str, str]] = []
        asserted: str | None = None  # the word the quote uses, for the first commitment
        for c in chosen:
            ref = {"id": commitment_id(c)}
            if rng.random() < 0.55:
                status[c] = rng.choice(NEXT[status[c]])
                label = rng.choice(WORDS[status[c]])
                ref.update(status=status[c], label=label)
                asserted = label if c == chosen[0] else asserted
            refs.append(ref)
        data = {
            "by": rng.choice(SPEAKERS),
            "commitments": refs,
            "quote": quote(titles[chosen[0]], asserted),
            "tags": [],
        }
        if rng.random() < 0.7:
            data["source"] = f"https://example.org/readouts/{days[day]}/{i}"
        elif rng.random() < 0.5:
            data["source"] = "Press briefing, State House"
        event_id, text = line(i, "statement.recorded", day, data)
        recent_statements.add(event_id)
        if len(recent_statements) > 5_000:
            # Retractions correct recent entries; the pool's order is shuffled by removals,
            # so this drops an arbitrary old-ish one, which is all "recent" needs.
            recent_statements.remove(recent_statements.items[0])
        yield text


def cached_export(cache: Path, events: int) -> Path:
    """The export of `events` events, generated once and kept (written atomically)."""
    path = cache / f"events-{size_label(events)}-seed{SEED}-v{GENERATOR_VERSION}.jsonl"
    if path.exists():
        return path
    cache.mkdir(parents=True, exist_ok=True)
    note(f"generating {path.name} ...")
    fd, tmp = tempfile.mkstemp(dir=cache, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
        for text in generate(events):
            f.write(text + "\n")
    os.chmod(tmp, 0o644)  # mkstemp makes it private; it holds nothing secret
    os.replace(tmp, path)
    return path


# --- running a command -----------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    wall: float  # seconds, from spawn to reap
    cpu: float  # user + system seconds of the child itself
    maxrss_kb: int  # the child's own peak resident set (Linux reports KiB)
    stdout: str


def note(text: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


# Runs one command and writes its wall time, CPU time and peak RSS to argv[1]. Why a
# wrapper: on Linux a child's ru_maxrss starts at its parent's resident set when it was
# forked (exec carries the old image's high-water mark over), so a child forked from this
# script would be charged this script's memory. Forked from this small interpreter (-S,
# nothing imported but os, sys and time) it is charged at most the wrapper's ~8 MB, well
# below any tracker command; `wrapper floor` in the report shows that figure. The wall
# time is taken inside the wrapper, so its own start-up is not counted either.
WRAPPER = """\
import os, sys, time
out, argv = sys.argv[1], sys.argv[2:]
start = time.perf_counter()
pid = os.posix_spawnp(argv[0], argv, os.environ)
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - start
code = os.waitstatus_to_exitcode(status)
with open(out, "w") as f:
    f.write(f"{wall!r} {usage.ru_utime + usage.ru_stime!r} {usage.ru_maxrss} {code}")
sys.exit(1 if code else 0)
"""


def run(argv: Sequence[str], env: dict[str, str] | None = None) -> Run:
    """Run a command to completion through the wrapper; raise with its stderr if it fails."""
    fd, report = tempfile.mkstemp(prefix="bench-rusage-")
    os.close(fd)
    try:
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            # Any Python runs the wrapper; this one is at hand.
            subprocess.run(
                [sys.executable, "-S", "-E", "-c", WRAPPER, report, *argv],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                env=env,
                check=False,
            )
            fields = Path(report).read_text().split()
            code = int(fields[3]) if len(fields) == 4 else None
            if code != 0:
                err.seek(0)
                tail = err.read().decode("utf-8", "replace").strip().splitlines()[-5:]
                if code is None:
                    why = "could not be run"
                elif code < 0:
                    why = f"was killed by {signal.Signals(-code).name}"
                else:
                    why = f"exited {code}"
                raise RuntimeError(f"{' '.join(argv[:6])} ... {why}: " + " | ".join(tail))
            out.seek(0)
            stdout = out.read(4096).decode("utf-8", "replace")
        wall, cpu, maxrss = fields[:3]
    finally:
        os.unlink(report)
    return Run(float(wall), float(cpu), int(maxrss), stdout)


@dataclass
class Series:
    """Repeated runs of one measurement."""

    name: str
    runs: list[Run] = field(default_factory=list)

    @property
    def wall(self) -> float:
        return statistics.median(r.wall for r in self.runs)

    @property
    def cpu(self) -> float:
        return statistics.median(r.cpu for r in self.runs)

    @property
    def peak_mb(self) -> float:
        return max(r.maxrss_kb for r in self.runs) / 1024


def interleaved(
    runs: int, steps: Sequence[tuple[Series, Callable[[int], Run]]], warmup: bool = True
) -> None:
    """Run each step once per round, round after round, so noise hits every series alike.

    The untimed warm-up round fills the page cache and compiles bytecode, as a user's
    second command would find them.
    """
    if warmup:
        for _, step in steps:
            step(-1)
    for i in range(runs):
        for series, step in steps:
            series.runs.append(step(i))


# --- the stores ------------------------------------------------------------------------------


class Store:
    """Where the tracker's databases live: SQLite files, or scratch PostgreSQL databases."""

    label = "SQLite"

    def __init__(self, scratch: Path) -> None:
        self.scratch = scratch

    def fresh(self, name: str) -> str:
        self.drop(str(self.scratch / f"{name}.db"))
        return str(self.scratch / f"{name}.db")

    def drop(self, location: str) -> None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(location + suffix).unlink(missing_ok=True)

    def size(self, location: str) -> int:
        """The bytes the log takes: the file and any WAL not yet checkpointed into it."""
        return sum(
            Path(location + s).stat().st_size for s in ("", "-wal") if Path(location + s).exists()
        )

    def describe(self) -> str:
        return f"SQLite {sqlite3.sqlite_version} (files under {self.scratch})"

    def close(self) -> None:
        pass


class PostgresStore(Store):
    """A scratch database per import run, created and dropped through psycopg2."""

    label = "PostgreSQL"

    def __init__(self, scratch: Path, url: str) -> None:
        super().__init__(scratch)
        import psycopg2  # only --db-url needs it

        self.url = url
        conn = psycopg2.connect(url)
        conn.autocommit = True
        self.conn = conn
        self.admin = conn.cursor()
        self.created: set[str] = set()
        self.empty: dict[str, int] = {}

    def _url(self, dbname: str) -> str:
        parts = urlsplit(self.url)
        return urlunsplit(parts._replace(path="/" + dbname))

    def fresh(self, name: str) -> str:
        dbname = f"tracker_bench_{os.getpid()}_{name}".replace("-", "_").lower()
        self.admin.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        self.admin.execute(f'CREATE DATABASE "{dbname}"')
        self.created.add(dbname)
        location = self._url(dbname)
        # An empty database already takes several MB (the catalogs): not the log's bytes.
        self.empty[location] = self._db_size(dbname)
        return location

    def _db_size(self, dbname: str) -> int:
        self.admin.execute("SELECT pg_database_size(%s)", (dbname,))
        row = self.admin.fetchone()
        return int(row[0]) if row else 0

    def drop(self, location: str) -> None:
        dbname = urlsplit(location).path.lstrip("/")
        self.admin.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        self.created.discard(dbname)

    def size(self, location: str) -> int:
        dbname = urlsplit(location).path.lstrip("/")
        return self._db_size(dbname) - self.empty.get(location, 0)

    def describe(self) -> str:
        self.admin.execute("SHOW server_version")
        row = self.admin.fetchone()
        parts = urlsplit(self.url)
        host = parts.hostname or "localhost"
        return f"PostgreSQL {row[0] if row else '?'} at {host}:{parts.port or 5432}"

    def close(self) -> None:
        for dbname in list(self.created):
            self.admin.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        self.conn.close()


# --- the measurements ------------------------------------------------------------------------

FLOOR_SCRIPT = """\
import hashlib, sqlite3, sys
sha256 = hashlib.sha256
con = sqlite3.connect(sys.argv[2])
con.execute("CREATE TABLE events (line TEXT NOT NULL, hash TEXT NOT NULL)")
with open(sys.argv[1], "rb") as f, con:  # one transaction, committed on leaving
    con.executemany(
        "INSERT INTO events VALUES (?, ?)",
        ((raw.decode("utf-8"), sha256(raw).hexdigest()) for raw in (r.rstrip(b"\\n") for r in f)),
    )
con.close()
"""


# Not a target: a lower bound on any import that keeps this log. The standard library's
# sqlite3 writing the lines into a table shaped as tracker's events table (seq key, unique
# UUID, WAL with synchronous=FULL, tracker's 100 MB page cache, a chained sha256), each
# line's fields taken by json.loads and nothing checked, canonicalised or projected.
# Whatever it cannot reach, a tracker import cannot either.
BOUND_SCRIPT = """\
import hashlib, json, sqlite3, sys
sha256, loads = hashlib.sha256, json.loads
con = sqlite3.connect(sys.argv[2], isolation_level=None)
con.execute("PRAGMA journal_mode = WAL")
con.execute("PRAGMA synchronous = FULL")
con.execute("PRAGMA cache_size = -100000")  # tracker's own page cache, 100 MB
con.execute(
    "CREATE TABLE events (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, type TEXT NOT NULL,"
    " schema INTEGER NOT NULL, occurred_on TEXT NOT NULL, recorded_at TEXT NOT NULL,"
    " recorded_by TEXT NOT NULL, data TEXT NOT NULL, prev_hash TEXT NOT NULL,"
    " hash TEXT NOT NULL)"
)


def rows():
    prev = "0" * 64
    with open(sys.argv[1], "rb") as f:
        for seq, raw in enumerate(f, 1):
            raw = raw.rstrip(b"\\n")
            e = loads(raw)
            digest = sha256(prev.encode() + raw).hexdigest()
            yield (seq, e["id"], e["type"], e["schema"], e["occurred_on"], e["recorded_at"],
                   e["recorded_by"], raw.decode("utf-8"), prev, digest)
            prev = digest


con.execute("BEGIN")
con.executemany("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows())
con.execute("COMMIT")
con.close()
"""


# Not a target: a lower bound on any remind report over these commitments. The standard
# library reading the columns the report shows of every open commitment, sorting them, and
# writing a block of about the same bytes for each, with no staleness rule applied.
REMIND_FLOOR_SCRIPT = """\
import sqlite3, sys
con = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
rows = con.execute(
    "SELECT last_activity_on, id, title, status, label, review_every, followup_due,"
    " last_statement_on, last_statement_by, last_statement_quote, last_statement_source"
    " FROM commitments WHERE is_open = 1"
).fetchall()
rows.sort()
out = [f"Reminder report for {sys.argv[2]}: {len(rows)} open commitments."]
for last, cid, title, status, label, every, due, on, by, quote, source in rows:
    quote = (quote or "")[:160]
    out.append(
        f"  {cid} [{status} {label}] {title}\\n        last active {last}, review every"
        f" {every}, follow-up due {due}\\n        last: {on}, {by}: “{quote}” ({source})"
    )
sys.stdout.write("\\n".join(out) + "\\n")
"""


# The eventsourcing library (9.5.x, `pip install '.[bench]'`), the peer for bulk work: the
# first tenth of the same export (at 1M: 10k aggregates x 10 events; --quick's 100k: 1k x
# 10), each run of ten lines one aggregate (its first line creates it, the other nine are
# events on it, the line's type and data as the payload), saved through its SQLite recorder
# with one `Application.save` per 100 aggregates (one insert_events call, 1,000 events, one
# transaction), then every aggregate replayed by `repository.get`. Timed inside the
# process, without its start-up, imports or reading the file: generous to the peer.
ES_SCRIPT = """\
import json, os, sys, time, uuid
from importlib.metadata import version
mode, export, db, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
os.environ.update(PERSISTENCE_MODULE="eventsourcing.sqlite", SQLITE_DBNAME=db)
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

PER = 10  # events per aggregate


class Commitment(Aggregate):
    @event("Added")
    def __init__(self, kind: str, data: dict) -> None:
        self.last = data
        self.count = 1

    @event("Noted")
    def note(self, kind: str, data: dict) -> None:
        self.last = data
        self.count += 1


class Log(Application):
    pass


app = Log()
if mode == "save":
    lines = []
    with open(export, "rb") as f:
        for raw in f:
            e = json.loads(raw)
            lines.append((e["type"], e["data"]))
            if len(lines) == count:
                break
    start, cpu = time.perf_counter(), time.process_time()
    batch, ids = [], []
    for n in range(count // PER):
        agg = Commitment(*lines[n * PER])
        ids.append(agg.id)
        for k in range(1, PER):
            agg.note(*lines[n * PER + k])
        batch.append(agg)
        if len(batch) * PER >= 1000:
            app.save(*batch)  # one insert_events call: 1,000 events, one transaction
            batch = []
    if batch:
        app.save(*batch)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    with open(db + ".ids", "w") as f:
        f.write("\\n".join(str(i) for i in ids))
else:
    with open(db + ".ids") as f:
        ids = [uuid.UUID(i) for i in f.read().split()]
    start, cpu = time.perf_counter(), time.process_time()
    seen = 0
    for aggregate_id in ids:
        seen += app.repository.get(aggregate_id).count
    assert seen == count, seen
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
print(json.dumps({"wall": wall, "cpu": cpu,
                  "version": version("eventsourcing")}))
"""


@dataclass
class SizeResult:
    events: int
    commitments: int
    imports: Series
    floor: Series
    bound: Series
    rebuilds: Series | None
    db_bytes: int
    location: str
    verifies: Series | None = None
    peer: EsPeer | None = None


@dataclass
class EsPeer:
    """The eventsourcing library's save and replay of the export's first `events` lines."""

    events: int
    save: Series
    replay: Series
    version: str = "?"


@dataclass
class Peer:
    info: Series
    add: Series


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.tracker: str = args.tracker
        self.python = interpreter_of(self.tracker)
        self.cache: Path = args.cache
        self.scratch = Path(tempfile.mkdtemp(prefix="scratch-", dir=self._ensure(self.cache)))
        self.store: Store = (
            PostgresStore(self.scratch, args.db_url) if args.db_url else Store(self.scratch)
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TRACKER_", "TASK"))}
        env.pop("COLUMNS", None)  # piped output is never clipped; keep it that way
        env["TRACKER_USER"] = "bench"
        self.env = env

    @staticmethod
    def _ensure(path: Path) -> Path:
        path.mkdir(parents=True, exist_ok=True)
        return path

    def tracker_cmd(self, location: str, *argv: str) -> list[str]:
        return [self.tracker, "--db", location, *argv]

    def tracker_run(self, location: str, *argv: str) -> Run:
        return run(self.tracker_cmd(location, *argv), self.env)

    def es_available(self) -> str | None:
        """The eventsourcing library's version in tracker's Python, or None without it."""
        found = subprocess.run(
            [
                self.python,
                "-c",
                "from importlib.metadata import version; import eventsourcing.sqlite;"
                " print(version('eventsourcing'))",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        return found.stdout.strip() if found.returncode == 0 else None

    def es_steps(
        self, export: Path, events: int
    ) -> tuple[EsPeer, list[tuple[Series, Callable[[int], Run]]]] | None:
        """Save then replay steps for the eventsourcing peer, or None when it is missing."""
        version = self.es_available()
        if version is None:
            note(
                "eventsourcing not installed in tracker's Python: pip install '.[bench]' "
                "(the peer rows say n/a)"
            )
            return None
        count = max(10, events // 10 // 10 * 10)
        peer = EsPeer(count, Series("peer: eventsourcing save (SQLite)"), Series(""), version)
        peer.replay.name = "peer: eventsourcing replay into aggregates"
        db = self.scratch / "eventsourcing.db"

        def timed(mode: str) -> Run:
            outer = run(
                [self.python, "-c", ES_SCRIPT, mode, str(export), str(db), str(count)], self.env
            )
            inner = json.loads(outer.stdout)
            peer.version = inner["version"]
            note(f"  eventsourcing {mode} {count:,}: {count / inner['wall']:,.0f} ev/s")
            return Run(inner["wall"], inner["cpu"], outer.maxrss_kb, outer.stdout)

        def save(i: int) -> Run:
            for suffix in ("", "-wal", "-shm", ".ids"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
            return timed("save")

        return peer, [(peer.save, save), (peer.replay, lambda i: timed("replay"))]

    def measure_size(
        self, events: int, runs: int, keep: bool, rebuild_runs: int, peer: bool = False
    ) -> SizeResult:
        label = size_label(events)
        export = cached_export(self.cache, events)
        imports = Series("tracker import")
        floor = Series("floor: sqlite3 executemany + sha256")
        bound = Series("bound: the events table alone (no checks, no projections)")
        kept = ""
        sizes: list[int] = []

        def one_import(i: int) -> Run:
            nonlocal kept
            location = self.store.fresh(f"import-{label}-{i + 1}")
            note(f"import {label} run {i + 1}/{runs} ({self.store.label})")
            result = self.tracker_run(location, "import", str(export))
            if f"imported {events} events" not in result.stdout:
                raise RuntimeError(f"import of {export.name} said: {result.stdout.strip()}")
            sizes.append(self.store.size(location))
            # Said as each run ends, so a run stopped part way still leaves its figures.
            note(
                f"  {result.wall:,.1f} s, {events / result.wall:,.0f} ev/s, "
                f"{result.maxrss_kb / 1024:,.0f} MB peak, {sizes[-1] / events:,.0f} bytes/event"
            )
            if keep and i == runs - 1:
                kept = location  # the last one stays for rebuild and the read commands
            else:
                self.store.drop(location)
            return result

        def one_floor(i: int) -> Run:
            db = self.scratch / f"floor-{label}.db"
            for suffix in ("", "-journal"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
            try:
                return run([self.python, "-c", FLOOR_SCRIPT, str(export), str(db)], self.env)
            finally:
                db.unlink(missing_ok=True)

        def one_bound(i: int) -> Run:
            db = self.scratch / f"bound-{label}.db"
            try:
                return run([self.python, "-c", BOUND_SCRIPT, str(export), str(db)], self.env)
            finally:
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{db}{suffix}").unlink(missing_ok=True)

        # No warm-up round for imports: each run starts from an empty database anyway,
        # and at 1M a wasted run costs minutes. The export is already in the page cache,
        # having just been generated or read.
        steps: list[tuple[Series, Callable[[int], Run]]] = [
            (floor, one_floor),
            (bound, one_bound),
            (imports, one_import),
        ]
        es = self.es_steps(export, events) if peer else None
        if es is not None:
            steps.extend(es[1])
        interleaved(runs, steps, warmup=False)
        rebuilds = verifies = None
        if keep and rebuild_runs:
            rebuilds = Series("tracker rebuild")
            interleaved(
                rebuild_runs,
                [(rebuilds, lambda i: self.rebuild(kept, events, i, rebuild_runs))],
                warmup=False,
            )
            # verify replays the whole log a second way and compares: no target, but its
            # time and memory at scale are what a user with a big log waits for (one run
            # at 1M, about two minutes here).
            verify_runs = 1 if events >= 1_000_000 else rebuild_runs
            verifies = Series("tracker verify (full replay and comparison)")
            interleaved(
                verify_runs,
                [(verifies, lambda i: self.verify(kept, events, i, verify_runs))],
                warmup=False,
            )
        return SizeResult(
            events=events,
            commitments=commitments_for(events),
            imports=imports,
            floor=floor,
            bound=bound,
            rebuilds=rebuilds,
            verifies=verifies,
            db_bytes=int(statistics.median(sizes)),
            location=kept,
            peer=es[0] if es is not None else None,
        )

    def rebuild(self, location: str, events: int, i: int, runs: int) -> Run:
        result = self.tracker_run(location, "rebuild")
        note(
            f"rebuild {size_label(events)} run {i + 1}/{runs}: {result.wall:,.1f} s, "
            f"{events / result.wall:,.0f} ev/s"
        )
        return result

    def verify(self, location: str, events: int, i: int, runs: int) -> Run:
        result = self.tracker_run(location, "verify")
        if not result.stdout.startswith(f"ok: {events} events"):
            raise RuntimeError(f"verify said: {result.stdout.strip()}")
        note(
            f"verify {size_label(events)} run {i + 1}/{runs}: {result.wall:,.1f} s, "
            f"{result.maxrss_kb / 1024:,.0f} MB peak"
        )
        return result

    def measure_reads(self, location: str, ncom: int, runs: int) -> dict[str, Series]:
        """status ID, log, status --open and remind, interleaved with the floor and the peer."""
        cid = commitment_id(STATUS_INDEX % ncom)
        series = {
            "wrapper": Series("wrapper floor: true (RSS below this is the wrapper's)"),
            "startup": Series('floor: python -c "import sqlite3"'),
            "status": Series(f"tracker status {cid} --format json"),
            "log": Series("tracker log"),
            "open": Series("tracker status --open"),
            "remind": Series(f"tracker remind --now {NOW}"),
        }
        quote = "Officials said the talks would resume after the recess (bench run {}).".format
        steps: list[tuple[Series, Callable[[int], Run]]] = [
            (series["wrapper"], lambda i: run(["true"], self.env)),
            (series["startup"], lambda i: run([self.python, "-c", "import sqlite3"], self.env)),
            (
                series["status"],
                lambda i: self.tracker_run(location, "status", cid, "--format", "json"),
            ),
            (
                series["log"],
                lambda i: self.tracker_run(
                    location,
                    "log",
                    quote(i),
                    "--by",
                    "Bench Speaker",
                    "--on",
                    "2025-08-01",
                    "-c",
                    f"{cid}=agreed",
                ),
            ),
            (series["open"], lambda i: self.tracker_run(location, "status", "--open")),
            (series["remind"], lambda i: self.tracker_run(location, "remind", "--now", NOW)),
        ]
        if not isinstance(self.store, PostgresStore):  # the floor reads an SQLite file
            series["remind floor"] = Series("remind floor: the open rows by the standard library")
            steps.append(
                (
                    series["remind floor"],
                    lambda i: run(
                        [self.python, "-c", REMIND_FLOOR_SCRIPT, location, NOW], self.env
                    ),
                )
            )
        peer = self.peer_steps()
        if peer is not None:
            series["task info"], series["task add"] = peer[0].info, peer[0].add
            steps.extend(peer[1])
        note(f"read commands x{runs} (interleaved{' with Taskwarrior' if peer else ''})")
        interleaved(runs, steps)
        return series

    def peer_steps(self) -> tuple[Peer, list[tuple[Series, Callable[[int], Run]]]] | None:
        """Taskwarrior with 20k tasks in a scratch TASKDATA, or None when `task` is missing."""
        task = shutil.which("task")
        if task is None:
            note("Taskwarrior not found: install it with `apt-get install -y taskwarrior`")
            return None
        home = self.scratch / "taskwarrior"
        data = home / "data"
        data.mkdir(parents=True)
        rc = home / "taskrc"
        rc.write_text(
            f"data.location={data}\nconfirmation=off\nverbose=nothing\nhooks=off\njson.array=on\n",
            encoding="utf-8",
        )
        env = dict(self.env, TASKRC=str(rc), TASKDATA=str(data))
        tasks = home / "tasks.json"
        tasks.write_text(json.dumps(synthetic_tasks(MAX_COMMITMENTS)), encoding="utf-8")
        note(f"Taskwarrior: importing {MAX_COMMITMENTS} tasks into {data}")
        run([task, "import", str(tasks)], env)
        peer = Peer(Series("task 42 info"), Series("task add"))
        return peer, [
            (peer.info, lambda i: run([task, "42", "info"], env)),
            (
                peer.add,
                lambda i: run(
                    [task, "add", f"Follow up the talks after the recess (bench {i})", "+bench"],
                    env,
                ),
            ),
        ]

    def close(self) -> None:
        self.store.close()
        shutil.rmtree(self.scratch, ignore_errors=True)


def synthetic_tasks(count: int) -> list[dict[str, Any]]:
    """`count` pending tasks shaped like the commitments (a project, tags, some due dates)."""
    rng = random.Random(SEED)
    tasks = []
    for n in range(count):
        party = PARTIES[rng.randrange(len(PARTIES))]
        task: dict[str, Any] = {
            "uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "description": TOPICS[n % len(TOPICS)][1].format(p=party),
            "status": "pending",
            "entry": f"2020{1 + n % 12:02d}{1 + n % 28:02d}T090000Z",
            "project": TOPICS[n % len(TOPICS)][0],
            "tags": [party.split()[0].lower()],
        }
        if rng.random() < 0.3:
            task["due"] = f"2025{1 + n % 12:02d}{1 + n % 28:02d}T000000Z"
        if rng.random() < 0.3:
            task["annotations"] = [
                {"entry": "20250101T120000Z", "description": "Officials gave an update"}
            ]
        tasks.append(task)
    return tasks


def interpreter_of(script: str) -> str:
    """The Python a console script runs on (its shebang), for the startup floor."""
    try:
        with open(script, "rb") as f:
            first = f.readline().decode("utf-8", "replace").strip()
    except OSError:
        return sys.executable
    if first.startswith("#!") and "python" in first:
        return first[2:].split()[0]
    return sys.executable


# --- the report ------------------------------------------------------------------------------


def rate(events: int, series: Series) -> float:
    return events / series.wall


def fmt_rate(value: float) -> str:
    return f"{value:,.0f} ev/s"


def fmt_s(value: float) -> str:
    return f"{value * 1000:,.0f} ms" if value < 10 else f"{value:,.1f} s"


def target_row(
    what: str,
    shown: str,
    goal: str,
    measured: float,
    target: float | None,
    at_least: bool = True,
) -> str:
    """One Markdown row: a rate passes at or above its target, a time or size at or below."""
    if target is None:
        return f"| {what} | {shown} | {goal} | – | n/a |"
    ok = measured >= target if at_least else measured <= target
    return (
        f"| {what} | {shown} | {goal} | {measured / target:.3f} | {'PASS' if ok else '**FAIL**'} |"
    )


def machine(bench: Bench) -> list[str]:
    cpu = "unknown"
    try:
        for text in Path("/proc/cpuinfo").read_text().splitlines():
            if text.startswith("model name"):
                cpu = text.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    py = subprocess.run(
        [
            bench.python,
            "-c",
            "import sys, sqlite3; print(sys.version.split()[0], sqlite3.sqlite_version)",
        ],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    task = shutil.which("task")
    task_version = (
        subprocess.run(
            [task, "--version"], capture_output=True, text=True, check=False
        ).stdout.strip()
        if task
        else "not installed (apt-get install -y taskwarrior)"
    )
    return [
        f"- date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC",
        f"- machine: {cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}",
        f"- Python {py[0] if py else '?'} ({bench.python}), SQLite {py[1] if len(py) > 1 else '?'}",
        f"- tracker: `{bench.tracker}`, {tracker_revision()}",
        f"- store: {bench.store.describe()}",
        f"- Taskwarrior: {task_version}",
        f"- eventsourcing: {bench.es_available() or 'not installed (pip install .[bench])'}"
        " (its SQLite recorder; time inside its process, start-up excluded)",
    ]


def tracker_revision() -> str:
    """The commit of the tracker checkout, read-only (no index refresh), if it is one."""
    root = BENCH_DIR.parent
    head = subprocess.run(
        ["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    if not head:
        return "not a git checkout"
    dirty = subprocess.run(
        [
            "git",
            "--no-optional-locks",
            "-C",
            str(root),
            "status",
            "--porcelain",
            "--untracked-files=no",
        ],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return f"commit {head}{' with uncommitted changes' if dirty else ''}"


def report(
    bench: Bench,
    sizes: list[SizeResult],
    reads: dict[str, Series],
    read_size: SizeResult,
    loads: tuple[str, str],
    runs: int,
    elapsed: float,
) -> str:
    big = sizes[-1]
    at = size_label(big.events)
    caveat = "" if big.events >= 1_000_000 else f" (measured at {at}; the target is for 1M)"
    rcaveat = (
        ""
        if read_size.events >= 1_000_000
        else f" (measured on {size_label(read_size.events)} events, "
        f"{read_size.commitments:,} commitments; the target is for 1M)"
    )
    rows: list[str] = []

    ev_s = rate(big.events, big.imports)
    floor_s = rate(big.events, big.floor)
    bound_s = rate(big.events, big.bound)
    rows.append(
        target_row(
            f"import {at}: events/s{caveat}", fmt_rate(ev_s), "≥ 150,000 ev/s", ev_s, 150_000
        )
    )
    rows.append(
        target_row(
            f"import {at} vs floor (sqlite3 executemany + sha256: {fmt_rate(floor_s)})",
            f"{ev_s / floor_s:.3f} × floor",
            "≥ 0.5 × floor",
            ev_s,
            0.5 * floor_s,
        )
    )
    rows.append(
        target_row(
            f"import {at} vs bound (the events table alone: {fmt_rate(bound_s)})",
            f"{ev_s / bound_s:.3f} × bound",
            "≥ 0.5 × bound",
            ev_s,
            0.5 * bound_s,
        )
    )
    es = big.peer
    if es is not None:
        es_save = rate(es.events, es.save)
        rows.append(
            target_row(
                f"import {at} vs eventsourcing {es.version} saving {es.events:,} events "
                f"in batches of 1,000 ({fmt_rate(es_save)})",
                f"{ev_s / es_save:.3f} × peer",
                "≥ 0.5 × peer",
                ev_s,
                0.5 * es_save,
            )
        )
    else:
        rows.append(target_row("import vs eventsourcing save", "n/a", "≥ 0.5 × peer", 0, None))
    rss = big.imports.peak_mb
    rows.append(
        target_row(
            f"import {at}: peak RSS (max of runs)", f"{rss:,.0f} MB", "≤ 300 MB", rss, 300, False
        )
    )
    if big.rebuilds is not None:
        rb = rate(big.events, big.rebuilds)
        rows.append(
            target_row(
                f"rebuild {at}: events/s{caveat}", fmt_rate(rb), "≥ 200,000 ev/s", rb, 200_000
            )
        )
        if es is not None:
            es_replay = rate(es.events, es.replay)
            rows.append(
                target_row(
                    f"rebuild {at} vs eventsourcing {es.version} replaying {es.events // 10:,} "
                    f"aggregates × 10 events ({fmt_rate(es_replay)})",
                    f"{rb / es_replay:.3f} × peer",
                    "≥ peer",
                    rb,
                    es_replay,
                )
            )
    startup = reads["startup"].wall
    for key, peer, times in (("status", "task info", 5), ("log", "task add", 6)):
        mine = reads[key].wall
        name = reads[key].name
        if peer in reads:
            theirs = reads[peer].wall
            goal = f"≤ `{reads[peer].name}` ({fmt_s(theirs)})"
            rows.append(target_row(f"{name}{rcaveat}", fmt_s(mine), goal, mine, theirs, False))
        else:
            goal = f"≤ `{peer}` (Taskwarrior not installed)"
            rows.append(target_row(name, fmt_s(mine), goal, mine, None, False))
        rows.append(
            target_row(
                f"{name} vs startup floor ({fmt_s(startup)})",
                f"{mine / startup:.1f} × floor",
                f"≤ {times} × floor",
                mine,
                times * startup,
                False,
            )
        )
    for key in ("open", "remind"):
        mine = reads[key].wall
        rows.append(target_row(f"{reads[key].name}{rcaveat}", fmt_s(mine), "≤ 1 s", mine, 1, False))
    status_s, remind_s = reads["status"].wall, reads["remind"].wall
    rows.append(
        target_row(
            f"remind vs `status ID` ({fmt_s(status_s)}){rcaveat}",
            f"{remind_s / status_s:.1f} × status",
            "≤ 3 × status",
            remind_s,
            3 * status_s,
            False,
        )
    )
    if "remind floor" in reads:
        remind_floor = reads["remind floor"].wall
        rows.append(
            target_row(
                f"remind vs its floor (the open rows by the standard library: "
                f"{fmt_s(remind_floor)}){rcaveat}",
                f"{remind_s / remind_floor:.2f} × floor",
                "≤ 2 × floor",
                remind_s,
                2 * remind_floor,
                False,
            )
        )
    per_event = big.db_bytes / big.events
    export_per = cached_export(bench.cache, big.events).stat().st_size / big.events
    rows.append(
        target_row(
            f"database size {at}, bytes/event (export: {export_per:,.0f})",
            f"{per_event:,.0f} B, {per_event / export_per:.2f} × export",
            "≤ 2 × export",
            per_event,
            2 * export_per,
            False,
        )
    )

    measured = ", ".join(size_label(s.events) for s in sizes)
    custom = bench.args.sizes or bench.args.runs
    mode = "quick" if bench.args.quick else "full"
    mode += " with --sizes/--runs" if custom else ""
    skipped = [s for s in ("10k", "100k", "1M") if s not in measured.split(", ")]
    out = [
        f"# tracker benchmark ({mode}, {bench.store.label})",
        "",
        *machine(bench),
        f"- load average (1/5/15 min): {loads[0]} at start, {loads[1]} at the end",
        f"- sizes measured: {measured}"
        + (f"; not measured: {', '.join(skipped)} (nothing is extrapolated)" if skipped else ""),
        "- runs: medians; import and rebuild "
        + ", ".join(f"{len(s.imports.runs)} at {size_label(s.events)}" for s in sizes)
        + f"; {runs} for the other commands, interleaved, after one untimed warm-up round",
        f"- the whole benchmark took {elapsed / 60:.1f} min",
        "",
        "## Targets",
        "",
        "ratio = measured ÷ target: a rate passes at ≥ 1, a time or memory at ≤ 1.",
        "",
        "| what | measured | target | ratio | result |",
        "|---|---|---|---|---|",
        *rows,
        "",
        f"Bound, not a target: writing the {at} lines into the events table alone, with "
        "their fields parsed, a chained sha256 and nothing checked or projected, runs at "
        f"{fmt_rate(bound_s)}, {bound_s / floor_s:.2f} × the floor: no import that "
        "keeps this log can do better.",
        *(
            [
                "",
                "Floor of remind, not a target: the standard library reading the columns the "
                "report shows of every open commitment, sorted, a block of about the same bytes "
                f"each, no rule applied: {fmt_s(reads['remind floor'].wall)}, "
                f"{reads['remind floor'].wall / status_s:.1f} × `status ID`.",
            ]
            if "remind floor" in reads
            else []
        ),
        "",
        "## Figures",
        "",
        "Medians of wall time (spawn to exit) and of the child's own CPU time (user + system);"
        " the CPU time is less disturbed by other load on a shared machine.",
        "",
        "| measurement | events | median wall | median CPU | rate | peak RSS | runs |",
        "|---|---|---|---|---|---|---|",
    ]
    for s in sizes:
        measured_here = [
            (s.events, x) for x in (s.floor, s.bound, s.imports, s.rebuilds, s.verifies)
        ]
        if s.peer is not None:
            measured_here += [(s.peer.events, s.peer.save), (s.peer.events, s.peer.replay)]
        for n, series in measured_here:
            if series is None:
                continue
            out.append(
                f"| {series.name} | {size_label(n)} | {fmt_s(series.wall)} | "
                f"{fmt_s(series.cpu)} | {fmt_rate(rate(n, series))} | "
                f"{series.peak_mb:,.0f} MB | {len(series.runs)} |"
            )
    for series in reads.values():
        mine = series.name.startswith("tracker")
        where = size_label(read_size.events) if mine else "–"
        out.append(
            f"| {series.name} | {where} | {fmt_s(series.wall)} | {fmt_s(series.cpu)} | – | "
            f"{series.peak_mb:,.0f} MB | {len(series.runs)} |"
        )
    first = sizes[0].db_bytes / sizes[0].events
    out += [
        "",
        "## Database size",
        "",
        (
            "SQLite: the database file plus any WAL left, after the import."
            if not isinstance(bench.store, PostgresStore)
            else "PostgreSQL: pg_database_size after the import, less that of the empty database."
        ),
        "",
        "| events | commitments | export file | database | bytes/event | vs "
        f"{size_label(sizes[0].events)} |",
        "|---|---|---|---|---|---|",
    ]
    for s in sizes:
        per = s.db_bytes / s.events
        export = cached_export(bench.cache, s.events).stat().st_size
        out.append(
            f"| {size_label(s.events)} | {s.commitments:,} | {export / 2**20:,.1f} MiB | "
            f"{s.db_bytes / 2**20:,.1f} MiB | {per:,.0f} | {per / first:.2f}× |"
        )
    return "\n".join(out) + "\n"


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="10k and 100k only, fewer runs")
    parser.add_argument(
        "--sizes",
        type=lambda t: sorted({parse_size(s) for s in t.split(",") if s.strip()}),
        help="comma-separated event counts (default 10k,100k,1m; --quick: 10k,100k)",
    )
    parser.add_argument(
        "--runs",
        type=int,
        help="runs per measurement (default 5; --quick: 3 for import and rebuild, 5 otherwise)",
    )
    parser.add_argument("--db-url", help="measure PostgreSQL: postgresql://user@host:port/db")
    parser.add_argument("--out", type=Path, help="also write the Markdown report to this file")
    parser.add_argument("--tracker", help="the tracker command (default: next to this Python)")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="exports and scratch")
    args = parser.parse_args(argv)

    if args.tracker is None:
        beside = Path(sys.executable).parent / "tracker"
        args.tracker = str(beside) if beside.exists() else shutil.which("tracker")
    if not args.tracker:
        parser.error("no tracker command found; pip install '.[postgres]' or pass --tracker")
    default_sizes = [10_000, 100_000] if args.quick else [10_000, 100_000, 1_000_000]
    sizes: list[int] = args.sizes or default_sizes
    runs = args.runs or 5
    if runs < 1:
        parser.error("--runs must be at least 1")

    def heavy_runs(events: int) -> int:
        """Import and rebuild runs: --quick keeps to one run above 10k, to stay under 2 min."""
        if args.runs:
            return int(args.runs)
        if args.quick:
            return 3 if events <= 10_000 else 1
        return 5

    started, load_start = time.perf_counter(), loadavg()
    bench = Bench(args)
    try:
        results = []
        for i, events in enumerate(sizes):
            keep = True  # rebuild runs on each size's last import
            n = heavy_runs(events)
            last = i == len(sizes) - 1
            results.append(bench.measure_size(events, n, keep, n, peer=last))
            if i < len(sizes) - 1:
                bench.store.drop(results[-1].location)
        biggest = results[-1]
        reads = bench.measure_reads(biggest.location, biggest.commitments, runs)
        text = report(
            bench,
            results,
            reads,
            biggest,
            (load_start, loadavg()),
            runs,
            time.perf_counter() - started,
        )
    finally:
        bench.close()
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
