"""A small controller runtime: one thread, a queue of dirty keys, timers and periodic resync.

Store callbacks run after each commit on the writer's thread, so `_on_store_event` only files a key and
returns;
all work (and every delay, divided by the cluster's speed factor) happens on the controller's own thread.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable, Hashable
from typing import Any

log = logging.getLogger("raywizard.sandbox.controllers")


class Controller:
    """Base for the simulated controllers. Subclasses set `name`, `resources` and implement
    `reconcile(key)`."""

    name = "controller"
    #: store resources whose events wake this controller
    resources: tuple[str, ...] = ()
    #: seconds (simulated) between full resyncs; 0 = never
    resync_seconds = 0.0

    def __init__(self, cluster: Any) -> None:
        self.cluster = cluster
        self.store = cluster.store
        self.speed = float(getattr(cluster, "speed", 1.0) or 1.0)
        self._cond = threading.Condition()
        self._dirty: dict[Hashable, None] = {}
        self._timers: list[tuple[float, int, Callable[[], None]]] = []
        self._seq = itertools.count()
        self._paused = False
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._next_resync = 0.0
        self.errors: list[str] = []  # last few unexpected errors, for tests and debugging

    # --- lifecycle (the Controller protocol of SandboxCluster) ---
    def start(self) -> None:
        if self._thread is not None:
            return
        self._stopping = False
        self._unsubscribe = self.store.subscribe(self._on_store_event)
        self._thread = threading.Thread(target=self._loop, name=f"sandbox-{self.name}", daemon=True)
        self._thread.start()
        self.request_resync()

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        self._thread = None

    def pause(self) -> None:
        with self._cond:
            self._paused = True

    def resume(self) -> None:
        with self._cond:
            self._paused = False
            self._cond.notify_all()

    @property
    def paused(self) -> bool:
        return self._paused

    @property
    def stopping(self) -> bool:
        return self._stopping

    # --- scheduling ---
    def seconds(self, simulated: float) -> float:
        """Real seconds for a simulated delay."""
        return max(0.0, simulated) / self.speed

    def enqueue(self, key: Hashable) -> None:
        with self._cond:
            self._dirty[key] = None
            self._cond.notify_all()

    def after(self, simulated_seconds: float, action: Callable[[], None]) -> None:
        with self._cond:
            due = time.monotonic() + self.seconds(simulated_seconds)
            heapq.heappush(self._timers, (due, next(self._seq), action))
            self._cond.notify_all()

    def request_resync(self) -> None:
        with self._cond:
            self._next_resync = 0.0
            self._cond.notify_all()

    def _on_store_event(self, event_type: str, resource: str, obj: dict[str, Any]) -> None:
        if resource not in self.resources or self._stopping:
            return
        try:
            key = self.key_for(event_type, resource, obj)
        except Exception:  # never break the writer's thread
            log.exception("%s: key_for failed", self.name)
            return
        if key is not None:
            self.enqueue(key)

    # --- to override ---
    def key_for(self, event_type: str, resource: str, obj: dict[str, Any]) -> Hashable | None:
        meta = obj.get("metadata") or {}
        return (resource, meta.get("namespace") or "", meta.get("name") or "")

    def reconcile(self, key: Any) -> None:
        raise NotImplementedError

    def resync(self) -> None:
        """Enqueue everything this controller owns (called at start and every `resync_seconds`)."""

    # --- the loop ---
    def _loop(self) -> None:
        while True:
            with self._cond:
                while True:
                    if self._stopping:
                        return
                    now = time.monotonic()
                    if not self._paused:
                        if self._dirty or (self._timers and self._timers[0][0] <= now):
                            break
                        if self._next_resync <= now:
                            break
                    waits = [1.0]
                    if not self._paused:
                        if self._timers:
                            waits.append(self._timers[0][0] - now)
                        waits.append(self._next_resync - now)
                    self._cond.wait(max(0.001, min(waits)))
                keys = list(self._dirty)
                self._dirty.clear()
                due: list[Callable[[], None]] = []
                while self._timers and self._timers[0][0] <= now:
                    due.append(heapq.heappop(self._timers)[2])
                resync = self._next_resync <= now
                if resync:
                    period = self.seconds(self.resync_seconds) if self.resync_seconds else 3600.0
                    self._next_resync = now + max(period, 0.05)
            if resync:
                self._guard(self.resync)
            for key in keys:
                if self._stopping:
                    return
                self._guard(self.reconcile, key)
            for action in due:
                if self._stopping:
                    return
                self._guard(action)

    def _guard(self, fn: Callable[..., None], *args: Any) -> None:
        try:
            fn(*args)
        except Exception as exc:  # a controller bug must not kill the sandbox
            if self._stopping:
                return
            log.exception("%s failed", self.name)
            self.errors.append(f"{type(exc).__name__}: {exc}")
            del self.errors[:-20]
