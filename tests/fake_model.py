"""A stand-in for an OpenAI-compatible model server, on 127.0.0.1, answering with set replies.

Each reply is (HTTP status, body, headers, delay in seconds); the last one repeats, so one
429 answers every request. Requests are kept, as parsed JSON, for tests to inspect.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Reply = tuple[int, Any, dict[str, str], float]


def completion(content: str, finish_reason: str = "stop") -> dict[str, Any]:
    """A chat completion whose one choice says `content`."""
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 1747200000,
        "model": "test-model",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": finish_reason,
            }
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
    }


def answer(statements: Any) -> Reply:
    """A 200 reply whose content is `{"statements": ...}` as JSON."""
    return (200, completion(json.dumps({"statements": statements})), {}, 0.0)


def error(status: int, message: str, headers: dict[str, str] | None = None) -> Reply:
    return (
        status,
        {"error": {"message": message, "type": "test", "code": None}},
        headers or {},
        0.0,
    )


class FakeModel:
    def __init__(self) -> None:
        self.replies: list[Reply] = []
        self.requests: list[dict[str, Any]] = []
        self.paths: list[str] = []
        self.url = ""
        self.respond: Callable[[dict[str, Any]], Reply] | None = None  # a reply per request

    def next_reply(self) -> Reply:
        if self.respond is not None:
            return self.respond(self.requests[-1])
        return self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]


@contextmanager
def serve() -> Iterator[FakeModel]:
    model = FakeModel()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            model.paths.append(self.path)
            model.requests.append(json.loads(body or b"{}"))
            status, payload, headers, delay = model.next_reply()
            if delay:
                time.sleep(delay)
            data = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)
            except OSError:
                pass  # the client gave up (the timeout test)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.block_on_close = False  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    model.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    try:
        yield model
    finally:
        server.shutdown()
        server.server_close()
