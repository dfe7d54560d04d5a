"""Fixtures for the channel tests: a fresh Dovecot per test (it starts in well under a second)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.dovecot import DovecotServer


@pytest.fixture
def dovecot_factory() -> Iterator[Callable[..., DovecotServer]]:
    """Start Dovecot with chosen capabilities removed, e.g. `dovecot_factory(without=("IDLE",))`.

    The scratch folder is not pytest's tmp_path: every pytest session resets
    /tmp/pytest-of-<user> to 0700, which would lock Dovecot's auth process out mid-run when
    other sessions run beside this one.
    """
    root = Path(tempfile.mkdtemp(prefix="parley-dovecot-"))
    servers: list[DovecotServer] = []

    def start(*, without: tuple[str, ...] = ()) -> DovecotServer:
        server = DovecotServer(root / f"server{len(servers)}", without=without)
        servers.append(server)
        return server.start()

    try:
        yield start
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def dovecot(dovecot_factory: Callable[..., DovecotServer]) -> DovecotServer:
    return dovecot_factory()
