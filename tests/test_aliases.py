"""Aliases: other names texts use for a commitment, taught with add/amend --alias."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.both_stores


def detail(run, cid: str) -> dict:
    result = run("status", cid, "--format", "json")
    assert result.exit_code == 0, result
    return json.loads(result.stdout)


def test_add_and_amend_teach_names_that_status_shows(run):
    assert run("add", "gate", "--title", "Reopen the northern crossing",
               "--alias", "Kessel gate").exit_code == 0  # fmt: skip
    assert detail(run, "gate")["aliases"] == ["Kessel gate"]
    assert run("amend", "gate", "--alias", "KG", "--alias", "kessel GATE").exit_code == 0
    assert detail(run, "gate")["aliases"] == ["Kessel gate", "KG"]  # adds; case-blind repeats
    assert "also called:   Kessel gate, KG" in run("status", "gate").stdout
    again = run("amend", "gate", "--alias", "kg")
    assert (again.exit_code, again.stderr) == (
        2,
        "Error: 'gate' already reads that way; nothing to amend\n",
    )


def test_an_alias_follows_the_rules_of_names(run):
    result = run("add", "gate", "--title", "T", "--alias", "bad\x1bname")
    assert result.exit_code == 2 and "alias" in result.stderr
    assert run("status", "gate").exit_code == 2


def test_ingest_matches_a_commitment_by_its_alias(run, tmp_path):
    run("add", "nc-reopen", "--title", "Reopen the northern crossing", "--alias", "Kessel gate")
    text = tmp_path / "readout.txt"
    text.write_text(
        "Date: 2025-03-04\n\nThe two ministers agreed to reopen the Kessel gate to trucks "
        "next week.\n",
        encoding="utf-8",
    )
    result = run("ingest", str(text), "--by", "Ministry", "--format", "json")
    assert result.exit_code == 0, result
    [proposal] = json.loads(result.stdout)
    assert (proposal["commitment"], proposal["new"]) == ("nc-reopen", False)
    assert "kessel" in proposal["matched_on"].lower()


def test_aliases_survive_export_and_import(run, tmp_path):
    run("add", "gate", "--title", "T", "--alias", "KG")
    run("amend", "gate", "--alias", "Kessel gate")
    export = tmp_path / "log.jsonl"
    assert run("export", "--output", str(export)).exit_code == 0
    assert run("verify").exit_code == 0
    assert run("rebuild").exit_code == 0
    assert detail(run, "gate")["aliases"] == ["KG", "Kessel gate"]
    lines = [json.loads(line) for line in export.read_text().splitlines()]
    assert lines[0]["data"]["aliases"] == ["KG"]
    assert lines[1]["data"]["aliases"] == ["KG", "Kessel gate"]
