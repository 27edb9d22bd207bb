"""The store's state and commit path, shared by the write, delete and read layers (see store.py)."""

from __future__ import annotations

import builtins
import contextlib
import json
import threading
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from raywizard.sandbox.permissions import PermissionSet
from raywizard.sandbox.registry import Registry, ResourceInfo
from raywizard.sandbox.selectors import SelectorError, combine, parse_field_selector, parse_label_selector
from raywizard.sandbox.status import (
    bad_request,
    unknown_resource,
)
from raywizard.sandbox.watching import Event, Watch, dumps

CRD_KEY = "customresourcedefinitions.apiextensions.k8s.io"
SSAR_KEY = "selfsubjectaccessreviews.authorization.k8s.io"
#: events kept for watches that resume from a resourceVersion; older ones get 410 Expired
LOG_SIZE = 10_000
_NAME_CHARS = "bcdfghjklmnpqrstvwxz2456789"
Subscriber = Callable[[str, str, dict[str, Any]], None]


class Clock:
    """Wall-clock time plus the sandbox's speed factor: controllers sleep `seconds / speed`."""

    def __init__(self, speed: float = 1.0) -> None:
        self.speed = float(speed) if speed and speed > 0 else 1.0
        self._stopping = threading.Event()

    def sleep(self, seconds: float) -> bool:
        """Sleep a simulated duration; False if the cluster is stopping (then return at once)."""
        return not self._stopping.wait(max(0.0, seconds) / self.speed)

    def now(self) -> datetime:
        return datetime.now(UTC)

    def timestamp(self) -> str:
        return self.now().strftime("%Y-%m-%dT%H:%M:%SZ")

    def stopping(self) -> None:
        self._stopping.set()

    def running(self) -> None:
        self._stopping.clear()


class _Stored:
    __slots__ = ("obj", "raw", "rv")

    def __init__(self, obj: dict[str, Any], raw: bytes, rv: int) -> None:
        self.obj = obj
        self.raw = raw
        self.rv = rv


class StoreCore:
    def __init__(self, clock: Clock | None = None, permissions: PermissionSet | None = None) -> None:
        self.clock = clock or Clock()
        self.permissions = permissions or PermissionSet()
        self.registry = Registry()
        self._lock = threading.RLock()
        self._data: dict[str, dict[str, dict[str, _Stored]]] = {}
        self._rv = 0
        self._log: deque[Event] = deque(maxlen=LOG_SIZE)
        self._watches: set[Watch] = set()
        self._subscribers: list[Subscriber] = []
        self._event_index: dict[tuple[str, str, str, str], str] = {}
        #: seconds (simulated) before a Terminating namespace is emptied, as the namespace controller does
        self.namespace_cleanup_delay = 1.0

    # ------------------------------------------------------------------ reading
    def info(self, resource: str) -> ResourceInfo:
        info = self.registry.get(resource)
        if info is None:
            raise unknown_resource()
        return info

    def resource_names(self) -> list[str]:
        return self.registry.keys()

    @property
    def resource_version(self) -> int:
        return self._rv

    @staticmethod
    def _matcher(label_selector: str | None, field_selector: str | None) -> Callable[[dict[str, Any]], bool] | None:
        try:
            return combine(parse_label_selector(label_selector), parse_field_selector(field_selector))
        except SelectorError as exc:
            raise bad_request(str(exc)) from None

    @staticmethod
    def _ns(info: ResourceInfo, namespace: str | None) -> str:
        return (namespace or "") if info.namespaced else ""

    # ------------------------------------------------------------------ committing
    def _commit(
        self,
        info: ResourceInfo,
        type_: str,
        obj: dict[str, Any],
        old: dict[str, Any] | None,
        pending: builtins.list[Event],
    ) -> dict[str, Any]:
        meta = obj["metadata"]
        ns, name = self._ns(info, meta.get("namespace")), meta["name"]
        self._rv += 1
        meta["resourceVersion"] = str(self._rv)
        raw = dumps(obj)
        bucket = self._data.setdefault(info.key, {}).setdefault(ns, {})
        previous = bucket.get(name)
        old_raw = raw if type_ == "DELETED" else (previous.raw if previous is not None and old is not None else None)
        if type_ == "DELETED":
            bucket.pop(name, None)
            if not bucket:
                self._data[info.key].pop(ns, None)
        else:
            bucket[name] = _Stored(obj, raw, self._rv)
        event = Event(self._rv, type_, info.key, ns, name, raw, old_raw, obj, old)
        self._log.append(event)
        for w in self._watches:
            w.offer(event)
        event.release()
        pending.append(event)
        return obj

    def _dispatch(self, pending: builtins.list[Event]) -> None:
        if not pending:
            return
        subscribers = list(self._subscribers)
        if not subscribers:
            return
        for event in pending:
            obj = json.loads(event.raw)
            for callback in subscribers:
                # a subscriber's bug must not fail the write that triggered it
                with contextlib.suppress(Exception):
                    callback(event.type, event.resource, obj)

    def _current(self, info: ResourceInfo, namespace: str | None, name: str) -> _Stored | None:
        return self._data.get(info.key, {}).get(self._ns(info, namespace), {}).get(name)
