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
* ``emit_event`` writes a core/v1 Event like kubelet/controllers do, deduplicated by (object, reason, message)
  with ``count`` incremented; it never raises (an event into a missing namespace is dropped).
"""

from __future__ import annotations

import base64
import builtins
import contextlib
import copy
import itertools
import json
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from raywizard.sandbox import defaults, managedfields, patching
from raywizard.sandbox.permissions import PermissionSet
from raywizard.sandbox.registry import Registry, ResourceInfo, info_from_crd
from raywizard.sandbox.selectors import SelectorError, combine, parse_field_selector, parse_label_selector
from raywizard.sandbox.status import (
    STALE,
    ApiError,
    already_exists,
    bad_request,
    conflict,
    expired,
    invalid,
    not_found,
    unknown_resource,
)
from raywizard.sandbox.watching import Event, Watch, dumps

__all__ = ["ApiError", "Clock", "Store"]

CRD_KEY = "customresourcedefinitions.apiextensions.k8s.io"
SSAR_KEY = "selfsubjectaccessreviews.authorization.k8s.io"
#: events kept for watches that resume from a resourceVersion; older ones get 410 Expired
LOG_SIZE = 20_000
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


class Store:
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

    @staticmethod
    def _matcher(label_selector: str | None, field_selector: str | None) -> Callable[[dict[str, Any]], bool] | None:
        try:
            return combine(parse_label_selector(label_selector), parse_field_selector(field_selector))
        except SelectorError as exc:
            raise bad_request(str(exc)) from None

    @staticmethod
    def _ns(info: ResourceInfo, namespace: str | None) -> str:
        return (namespace or "") if info.namespaced else ""

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
                                        stored.obj,
                                        stored.raw,
                                        None,
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
        if type_ == "DELETED":
            bucket.pop(name, None)
            if not bucket:
                self._data[info.key].pop(ns, None)
        else:
            bucket[name] = _Stored(obj, raw, self._rv)
        event = Event(self._rv, type_, info.key, ns, name, obj, raw, old)
        self._log.append(event)
        for w in self._watches:
            w.offer(event)
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

    # ------------------------------------------------------------------ create
    def create(
        self,
        resource: str,
        obj: dict[str, Any],
        *,
        namespace: str | None = None,
        dry_run: bool = False,
        field_manager: str | None = None,
        version: str | None = None,
    ) -> dict[str, Any]:
        info = self.info(resource)
        if info.key == SSAR_KEY:
            return self._access_review(obj)
        pending: builtins.list[Event] = []
        with self._lock:
            result = self._create(info, obj, namespace, dry_run, field_manager or "sandbox", version, pending)
        self._dispatch(pending)
        return copy.deepcopy(result) if dry_run else json.loads(dumps(result))

    def _create(
        self,
        info: ResourceInfo,
        obj: dict[str, Any],
        namespace: str | None,
        dry_run: bool,
        manager: str,
        version: str | None,
        pending: builtins.list[Event],
        *,
        operation: str = "Update",
        managed: builtins.list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        if not isinstance(obj, dict):
            raise bad_request("the body of the request must be an object")
        obj = copy.deepcopy(obj)
        meta = obj.get("metadata")
        if not isinstance(meta, dict):
            meta = obj["metadata"] = {}
        for transient in (
            "uid",
            "resourceVersion",
            "creationTimestamp",
            "deletionTimestamp",
            "generation",
            "managedFields",
            "selfLink",
            "deletionGracePeriodSeconds",
        ):
            meta.pop(transient, None)
        ns_obj: _Stored | None = None
        if info.namespaced:
            body_ns = meta.get("namespace")
            if namespace and body_ns and body_ns != namespace:
                raise bad_request(
                    "the namespace of the provided object does not match the namespace sent on the request"
                )
            ns = namespace or body_ns or "default"
            meta["namespace"] = ns
            ns_obj = self._current(self.info("namespaces"), None, ns)
            if ns_obj is None:
                raise not_found("", "namespaces", ns)
        else:
            meta.pop("namespace", None)
            ns = ""
        if not meta.get("name"):
            if meta.get("generateName"):
                meta["name"] = meta["generateName"] + "".join(
                    _NAME_CHARS[b % len(_NAME_CHARS)] for b in uuid.uuid4().bytes[:5]
                )
            else:
                raise invalid(
                    info.group,
                    info.kind,
                    "",
                    [
                        (
                            "metadata.name",
                            "FieldValueRequired",
                            "Required value: name or generateName is required",
                        )
                    ],
                )
        name = meta["name"]
        defaults.validate_name(info, name)
        if info.namespaced and ns_obj is not None and ns_obj.obj["metadata"].get("deletionTimestamp"):
            raise ApiError(
                403,
                "Forbidden",
                f'{info.qualified()} "{name}" is forbidden: unable to create new '
                f"content in namespace {ns} because it is being terminated",
                {"name": name, "kind": info.plural, **({"group": info.group} if info.group else {})},
            )
        if self._current(info, ns, name) is not None:
            raise already_exists(info.group, info.plural, name)
        obj["apiVersion"] = info.api_version()  # stored in the storage version; HTTP converts on the way out
        obj["kind"] = info.kind
        if info.status_for(version or info.version):
            obj.pop("status", None)
        defaults.apply_create_defaults(info, obj)
        meta["uid"] = str(uuid.uuid4())
        meta["creationTimestamp"] = self.clock.timestamp()
        if "spec" in obj or not info.builtin:
            meta["generation"] = 1
        if managed is not None:
            meta["managedFields"] = managed
        else:
            managedfields.record_update(
                None,
                obj,
                manager=manager,
                builtin=info.builtin,
                api_version=obj["apiVersion"],
                now=meta["creationTimestamp"],
                subresource=None,
                operation=operation,
            )
        if info.key == CRD_KEY:
            obj["status"] = defaults.crd_status(obj, meta["creationTimestamp"])
        if dry_run:
            return obj
        result = self._commit(info, "ADDED", obj, None, pending)
        if info.key == CRD_KEY:
            self.registry.add(info_from_crd(obj))
        return result

    # ------------------------------------------------------------------ update
    def update(
        self,
        resource: str,
        obj: dict[str, Any],
        *,
        subresource: str | None = None,
        dry_run: bool = False,
        field_manager: str | None = None,
        namespace: str | None = None,
        name: str | None = None,
        version: str | None = None,
    ) -> dict[str, Any]:
        info = self.info(resource)
        if not isinstance(obj, dict):
            raise bad_request("the body of the request must be an object")
        meta = obj.get("metadata") or {}
        name = name or meta.get("name")
        if not name:
            raise invalid(
                info.group,
                info.kind,
                "",
                [("metadata.name", "FieldValueRequired", "Required value: name is required")],
            )
        if meta.get("name") and meta["name"] != name:
            raise bad_request(f"the name of the object ({meta['name']}) does not match the name on the URL ({name})")
        ns = namespace or meta.get("namespace")
        if namespace and meta.get("namespace") and meta["namespace"] != namespace:
            raise bad_request("the namespace of the provided object does not match the namespace sent on the request")
        pending: builtins.list[Event] = []
        with self._lock:
            current = self._current(info, ns, name)
            if current is None:
                raise not_found(info.group, info.plural, name)
            result = self._update(
                info, current, obj, subresource, dry_run, field_manager or "sandbox", version, pending
            )
        self._dispatch(pending)
        return json.loads(dumps(result))

    def _update(
        self,
        info: ResourceInfo,
        current: _Stored,
        obj: dict[str, Any],
        subresource: str | None,
        dry_run: bool,
        manager: str,
        version: str | None,
        pending: builtins.list[Event],
        *,
        applied: bool = False,
    ) -> dict[str, Any]:
        old = current.obj
        old_meta = old["metadata"]
        body_meta = obj.get("metadata") or {}
        rv = body_meta.get("resourceVersion")
        if rv and str(rv) != str(current.rv):
            raise conflict(info.group, info.plural, old_meta["name"], STALE)
        if body_meta.get("uid") and body_meta["uid"] != old_meta.get("uid"):
            raise conflict(
                info.group,
                info.plural,
                old_meta["name"],
                f"Precondition failed: UID in precondition: {body_meta['uid']}, UID in object meta: "
                f"{old_meta.get('uid')}",
            )
        with_status = info.status_for(version or info.version)
        if with_status and subresource == "status":
            new = copy.deepcopy(old)
            if "status" in obj:
                new["status"] = copy.deepcopy(obj["status"])
            else:
                new.pop("status", None)
            if applied:
                new["metadata"]["managedFields"] = copy.deepcopy(body_meta.get("managedFields") or [])
        else:
            new = copy.deepcopy(obj)
            new_meta = new.get("metadata")
            if not isinstance(new_meta, dict):
                new_meta = new["metadata"] = {}
            if with_status:
                if "status" in old:
                    new["status"] = copy.deepcopy(old["status"])
                else:
                    new.pop("status", None)
            for fixed in (
                "name",
                "namespace",
                "uid",
                "creationTimestamp",
                "generation",
                "deletionTimestamp",
                "deletionGracePeriodSeconds",
                "generateName",
            ):
                if fixed in old_meta:
                    new_meta[fixed] = old_meta[fixed]
                else:
                    new_meta.pop(fixed, None)
            if not applied:
                new_meta["managedFields"] = copy.deepcopy(old_meta.get("managedFields") or [])
            if old_meta.get("deletionTimestamp"):
                # finalizers can only be removed from an object being deleted
                new_meta["finalizers"] = [
                    f for f in new_meta.get("finalizers") or [] if f in (old_meta.get("finalizers") or [])
                ]
                if not new_meta["finalizers"]:
                    new_meta.pop("finalizers")
        new["apiVersion"] = old.get("apiVersion", info.api_version())
        new["kind"] = info.kind
        new["metadata"]["resourceVersion"] = old_meta.get("resourceVersion")
        if info.key == CRD_KEY and subresource != "status" and new.get("spec") != old.get("spec"):
            new["status"] = defaults.crd_status(new, self.clock.timestamp())
        if _same_ignoring_times(new, old):
            return old
        if "generation" in old_meta and defaults.spec_changed(info, old, new, version):
            new["metadata"]["generation"] = int(old_meta["generation"]) + 1
        if not applied:
            managedfields.record_update(
                old,
                new,
                manager=manager,
                builtin=info.builtin,
                api_version=new["apiVersion"],
                now=self.clock.timestamp(),
                subresource=subresource,
            )
        if dry_run:
            return new
        if (
            new["metadata"].get("deletionTimestamp")
            and not new["metadata"].get("finalizers")
            and not (info.key == "namespaces" and self._namespace_has_content(old_meta["name"]))
        ):
            return self._remove(info, new, pending)
        result = self._commit(info, "MODIFIED", new, old, pending)
        if info.key == CRD_KEY:
            self.registry.add(info_from_crd(new))
        return result

    # ------------------------------------------------------------------ patch
    def patch(
        self,
        resource: str,
        namespace: str | None,
        name: str,
        patch: dict[str, Any] | builtins.list[Any],
        patch_type: str,
        *,
        field_manager: str | None = None,
        force: bool = False,
        subresource: str | None = None,
        dry_run: bool = False,
    ) -> dict[str, Any]:
        result, _ = self.patch_ex(
            resource,
            namespace,
            name,
            patch,
            patch_type,
            field_manager=field_manager,
            force=force,
            subresource=subresource,
            dry_run=dry_run,
        )
        return result

    def patch_ex(
        self,
        resource: str,
        namespace: str | None,
        name: str,
        patch: Any,
        patch_type: str,
        *,
        field_manager: str | None = None,
        force: bool = False,
        subresource: str | None = None,
        dry_run: bool = False,
        version: str | None = None,
    ) -> tuple[dict[str, Any], bool]:
        """Like `patch`, also saying whether the object was created (server-side apply answers 201 then)."""
        info = self.info(resource)
        if patch_type == "apply":
            return self._apply(info, namespace, name, patch, field_manager, force, subresource, dry_run, version)
        manager = field_manager or "sandbox"
        pending: builtins.list[Event] = []
        with self._lock:
            current = self._current(info, namespace, name)
            if current is None:
                raise not_found(info.group, info.plural, name)
            base = current.obj
            if patch_type == "merge":
                if not isinstance(patch, dict):
                    raise bad_request("json: cannot unmarshal array into Go value of type map[string]interface {}")
                new = patching.merge_patch(base, patch)
            elif patch_type == "strategic":
                if not isinstance(patch, dict):
                    raise bad_request("json: cannot unmarshal array into Go value of type map[string]interface {}")
                new = patching.strategic_merge(base, patch)
            elif patch_type == "json":
                new = patching.json_patch(base, patch)
            else:
                raise bad_request(f"unknown patch type {patch_type!r}")
            if not isinstance(new, dict):
                raise unprocessable_body()
            new_meta = new.setdefault("metadata", {})
            if not isinstance(new_meta, dict):
                raise unprocessable_body()
            if new_meta.get("resourceVersion") == base["metadata"].get("resourceVersion"):
                new_meta.pop("resourceVersion", None)
            new_meta["name"] = name
            result = self._update(info, current, new, subresource, dry_run, manager, version, pending)
        self._dispatch(pending)
        return json.loads(dumps(result)), False

    def _apply(
        self,
        info: ResourceInfo,
        namespace: str | None,
        name: str,
        config: Any,
        manager: str | None,
        force: bool,
        subresource: str | None,
        dry_run: bool,
        version: str | None,
    ) -> tuple[dict[str, Any], bool]:
        if not manager:
            raise ApiError(
                422,
                "Invalid",
                'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
                {
                    "group": "meta.k8s.io",
                    "kind": "PatchOptions",
                    "causes": [
                        {
                            "reason": "FieldValueRequired",
                            "message": "Required value: is required for apply patch",
                            "field": "fieldManager",
                        }
                    ],
                },
            )
        if not isinstance(config, dict):
            raise bad_request("error decoding YAML: the applied configuration must be an object")
        meta: dict[str, Any] = config["metadata"] if isinstance(config.get("metadata"), dict) else {}
        if not config.get("apiVersion") or not config.get("kind"):
            raise bad_request(
                "invalid object type: " + (f"/{config.get('apiVersion', '')}, Kind={config.get('kind', '')}")
            )
        if meta.get("name") and meta["name"] != name:
            raise bad_request(f"the name of the object ({meta['name']}) does not match the name on the URL ({name})")
        now = self.clock.timestamp()
        pending: builtins.list[Event] = []
        created = False
        with self._lock:
            current = self._current(info, namespace, name)
            with_status = info.status_for(version or info.version)
            scope = True if subresource == "status" else (False if with_status else None)
            if current is None:
                if subresource:
                    raise not_found(info.group, info.plural, name)
                body = copy.deepcopy(config)
                body.setdefault("metadata", {})["name"] = name
                if with_status:
                    body.pop("status", None)
                entry_paths = managedfields.field_set(body, info.builtin, status=scope)
                managed = [
                    {
                        "manager": manager,
                        "operation": "Apply",
                        "apiVersion": info.api_version(version),
                        "time": now,
                        "fieldsType": "FieldsV1",
                        "fieldsV1": managedfields.to_fields_v1(entry_paths),
                    }
                ]
                result = self._create(info, body, namespace, dry_run, manager, version, pending, managed=managed)
                created = True
            else:
                applied = copy.deepcopy(config)
                if with_status and subresource != "status":
                    applied.pop("status", None)
                merged = managedfields.server_side_apply(
                    current.obj,
                    applied,
                    manager=manager,
                    force=force,
                    builtin=info.builtin,
                    api_version=info.api_version(version),
                    now=now,
                    subresource=subresource,
                    status_scope=scope,
                )
                merged["metadata"].pop("resourceVersion", None)
                rv = meta.get("resourceVersion")
                if rv:
                    merged["metadata"]["resourceVersion"] = rv
                result = self._update(
                    info, current, merged, subresource, dry_run, manager, version, pending, applied=True
                )
        self._dispatch(pending)
        return json.loads(dumps(result)), created

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
            result = self._delete(info, current, dry_run, pending)
        self._dispatch(pending)
        return json.loads(dumps(result))

    def _delete(
        self, info: ResourceInfo, current: _Stored, dry_run: bool, pending: builtins.list[Event]
    ) -> dict[str, Any]:
        old = current.obj
        meta = old["metadata"]
        if meta.get("deletionTimestamp"):
            return old
        is_namespace = info.key == "namespaces"
        if meta.get("finalizers") or is_namespace:
            new = copy.deepcopy(old)
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
        obj = copy.deepcopy(obj)
        result = self._commit(info, "DELETED", obj, obj, pending)
        if info.key == CRD_KEY:
            key = info_from_crd(obj).key
            for ns_bucket in list(self._data.get(key, {}).values()):
                for stored in list(ns_bucket.values()):
                    self._commit(
                        self.registry.get(key) or info_from_crd(obj),
                        "DELETED",
                        copy.deepcopy(stored.obj),
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
        return self._commit(ns_info, "DELETED", copy.deepcopy(ns.obj), ns.obj, pending)

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
                    new = copy.deepcopy(current.obj)
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

    def _access_review(self, obj: dict[str, Any]) -> dict[str, Any]:
        attrs = ((obj.get("spec") or {}).get("resourceAttributes")) or {}
        allowed = self.permissions.allowed(
            attrs.get("verb", ""),
            attrs.get("group", ""),
            attrs.get("resource", ""),
            attrs.get("namespace") or None,
        )
        result = copy.deepcopy(obj)
        result["apiVersion"] = "authorization.k8s.io/v1"
        result["kind"] = "SelfSubjectAccessReview"
        result.setdefault("metadata", {})["creationTimestamp"] = None
        status: dict[str, Any] = {"allowed": allowed}
        if allowed:
            status["reason"] = "sandbox: allowed by default"
        else:
            status["denied"] = True
            status["reason"] = "sandbox: denied by the permission set"
        result["status"] = status
        return result

    # ------------------------------------------------------------------ lifecycle
    def reset(self) -> None:
        """Forget every object (a restart without state). The RV counter keeps counting, so old RVs expire."""
        with self._lock:
            self._data.clear()
            self._log.clear()
            self._event_index.clear()
            self.registry.reset()
        self.close_watches()

    def wait_idle(self, seconds: float = 0.0) -> None:  # pragma: no cover - helper for demos
        time.sleep(seconds)


def _same_ignoring_times(new: dict[str, Any], old: dict[str, Any]) -> bool:
    """Equal but for managedFields timestamps: such a write is a no-op, as in a real server (1.27+)."""
    if new == old:
        return True
    if {k: v for k, v in new.items() if k != "metadata"} != {k: v for k, v in old.items() if k != "metadata"}:
        return False

    def strip(meta: dict[str, Any]) -> dict[str, Any]:
        out = dict(meta)
        out["managedFields"] = [{k: v for k, v in e.items() if k != "time"} for e in meta.get("managedFields") or []]
        return out

    return strip(new["metadata"]) == strip(old["metadata"])


def unprocessable_body() -> ApiError:
    return ApiError(422, "Invalid", "the patched object must be a JSON object", {})
