"""Run an ASGI app on a real uvicorn server in a thread, on a free loopback port."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

START_TIMEOUT = 30.0
STOP_TIMEOUT = 30.0


class ServerThread:
    """A uvicorn server bound to 127.0.0.1 on a port the OS picked.

    The socket is bound before the thread starts, so `url` is known at once and no other process
    can take the port in between. `stop()` asks uvicorn to finish in-flight requests, joins the
    thread and closes the socket.
    """

    def __init__(self, app: Any) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        self.port: int = self._socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            app, log_level="warning", lifespan="off", timeout_graceful_shutdown=5
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )

    def start(self) -> None:
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT
        while not self._server.started:
            if not self._thread.is_alive():
                self._socket.close()
                raise RuntimeError("uvicorn stopped before it started serving; see the log above")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"uvicorn did not start within {START_TIMEOUT} s")
            time.sleep(0.02)

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(STOP_TIMEOUT)
        self._socket.close()


@contextmanager
def serve_in_thread(app: Any) -> Iterator[ServerThread]:
    """Serve `app` for the duration of the block; yields the server (its `url` is the origin)."""
    server = ServerThread(app)
    server.start()
    try:
        yield server
    finally:
        server.stop()
