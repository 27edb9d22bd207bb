"""Deletion: finalizers and deletionTimestamp, namespace termination, CRD removal, collections."""

from __future__ import annotations

import builtins
import json
import threading
from typing import Any

from raywizard.sandbox.registry import ResourceInfo, info_from_crd
from raywizard.sandbox.status import (
    STALE,
    ApiError,
    conflict,
    not_found,
)
from raywizard.sandbox.storecore import CRD_KEY, StoreCore, _Stored
from raywizard.sandbox.watching import Event, clone, dumps


class DeletingStore(StoreCore):
    # ------------------------------------------------------------------ delete
    def delete(
        self,
        resource: str,
        namespace: str | None,
        name: str,
        *,
        dry_run: bool = False,
        propagation_policy: str | None = None,
        preconditions: dict[str, Any] | None = None,
    ) -> dict[str, Any] | None:
        info = self.info(resource)
        if propagation_policy not in (None, "", "Foreground", "Background", "Orphan"):
            message = (
                f'Unsupported value: "{propagation_policy}": supported values: "Foreground", "Background", "Orphan"'
            )
            raise ApiError(
                422,
                "Invalid",
                f'DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: {message}',
                {
                    "group": "meta.k8s.io",
                    "kind": "DeleteOptions",
                    "causes": [{"reason": "FieldValueNotSupported", "message": message, "field": "propagationPolicy"}],
                },
            )
        pending: builtins.list[Event] = []
        with self._lock:
            current = self._current(info, namespace, name)
            if current is None:
                raise not_found(info.group, info.plural, name)
            pre = preconditions or {}
            if pre.get("uid") and pre["uid"] != current.obj["metadata"].get("uid"):
                raise conflict(
                    info.group,
                    info.plural,
                    name,
                    f"Precondition failed: UID in precondition: "
                    f"{pre['uid']}, UID in object meta: {current.obj['metadata'].get('uid')}",
                )
            if pre.get("resourceVersion") and str(pre["resourceVersion"]) != str(current.rv):
                raise conflict(info.group, info.plural, name, STALE)
            if propagation_policy == "Orphan" and not dry_run:
                self._orphan_dependents(current.obj, pending)
            result = self._delete(info, current, dry_run, pending)
        self._dispatch(pending)
        return json.loads(dumps(result))

    def _orphan_dependents(self, owner: dict[str, Any], pending: builtins.list[Event]) -> None:
        """propagationPolicy=Orphan: drop ownerReferences to `owner` (the garbage collector's job, done at once)."""
        uid = owner["metadata"].get("uid")
        namespace = owner["metadata"].get("namespace")
        for key in builtins.list(self._data):
            info = self.registry.get(key)
            if info is None:
                continue
            buckets = self._data[key]
            spaces = [namespace] if namespace and info.namespaced else builtins.list(buckets)
            for ns in spaces:
                for stored in builtins.list(buckets.get(ns or "", {}).values()):
                    refs = stored.obj["metadata"].get("ownerReferences") or []
                    if not any(r.get("uid") == uid for r in refs):
                        continue
                    new = clone(stored.obj)
                    kept = [r for r in refs if r.get("uid") != uid]
                    if kept:
                        new["metadata"]["ownerReferences"] = kept
                    else:
                        new["metadata"].pop("ownerReferences", None)
                    self._commit(info, "MODIFIED", new, stored.obj, pending)

    def _delete(
        self, info: ResourceInfo, current: _Stored, dry_run: bool, pending: builtins.list[Event]
    ) -> dict[str, Any]:
        old = current.obj
        meta = old["metadata"]
        if meta.get("deletionTimestamp"):
            return old
        is_namespace = info.key == "namespaces"
        if meta.get("finalizers") or is_namespace:
            new = clone(old)
            new["metadata"]["deletionTimestamp"] = self.clock.timestamp()
            new["metadata"]["deletionGracePeriodSeconds"] = 0
            if is_namespace:
                new["status"] = {"phase": "Terminating"}
            if dry_run:
                return new
            result = self._commit(info, "MODIFIED", new, old, pending)
            if is_namespace:
                self._schedule_namespace_cleanup(meta["name"], pending)
            return result
        if dry_run:
            return old
        return self._remove(info, old, pending)

    def _remove(self, info: ResourceInfo, obj: dict[str, Any], pending: builtins.list[Event]) -> dict[str, Any]:
        obj = clone(obj)
        result = self._commit(info, "DELETED", obj, obj, pending)
        if info.key == CRD_KEY:
            key = info_from_crd(obj).key
            for ns_bucket in list(self._data.get(key, {}).values()):
                for stored in list(ns_bucket.values()):
                    self._commit(
                        self.registry.get(key) or info_from_crd(obj),
                        "DELETED",
                        clone(stored.obj),
                        stored.obj,
                        pending,
                    )
            self.registry.remove(key)
            self._data.pop(key, None)
        namespace = obj["metadata"].get("namespace")
        if info.namespaced and namespace:
            self._maybe_finish_namespace(namespace, pending)
        return result

    def _schedule_namespace_cleanup(self, namespace: str, pending: builtins.list[Event]) -> None:
        """Like the namespace controller: empty a Terminating namespace a moment later, then remove it."""

        def cleanup() -> None:
            pending: builtins.list[Event] = []
            with self._lock:
                ns = self._current(self.info("namespaces"), None, namespace)
                if ns is None or not ns.obj["metadata"].get("deletionTimestamp"):
                    return
                self._empty_namespace(namespace, pending)
                self._maybe_finish_namespace(namespace, pending)
            self._dispatch(pending)

        if self.namespace_cleanup_delay <= 0:
            self._empty_namespace(namespace, pending)
            self._maybe_finish_namespace(namespace, pending)
            return
        timer = threading.Timer(self.namespace_cleanup_delay / self.clock.speed, cleanup)
        timer.daemon = True
        timer.start()

    def _namespace_has_content(self, namespace: str) -> bool:
        for key, buckets in self._data.items():
            info = self.registry.get(key)
            if info is not None and info.namespaced and buckets.get(namespace):
                return True
        return False

    def _empty_namespace(self, namespace: str, pending: builtins.list[Event]) -> None:
        for key in list(self._data):
            info = self.registry.get(key)
            if info is None or not info.namespaced:
                continue
            for stored in list(self._data[key].get(namespace, {}).values()):
                self._delete(info, stored, False, pending)

    def _maybe_finish_namespace(self, namespace: str, pending: builtins.list[Event]) -> dict[str, Any] | None:
        ns_info = self.info("namespaces")
        ns = self._current(ns_info, None, namespace)
        if ns is None or not ns.obj["metadata"].get("deletionTimestamp") or ns.obj["metadata"].get("finalizers"):
            return None
        if self._namespace_has_content(namespace):
            return None
        return self._commit(ns_info, "DELETED", clone(ns.obj), ns.obj, pending)

    def delete_collection(
        self,
        resource: str,
        namespace: str | None,
        label_selector: str | None = None,
        field_selector: str | None = None,
        dry_run: bool = False,
    ) -> builtins.list[dict[str, Any]]:
        info = self.info(resource)
        matcher = self._matcher(label_selector, field_selector)
        pending: builtins.list[Event] = []
        results = []
        with self._lock:
            buckets = self._data.get(info.key, {})
            spaces = [self._ns(info, namespace)] if namespace and info.namespaced else list(buckets)
            for ns in spaces:
                for stored in list(buckets.get(ns, {}).values()):
                    if matcher is None or matcher(stored.obj):
                        results.append(self._delete(info, stored, dry_run, pending))
        self._dispatch(pending)
        return [json.loads(dumps(r)) for r in results]
