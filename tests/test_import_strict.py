"""`import` applies the command line's rules, checks the chain across lines, and never crashes."""

from __future__ import annotations

import json

import pytest

from tests.conftest import WORKED_EXAMPLE


@pytest.fixture
def lines(run) -> list[str]:
    for step in WORKED_EXAMPLE:
        assert run(*step).exit_code == 0
    return run("export").stdout.splitlines()


def plain(line: str, **changes) -> str:
    """An event as another tool might write it (no chain fields), with some fields changed."""
    event = json.loads(line)
    for key in ("seq", "prev_hash", "hash"):
        event.pop(key, None)
    event.update(changes)
    return json.dumps(event)


def refused(run, tmp_path, text: str | bytes, fragment: str) -> str:
    source = tmp_path / "in.jsonl"
    source.write_bytes(text if isinstance(text, bytes) else text.encode())
    target = tmp_path / "target.db"
    result = run("--db", str(target), "import", str(source))
    assert result.exit_code == 2, result
    (line,) = result.stderr.splitlines()
    assert line.startswith("Error: line ") and line.endswith("; nothing was imported"), line
    assert fragment in line, line
    assert not target.exists()
    return line


def with_data(lines: list[str], index: int, **data) -> list[str]:
    """Every line stripped of its chain fields; line `index` with its data changed."""
    out = [plain(x) for x in lines]
    event = json.loads(out[index])
    event["data"].update(data)
    out[index] = json.dumps(event)
    return out


def test_a_statement_dated_in_the_future_is_refused_as_on_the_command_line(run, lines, tmp_path):
    assert (
        "in the future" in run(*WORKED_EXAMPLE[1][:-2], "--on", "9999-12-31", "-c", "stip").stderr
    )
    text = "\n".join([plain(lines[0]), plain(lines[1], occurred_on="9999-12-31")])
    refused(run, tmp_path, text, "line 2: occurred_on 9999-12-31 is in the future")


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("quote", "q" * 100_001, "quote is 100,001 characters long; the limit is 100,000"),
        ("speakers", ["B" * 201], "data.speakers[0] is 201 characters long; the limit is 200"),
        ("tags", ["t" * 5_000], "data.tags[0] is 5000 characters long; the limit is 200"),
        ("source", "s" * 501, "data.source is 501 characters long; the limit is 500"),
        ("note", "n" * 10_001, "data.note is 10,001 characters long; the limit is 10,000"),
        ("speakers", ["Ruto\u2028Fake line"], "data.speakers[0] contains the line separator U+2028"),
        ("speakers", ["Ru\u200bto"], "data.speakers[0] contains the invisible character U+200B"),
        ("speakers", [" William Ruto"], "data.speakers[0] ' William Ruto' is not written as the command line"),
        ("speakers", ["Jose\u0301"], "Unicode normal form C"),
        ("quote", "  padded  ", "data.quote has spaces or blank lines around it"),
        ("tags", ["trade", "trade"], "data.tags names 'trade' twice"),
    ],
)
def test_lengths_and_names_follow_the_command_line(run, lines, tmp_path, field, value, fragment):
    text = "\n".join(with_data(lines, 1, **{field: value}))
    line = refused(run, tmp_path, text, "line 2: ")
    assert fragment in line


def test_a_status_label_the_command_line_would_not_keep_is_refused(run, lines, tmp_path):
    event = json.loads(plain(lines[1]))
    event["data"]["commitments"][0]["label"] = "totally done"
    text = "\n".join([plain(lines[0]), json.dumps(event)])
    refused(run, tmp_path, text, "line 2: data.commitments[0].label 'totally done' is not a word")


def test_a_title_too_long_is_refused(run, lines, tmp_path):
    event = json.loads(plain(lines[0]))
    event["data"]["title"] = "T" * 501
    refused(run, tmp_path, json.dumps(event), "line 1: data.title is 501 characters long")


def test_a_deleted_middle_line_is_refused(run, lines, tmp_path):
    text = "\n".join(lines[:3] + lines[4:])
    refused(run, tmp_path, text, "line 4: does not follow line 3 in the export's hash chain")


def test_swapped_lines_are_refused(run, lines, tmp_path):
    text = "\n".join([lines[0], lines[2], lines[1], *lines[3:]])
    refused(run, tmp_path, text, "line 2: does not follow line 1 in the export's hash chain")


def test_an_edited_line_with_its_hash_removed_is_refused(run, lines, tmp_path):
    edited = json.loads(plain(lines[3]))
    edited["data"]["quote"] = "Words nobody said"
    text = "\n".join([*lines[:3], json.dumps(edited), *lines[4:]])
    refused(run, tmp_path, text, "line 4: has no hash, but lines 3 and 5 around it have theirs")


def test_a_first_line_with_a_forged_genesis_is_refused(run, lines, tmp_path):
    from events.codec import event_hash

    first = json.loads(lines[0])
    first["prev_hash"] = "1" * 64
    first["hash"] = event_hash(first)
    refused(run, tmp_path, json.dumps(first), "line 1: seq 1 must have the genesis prev_hash")


def test_duplicate_keys_are_refused(run, lines, tmp_path):
    text = plain(lines[0])[:-1] + ', "recorded_by": "someone else"}'
    refused(run, tmp_path, text, "line 1: the key 'recorded_by' appears twice in one object")


def test_a_huge_number_is_one_line_not_a_traceback(run, lines, tmp_path):
    text = plain(lines[0]).replace('"schema": 1', '"schema": ' + "9" * 5_000)
    refused(run, tmp_path, text, "line 1: a number is 5,000 characters long")


@pytest.mark.parametrize("depth", [20, 100_000])
def test_deep_nesting_is_one_line_not_a_traceback(run, lines, tmp_path, depth):
    text = plain(lines[0]).replace('"data": {', '"data": ' + "[" * depth + "{", 1)
    text = text[:-1] + "]" * depth + "}"
    refused(run, tmp_path, text, "line 1: nested deeper than 16 levels")


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_non_json_numbers_are_refused(run, lines, tmp_path, constant):
    text = plain(lines[0]).replace('"schema": 1', f'"schema": {constant}')
    refused(run, tmp_path, text, f"line 1: {constant} is not a JSON number")


def test_an_export_imports_whole_and_verifies(run, lines, tmp_path):
    source = tmp_path / "all.jsonl"
    source.write_text("\n".join(lines) + "\n")
    target = str(tmp_path / "copy.db")
    assert run("--db", target, "import", str(source)).exit_code == 0
    assert run("--db", target, "export").stdout.splitlines() == lines


@pytest.mark.parametrize("name", ["Ruto\u2028Fake", "Ru\u200bto", "Ru\u200dto", "R\ufeffuto"])
def test_the_command_line_refuses_line_separators_and_invisible_characters_in_names(run, name):
    assert run(*WORKED_EXAMPLE[0]).exit_code == 0
    result = run("log", "A quote", "--by", name, "-c", "stip")
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert "speaker (--by)" in line and "remove it" in line
    assert "\u2028" not in line and "\u200b" not in line
