"""Waiting on observable conditions instead of sleeping: ``wait_for`` in plain tests, ``wait_until`` in Pilot
tests (the app keeps running, so its workers post their results meanwhile). Timeouts are generous: a loaded
machine makes things slower, never different."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def wait_for(check: Callable[[], T], timeout: float = 30.0, interval: float = 0.05, what: str = "") -> T:
    """Poll ``check`` until it returns something truthy (and return that); fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(interval)
    last = check()
    if last:
        return last
    raise AssertionError(f"timed out waiting for {what or check!r}; last value: {last!r}")


async def wait_until(pilot: Any, check: Callable[[], T], timeout: float = 120.0, what: str = "") -> T:
    """``wait_for`` for a running app: ``pilot.pause`` between checks instead of sleeping."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        await pilot.pause(0.1)
    value = check()
    if value:
        return value
    raise AssertionError(f"timed out waiting for {what or check!r}; last value: {value!r}")
