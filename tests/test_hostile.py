"""Hostile and random input: never a traceback, never a partial write."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import WORKED_EXAMPLE
from tests.conftest import event_count as count

pytestmark = pytest.mark.both_stores


anything = st.text(max_size=30)
refs = st.lists(
    st.one_of(
        st.sampled_from(["stip", "stip=agreed", "stp", "stip=", "=x", "STIP", "stip=pending conclusion"]),
        anything,
    ),
    max_size=3,
)  # fmt: skip


@pytest.mark.slow
@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    quote=st.one_of(anything, st.just(""), st.just("-")),
    by=st.one_of(anything, st.just("William Ruto")),
    on=st.one_of(
        st.none(), anything, st.sampled_from(["2025-01-27", "today", "01/02/2025", "+3d"])
    ),
    commitments=refs,
    title=st.one_of(st.none(), anything),
)
def test_fuzzed_log_arguments(run, quote, by, on, commitments, title):
    if count(run) == 0:
        assert run(*WORKED_EXAMPLE[0]).exit_code == 0
    before = count(run)
    args = ["log", quote, "--by", by]
    if on is not None:
        args += ["--on", on]
    for ref in commitments:
        args += ["-c", ref]
    if title is not None:
        args += ["--title", title]
    result = run(*args, input="")
    assert result.exit_code in (0, 2), result
    assert "Traceback" not in result.stderr
    after = count(run)
    if result.exit_code == 2:
        assert after == before
        error_lines = [line for line in result.stderr.splitlines() if line.startswith("Error")]
        assert len(error_lines) == 1, result.stderr
    else:
        assert after in (before + 1, before + 2)
    assert run("verify").exit_code == 0
