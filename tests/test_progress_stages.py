"""Import and rebuild report their stages; the bars are drawn on a terminal only."""

from __future__ import annotations

import io
from datetime import date

from tests.conftest import make_session
from tracker.application.integrity import import_events


def test_progress_draws_a_bar_per_stage_only_when_enabled():
    import io

    from tracker.output.progress import IMPORT_STAGES, StageProgress

    now = [1.0]
    out = io.StringIO()
    bars = StageProgress(IMPORT_STAGES, out, enabled=True, clock=lambda: now[0], width=60)
    bars("checking", 1000, 4000)  # drawn
    now[0] = 1.05
    bars("checking", 1100, 4000)  # 50 ms later: throttled
    drawn = out.getvalue()
    assert "checking" in drawn and "1000/4000" in drawn and "1100/4000" not in drawn
    now[0] = 1.06
    bars("checking", 4000, 4000)  # a stage done: always drawn
    bars("appending", 4000, 4000)
    bars("folding", 2, 2)
    bars("indexing", 1, 1)
    bars.close()
    last = out.getvalue().rsplit("\x1b[2K", 1)[-1]  # the final frame
    frame = last.replace("\r", "").replace("\x1b[?25h", "")  # less the cursor shown again
    lines = [line.split() for line in frame.splitlines() if line.strip()]
    assert [(w[0], w[2]) for w in lines] == [
        ("checking", "4000/4000"),
        ("appending", "4000/4000"),
        ("folding", "2/2"),
        ("indexing", "1/1"),
    ]

    quiet = io.StringIO()
    silent = StageProgress(IMPORT_STAGES, quiet)  # StringIO is not a terminal
    silent("checking", 1, 2)
    silent.close()
    assert quiet.getvalue() == ""


def firsts_and_ends(calls: list[tuple[str, int, int]]) -> tuple[list[str], dict[str, tuple]]:
    order = list(dict.fromkeys(stage for stage, _, _ in calls))
    ends = {stage: (done, total) for stage, done, total in calls}
    return order, ends


def test_import_and_rebuild_report_their_stages_in_order(run, tmp_path):
    for n in range(30):
        assert run("add", f"item{n}", "--title", f"Plant trees in district {n}").exit_code == 0
    assert (
        run("log", "The seedlings arrived.", "--by", "Forestry office", "-c", "item3").exit_code
        == 0
    )
    exported = run("export").stdout.encode()
    session = make_session(tmp_path / "copy.db", today=date(2999, 1, 1))
    calls: list[tuple[str, int, int]] = []
    result = import_events(session, io.BytesIO(exported), lambda *c: calls.append(c))
    assert result.added == 31
    order, ends = firsts_and_ends(calls)
    assert order == ["checking", "appending", "folding", "indexing"]
    assert ends == {
        "checking": (31, 31),
        "appending": (31, 31),
        "folding": (2, 2),
        "indexing": (1, 1),
    }

    calls.clear()
    assert session.store.rebuild(lambda *c: calls.append(c)) == 31
    order, ends = firsts_and_ends(calls)
    assert order == ["folding", "indexing"]
    assert ends == {"folding": (2, 2), "indexing": (1, 1)}
    session.store.close()


def test_verify_reports_its_stages_in_order(tmp_path, monkeypatch):
    """verify: the chain, the replay (in batches of events), then each projection table."""
    from projections import PROJECTIONS
    from tests.synthetic import synthetic_export
    from tracker.application import integrity

    monkeypatch.setattr(integrity, "_counted", _every_thousand(integrity._counted))
    session = make_session(tmp_path / "log.db", today=date(2999, 1, 1))
    exported = synthetic_export(600).encode()
    import_events(session, io.BytesIO(exported))
    count = session.store.last_seq()
    calls: list[tuple[str, int, int]] = []
    result = integrity.verify(session, progress=lambda *c: calls.append(c))
    assert result.ok, result.problems
    order, ends = firsts_and_ends(calls)
    tables = sum(len(p.tables) for p in PROJECTIONS)
    assert order == ["file", "chain", "replaying", "comparing"]
    assert ends == {
        "file": (1, 1),
        "chain": (count, count),
        "replaying": (count, count),
        "comparing": (tables, tables),
    }
    chain = [done for stage, done, _ in calls if stage == "chain"]
    assert chain == sorted(chain) and len(chain) > 2  # counted as it goes, not only at the end
    session.store.close()


def _every_thousand(counted):
    def counted_often(events, stage, total, progress, every=1_000):
        return counted(events, stage, total, progress, every)

    return counted_often
