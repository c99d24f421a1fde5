"""`tracker ingest --engine llm` against a stand-in model server on 127.0.0.1.

The server answers /v1/chat/completions with replies written for these tests; the readout
is ours too. What is checked is what a user sees: the proposals (quotes always the text's
own sentences), the warning line for what was dropped, one error line and nothing written
for each failure, and what was sent (nothing, unless the engine is llm).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import event_count
from tests.fake_model import FakeModel, answer, completion, error, serve
from tests.test_ingest_cli import KEYS

READOUT = """\
Source: https://example.org/readouts/harbour-call
Date: 2025-05-14
Title: Readout of Minister Osei's call with Commissioner Varga

Minister Amara Osei spoke today with Commissioner Lena Varga of the Northern Harbour \
Authority. Minister Osei thanked the Commissioner for the warm welcome in Portmere.

The two officials agreed to open the new grain terminal to shared traffic by the end of \
the year. Commissioner Varga said the dredging of the eastern channel is underway and will \
finish in the spring. Minister Osei urged the Authority to publish its tariff schedule \
before the next round of talks.

Both sides welcomed the signing of the Coastal Ferry Agreement last week.
"""
SENTENCES = [
    "Minister Amara Osei spoke today with Commissioner Lena Varga of the Northern Harbour Authority.",
    "Minister Osei thanked the Commissioner for the warm welcome in Portmere.",
    "The two officials agreed to open the new grain terminal to shared traffic by the end of the year.",
    "Commissioner Varga said the dredging of the eastern channel is underway and will finish in the spring.",
    "Minister Osei urged the Authority to publish its tariff schedule before the next round of talks.",
    "Both sides welcomed the signing of the Coastal Ferry Agreement last week.",
]
BOTH = "Minister Osei and Commissioner Varga"
GOOD = [
    {"sentence": 3, "commitment": "grain-terminal-shared-traffic", "title": "Open the new grain terminal to shared traffic", "status": "committed", "speaker": BOTH, "reason": "agreed to open"},
    {"sentence": 4, "commitment": "eastern-channel-dredging", "title": "Dredge the eastern channel", "status": "in_progress", "speaker": "Commissioner Varga", "reason": "is underway"},
    {"sentence": 5, "commitment": "harbour-tariff-schedule", "title": "Publish the harbour tariff schedule", "status": "proposed", "speaker": "Minister Osei", "reason": "urged"},
    {"sentence": 6, "commitment": "ferry", "title": "", "status": "fulfilled", "speaker": BOTH, "reason": "welcomed the signing"},
]  # fmt: skip
# A model that makes things up: each of these is dropped, and the good ones are kept.
INVENTED = [
    GOOD[0],
    {"sentence": 9, "commitment": "harbour-cranes", "title": "New cranes", "status": "committed", "speaker": "Minister Osei", "reason": "a sentence the text does not have"},
    {"sentence": 0, "commitment": "harbour-cranes", "title": "New cranes", "status": "committed", "speaker": "Minister Osei", "reason": "numbered from zero"},
    {"sentence": 2, "commitment": "portmere-welcome", "title": "A warm welcome", "status": "promised soon", "speaker": "Minister Osei", "reason": "not a status"},
    {"sentence": 5, "commitment": "Tariff Schedule!", "title": "Tariffs", "status": "proposed", "speaker": "Minister Osei", "reason": "not an id"},
    {"sentence": 4, "commitment": "eastern-channel-dredging", "title": "Dredging", "status": "in_progress", "speaker": "Admiral Kowalczyk", "reason": "nobody of that name in the text"},
    {"sentence": 3, "commitment": "grain-terminal-shared-traffic", "title": "", "status": "committed", "speaker": BOTH, "reason": "the same again"},
    {"sentence": 6, "commitment": "ferry", "title": "", "status": "fulfilled", "speaker": BOTH, "reason": "welcomed the signing", "quote": "Both sides signed ten new ferry agreements."},
]  # fmt: skip
INVENTED_WARNING = (
    "warning: the model proposed 6 statements that tracker left out: 2 with a sentence number "
    "not in the text, 1 with a status that is not SPEC's, 1 with an invalid commitment id or "
    "title, 1 with a speaker the text does not name, 1 repeating an earlier one\n"
)


@pytest.fixture
def model(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FakeModel]:
    with serve() as fake:
        monkeypatch.setenv("OPENAI_BASE_URL", fake.url)
        monkeypatch.setenv("OPENAI_API_KEY", "test-key")
        monkeypatch.setenv("TRACKER_LLM_MODEL", "test-model")
        monkeypatch.setenv("TRACKER_LLM_TIMEOUT", "10")
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
        # A proxy from the environment must not intercept the local server.
        monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
        monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
        monkeypatch.delenv("TRACKER_INGEST_ENGINE", raising=False)
        yield fake


@pytest.fixture
def readout(tmp_path: Path) -> Path:
    path = tmp_path / "readout.txt"
    path.write_text(READOUT, encoding="utf-8")
    return path


@pytest.fixture
def ferry(run):
    assert (
        run("add", "ferry", "--kind", "agreement", "--title", "Coastal Ferry Agreement").exit_code
        == 0
    )


def ingest_json(run, readout: Path, *args: str) -> list[dict]:
    result = run("ingest", str(readout), "--engine", "llm", "--format", "json", *args)
    assert result.exit_code == 0, result
    return json.loads(result.stdout)


def test_proposals_come_out_as_the_rules_engines_marked_llm(run, model, readout, ferry):
    model.replies = [answer(GOOD)]
    found = ingest_json(run, readout)
    assert [list(p) for p in found] == [KEYS] * 4
    assert [
        (p["n"], p["quote"], p["commitment"], p["new"], p["status"], p["by"]) for p in found
    ] == [
        (1, SENTENCES[2], "grain-terminal-shared-traffic", True, "committed", BOTH),
        (2, SENTENCES[3], "eastern-channel-dredging", True, "in_progress", "Commissioner Varga"),
        (3, SENTENCES[4], "harbour-tariff-schedule", True, "proposed", "Minister Osei"),
        (4, SENTENCES[5], "ferry", False, "fulfilled", BOTH),
    ]
    assert {p["engine"] for p in found} == {"llm"}
    assert (found[3]["title"], found[3]["closes"], found[3]["cue"]) == (
        "Coastal Ferry Agreement",
        True,
        "welcomed the signing",
    )
    assert {(p["on"], p["source"]) for p in found} == {
        ("2025-05-14", "https://example.org/readouts/harbour-call")
    }
    assert event_count(run) == 1  # nothing written without --apply
    # What was sent: the model, the schema, the statuses, the tracked commitments, the numbered text.
    assert model.paths == ["/v1/chat/completions"]
    sent = model.requests[0]
    assert sent["model"] == "test-model"
    assert sent["response_format"]["type"] == "json_schema"
    assert sent["response_format"]["json_schema"]["schema"]["properties"]["statements"]["items"][
        "properties"
    ]["status"]["enum"] == [
        "proposed",
        "pending",
        "committed",
        "in_progress",
        "stalled",
        "fulfilled",
        "partial",
        "broken",
        "withdrawn",
        "superseded",
    ]
    system, user = (m["content"] for m in sent["messages"])
    assert "Concluded a week of meetings on X" in system and "- in_progress:" in system
    assert "- ferry: Coastal Ferry Agreement" in user
    assert f"[3] {SENTENCES[2]}" in user and "[7]" not in user


def test_the_table_says_which_model_proposed(run, model, readout, ferry):
    model.replies = [answer(GOOD)]
    result = run("ingest", str(readout), "--engine", "llm")
    assert result.exit_code == 0, result
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["N", "COMMITMENT", "STATUS", "BY", "QUOTE"]
    assert lines[4].startswith("4  ferry ") and "fulfilled !" in lines[4]
    assert lines[-1] == (
        "proposed by test-model (--engine llm); the quotes are the text's own sentences"
    )


@pytest.mark.both_stores
def test_apply_all_logs_only_verbatim_quotes_with_spec_statuses(run, model, readout, ferry):
    model.replies = [answer(INVENTED)]
    result = run("ingest", str(readout), "--engine", "llm", "--apply", "all")
    assert result.exit_code == 0, result
    assert result.stderr == INVENTED_WARNING
    assert result.stdout == "logged 2 statements, added 1 commitment (proposals 1, 2)\n"
    events = [json.loads(line) for line in run("export").stdout.splitlines()]
    statements = [e for e in events if e["type"] == "statement.recorded"]
    assert len(statements) == 2
    for e in statements:
        assert e["data"]["quote"] in SENTENCES
    assert "ten new ferry agreements" not in run("export").stdout
    rows = {r["id"]: r for r in json.loads(run("status", "--format", "json").stdout)}
    assert {i: r["status"] for i, r in rows.items()} == {
        "ferry": "fulfilled",
        "grain-terminal-shared-traffic": "committed",
    }
    assert run("verify").exit_code == 0
    again = run("ingest", str(readout), "--engine", "llm", "--apply", "all")
    assert again.stdout == "nothing to log: 2 of 2 proposals are already logged\n"
    # The prompt now lists the added commitment, so the model was asked again.
    assert (
        len(model.requests) == 2
        and "- grain-terminal-shared-traffic: " in model.requests[1]["messages"][1]["content"]
    )


def test_by_overrides_the_models_speakers(run, model, readout):
    model.replies = [answer(INVENTED)]
    found = ingest_json(run, readout, "--by", "Amara Osei")
    assert {p["by"] for p in found} == {"Amara Osei"}
    # The invented speaker does not matter when --by names the speaker.
    assert [p["commitment"] for p in found] == [
        "grain-terminal-shared-traffic",
        "eastern-channel-dredging",
        "ferry",
    ]
    assert (found[2]["new"], found[2]["title"]) == (True, "ferry")  # no title given: the id's words


def test_replies_are_cached_by_model_and_prompt(run, model, readout, tmp_path, monkeypatch):
    model.replies = [answer(GOOD)]
    first = ingest_json(run, readout)
    assert len(list((tmp_path / "cache" / "tracker" / "llm").glob("*.json"))) == 1
    model.replies = [answer([])]
    assert ingest_json(run, readout) == first  # free and repeatable
    assert len(model.requests) == 1
    assert ingest_json(run, readout, "--no-cache") == []
    assert len(model.requests) == 2
    # Another model is another key.
    monkeypatch.setenv("TRACKER_LLM_MODEL", "other-model")
    assert ingest_json(run, readout) == []
    assert [r["model"] for r in model.requests] == ["test-model", "test-model", "other-model"]


def test_rate_limited_then_answered(run, model, readout):
    model.replies = [error(429, "slow down", {"Retry-After": "0"}), answer(GOOD)]
    found = ingest_json(run, readout)
    assert len(found) == 4 and len(model.requests) == 2


def test_plain_json_when_the_server_has_no_structured_output(run, model, readout):
    model.replies = [
        error(400, "response_format type json_schema is not supported by this server"),
        (
            200,
            completion("Here you are:\n```json\n" + json.dumps({"statements": GOOD}) + "\n```"),
            {},
            0.0,
        ),
    ]
    found = ingest_json(run, readout)
    assert len(found) == 4
    assert [r["response_format"]["type"] for r in model.requests] == ["json_schema", "json_object"]


def test_a_model_that_takes_only_its_default_temperature(run, model, readout):
    model.replies = [
        error(400, "Unsupported value: 'temperature' does not support 0"),
        answer(GOOD),
    ]
    assert len(ingest_json(run, readout)) == 4
    assert ["temperature" in r for r in model.requests] == [True, False]


@pytest.mark.parametrize(
    ("replies", "message"),
    [
        (
            [(200, completion("{}"), {}, 3.0)],
            "did not answer within 0.5 s; nothing was written (raise TRACKER_LLM_TIMEOUT for a slow model)",
        ),
        (
            [error(401, "bad key")],
            "refused the key (HTTP 401); nothing was written: check OPENAI_API_KEY",
        ),
        (
            [error(403, "no access to this model")],
            "refused the key (HTTP 403); nothing was written: check OPENAI_API_KEY",
        ),
        (
            [error(429, "slow down", {"Retry-After": "0"})],
            "is rate-limiting requests (HTTP 429, 3 tries); nothing was written: wait, then rerun",
        ),
        (
            [error(503, "overloaded")],
            "failed (HTTP 503: overloaded); nothing was written: try again later",
        ),
        (
            [error(404, "no model named test-model")],
            "refused the request (HTTP 404: no model named test-model); nothing was written: check TRACKER_LLM_MODEL ('test-model')",
        ),
        (
            [(200, completion("Sentence 3 is a commitment, I think."), {}, 0.0)],
            "the model's reply is not the JSON asked for (it is not JSON)",
        ),
        (
            [(200, completion('{"answer": [3, 4]}'), {}, 0.0)],
            'the model\'s reply is not the JSON asked for (it has no "statements" list)',
        ),
        (
            [(200, completion(""), {}, 0.0)],
            "the model's reply is not the JSON asked for (it is empty)",
        ),
        ([(200, "<html>not an API</html>", {}, 0.0)], "is not a chat completion ("),
        (
            [(200, completion('{"statements": [{"sentence": 3, "comm', "length"), {}, 0.0)],
            "the model's reply was cut off before its JSON ended (its output limit)",
        ),
    ],
    ids=[
        "timeout",
        "401",
        "403",
        "429-forever",
        "503",
        "404",
        "prose",
        "wrong-shape",
        "empty",
        "not-json-body",
        "cut-off",
    ],
)
def test_failures_give_one_line_and_write_nothing(
    run, model, readout, ferry, monkeypatch, tmp_path, replies, message
):
    monkeypatch.setenv("TRACKER_LLM_TIMEOUT", "0.5")
    model.replies = replies
    result = run("ingest", str(readout), "--engine", "llm", "--apply", "all")
    assert result.exit_code == 1, result
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith("Error: ")
    assert message in result.stderr
    assert event_count(run) == 1  # only the ferry commitment
    assert not list((tmp_path / "cache").rglob("*.json"))  # a failure is not cached
    if "429" in message:
        assert len(model.requests) == 3


def test_unreachable_server(run, model, readout, monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    result = run("ingest", str(readout), "--engine", "llm")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: cannot reach the model at http://127.0.0.1:9/v1 (")
    assert result.stderr.endswith("check OPENAI_BASE_URL and that the server is running\n")


@pytest.mark.parametrize(
    ("unset", "message"),
    [
        (["TRACKER_LLM_MODEL"], "Error: --engine llm needs TRACKER_LLM_MODEL set: "),
        (
            ["TRACKER_LLM_MODEL", "OPENAI_API_KEY"],
            "Error: --engine llm needs TRACKER_LLM_MODEL and OPENAI_API_KEY set: ",
        ),
        (
            ["OPENAI_API_KEY"],
            "Error: --engine llm needs OPENAI_API_KEY set: TRACKER_LLM_MODEL names the model, OPENAI_API_KEY its key (any word for a local server that needs none), and OPENAI_BASE_URL the endpoint when it is not OpenAI's (such as http://localhost:11434/v1)\n",
        ),
    ],
)
def test_missing_settings_exit_2_and_send_nothing(run, model, readout, monkeypatch, unset, message):
    for name in unset:
        monkeypatch.delenv(name)
    model.replies = [answer(GOOD)]
    result = run("ingest", str(readout), "--engine", "llm", "--apply", "all")
    assert result.exit_code == 2
    assert result.stderr.startswith(message) and len(result.stderr.splitlines()) == 1
    assert model.requests == [] and event_count(run) == 0


def test_missing_extra_names_what_to_install(run, model, readout, monkeypatch):
    monkeypatch.setitem(sys.modules, "openai", None)  # import openai now raises ImportError
    result = run("ingest", str(readout), "--engine", "llm")
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: --engine llm needs the openai client, which is not installed: "
        "pip install 'tracker[llm]'\n"
    )
    assert model.requests == []


def test_bad_timeout_setting(run, model, readout, monkeypatch):
    monkeypatch.setenv("TRACKER_LLM_TIMEOUT", "soon")
    result = run("ingest", str(readout), "--engine", "llm")
    assert result.exit_code == 2
    assert (
        result.stderr
        == "Error: TRACKER_LLM_TIMEOUT 'soon' is not a number of seconds from 0 to 3600\n"
    )


def test_nothing_is_sent_unless_the_engine_is_llm(run, model, readout, monkeypatch):
    model.replies = [answer(GOOD)]
    found = json.loads(run("ingest", str(readout), "--format", "json").stdout)
    assert {p["engine"] for p in found} <= {"rules"}
    assert model.requests == []
    monkeypatch.setenv("TRACKER_INGEST_ENGINE", "llm")
    found = json.loads(run("ingest", str(readout), "--format", "json").stdout)
    assert {p["engine"] for p in found} == {"llm"} and len(model.requests) == 1
    assert (
        json.loads(run("ingest", str(readout), "--format", "json", "--engine", "rules").stdout)
        != found
    )
    assert len(model.requests) == 1


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--engine", "gpt"], None, "Error: --engine 'gpt' is not an engine; use rules or llm\n"),
        ([], "magic", "Error: TRACKER_INGEST_ENGINE 'magic' is not an engine; use rules or llm\n"),
    ],
)
def test_unknown_engine(run, model, readout, monkeypatch, args, env, message):
    if env:
        monkeypatch.setenv("TRACKER_INGEST_ENGINE", env)
    result = run("ingest", str(readout), *args)
    assert (result.exit_code, result.stderr) == (2, message)


def test_eval_scores_the_configured_model(model, tmp_path, capsys):
    from tracker.ingest_eval import main

    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "h01_harbour.txt").write_text(READOUT, encoding="utf-8")
    labels = [
        {"quote": SENTENCES[2], "status": "committed"},
        {"quote": SENTENCES[3], "status": "in_progress"},
        {"quote": SENTENCES[4], "status": "proposed"},
        {"quote": SENTENCES[5], "status": "fulfilled", "tracked": "ferry"},
    ]
    (folder / "h01_harbour.expected.json").write_text(json.dumps(labels), encoding="utf-8")
    tracked = [{"id": "ferry", "kind": "agreement", "title": "Coastal Ferry Agreement"}]
    (folder / "tracked.json").write_text(json.dumps(tracked), encoding="utf-8")
    model.replies = [answer(INVENTED)]
    assert main(["--engine", "llm", "--quiet", str(folder)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("engine: llm, model test-model\n")
    assert "(left out of the model's reply: 2 with a sentence number not in the text," in out
    total = next(line for line in out.splitlines() if line.startswith("TOTAL corpus"))
    # 4 labels, 2 proposals; recall, precision, status, linking, closing alarms, split
    assert total.split()[2:] == ["4", "2", "0.50", "1.00", "1.00", "1.00", "0", "0.50", "0"]
    assert "- ferry: Coastal Ferry Agreement" in model.requests[0]["messages"][1]["content"]


REAL_CORPUS = Path(
    os.environ.get(
        "TRACKER_INGEST_CORPUS", Path(__file__).resolve().parents[2] / "shared" / "ingest-corpus"
    )
)


@pytest.mark.skipif(
    not (REAL_CORPUS / "test").is_dir(), reason=f"the real corpus is not at {REAL_CORPUS}"
)
def test_a_perfect_model_scores_perfectly_on_the_real_corpus(model, capsys):
    """Every labelled quote of the corpus is one of tracker's own sentences, so the numbering
    loses nothing: a model that answered exactly as the labels do would score 1.0."""
    import re

    from tracker.domain.values import slugify
    from tracker.ingest_eval import llm_proposer, score_folder

    folder = REAL_CORPUS / "test"
    labels = [
        label
        for path in sorted(folder.glob("*.expected.json"))
        for label in json.loads(path.read_text(encoding="utf-8"))
    ]

    def oracle(request: dict) -> tuple:
        from tracker.ingest_eval import quote_matches

        numbered = re.findall(r"^\[(\d+)\] (.*)$", request["messages"][1]["content"], re.M)
        statements = []
        for label in labels:
            at = next((int(n) for n, s in numbered if quote_matches(label["quote"], s)), None)
            if at is not None:
                cid = label.get("tracked") or slugify(label["subject"])
                statements.append({"sentence": at, "commitment": cid, "title": label["subject"],
                                   "status": label["status"], "speaker": "", "reason": label["cue"]})  # fmt: skip
        return answer(statements)

    model.respond = oracle
    figures = score_folder(folder, quiet=True, proposer=llm_proposer()).figures()
    # Not "split": labels for several targets of one tracked commitment in one sentence
    # (a14: three Brazilian climate goals) become one statement, as one (sentence, id) is one.
    del figures["split"]
    assert figures == {"recall": 1.0, "precision": 1.0, "status": 1.0, "linking": 1.0,
                       "closing_alarms": 0.0, "wrong_links": 0.0}  # fmt: skip


def test_eval_without_settings(model, tmp_path, capsys, monkeypatch):
    from tracker.ingest_eval import main

    monkeypatch.delenv("TRACKER_LLM_MODEL")
    assert main(["--engine", "llm", str(tmp_path)]) == 2
    assert capsys.readouterr().err.startswith("Error: --engine llm needs TRACKER_LLM_MODEL set")
    assert model.requests == []


def test_the_rules_engine_does_not_import_the_client(readout, tmp_path):
    import subprocess

    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from cli import app\n"
        f"result = CliRunner().invoke(app, ['ingest', {str(readout)!r}, '--format', 'json'])\n"
        "assert result.exit_code == 0, result.output\n"
        "assert 'openai' not in sys.modules and 'tracker.ingest.prompt' not in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[1])  # fmt: skip
    assert done.returncode == 0, done.stderr
