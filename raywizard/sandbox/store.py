"""The sandbox cluster's object store: what etcd plus the generic API server registry do in a real cluster.

In-process API (used by the simulated controllers and by tests; the HTTP server is a thin layer over it)::

    store.get(resource, namespace, name) -> dict | None            # a deep copy
    store.list(resource, namespace=None, label_selector=None, field_selector=None) -> list[dict]
    store.create(resource, obj, *, namespace=None, dry_run=False, field_manager=None) -> dict
    store.update(resource, obj, *, subresource=None, dry_run=False, field_manager=None) -> dict
    store.patch(resource, namespace, name, patch, patch_type, *, field_manager=None, force=False,
                subresource=None, dry_run=False) -> dict          # patch_type: merge | json | strategic
                | apply
    store.delete(resource, namespace, name, *, dry_run=False) -> dict | None
    store.subscribe(callback) -> unsubscribe                      # callback(event_type, resource, obj)
    store.emit_event(namespace=, involved=, reason=, message=, type="Normal", component=) -> dict
    store.resource_names() -> list[str]

* ``resource`` is the plural for the core group (``"pods"``) and ``"plural.group"`` otherwise
  (``"deployments.apps"``, ``"applications.argoproj.io"``, ``"rayclusters.ray.io"``). An unknown resource
  (say a
  CR whose CRD does not exist yet) raises ``ApiError`` 404, as the real server answers.
* Every failure is an ``ApiError`` with the real ``code``/``reason``/``message`` (404 NotFound, 409
AlreadyExists or
  Conflict, 422 Invalid, 400 BadRequest, 403 Forbidden for a terminating namespace...).
* Writes are serialised under one lock; every committed write takes the next value of one global
  resourceVersion counter. ``subscribe`` callbacks run after the commit, on the writer's thread, outside
  the lock;
  the object passed is a fresh copy shared by all subscribers (treat it as read-only). DELETED carries
  the last state.
* A write that changes nothing (e.g. an identical status) commits nothing and notifies no one, like the
real server.
* ``status`` subresource isolation applies where the real resource has one (pods, deployments, namespaces, CRs
  whose CRD version declares ``subresources.status``): a write to the main resource keeps the old status,
  a write
  with ``subresource="status"`` changes only status. Creating such an object drops its status (pods start
  Pending).
* ``metadata.generation`` starts at 1 and is bumped when anything but metadata (and status, when it is a
  subresource) changes. Deleting an object with finalizers sets ``deletionTimestamp``; it goes once they
  are gone.
  Deleting a namespace marks it Terminating; like the namespace controller, the store deletes its contents
  ``namespace_cleanup_delay`` simulated seconds later (1 s; 0 = at once) and removes it once empty.
* No garbage collection by ownerReferences here: that is a controller's job (see ``controllers``).
* Layers, one module each: ``storecore`` (state, commit, fan-out) -> ``deletion`` -> ``writing`` (create,
  update) -> ``patchops`` (patches, server-side apply) -> ``store`` (reads, lists, watches, events).
* ``emit_event`` writes a core/v1 Event like kubelet/controllers do, deduplicated by (object, reason, message)
  with ``count`` incremented; it never raises (an event into a missing namespace is dropped).
"""

from __future__ import annotations

import base64
import builtins
import itertools
import json
import uuid
from collections.abc import Callable
from typing import Any

from raywizard.sandbox.patchops import PatchingStore
from raywizard.sandbox.status import (
    ApiError,
    bad_request,
    expired,
)
from raywizard.sandbox.storecore import LOG_SIZE, Clock, Subscriber, _Stored
from raywizard.sandbox.watching import Event, Watch, clone, dumps

__all__ = ["LOG_SIZE", "ApiError", "Clock", "Store"]


