"""`amend` without retyping: add or remove parties and tags, clear the interval or the due date."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.both_stores

NOW = ("--now", "2025-03-15")


def ok(result):
    assert result.exit_code == 0, result
    return result.stdout


def refused(run, args, message):
    before = run("export").stdout
    result = run(*args)
    assert result.exit_code == 2, result
    assert result.stdout == ""
    assert result.stderr == f"Error: {message}\n"
    assert run("export").stdout == before


def row(run, cid="deal"):
    return json.loads(ok(run("status", cid, "--format", "json", *NOW)))


@pytest.fixture
def deal(run):
    ok(
        run(
            "add", "deal", "--title", "Open the border crossing", "--party", "United States",
            "--tag", "trade", "--review-every", "1y", "--due", "2025-03-01", "--on", "2025-01-01",
        )
    )  # fmt: skip


def test_parties_and_tags_are_added_and_removed_without_retyping(run, deal):
    ok(run("amend", "deal", "--add-party", "Kenya", "--add-tag", "Border", "--add-tag", "aid"))
    assert (row(run)["parties"], row(run)["tags"]) == (
        ["United States", "Kenya"],
        ["trade", "Border", "aid"],
    )
    # Case is ignored to find the one to remove; the spelling on record is kept.
    ok(run("amend", "deal", "--remove-party", "united states", "--remove-tag", "border"))
    assert (row(run)["parties"], row(run)["tags"]) == (["Kenya"], ["trade", "aid"])
    ok(run("amend", "deal", "--remove-party", "Kenya", "--remove-tag", "trade"))
    assert (row(run)["parties"], row(run)["tags"]) == ([], ["aid"])
    history = json.loads(ok(run("history", "deal", "--format", "json")))
    assert history[-1]["data"] == {"commitment": "deal", "parties": [], "tags": ["aid"]}


def test_contradictions_are_one_clear_line_and_write_nothing(run, deal):
    refused(
        run,
        ["amend", "deal", "--party", "Kenya", "--add-party", "Ghana"],
        "--party replaces the whole list; give it alone, or use --add-party and "
        "--remove-party to change it",
    )
    refused(
        run,
        ["amend", "deal", "--tag", "x", "--remove-tag", "trade"],
        "--tag replaces the whole list; give it alone, or use --add-tag and --remove-tag "
        "to change it",
    )
    refused(
        run,
        ["amend", "deal", "--remove-party", "Kenya"],
        "'Kenya' is not a party of 'deal' (party now: 'United States'); nothing to remove",
    )
    refused(
        run,
        ["amend", "deal", "--add-tag", "Aid", "--remove-tag", "aid"],
        "'Aid' is both added and removed; give it once",
    )
    refused(
        run,
        ["amend", "deal", "--add-party", "united states"],
        "'deal' already reads that way; nothing to amend",
    )
    refused(run, ["amend", "deal", "--add-party", ""], "party (--add-party) is empty; give a name")
    refused(
        run,
        ["amend", "deal"],
        "nothing to amend on 'deal'; give --title, --kind, --party, --add-party, "
        "--remove-party, --tag, --add-tag, --remove-tag, --alias, --review-every "
        "or --clear-due",
    )


def test_review_every_default_puts_the_default_interval_back(run, deal):
    assert row(run)["review_every"] == "1y"
    ok(run("amend", "deal", "--clear-due"))  # so that only the interval can make it stale
    assert row(run)["stale"] is False
    ok(run("amend", "deal", "--review-every", "default"))
    after = row(run)
    assert after["review_every"] == "30d"
    assert after["stale_reasons"] == [
        "no statement since it was added 73 days ago, review every 30 days"
    ]
    assert "review interval back to the default" in ok(run("status", "deal", *NOW))
    refused(
        run,
        ["amend", "deal", "--review-every", "Default"],
        "'deal' already reads that way; nothing to amend",
    )
    ok(run("amend", "deal", "--review-every", "2w"))
    assert row(run)["review_every"] == "2w"


def test_clear_due_withdraws_the_open_follow_up_everywhere(run, deal):
    assert row(run)["followup_due"] == "2025-03-01"
    assert "deal" in ok(run("remind", *NOW))
    assert "DTSTART;VALUE=DATE:20250301" in ok(run("export", "--format", "ics"))
    out = ok(run("amend", "deal", "--clear-due", "--on", "2025-03-10"))
    assert out.startswith("amended deal (event ")
    after = row(run)
    assert (after["followup_due"], after["stale"]) == (None, False)
    assert ok(run("remind", *NOW)).startswith("Reminder report for 2025-03-15: nothing is stale")
    assert "DTSTART;VALUE=DATE:20250301" not in ok(run("export", "--format", "ics"))
    assert "2025-03-10  description amended by tester, follow-up withdrawn" in ok(
        run("status", "deal", *NOW)
    )
    assert "cleared" in ok(run("report", "--format", "md", *NOW))
    refused(
        run,
        ["amend", "deal", "--clear-due"],
        "'deal' has no open follow-up to clear; nothing is due",
    )
    # Retracting the amendment brings the follow-up back.
    amendment = json.loads(ok(run("history", "deal", "--format", "json")))[-1]
    assert amendment["data"] == {"clear": ["due"], "commitment": "deal"}
    assert amendment["schema"] == 2
    ok(run("retract", amendment["id"], "--reason", "cleared the wrong one"))
    assert row(run)["followup_due"] == "2025-03-01"
    assert ok(run("verify")).startswith("ok:")
