"""`tracker ingest --engine llm`: ask a language model which sentences to log, through `openai`.

Only this module talks to the model. It reads the settings the way the official `openai`
client does (`OPENAI_BASE_URL`, `OPENAI_API_KEY`) plus `TRACKER_LLM_MODEL` and
`TRACKER_LLM_TIMEOUT`, imports `openai` (the optional extra `tracker[llm]`) only when the
engine is chosen, sends the prompt `tracker.ingest.prompt` builds, and hands the reply back
to it: every quote is one of tracker's own sentences, never the model's words.

Replies are cached on disk by a hash of (model, prompt), so a rerun is free and gives the
same proposals; `use_cache=False` neither reads nor writes the cache. A timeout, a refused
key, rate limiting (429, retried `TRIES` times with backoff), a server error or a reply
that is not the JSON asked for is one `RuntimeFailure` line; nothing is written either way.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from tracker.errors import RuntimeFailure, UserError

if TYPE_CHECKING:
    from tracker.ingest import KnownCommitment, Proposal

ENGINES = ("rules", "llm")
DEFAULT_TIMEOUT = 120.0  # seconds: a local model on a laptop can take a minute on a readout
TRIES = 3  # attempts when the endpoint answers 429
BACKOFF = 2.0  # seconds before the second attempt, doubled after, unless Retry-After says
MAX_WAIT = 30.0  # the longest wait between attempts, whatever Retry-After asks
INSTALL_HINT = "pip install 'tracker[llm]'"


class LLMSettings(NamedTuple):
    model: str
    base_url: str | None  # None: the client's own default (OpenAI's API)
    api_key: str
    timeout: float


def check_engine(value: str | None) -> str:
    """`--engine`, else TRACKER_INGEST_ENGINE, else `rules`."""
    engine = value if value is not None else os.environ.get("TRACKER_INGEST_ENGINE") or "rules"
    engine = engine.strip().lower()
    if engine not in ENGINES:
        where = "--engine" if value is not None else "TRACKER_INGEST_ENGINE"
        raise UserError(f"{where} {engine!r} is not an engine; use rules or llm")
    return engine


def llm_settings(env: Mapping[str, str] | None = None) -> LLMSettings:
    """The endpoint settings, checked before anything is read or sent (exit 2 when missing)."""
    env = os.environ if env is None else env
    try:
        import openai  # noqa: F401
    except ImportError:
        raise UserError(
            f"--engine llm needs the openai client, which is not installed: {INSTALL_HINT}"
        ) from None
    missing = [name for name in ("TRACKER_LLM_MODEL", "OPENAI_API_KEY") if not env.get(name)]
    if missing:
        raise UserError(
            f"--engine llm needs {' and '.join(missing)} set: TRACKER_LLM_MODEL names the model, "
            "OPENAI_API_KEY its key (any word for a local server that needs none), and "
            "OPENAI_BASE_URL the endpoint when it is not OpenAI's (such as "
            "http://localhost:11434/v1)"
        )
    raw_timeout = env.get("TRACKER_LLM_TIMEOUT") or str(DEFAULT_TIMEOUT)
    try:
        timeout = float(raw_timeout)
    except ValueError:
        timeout = -1.0
    if not 0 < timeout <= 3600:
        raise UserError(
            f"TRACKER_LLM_TIMEOUT {raw_timeout!r} is not a number of seconds from 0 to 3600"
        )
    return LLMSettings(
        model=env["TRACKER_LLM_MODEL"].strip(),
        base_url=env.get("OPENAI_BASE_URL") or None,
        api_key=env["OPENAI_API_KEY"],
        timeout=timeout,
    )


def cache_dir(env: Mapping[str, str] | None = None) -> Path:
    """$XDG_CACHE_HOME/tracker/llm, else ~/.cache/tracker/llm."""
    env = os.environ if env is None else env
    base = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "tracker" / "llm"


class Extraction(NamedTuple):
    proposals: list[Proposal]
    dropped: int
    why_dropped: str  # "2 with a sentence number not in the text, ..."; "" when none
    cached: bool


def llm_propose(
    text: str,
    known: Sequence[KnownCommitment],
    settings: LLMSettings,
    *,
    by: str | None = None,
    on: str | None = None,
    source: str | None = None,
    use_cache: bool = True,
    sleep: Callable[[float], None] = time.sleep,
) -> Extraction:
    """Ask the model about `text` (or read its cached answer) and keep what can be trusted."""
    from tracker.ingest.prompt import (
        PROMPT_VERSION,
        REPLY_SCHEMA,
        MalformedReply,
        build_messages,
        number_sentences,
        read_reply,
    )

    sentences = number_sentences(text)
    if not sentences:
        return Extraction([], 0, "", False)
    messages = build_messages(sentences, known)
    key = hashlib.sha256(
        json.dumps(
            [PROMPT_VERSION, settings.model, messages, REPLY_SCHEMA],
            sort_keys=True,
            ensure_ascii=False,
        ).encode()
    ).hexdigest()
    path = cache_dir() / f"{key}.json"
    content = _read_cache(path) if use_cache else None
    cached = content is not None
    if content is None:
        content = _ask(settings, messages, REPLY_SCHEMA, sleep)
    try:
        proposals, dropped = read_reply(
            content, sentences, text, known, by=by, on=on, source=source
        )
    except MalformedReply as exc:
        raise RuntimeFailure(
            f"the model's reply is not the JSON asked for ({exc}); nothing was written: "
            f"rerun, or try another model than {settings.model!r}"
        ) from None
    if use_cache and not cached:
        _write_cache(path, settings.model, content)
    return Extraction(proposals, dropped.total(), dropped.describe(), cached)


def _read_cache(path: Path) -> str | None:
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    content = entry.get("content") if isinstance(entry, dict) else None
    return content if isinstance(content, str) else None


def _write_cache(path: Path, model: str, content: str) -> None:
    """Keep the reply for a rerun; a cache that cannot be written only costs a new request."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)  # replies quote your texts
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(
            json.dumps({"model": model, "content": content}, ensure_ascii=False),
            encoding="utf-8",
        )
        os.replace(partial, path)
    except OSError:
        pass


