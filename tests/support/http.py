"""Run an ASGI app on a real uvicorn server in a thread, on a free loopback port."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

START_TIMEOUT = 30.0
STOP_TIMEOUT = 30.0


class ServerThread:
    """A uvicorn server bound to 127.0.0.1 on a port the OS picked.

    The socket is bound on construction, so `url` is known before the app is built (an app that
    checks signatures against its public URL needs it) and no other process can take the port in
    between. `stop()` asks uvicorn to finish in-flight requests, joins the thread and closes the
    socket.
    """

    def __init__(self) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        self.port: int = self._socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def start(self, app: Any) -> None:
        config = uvicorn.Config(
            app, log_level="warning", lifespan="off", timeout_graceful_shutdown=5
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError("uvicorn stopped before it started serving; see the log above")
            if time.monotonic() > deadline:
                raise RuntimeError(f"uvicorn did not start within {START_TIMEOUT} s")
            time.sleep(0.02)

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None and self._thread.is_alive():
            self._thread.join(STOP_TIMEOUT)
        self._socket.close()


@contextmanager
def serve_in_thread(make_app: Callable[[str], Any]) -> Iterator[ServerThread]:
    """Serve an app for the duration of the block; yields the server.

    `make_app` receives the server's own origin (http://127.0.0.1:PORT) and returns the ASGI app;
    pass `lambda _: app` when the app does not need it.
    """
    server = ServerThread()
    try:
        server.start(make_app(server.url))
    except BaseException:
        server.stop()
        raise
    try:
        yield server
    finally:
        server.stop()
