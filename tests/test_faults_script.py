"""The fault campaign script (bench/faults.py) stays runnable: its help and its table."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent


def test_the_campaign_script_explains_itself():
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "faults.py"), "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "--quick" in result.stdout and "--db-url" in result.stdout


def test_the_campaign_table_has_a_row_per_scenario():
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import faults
    finally:
        sys.path.remove(str(ROOT / "bench"))
    text = faults.table([("kill -9 during log", 3, 0, 0, "(25 events)")])
    assert text.splitlines()[0] == "| scenario | tries | failures | events lost | notes |"
    assert text.splitlines()[2] == "| kill -9 during log | 3 | 0 | 0 | (25 events) |"