class Store(PatchingStore):
    def get(self, resource: str, namespace: str | None, name: str) -> dict[str, Any] | None:
        info = self.info(resource)
        with self._lock:
            stored = self._data.get(info.key, {}).get(self._ns(info, namespace), {}).get(name)
            raw = stored.raw if stored else None
        return json.loads(raw) if raw is not None else None

    def get_raw(self, resource: str, namespace: str | None, name: str) -> bytes | None:
        info = self.info(resource)
        with self._lock:
            stored = self._data.get(info.key, {}).get(self._ns(info, namespace), {}).get(name)
            return stored.raw if stored else None

    def list(
        self,
        resource: str,
        namespace: str | None = None,
        label_selector: str | None = None,
        field_selector: str | None = None,
    ) -> builtins.list[dict[str, Any]]:
        _, raws, _, _ = self.list_raw(resource, namespace, label_selector, field_selector)
        return [json.loads(r) for r in raws]

    def list_raw(
        self,
        resource: str,
        namespace: str | None = None,
        label_selector: str | None = None,
        field_selector: str | None = None,
        limit: int | None = None,
        continue_token: str | None = None,
    ) -> tuple[int, builtins.list[bytes], str | None, int | None]:
        """(list RV, raw JSON items in (namespace, name) order, continue token, remaining count)."""
        info = self.info(resource)
        matcher = self._matcher(label_selector, field_selector)
        start: tuple[str, str] | None = None
        if continue_token:
            start = self._decode_continue(continue_token)
        with self._lock:
            rv = self._rv
            buckets = self._data.get(info.key, {})
            if namespace and info.namespaced:
                selected = [(namespace, buckets.get(namespace, {}))]
            else:
                selected = sorted(buckets.items())
            pairs: builtins.list[tuple[tuple[str, str], _Stored]] = []
            for ns, bucket in selected:
                for name in sorted(bucket):
                    pairs.append(((ns, name), bucket[name]))
        if start is not None:
            pairs = [p for p in pairs if p[0] > start]
        if matcher is not None:
            pairs = [p for p in pairs if matcher(p[1].obj)]
        token = None
        remaining = None
        if limit and limit > 0 and len(pairs) > limit:
            remaining = len(pairs) - limit
            pairs = pairs[:limit]
            token = base64.urlsafe_b64encode(json.dumps({"rv": rv, "start": list(pairs[-1][0])}).encode()).decode()
        return rv, [p[1].raw for p in pairs], token, remaining

    @staticmethod
    def _decode_continue(token: str) -> tuple[str, str]:
        try:
            data = json.loads(base64.urlsafe_b64decode(token.encode()))
            return (str(data["start"][0]), str(data["start"][1]))
        except Exception:
            raise bad_request("continue key is not valid: incorrect encoded start resourceVersion") from None

    # ------------------------------------------------------------------ subscriptions and watches
    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        with self._lock:
            self._subscribers.append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._subscribers:
                    self._subscribers.remove(callback)

        return unsubscribe

    def watch(
        self,
        resource: str,
        namespace: str | None = None,
        label_selector: str | None = None,
        field_selector: str | None = None,
        resource_version: str | None = None,
    ) -> Watch:
        """A registered Watch, preloaded with the initial ADDED events (no RV) or the replay after the RV."""
        info = self.info(resource)
        matcher = self._matcher(label_selector, field_selector)
        watch = Watch(info.key, namespace if info.namespaced else None, matcher)
        with self._lock:
            if not resource_version or resource_version == "0":
                initial = []
                buckets = self._data.get(info.key, {})
                spaces = [namespace] if watch.namespace else sorted(buckets)
                for ns in spaces:
                    for name, stored in sorted(buckets.get(ns or "", {}).items()):
                        if matcher is None or matcher(stored.obj):
                            initial.append(
                                (
                                    "ADDED",
                                    Event(
                                        stored.rv,
                                        "ADDED",
                                        info.key,
                                        ns or "",
                                        name,
                                        stored.raw,
                                        None,
                                        stored.obj,
                                    ),
                                )
                            )
                watch.preload(initial)
            else:
                try:
                    since = int(resource_version)
                except ValueError:
                    raise bad_request(f"invalid resource version: {resource_version}") from None
                if since < self._rv:
                    oldest = self._log[0].rv if self._log else self._rv + 1
                    if since + 1 < oldest:
                        raise expired(f"too old resource version: {since} ({self._rv})")
                    for event in itertools.islice(self._log, since + 1 - oldest, None):
                        watch.offer(event)
            watch.start_rv = self._rv
            self._watches.add(watch)
        return watch

    def stop_watch(self, watch: Watch) -> None:
        watch.close()
        with self._lock:
            self._watches.discard(watch)

    def expire_watches(self) -> None:
        """Send every open watch a 410 Expired (fault injection)."""
        with self._lock:
            watches = list(self._watches)
        for w in watches:
            w.expire()

    def close_watches(self) -> None:
        with self._lock:
            watches = list(self._watches)
            self._watches.clear()
        for w in watches:
            w.close()

    def watch_rv_if_idle(self, watch: Watch) -> int | None:
        """The current RV if the watch has nothing queued (for BOOKMARKs), else None."""
        with self._lock:
            return self._rv if watch.empty() else None

    # ------------------------------------------------------------------ events and reviews
    def emit_event(
        self,
        *,
        namespace: str | None,
        involved: dict[str, Any],
        reason: str,
        message: str,
        type: str = "Normal",
        component: str,
    ) -> dict[str, Any]:
        meta = involved.get("metadata") or {}
        ns = namespace or meta.get("namespace") or "default"
        ref = {
            "kind": involved.get("kind", ""),
            "namespace": meta.get("namespace") or None,
            "name": meta.get("name", ""),
            "uid": meta.get("uid", ""),
            "apiVersion": involved.get("apiVersion", ""),
            "resourceVersion": meta.get("resourceVersion", ""),
        }
        ref = {k: v for k, v in ref.items() if v}
        dedupe = (ns, ref.get("uid") or f"{ref.get('kind')}/{ref.get('name')}", reason, message)
        now = self.clock.timestamp()
        info = self.info("events")
        pending: builtins.list[Event] = []
        try:
            with self._lock:
                existing_name = self._event_index.get(dedupe)
                current = self._current(info, ns, existing_name) if existing_name else None
                if current is not None:
                    new = clone(current.obj)
                    new["count"] = int(new.get("count", 1)) + 1
                    new["lastTimestamp"] = now
                    new["involvedObject"] = ref
                    result = self._commit(info, "MODIFIED", new, current.obj, pending)
                else:
                    name = f"{ref.get('name', 'event')}.{uuid.uuid4().hex[:16]}"
                    body = {
                        "metadata": {"name": name, "namespace": ns},
                        "involvedObject": ref,
                        "reason": reason,
                        "message": message,
                        "source": {"component": component},
                        "firstTimestamp": now,
                        "lastTimestamp": now,
                        "count": 1,
                        "type": type,
                        "eventTime": None,
                        "reportingComponent": component,
                        "reportingInstance": "",
                    }
                    result = self._create(info, body, ns, False, component, None, pending)
                    self._event_index[dedupe] = name
                    if len(self._event_index) > 50_000:
                        self._event_index.clear()
        except ApiError:
            return {}
        self._dispatch(pending)
        return json.loads(dumps(result))

    # ------------------------------------------------------------------ lifecycle
    def reset(self) -> None:
        """Forget every object (a restart without state). The RV counter keeps counting, so old RVs expire."""
        with self._lock:
            self._data.clear()
            self._log.clear()
            self._event_index.clear()
            self.registry.reset()
        self.close_watches()
