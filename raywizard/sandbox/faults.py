"""Fault injection for the sandbox API server (HTTP requests only; in-process Store calls are never affected).

String spec (``raywizard sandbox --faults``), comma-separated items::

    latency=0.2             every request waits 0.2 s first (also 200ms); latency.list=1s for one verb
    error_rate=0.1          10 % of requests fail with 500 InternalError; error_rate.patch=0.3 for one verb
    throttle_rate=0.1       ... with 429 TooManyRequests (Retry-After: 1); throttle_rate.list=0.5
    unavailable_rate=0.1    ... with 503 ServiceUnavailable
    drop_watches=10s        every watch connection is cut (no final chunk) after 10 s
    expire_watches[=5s]     every watch gets an ERROR 410 Expired event after 5 s (default) and ends
    forbid=patch:applications   403 Forbidden for that verb and resource (repeatable; verb or resource
    may be *)

In-process: ``set_latency``, ``set_error_rate``, ``forbid``, ``fail_next``, ``drop_watches`` (cut the
open ones now),
``expire_watches`` (410 to the open ones now), ``expire_next_watches``, ``clear``.
"""

from __future__ import annotations

import random
import re
import threading
from dataclasses import dataclass
from typing import Any

from raywizard.sandbox.status import (
    ApiError,
    forbidden,
    internal_error,
    service_unavailable,
    too_many_requests,
)


def parse_duration(text: str) -> float:
    m = re.fullmatch(r"\s*([0-9.]+)\s*(ms|s|m)?\s*", text)
    if not m:
        raise ValueError(f"not a duration: {text!r} (use e.g. 0.2, 200ms, 10s, 1m)")
    value = float(m.group(1))
    unit = m.group(2) or "s"
    return value / 1000 if unit == "ms" else value * 60 if unit == "m" else value


HOLD_LIMIT = 300.0  # seconds a held request waits at most, so a test that forgets release() cannot hang a server


@dataclass
class _FailNext:
    verb: str
    resource: str
    code: int
    count: int


