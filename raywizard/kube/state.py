"""ClusterState: what the watches have seen, shared by the dashboard and `raywizard status`.

Watch threads write (``apply_event`` / ``replace_all``), readers take immutable ``snapshot()``s. Objects are
the raw JSON dicts from the API server; they are never mutated after they enter the state (readers may keep
them). ``version`` is bumped on every applied change and every key remembers the version that last touched it,
so a UI can ask ``changed_since(v)`` and update only those rows of a keyed table.

Kept deliberately cheap per event (one lock, two dict writes): event ingestion is benchmarked in
``bench/bench_watch.py``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

KINDS = ("applications", "rayclusters", "pods", "events")
MAX_EVENTS = 1000
# Tombstones (versions of deleted keys) kept for changed_since; older ones are forgotten in bulk.
MAX_TOMBSTONES = 10_000

CONNECTION_ORDER = ("live", "connecting", "reconnecting", "stale", "error")


@dataclass
class ConnectionStatus:
    state: str  # "connecting" | "live" | "reconnecting" | "stale" | "error"
    since: datetime
    message: str = ""


@dataclass(frozen=True)
class ConnectionSummary:
    """The connection of each watch and the worst of them (``overall``)."""

    overall: ConnectionStatus
    watches: Mapping[str, ConnectionStatus]

    @property
    def state(self) -> str:
        return self.overall.state

    @property
    def since(self) -> datetime:
        return self.overall.since

    @property
    def message(self) -> str:
        return self.overall.message


@dataclass(frozen=True)
class StateSnapshot:
    applications: Mapping[str, dict[str, Any]]
    rayclusters: Mapping[str, dict[str, Any]]
    pods: Mapping[str, dict[str, Any]]
    events: tuple[dict[str, Any], ...]  # oldest first
    connection: ConnectionSummary
    version: int
    taken_at: datetime = field(default_factory=lambda: datetime.now(UTC))


def object_key(obj: Mapping[str, Any]) -> str:
    meta = obj.get("metadata") or {}
    namespace = meta.get("namespace") or ""
    return f"{namespace}/{meta.get('name', '')}" if namespace else str(meta.get("name", ""))


def _resource_version(obj: Mapping[str, Any]) -> Any:
    return (obj.get("metadata") or {}).get("resourceVersion")


class ClusterState:
    """Thread-safe store of Applications, RayClusters, pods and events, fed by watches.

    ``pod_record`` (e.g. ``pod_record.compact_pod``) turns each pod into what the reader keeps, at ingestion:
    a dashboard keeps compact records, ``raywizard status`` (which compares pod templates) whole pods.
    """

    def __init__(self, *, pod_record: Callable[[dict[str, Any]], dict[str, Any]] | None = None) -> None:
        self.pod_record = pod_record
        self._lock = threading.Lock()
        self._snapshot: StateSnapshot | None = None
        self.version = 0
        self._objects: dict[str, dict[str, dict[str, Any]]] = {
            "applications": {},
            "rayclusters": {},
            "pods": {},
        }
        self._events: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._touched: dict[str, dict[str, int]] = {kind: {} for kind in KINDS}
        now = datetime.now(UTC)
        self._connection: dict[str, ConnectionStatus] = {
            kind: ConnectionStatus("connecting", now) for kind in KINDS
        }

    # --- writers (watch threads) ---
    def record(self, kind: str, obj: dict[str, Any]) -> dict[str, Any]:
        """What the state keeps of ``obj`` (outside the lock: a list's pages are recorded as they arrive)."""
        if kind == "pods" and self.pod_record is not None:
            return self.pod_record(obj)
        return obj

    def apply_event(self, kind: str, event_type: str, obj: dict[str, Any], *, recorded: bool = False) -> None:
        if not recorded:
            obj = self.record(kind, obj)
        key = object_key(obj)
        with self._lock:
            if kind == "events":
                self._apply_k8s_event(event_type, key, obj)
                return
            store = self._objects[kind]
            if event_type == "DELETED":
                if store.pop(key, None) is None:
                    return
                if len(self._touched[kind]) > len(store) + MAX_TOMBSTONES:
                    self._forget_old_tombstones(kind)
            else:
                old = store.get(key)
                if old is not None and _resource_version(old) == _resource_version(obj) and old == obj:
                    return
                store[key] = obj
            self.version += 1
            self._touched[kind][key] = self.version

    def _apply_k8s_event(self, event_type: str, key: str, obj: dict[str, Any]) -> None:
        # A Kubernetes Event is updated in place when it repeats (count, lastTimestamp): move it to the end
        # so that
        # the list stays "oldest first" by last occurrence. DELETED events (TTL expiry) stay visible as
        # history.
        if event_type == "DELETED":
            return
        events = self._events
        if key in events:
            events.move_to_end(key)
        events[key] = obj
        while len(events) > MAX_EVENTS:
            # Forget the evicted event's version too: at 1,000 events/s the map would otherwise grow without
            # bound and make every changed_since() slower (and the process bigger) by the minute.
            self._touched["events"].pop(events.popitem(last=False)[0], None)
        self.version += 1
        self._touched["events"][key] = self.version

    def upsert_all(self, kind: str, objs: list[dict[str, Any]]) -> None:
        """Add or update recorded objects of ``kind`` (not events) in one lock: a page of a list, shown while
        the next pages are on their way (``replace_all`` with the whole list then removes what is gone)."""
        with self._lock:
            store = self._objects[kind]
            touched = self._touched[kind]
            for obj in objs:
                key = object_key(obj)
                old = store.get(key)
                if old is None or _resource_version(old) != _resource_version(obj) or old != obj:
                    store[key] = obj
                    self.version += 1
                    touched[key] = self.version

    def replace_all(self, kind: str, objs: list[dict[str, Any]], *, recorded: bool = False) -> None:
        """Set the full contents of ``kind`` after a (re)list; only real differences bump the version.
        ``recorded``: the objects already went through ``record``."""
        if not recorded:
            objs = [self.record(kind, obj) for obj in objs]
        with self._lock:
            if kind == "events":
                fresh = OrderedDict((object_key(o), o) for o in objs)
                touched = self._touched["events"]
                for key, obj in fresh.items():
                    if self._events.get(key) != obj:
                        self.version += 1
                        touched[key] = self.version
                # Keep older events we saw but the server has expired: they are history, not state.
                merged = OrderedDict((k, v) for k, v in self._events.items() if k not in fresh)
                merged.update(fresh)
                while len(merged) > MAX_EVENTS:
                    touched.pop(merged.popitem(last=False)[0], None)
                self._events = merged
                return
            store = self._objects[kind]
            touched = self._touched[kind]
            fresh_objects = {object_key(o): o for o in objs}
            for key in [k for k in store if k not in fresh_objects]:
                del store[key]
                self.version += 1
                touched[key] = self.version
            for key, obj in fresh_objects.items():
                old = store.get(key)
                if old is None or _resource_version(old) != _resource_version(obj) or old != obj:
                    store[key] = obj
                    self.version += 1
                    touched[key] = self.version
            self._forget_old_tombstones(kind)

    def _forget_old_tombstones(self, kind: str) -> None:
        touched = self._touched[kind]
        live = self._objects.get(kind, {})
        excess = len(touched) - len(live) - MAX_TOMBSTONES
        if excess <= 0:
            return
        dead = sorted((k for k in touched if k not in live), key=touched.__getitem__)
        for key in dead[: excess + MAX_TOMBSTONES // 10]:  # the oldest, plus slack so this runs rarely
            del touched[key]

    def set_connection(self, watch: str, state: str, message: str = "") -> None:
        with self._lock:
            current = self._connection.get(watch)
            if current is not None and current.state == state and current.message == message:
                return
            since = current.since if current is not None and current.state == state else datetime.now(UTC)
            self._connection[watch] = ConnectionStatus(state, since, message)
            self.version += 1

    # --- readers ---
    def snapshot(self) -> StateSnapshot:
        """An immutable view. While nothing changed it shares the last one's mappings (a UI polls this 8 times
        a second, and copying 20,000 pod keys each time was most of an idle dashboard's CPU)."""
        with self._lock:
            cached = self._snapshot
            if cached is not None and cached.version == self.version:
                return replace(cached, taken_at=datetime.now(UTC))
            watches = dict(self._connection)
            self._snapshot = StateSnapshot(
                applications=MappingProxyType(dict(self._objects["applications"])),
                rayclusters=MappingProxyType(dict(self._objects["rayclusters"])),
                pods=MappingProxyType(dict(self._objects["pods"])),
                events=tuple(self._events.values()),
                connection=ConnectionSummary(_overall(watches), MappingProxyType(watches)),
                version=self.version,
            )
            return self._snapshot

    def changed_since(self, version: int) -> dict[str, set[str]]:
        with self._lock:
            return {
                kind: {key for key, v in touched.items() if v > version}
                for kind, touched in self._touched.items()
            }


def _overall(watches: Mapping[str, ConnectionStatus]) -> ConnectionStatus:
    if not watches:
        return ConnectionStatus("connecting", datetime.now(UTC))
    worst = max(
        watches.values(), key=lambda s: CONNECTION_ORDER.index(s.state) if s.state in CONNECTION_ORDER else 0
    )
    return worst
