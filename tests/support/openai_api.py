"""A local HTTP server speaking the OpenAI chat completions API, for the optional LLM.

`reply` decides what the "model" answers from the request's messages, so a test can play a
well-behaved model, one that invents an amount, one that threatens, or a broken server.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

Messages = list[dict[str, Any]]


class FakeOpenAIApi:
    def __init__(
        self, reply: Callable[[Messages], str] | None = None, *, status: int = 200
    ) -> None:
        self.reply: Callable[[Messages], str] = reply or (lambda messages: "")
        self.status = status
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                api.requests.append(body)
                api.headers.append(dict(self.headers.items()))
                if not self.path.endswith("/chat/completions"):
                    self._send(404, {"error": {"message": f"no route {self.path}"}})
                elif api.status != 200:
                    self._send(api.status, {"error": {"message": "server error", "type": "x"}})
                else:
                    content = api.reply(body.get("messages", []))
                    self._send(200, _completion(body.get("model", "fake"), content))

            def _send(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def start(self) -> FakeOpenAIApi:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(10)

    def __enter__(self) -> FakeOpenAIApi:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _completion(model: str, content: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
    }


def draft_of(messages: Messages) -> str:
    """The draft the rephraser sent (the user message, after its 'Draft (...):' line)."""
    user = next(m for m in messages if m.get("role") == "user")
    text = str(user.get("content", ""))
    return text.split("\n\n", 1)[1] if "\n\n" in text else text
