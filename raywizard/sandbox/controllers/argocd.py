"""Simulated Argo CD application-controller for Applications in the `argocd` namespace.

Per Application: render the source (sources.py), compare with live objects (argocd_compare.py), compute
health,
run requested or automated sync operations (argocd_sync.py) with retries and self-heal backoff, handle the
refresh
annotation and the resources finalizer, and write `.status` (the Application CRD has no status subresource,
so the
whole object is updated with optimistic concurrency). Reconciles on Application changes (spec, operation,
annotations, deletion), on changes of tracked live objects, and every 180 s (timeout.reconciliation).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Hashable
from typing import Any

from .argocd_compare import (
    TRACKING_ANNOTATION,
    ResourceState,
    describe,
    health_of,
    in_sync,
    parse_tracking_id,
    prepare_desired,
    worst,
)
from .argocd_operations import AppMemory, maybe_autosync, start_operation
from .argocd_status import (
    CONTROLLER_NAMESPACE,
    FINALIZERS,
    compared_to,
    merge_conditions,
    spec_errors,
)
from .base import Controller
from .git_sources import GitSources
from .objects import KINDS, is_deleting, now_iso, resource_for_kind
from .sources import Rendered, SourceError, render_source, render_sources

APPS = "applications.argoproj.io"
COMPONENT = "argocd-application-controller"
REFRESH_ANNOTATION = "argocd.argoproj.io/refresh"
MANAGED_RESOURCES = tuple(sorted({v[0] for k, v in KINDS.items() if k not in ("Pod", "Event", "Application")}))
STATUS_HEARTBEAT = 10.0  # rewrite reconciledAt at least this often (simulated) while something changes


class ArgoCDController(Controller):
    name = COMPONENT
    resources = (APPS, *MANAGED_RESOURCES)
    resync_seconds = 180.0

    def __init__(self, cluster: Any) -> None:
        super().__init__(cluster)
        self.memory: dict[str, AppMemory] = {}
        self._shared: dict[str, list[str]] = {}  # app -> SharedResourceWarning messages of its last comparison
        self.git = GitSources()  # revisions of file:// repositories, re-resolved on each poll and refresh

    # --- what wakes us ---
    def key_for(self, event_type: str, resource: str, obj: dict[str, Any]) -> Hashable | None:
        meta = obj.get("metadata") or {}
        if resource == APPS:
            if meta.get("namespace") != CONTROLLER_NAMESPACE:
                return None
            name = str(meta.get("name", ""))
            # An Application made by a parent (app of apps) is one of the parent's live resources.
            parent = _tracking_app(obj)
            if event_type == "DELETED":
                self.memory.pop(name, None)
                if parent and parent != name:
                    self.enqueue(parent)
                return None
            fingerprint = _fingerprint(obj)
            memory = self.memory.setdefault(name, AppMemory())
            uid = str(meta.get("uid") or "")
            if memory.uid and memory.uid != uid:  # a new Application with an old name (or a reset store)
                memory = self.memory[name] = AppMemory()
            memory.uid = uid
            if fingerprint == memory.fingerprint:
                return None
            memory.fingerprint = fingerprint
            if parent and parent != name:
                self.enqueue(parent)
            return name
        tracking = (meta.get("annotations") or {}).get(TRACKING_ANNOTATION)
        parsed = parse_tracking_id(str(tracking)) if tracking else None
        return parsed[0] if parsed else None

    def resync(self) -> None:
        from raywizard.sandbox.store import ApiError

        try:
            apps = self.store.list(APPS, CONTROLLER_NAMESPACE)
        except ApiError:
            return  # no Application CRD (--no-argocd)
        self.git.forget()  # the repo-server's poll: look at the branches again
        for app in apps:
            self.enqueue(app["metadata"]["name"])

    def _memory(self, name: str) -> AppMemory:
        return self.memory.setdefault(name, AppMemory())

    # --- one reconciliation ---
    def reconcile(self, key: Any) -> None:
        name = str(key)
        app = self.store.get(APPS, CONTROLLER_NAMESPACE, name)
        if app is None:
            return
        if is_deleting(app):
            self._finalize(app)
            return
        annotations = (app.get("metadata") or {}).get("annotations") or {}
        if REFRESH_ANNOTATION in annotations:
            self.git.forget(name)
            self._write(name, lambda a: a["metadata"]["annotations"].pop(REFRESH_ANNOTATION, None))
            app = self.store.get(APPS, CONTROLLER_NAMESPACE, name) or app
        rendered, errors = self._render(app)
        states = self._compare(app, rendered)
        sync_status = (
            "Unknown" if errors else ("OutOfSync" if any(s.status == "OutOfSync" for s in states) else "Synced")
        )
        health = worst([s.health for s in states if s.health is not None])
        warnings = [("SharedResourceWarning", message) for message in self._shared.get(name, [])]
        memory = self._memory(name)
        now = time.monotonic()
        if sync_status == "Synced":
            if not memory.synced_since:
                memory.synced_since = now
        else:
            memory.synced_since = 0.0
        operation = app.get("operation")
        if operation and not memory.operation_running:
            start_operation(self, app)
        elif not operation and not memory.operation_running and rendered is not None and not errors:
            sync_error = maybe_autosync(self, app, rendered, states, sync_status)
            if sync_error:
                errors.append(("SyncError", sync_error))
        self._write_status(app, rendered, states, sync_status, health, errors + warnings)

    def _render(self, app: dict[str, Any]) -> tuple[Rendered | None, list[tuple[str, str]]]:
        spec = app.get("spec") or {}
        errors = spec_errors(spec, self._project_exists(str(spec.get("project") or "")))
        if errors:
            return None, errors
        destination = spec.get("destination") or {}
        try:
            if spec.get("sources"):
                rendered = render_sources(
                    [dict(s or {}) for s in spec["sources"]],
                    app_name=app["metadata"]["name"],
                    namespace=str(destination.get("namespace") or ""),
                    git=self.git,
                )
            else:
                rendered = render_source(
                    dict(spec.get("source") or {}),
                    app_name=app["metadata"]["name"],
                    namespace=str(destination.get("namespace") or ""),
                    git=self.git,
                )
        except SourceError as exc:
            return None, [("ComparisonError", str(exc))]
        rendered.objects = prepare_desired(
            app["metadata"]["name"], rendered.objects, str(destination.get("namespace") or "")
        )
        return rendered, []

    def _project_exists(self, project: str) -> bool:
        from raywizard.sandbox.store import ApiError

        try:
            return (
                bool(project) and self.store.get("appprojects.argoproj.io", CONTROLLER_NAMESPACE, project) is not None
            )
        except ApiError:
            return project == "default"

    def _compare(self, app: dict[str, Any], rendered: Rendered | None) -> list[ResourceState]:
        name = app["metadata"]["name"]
        rules = list((app.get("spec") or {}).get("ignoreDifferences") or [])
        states: dict[tuple[str, str, str, str], ResourceState] = {}
        for desired in rendered.objects if rendered else []:
            group, version, kind, namespace, obj_name = describe(desired)
            state = ResourceState(group, version, kind, namespace, obj_name, desired, None)
            state.live = self._get_live(state.resource, namespace, obj_name)
            if state.live is None or not in_sync(desired, state.live, rules):
                state.status = "OutOfSync"
            state.health, state.health_message = health_of(kind, state.live)
            states[(group, kind, namespace, obj_name)] = state
        for live in self._tracked_live(app, rendered):
            group, version, kind, namespace, obj_name = describe(live)
            if (group, kind, namespace, obj_name) in states:
                continue
            state = ResourceState(group, version, kind, namespace, obj_name, None, live, status="OutOfSync")
            state.health = health_of(kind, live)[0]
            states[(group, kind, namespace, obj_name)] = state
        self._shared[name] = [
            f"{s.kind}/{s.name} is part of applications {name} and {owner}"
            for s in states.values()
            if s.desired is not None and (owner := _tracking_app(s.live)) and owner != name
        ]
        return sorted(states.values(), key=ResourceState.sort_key)

    def _get_live(self, resource: str, namespace: str, name: str) -> dict[str, Any] | None:
        from raywizard.sandbox.store import ApiError

        try:
            live = self.store.get(resource, namespace, name)
        except (ApiError, KeyError, ValueError):
            return None
        return dict(live) if live else None

    def _tracked_live(self, app: dict[str, Any], rendered: Rendered | None) -> list[dict[str, Any]]:
        """Live objects that carry this app's tracking id (to find what requires pruning)."""
        from raywizard.sandbox.store import ApiError

        name = app["metadata"]["name"]
        kinds = {str(o.get("kind")) for o in (rendered.objects if rendered else [])}
        kinds |= {str(r.get("kind")) for r in (app.get("status") or {}).get("resources") or []}
        found = []
        for kind in sorted(kinds):
            if kind not in KINDS:
                continue
            try:
                items = self.store.list(KINDS[kind][0])
            except (ApiError, KeyError, ValueError):
                continue
            for item in items:
                tracking = ((item.get("metadata") or {}).get("annotations") or {}).get(TRACKING_ANNOTATION)
                parsed = parse_tracking_id(str(tracking)) if tracking else None
                if parsed and parsed[0] == name:
                    found.append(dict(item))
        return found

    # --- status ---
    def _write_status(
        self,
        app: dict[str, Any],
        rendered: Rendered | None,
        states: list[ResourceState],
        sync_status: str,
        health: str,
        errors: list[tuple[str, str]],
    ) -> None:
        name = app["metadata"]["name"]
        spec = app.get("spec") or {}
        old = app.get("status") or {}
        old_health = (old.get("health") or {}).get("status", "")
        old_sync = (old.get("sync") or {}).get("status", "")
        sync: dict[str, Any] = {"status": sync_status, "comparedTo": compared_to(spec)}
        if rendered is not None and rendered.revisions is not None:
            sync["revisions"] = list(rendered.revisions)
        elif rendered is not None:
            sync["revision"] = rendered.revision
        health_block = {
            "status": health,
            "lastTransitionTime": (old.get("health") or {}).get("lastTransitionTime")
            if old_health == health
            else now_iso(),
        }
        conditions = merge_conditions(old.get("conditions") or [], errors)
        images = sorted(set(rendered.images)) if rendered else []
        wanted = {
            "sync": sync,
            "health": health_block,
            "resources": [s.summary() for s in states],
            "summary": {"images": images} if images else {},
            "sourceType": ""
            if rendered and rendered.source_types is not None
            else rendered.source_type
            if rendered
            else old.get("sourceType", ""),
            "sourceTypes": list(rendered.source_types or []) if rendered else old.get("sourceTypes", []),
            "resourceHealthSource": "appTree",
            "controllerNamespace": CONTROLLER_NAMESPACE,
            "conditions": conditions,
        }
        current = {k: old.get(k) for k in wanted}
        memory = self._memory(name)
        now = time.monotonic()
        stale = now - memory.last_write >= self.seconds(STATUS_HEARTBEAT) or (old.get("operationState") or {}).get(
            "finishedAt", ""
        ) >= old.get("reconciledAt", "~")
        if _canonical_json(current) == _canonical_json(wanted) and not stale:
            return

        def mutate(obj: dict[str, Any]) -> None:
            status = obj.setdefault("status", {})
            for key, value in wanted.items():
                if value in ("", [], {}) and key not in ("resources", "summary"):
                    status.pop(key, None)
                else:
                    status[key] = value
            status["reconciledAt"] = now_iso()

        if self._write(name, mutate):
            memory.last_write = now
            if old_sync != sync_status:
                self._event(app, "ResourceUpdated", f"Updated sync status: {old_sync} -> {sync_status}")
            if old_health != health:
                self._event(app, "ResourceUpdated", f"Updated health status: {old_health} -> {health}")

    # --- deletion ---
    def _finalize(self, app: dict[str, Any]) -> None:
        from raywizard.sandbox.store import ApiError

        name = app["metadata"]["name"]
        finalizers = list((app.get("metadata") or {}).get("finalizers") or [])
        ours = [f for f in finalizers if f in FINALIZERS]
        if not ours:
            return
        remaining = 0
        for live in self._tracked_live(app, None) + self._desired_live(app):
            _, _, kind, namespace, obj_name = describe(live)
            if is_deleting(live):
                remaining += 1
                continue
            try:
                self.store.delete(resource_for_kind(kind, str(live.get("apiVersion", ""))), namespace, obj_name)
            except ApiError:
                continue
            remaining += 1
        if remaining:
            self.after(1.0, lambda: self.enqueue(name))
            return
        self._write(
            name,
            lambda a: a["metadata"].__setitem__(
                "finalizers", [f for f in a["metadata"].get("finalizers") or [] if f not in FINALIZERS]
            ),
        )

    def _desired_live(self, app: dict[str, Any]) -> list[dict[str, Any]]:
        rendered, _ = self._render(app)
        found = []
        for state in self._compare(app, rendered):
            if state.live is not None and (
                ((state.live.get("metadata") or {}).get("annotations") or {})
                .get(TRACKING_ANNOTATION, "")
                .startswith(f"{app['metadata']['name']}:")
            ):
                found.append(state.live)
        return found

    # --- writes ---
    def _write(self, name: str, mutate: Callable[[dict[str, Any]], None]) -> bool:
        from raywizard.sandbox.store import ApiError

        for _ in range(8):
            current = self.store.get(APPS, CONTROLLER_NAMESPACE, name)
            if current is None:
                return False
            obj = json.loads(json.dumps(current))
            obj.setdefault("metadata", {}).setdefault("annotations", {})
            had_annotations = bool((current.get("metadata") or {}).get("annotations"))
            mutate(obj)
            if not had_annotations and not obj["metadata"]["annotations"]:
                obj["metadata"].pop("annotations", None)
            try:
                written = self.store.update(APPS, obj, field_manager=COMPONENT)
            except ApiError as exc:
                if getattr(exc, "code", 0) == 409:
                    continue
                return False
            memory = self._memory(name)
            memory.fingerprint = (
                _fingerprint(written if isinstance(written, dict) else obj)
                if not _operation_changed(current, obj)
                else memory.fingerprint
            )
            return True
        return False

    def _event(self, app: dict[str, Any], reason: str, message: str, type_: str = "Normal") -> None:
        self.store.emit_event(
            namespace=CONTROLLER_NAMESPACE,
            involved=app,
            reason=reason,
            message=message,
            type=type_,
            component=COMPONENT,
        )


def _tracking_app(live: dict[str, Any] | None) -> str:
    value = (((live or {}).get("metadata") or {}).get("annotations") or {}).get(TRACKING_ANNOTATION)
    parsed = parse_tracking_id(str(value)) if value else None
    return parsed[0] if parsed else ""


def _fingerprint(app: dict[str, Any]) -> str:
    meta = app.get("metadata") or {}
    return _canonical_json(
        [
            app.get("spec"),
            app.get("operation"),
            meta.get("annotations"),
            meta.get("finalizers"),
            meta.get("deletionTimestamp"),
        ]
    )


def _operation_changed(before: dict[str, Any], after: dict[str, Any]) -> bool:
    return bool(before.get("operation") != after.get("operation"))


def _canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)