class FaultInjector:
    def __init__(self, spec: str | None = None) -> None:
        self._lock = threading.Lock()
        self._random = random.Random()
        self.store: Any = None  # set by SandboxCluster, for expire_watches()
        self.clear()
        if spec:
            self.configure(spec)

    def clear(self) -> None:
        held = getattr(self, "_held", None)
        if held is not None:
            held[1].set()  # a cleared injector lets every held request through
        thawed = getattr(self, "_thawed", None)
        if thawed is None:
            self._thawed = threading.Event()
        self._thawed.set()
        delayed = getattr(self, "_delayed", None)
        if delayed is not None:
            delayed.set()  # and every request still sleeping its latency
        self._delayed = threading.Event()
        with self._lock:
            self._held: tuple[set[tuple[str, str]], threading.Event] | None = None
            self.latency: dict[str, float] = {}
            self.error_rate: dict[str, float] = {}
            self.throttle_rate: dict[str, float] = {}
            self.unavailable_rate: dict[str, float] = {}
            self.forbidden: set[tuple[str, str]] = set()
            self.drop_watches_after: float | None = None
            self.expire_watches_after: float | None = None
            self._fail_next: list[_FailNext] = []
            self._expire_next = 0
            self.drop_generation = getattr(self, "drop_generation", 0)

    # ------------------------------------------------------------------ configuration
    def configure(self, spec: str) -> None:
        for item in (i.strip() for i in spec.split(",")):
            if not item:
                continue
            key, _, value = item.partition("=")
            name, _, verb = key.strip().partition(".")
            verb = verb or "*"
            if name == "latency":
                self.latency[verb] = parse_duration(value)
            elif name in ("error_rate", "throttle_rate", "unavailable_rate"):
                rate = float(value)
                if not 0 <= rate <= 1:
                    raise ValueError(f"{name} must be between 0 and 1, got {value}")
                getattr(self, name)[verb] = rate
            elif name == "drop_watches":
                self.drop_watches_after = parse_duration(value or "10s")
            elif name == "expire_watches":
                self.expire_watches_after = parse_duration(value or "5s")
            elif name == "forbid":
                v, _, resource = value.partition(":")
                if not v or not resource:
                    raise ValueError(f"forbid needs verb:resource, got {value!r}")
                self.forbidden.add((v.strip(), resource.strip()))
            else:
                raise ValueError(
                    f"unknown fault {name!r} (known: latency, error_rate, throttle_rate, "
                    "unavailable_rate, drop_watches, expire_watches, forbid)"
                )

    def set_latency(self, seconds: float, verb: str = "*") -> None:
        self.latency[verb] = seconds

    def set_error_rate(self, verb: str, rate: float) -> None:
        self.error_rate[verb] = rate

    def forbid(self, verb: str, resource: str) -> None:
        self.forbidden.add((verb, resource))

    def fail_next(self, verb: str = "*", resource: str = "*", code: int = 500, count: int = 1) -> None:
        """The next `count` requests matching verb/resource fail with `code` (500, 503, 429, 403, 410...)."""
        with self._lock:
            self._fail_next.append(_FailNext(verb, resource, code, count))

    def hold(self, verb: str = "*", resource: str = "*") -> None:
        """Matching requests wait (up to HOLD_LIMIT seconds) until release(): a server that is slow on one call
        for exactly as long as a test needs, instead of a latency that a loaded machine may outlast."""
        with self._lock:
            if self._held is None:
                self._held = (set(), threading.Event())
            self._held[0].add((verb, resource))

    def release(self) -> None:
        with self._lock:
            held, self._held = self._held, None
        if held is not None:
            held[1].set()

    def freeze(self) -> None:
        """The server stops answering, as a SIGSTOPped or hung API server does: connections are still accepted,
        but every request waits (up to HOLD_LIMIT seconds) and open watches send nothing until thaw()."""
        self._thawed.clear()

    def thaw(self) -> None:
        self._thawed.set()

    @property
    def frozen(self) -> bool:
        return not self._thawed.is_set()

    def wait_thawed(self) -> None:
        self._thawed.wait(HOLD_LIMIT)

    def wake(self) -> None:
        """Every request waiting here (a latency, a hold, a freeze) goes on now, and latencies stay cut short
        until ``clear()``: the server is stopping, and its threads must not outlive it."""
        self._delayed.set()
        held = self._held
        if held is not None:
            held[1].set()
        self._thawed.set()

    def drop_watches(self) -> None:
        """Cut every open watch connection now."""
        with self._lock:
            self.drop_generation += 1

    def expire_watches(self) -> None:
        """Send every open watch an ERROR 410 Expired now."""
        if self.store is not None:
            self.store.expire_watches()

    def expire_next_watches(self, count: int = 1) -> None:
        """The next `count` watch requests carrying a resourceVersion get a 410 ERROR event."""
        with self._lock:
            self._expire_next += count

    def take_expire_next(self) -> bool:
        with self._lock:
            if self._expire_next > 0:
                self._expire_next -= 1
                return True
            return False

    # ------------------------------------------------------------------ checks (called per HTTP request)
    @staticmethod
    def _rate(table: dict[str, float], verb: str) -> float:
        return table.get(verb, table.get("*", 0.0))

    def before(
        self,
        verb: str,
        group: str,
        plural: str,
        name: str | None,
        namespace: str | None,
        subresource: str | None = None,
    ) -> None:
        """Sleep the configured latency, then raise the injected ApiError, if any."""
        delay = self._rate(self.latency, verb)
        if delay > 0:
            self._delayed.wait(delay)
        key = f"{plural}.{group}" if group else plural
        held = self._held
        if held is not None and any(v in ("*", verb) and r in ("*", plural, key) for v, r in list(held[0])):
            held[1].wait(HOLD_LIMIT)
        with self._lock:
            for fail in self._fail_next:
                if fail.verb in ("*", verb) and fail.resource in ("*", plural, key) and fail.count > 0:
                    fail.count -= 1
                    code = fail.code
                    self._fail_next = [f for f in self._fail_next if f.count > 0]
                    raise self._error(code, verb, group, plural, name, namespace, subresource)
        for v, r in list(self.forbidden):
            if v in ("*", verb) and r in ("*", plural, key):
                raise forbidden("raywizard-sandbox", verb, group, plural, name, namespace, subresource)
        for table, code in ((self.error_rate, 500), (self.throttle_rate, 429), (self.unavailable_rate, 503)):
            rate = self._rate(table, verb)
            if rate > 0 and self._random.random() < rate:
                raise self._error(code, verb, group, plural, name, namespace, subresource)

    @staticmethod
    def _error(
        code: int,
        verb: str,
        group: str,
        plural: str,
        name: str | None,
        namespace: str | None,
        subresource: str | None,
    ) -> ApiError:
        if code == 403:
            return forbidden("raywizard-sandbox", verb, group, plural, name, namespace, subresource)
        if code == 429:
            return too_many_requests()
        if code == 503:
            return service_unavailable()
        if code == 410:
            return ApiError(410, "Expired", "too old resource version")
        if code == 409:
            return ApiError(409, "Conflict", "injected conflict")
        return internal_error(f"injected fault for {verb} {plural}")