def _where(settings: LLMSettings) -> str:
    return settings.base_url or "OpenAI's API (OPENAI_BASE_URL is not set)"


def _ask(
    settings: LLMSettings,
    messages: list[dict[str, str]],
    schema: dict[str, Any],
    sleep: Callable[[float], None],
) -> str:
    """One chat completion, retried only on 429; every failure is one clear line."""
    import openai

    client = openai.OpenAI(
        api_key=settings.api_key,
        base_url=settings.base_url,
        timeout=settings.timeout,
        max_retries=0,  # our own bounded retries, for 429 only
    )
    where = _where(settings)
    response_format: Any = {
        "type": "json_schema",
        "json_schema": {"name": "statements", "schema": schema, "strict": True},
    }
    options: dict[str, Any] = {"temperature": 0}  # the same text, the same answer, if it can
    attempt = 0
    structured = True
    while True:
        attempt += 1
        try:
            reply = client.chat.completions.create(
                model=settings.model,
                messages=messages,  # type: ignore[arg-type]
                response_format=response_format,
                **options,
            )
            break
        except openai.APITimeoutError:
            raise RuntimeFailure(
                f"the model at {where} did not answer within {settings.timeout:g} s; "
                "nothing was written (raise TRACKER_LLM_TIMEOUT for a slow model)"
            ) from None
        except openai.APIConnectionError as exc:
            raise RuntimeFailure(
                f"cannot reach the model at {where} ({_reason(exc)}); nothing was written: "
                "check OPENAI_BASE_URL and that the server is running"
            ) from None
        except (openai.AuthenticationError, openai.PermissionDeniedError) as exc:
            raise RuntimeFailure(
                f"{where} refused the key (HTTP {exc.status_code}); nothing was written: "
                "check OPENAI_API_KEY"
            ) from None
        except openai.RateLimitError as exc:
            if attempt >= TRIES:
                raise RuntimeFailure(
                    f"{where} is rate-limiting requests (HTTP 429, {TRIES} tries); "
                    "nothing was written: wait, then rerun"
                ) from None
            sleep(_backoff(exc, attempt))
        except openai.APIStatusError as exc:
            if exc.status_code == 400 and structured and _about_format(exc):
                # A server without structured output: ask for plain JSON, read the same way.
                structured = False
                response_format = {"type": "json_object"}
                attempt -= 1
                continue
            if exc.status_code == 400 and options and "temperature" in _reason(exc).lower():
                options = {}  # a model that takes only its default temperature
                attempt -= 1
                continue
            if exc.status_code >= 500:
                raise RuntimeFailure(
                    f"the model server at {where} failed (HTTP {exc.status_code}: "
                    f"{_reason(exc)}); nothing was written: try again later"
                ) from None
            raise RuntimeFailure(
                f"{where} refused the request (HTTP {exc.status_code}: {_reason(exc)}); "
                f"nothing was written: check TRACKER_LLM_MODEL ({settings.model!r})"
            ) from None
        except (openai.OpenAIError, ValueError) as exc:
            raise RuntimeFailure(
                f"the reply from {where} is not a chat completion ({_reason(exc)}); "
                "nothing was written: check OPENAI_BASE_URL"
            ) from None
    choices = getattr(reply, "choices", None) or []
    content = choices[0].message.content if choices else None
    if choices and choices[0].finish_reason == "length":
        raise RuntimeFailure(
            "the model's reply was cut off before its JSON ended (its output limit); nothing "
            "was written: give ingest a shorter text, or use a model with a larger limit"
        )
    if not isinstance(content, str) or not content.strip():
        raise RuntimeFailure(
            "the model's reply is not the JSON asked for (it is empty); nothing was written: "
            f"rerun, or try another model than {settings.model!r}"
        )
    return content


def _reason(exc: Exception) -> str:
    """The server's own words for an error, on one line, without the client's prefix."""
    body = getattr(exc, "body", None)
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        body = body["error"]
    message = body.get("message") if isinstance(body, dict) else None
    if not isinstance(message, str) or not message.strip():
        message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
        message = re.sub(r"\AError code: \d+ - ", "", str(message))
    return " ".join(message.split())[:200]


def _about_format(exc: Exception) -> bool:
    text = _reason(exc).lower()
    return "response_format" in text or "json_schema" in text or "structured" in text


def _backoff(exc: Any, attempt: int) -> float:
    """Seconds to wait before the next attempt: Retry-After when given, else doubling."""
    wait: float = BACKOFF * 2.0 ** (attempt - 1)
    response = getattr(exc, "response", None)
    header = response.headers.get("retry-after") if response is not None else None
    if isinstance(header, str):
        with contextlib.suppress(ValueError):
            wait = float(header)
    return max(0.0, min(wait, MAX_WAIT))
