"""Coalesce the watcher's changes into UI batches, and remember replica counts for the sparklines.

No Textual here: the screen polls ``StateFeed.poll()`` from a timer (8 times a second), so however
fast the watches run, the UI applies at most one batch per tick, holding only the keys that changed since
the last one.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from raywizard.kube.state import StateSnapshot

KINDS = ("applications", "rayclusters", "pods", "events")


class StateSource(Protocol):
    """What the dashboard needs from ``raywizard.kube`` ``ClusterState``."""

    def snapshot(self) -> StateSnapshot: ...

    def changed_since(self, version: int) -> dict[str, set[str]]: ...


@dataclass
class Batch:
    """One UI update: the snapshot to read values from and the keys (per kind) that changed."""

    snapshot: StateSnapshot
    changes: dict[str, set[str]]
    first: bool = False

    def changed(self, kind: str) -> set[str]:
        return self.changes.get(kind, set())


class StateFeed:
    """Turns a ``ClusterState`` into batches; never blocks (snapshot and changed_since are cheap and locked)."""

    def __init__(self, state: StateSource) -> None:
        self.state = state
        self.version: int | None = None

    def poll(self) -> Batch | None:
        # Snapshot first, then ask what changed since the last batch: a key changed in between is reported now
        # (read from this snapshot) *and* next time, never lost.
        snapshot = self.state.snapshot()
        version = int(getattr(snapshot, "version", 0))
        if self.version is None:
            self.version = version
            changes = {kind: set(_keys(snapshot, kind)) for kind in KINDS}
            return Batch(snapshot, changes, first=True)
        if version == self.version:
            return None
        changes = {kind: set(keys) for kind, keys in self.state.changed_since(self.version).items() if keys}
        self.version = version
        return Batch(snapshot, changes)


def _keys(snapshot: StateSnapshot, kind: str) -> Iterable[str]:
    value = getattr(snapshot, kind, None)
    if isinstance(value, Mapping):
        return value.keys()
    if kind == "events" and value:
        return (_event_key(event) for event in value)
    return ()


def _event_key(event: Mapping[str, object]) -> str:
    meta = event.get("metadata") or {}
    assert isinstance(meta, Mapping)
    namespace = meta.get("namespace") or ""
    return f"{namespace}/{meta.get('name', '')}" if namespace else str(meta.get("name", ""))


@dataclass
class ReplicaHistory:
    """Replica counts per worker group over time, sampled at most once per ``interval`` seconds."""

    length: int = 120
    interval: float = 1.0
    clock: Callable[[], float] = time.monotonic
    series: dict[str, deque[float]] = field(default_factory=dict)
    _last_sample: float | None = None

    def sample(self, replicas: dict[str, float], *, force: bool = False) -> bool:
        """Append the current counts (at most once per interval unless they changed); True if sampled."""
        now = self.clock()
        # A change is sampled at once (that is what the sparkline is for); steady values once per interval.
        changed = any(not self.series.get(g) or self.series[g][-1] != float(v) for g, v in replicas.items())
        recent = self._last_sample is not None and now - self._last_sample < self.interval
        if not force and not changed and recent:
            return False
        self._last_sample = now
        for group, value in replicas.items():
            self.series.setdefault(group, deque(maxlen=self.length)).append(float(value))
        for group in list(self.series):
            if group not in replicas:
                del self.series[group]
        return True

    def values(self, group: str) -> list[float]:
        return list(self.series.get(group, ()))
