"""Committed-change events and per-watcher queues (filled under the store lock, drained by HTTP threads)."""

from __future__ import annotations

import collections
import json
import threading
from typing import Any

from raywizard.sandbox.selectors import Matcher

#: a watcher that falls this many events behind is expired (410), like a real watch cache
WATCH_QUEUE_LIMIT = 50_000


class Event:
    """One committed write: its resourceVersion, type, resource key and the object's JSON (never mutated).

    The parsed object and its previous version are kept only while the write is being fanned out; the event log
    then holds just the bytes (shared with the neighbouring versions), and `obj`/`old` are re-parsed on demand
    (a selector watch replaying from a resourceVersion).
    """

    __slots__ = ("_line", "_obj", "_old", "name", "namespace", "old_raw", "raw", "resource", "rv", "type")

    def __init__(
        self,
        rv: int,
        type_: str,
        resource: str,
        namespace: str,
        name: str,
        raw: bytes,
        old_raw: bytes | None,
        obj: dict[str, Any] | None = None,
        old: dict[str, Any] | None = None,
    ) -> None:
        self.rv = rv
        self.type = type_
        self.resource = resource
        self.namespace = namespace
        self.name = name
        self.raw = raw
        self.old_raw = old_raw
        self._obj = obj
        self._old = old
        self._line: bytes | None = None

    @property
    def obj(self) -> dict[str, Any]:
        if self._obj is None:
            return dict(json.loads(self.raw))
        return self._obj

    @property
    def old(self) -> dict[str, Any] | None:
        if self._old is None and self.old_raw is not None:
            return dict(json.loads(self.old_raw))
        return self._old

    def release(self) -> None:
        """Drop the parsed objects once fanned out (memory: the log keeps thousands of events)."""
        self._obj = None
        self._old = None

    def line(self, type_: str | None = None) -> bytes:
        """The watch wire line ``{"type":...,"object":...}\\n`` (cached for the common case)."""
        if type_ is not None and type_ != self.type:
            return b'{"type":"' + type_.encode() + b'","object":' + self.raw + b"}\n"
        if self._line is None:
            self._line = b'{"type":"' + self.type.encode() + b'","object":' + self.raw + b"}\n"
        return self._line


class Watch:
    """A queue of events for one watcher; `offer` is called by the store under its lock."""

    def __init__(self, resource: str, namespace: str | None, matcher: Matcher | None) -> None:
        self.resource = resource
        self.namespace = namespace or None
        self.matcher = matcher
        self._cond = threading.Condition()
        self._queue: collections.deque[tuple[str, Event]] = collections.deque()
        self.expired = False
        self.closed = False
        self.last_rv = 0
        self.start_rv = 0  # the store's resourceVersion when the watch was registered

    def offer(self, event: Event) -> None:
        if event.resource != self.resource or self.closed:
            return
        if self.namespace is not None and event.namespace != self.namespace:
            return
        type_ = event.type
        if self.matcher is not None:
            now = self.matcher(event.obj)
            before = event.old is not None and self.matcher(event.old)
            if type_ == "MODIFIED":
                if now and not before:
                    type_ = "ADDED"
                elif before and not now:
                    type_ = "DELETED"
                elif not now:
                    return
            elif not now:
                return
        with self._cond:
            if len(self._queue) >= WATCH_QUEUE_LIMIT:
                self.expired = True
                self._queue.clear()
            else:
                self._queue.append((type_, event))
            self._cond.notify()

    def preload(self, items: list[tuple[str, Event]]) -> None:
        with self._cond:
            self._queue.extend(items)
            self._cond.notify()

    def drain(self, timeout: float) -> list[tuple[str, Event]]:
        """Queued events, waiting up to `timeout` for the first one; [] on timeout, expiry or close."""
        with self._cond:
            if not self._queue and not self.expired and not self.closed:
                self._cond.wait(timeout)
            items = list(self._queue)
            self._queue.clear()
        if items:
            self.last_rv = items[-1][1].rv
        return items

    def empty(self) -> bool:
        with self._cond:
            return not self._queue

    def expire(self) -> None:
        with self._cond:
            self.expired = True
            self._queue.clear()
            self._cond.notify_all()

    def close(self) -> None:
        with self._cond:
            self.closed = True
            self._cond.notify_all()


def clone(value: Any) -> Any:
    """A deep copy of JSON data (dicts, lists, scalars): several times faster than copy.deepcopy."""
    kind = type(value)
    if kind is dict:
        return {k: clone(v) for k, v in value.items()}
    if kind is list:
        return [clone(v) for v in value]
    return value


def dumps(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()
