"""No test leaves a thread running: whatever starts a server, a watch or a worker stops and joins it.

A test's threads must be gone when its fixtures have been torn down; threads started by module- or
session-scoped fixtures are counted when the session ends, after those fixtures' teardown. A thread that is
already stopping gets a few seconds to finish (a loaded machine makes it slower, never different). Objects the
test dropped are collected first: a client nobody holds any more closes its sockets then, and the server thread
that served the connection ends.

A sandbox API server serves each connection on a thread of its own, named ``sandbox-api HOST:PORT``: one left
running after a test means a client of the test kept its connection open (a pool nobody closed), which the
message then names.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Iterator

import pytest

GRACE = 10.0


def _left_over(before: set[threading.Thread]) -> list[threading.Thread]:
    gc.collect()
    deadline = time.monotonic() + GRACE
    while True:
        alive = [thread for thread in threading.enumerate() if thread not in before and thread.is_alive()]
        if not alive or time.monotonic() >= deadline:
            return alive
        alive[0].join(timeout=0.05)


def _describe(threads: list[threading.Thread]) -> str:
    return ", ".join(sorted(f"{thread.name} (daemon)" if thread.daemon else thread.name for thread in threads))


@pytest.fixture(scope="session", autouse=True)
def _no_threads_left_at_session_end() -> Iterator[None]:
    before = set(threading.enumerate())
    yield
    left = _left_over(before)
    if left:
        pytest.fail(f"threads still running after the session's fixtures stopped: {_describe(left)}", pytrace=False)


@pytest.fixture(autouse=True)
def _no_threads_leaked_by_the_test() -> Iterator[None]:
    before = set(threading.enumerate())
    yield
    left = _left_over(before)
    if left:
        pytest.fail(f"the test left threads running: {_describe(left)}", pytrace=False)
