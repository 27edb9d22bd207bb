"""One Argo CD sync operation: validate (dry run), create the namespace, apply in kind order, prune.

Only `operation.sync.syncOptions` count (the controller does not read `spec.syncPolicy.syncOptions`;
auto-sync and
the API server copy them into the operation). Apply modes: Replace=true (create/replace) beats
ServerSideApply=true (apply patch, manager `argocd-controller`, force), else client-side apply with the
last-applied annotation, which fails for the real-size KubeRay CRDs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from .argocd_compare import LAST_APPLIED, ResourceState, kind_rank
from .argocd_ignore import normalize
from .crds import ANNOTATION_LIMIT, REAL_SIZES
from .mergepatch import apply_merge_patch, create_merge_patch, three_way_merge_patch
from .objects import KINDS

FIELD_MANAGER = "argocd-controller"
BUILTIN_GROUPS = {
    "",
    "apps",
    "rbac.authorization.k8s.io",
    "apiextensions.k8s.io",
    "argoproj.io",
    "batch",
    "networking.k8s.io",
    "policy",
    "coordination.k8s.io",
}


@dataclass
class SyncOutcome:
    phase: str  # Succeeded | Failed | Error
    message: str
    resources: list[dict[str, Any]] = field(default_factory=list)


def parse_options(options: list[Any] | None) -> dict[str, str]:
    parsed: dict[str, str] = {}
    for option in options or []:
        key, _, value = str(option).partition("=")
        parsed[key.strip()] = value.strip()
    return parsed


def _enabled(options: dict[str, str], key: str) -> bool:
    return options.get(key, "").lower() == "true"


def _wave(state: ResourceState) -> int:
    """`argocd.argoproj.io/sync-wave` (default 0): lower waves are applied first."""
    obj = state.desired or state.live or {}
    raw = ((obj.get("metadata") or {}).get("annotations") or {}).get("argocd.argoproj.io/sync-wave", "0")
    try:
        return int(str(raw).strip())
    except ValueError:
        return 0


def _display(state: ResourceState) -> str:
    kind = state.kind.lower()
    return f"{kind}.{state.group}/{state.name}" if state.group else f"{kind}/{state.name}"


def _result(state: ResourceState, status: str, message: str, phase: str = "Sync") -> dict[str, Any]:
    item: dict[str, Any] = {"group": state.group, "version": state.version, "kind": state.kind}
    if state.namespace:
        item["namespace"] = state.namespace
    item.update({"name": state.name, "status": status, "message": message, "hookPhase": "Running", "syncPhase": phase})
    return item


class SyncRun:
    def __init__(
        self,
        store: Any,
        app: dict[str, Any],
        operation: dict[str, Any],
        states: list[ResourceState],
        rules: list[dict[str, Any]],
    ) -> None:
        self.store = store
        self.app = app
        self.sync = dict(operation.get("sync") or {})
        self.options = parse_options(self.sync.get("syncOptions"))
        self.dry_run = bool(self.sync.get("dryRun"))
        self.prune = bool(self.sync.get("prune"))
        self.states = self._selected(states)
        self.rules = rules
        destination = (app.get("spec") or {}).get("destination") or {}
        self.namespace = str(destination.get("namespace") or "")

    def _selected(self, states: list[ResourceState]) -> list[ResourceState]:
        wanted = self.sync.get("resources")
        if not wanted:
            selected = states
        else:
            keys = {(str(r.get("group", "")), str(r.get("kind", "")), str(r.get("name", ""))) for r in wanted}
            selected = [s for s in states if (s.group, s.kind, s.name) in keys]
        if _enabled(self.options, "ApplyOutOfSyncOnly"):
            selected = [s for s in selected if s.status == "OutOfSync"]
        return sorted(
            selected, key=lambda s: (s.requires_pruning, _wave(s), kind_rank(s.kind), s.kind, s.namespace, s.name)
        )

    def run(self) -> SyncOutcome:
        from raywizard.sandbox.store import ApiError

        results: list[dict[str, Any]] = []
        # --- validation (kubectl dry run) ---
        invalid: list[dict[str, Any]] = []
        namespaced = [s for s in self.states if s.desired is not None and s.namespace]
        missing_namespaces = sorted(
            {s.namespace for s in namespaced if self.store.get("namespaces", "", s.namespace) is None}
        )
        create_namespace = _enabled(self.options, "CreateNamespace")
        if missing_namespaces and not (create_namespace and missing_namespaces == [self.namespace]):
            for state in namespaced:
                if state.namespace in missing_namespaces and not (
                    create_namespace and state.namespace == self.namespace
                ):
                    invalid.append(_result(state, "SyncFailed", f'namespaces "{state.namespace}" not found'))
        crds_in_sync = {
            (s.desired or {}).get("spec", {}).get("names", {}).get("kind", "")
            for s in self.states
            if s.kind == "CustomResourceDefinition" and s.desired is not None
        }
        for state in self.states:
            if state.desired is None or state.group in BUILTIN_GROUPS or state.kind in crds_in_sync:
                continue
            if self._skip_dry_run(state):
                continue
            if not self._served(state):
                invalid.append(
                    _result(
                        state,
                        "SyncFailed",
                        (
                            f"The Kubernetes API could not find {state.group}/{state.kind} for requested "
                            f'resource {state.namespace}/{state.name}. Make sure the "{state.kind}" CRD is '
                            "installed on the destination cluster."
                        ),
                    )
                )
        if invalid:
            return SyncOutcome("Failed", "one or more synchronization tasks are not valid", invalid)
        # --- namespace (PreSync) ---
        if create_namespace and self.namespace and self.store.get("namespaces", "", self.namespace) is None:
            try:
                if not self.dry_run:
                    self.store.create(
                        "namespaces",
                        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": self.namespace}},
                        field_manager=FIELD_MANAGER,
                    )
                results.append(
                    {
                        "group": "",
                        "version": "v1",
                        "kind": "Namespace",
                        "name": self.namespace,
                        "status": "Synced",
                        "message": f"namespace/{self.namespace} created",
                        "hookPhase": "Running",
                        "syncPhase": "PreSync",
                    }
                )
            except ApiError as exc:
                return SyncOutcome("Failed", f"one or more objects failed to apply, reason: {exc.message}", results)
        # --- apply and prune ---
        failures: list[str] = []
        for state in self.states:
            if state.requires_pruning:
                if not self.prune:
                    results.append(_result(state, "PruneSkipped", "ignored (requires pruning)"))
                    continue
                try:
                    if not self.dry_run:
                        self.store.delete(state.resource, state.namespace, state.name)
                    results.append(_result(state, "Pruned", "pruned"))
                except ApiError as exc:
                    failures.append(exc.message)
                    results.append(_result(state, "SyncFailed", exc.message))
                continue
            if state.desired is None:
                continue
            try:
                message = self._apply(state)
                results.append(_result(state, "Synced", message + (" (dry run)" if self.dry_run else "")))
            except ApiError as exc:
                message = str(exc.message)
                if "metadata.annotations: Too long: must have at most 262144 bytes" in message:
                    message += (
                        " \n -Additional Info: This error usually means that you are trying to add a large "
                        "resource on client side. Consider using Server-side apply or syncing with replace "
                        "enabled. Note: Syncing with Replace enabled is potentially destructive as it may "
                        "cause resource deletion and re-creation."
                    )
                failures.append(message)
                results.append(_result(state, "SyncFailed", message))
        if failures:
            return SyncOutcome("Failed", f"one or more objects failed to apply, reason: {', '.join(failures)}", results)
        return SyncOutcome("Succeeded", "successfully synced (all tasks run)", results)

    def _skip_dry_run(self, state: ResourceState) -> bool:
        annotations = ((state.desired or {}).get("metadata") or {}).get("annotations") or {}
        per_resource = parse_options(str(annotations.get("argocd.argoproj.io/sync-options", "")).split(","))
        return _enabled(per_resource, "SkipDryRunOnMissingResource") or _enabled(
            self.options, "SkipDryRunOnMissingResource"
        )

    def _served(self, state: ResourceState) -> bool:
        plural = state.resource.split(".", 1)[0]
        crd = self.store.get("customresourcedefinitions.apiextensions.k8s.io", "", f"{plural}.{state.group}")
        return crd is not None

    def _mode(self, state: ResourceState) -> str:
        annotations = ((state.desired or {}).get("metadata") or {}).get("annotations") or {}
        per_resource = parse_options(str(annotations.get("argocd.argoproj.io/sync-options", "")).split(","))
        if _enabled(per_resource, "Replace") or _enabled(self.options, "Replace"):
            return "replace"
        if _enabled(per_resource, "ServerSideApply") or (
            _enabled(self.options, "ServerSideApply") and per_resource.get("ServerSideApply") != "false"
        ):
            return "ssa"
        return "apply"

    def _desired_for_apply(self, state: ResourceState) -> dict[str, Any]:
        desired = dict(state.desired or {})
        if state.live is not None and _enabled(self.options, "RespectIgnoreDifferences"):
            # Argo CD `normalizeTargetResources`: re-add the live values of ignored fields with a merge patch
            # from normalised live to live. For custom resources arrays are replaced whole (the §4.3 pitfall).
            full_live = {k: v for k, v in state.live.items() if k != "status"}
            normalized_live = normalize(
                full_live,
                self.rules,
                group=state.group,
                kind=state.kind,
                name=state.name,
                namespace=state.namespace,
            )
            patch = create_merge_patch(normalized_live, full_live)
            patch.pop("metadata", None)
            desired = apply_merge_patch(desired, patch)
        return desired

    def _apply(self, state: ResourceState) -> str:
        from raywizard.sandbox.store import ApiError

        desired = self._desired_for_apply(state)
        resource, ns, name = state.resource, state.namespace, state.name
        mode = self._mode(state)
        display = _display(state)
        namespace_arg = ns or None
        if mode == "replace":
            if state.live is None:
                self.store.create(
                    resource, desired, namespace=namespace_arg, dry_run=self.dry_run, field_manager=FIELD_MANAGER
                )
                return f"{display} created"
            body = dict(desired)
            body["metadata"] = dict(
                body.get("metadata") or {},
                resourceVersion=(state.live.get("metadata") or {}).get("resourceVersion"),
            )
            self.store.update(resource, body, dry_run=self.dry_run, field_manager=FIELD_MANAGER)
            return f"{display} replaced"
        if mode == "ssa":
            self.store.patch(
                resource,
                ns,
                name,
                desired,
                "apply",
                field_manager=FIELD_MANAGER,
                force=True,
                dry_run=self.dry_run,
            )
            return f"{display} serverside-applied"
        # client-side apply: the whole object goes into an annotation
        stripped = dict(desired)
        meta = dict(stripped.get("metadata") or {})
        annotations = {k: v for k, v in (meta.get("annotations") or {}).items() if k != LAST_APPLIED}
        meta["annotations"] = annotations
        stripped["metadata"] = meta
        last_applied = json.dumps(stripped, separators=(",", ":"), sort_keys=True)
        size = max(len(last_applied), REAL_SIZES.get(name, 0) if state.kind == "CustomResourceDefinition" else 0)
        if size > ANNOTATION_LIMIT:
            kind_group = f"{state.kind}.{state.group}" if state.group else state.kind
            raise ApiError(
                422,
                "Invalid",
                f'{kind_group} "{name}" is invalid: metadata.annotations: Too long: '
                f"must have at most {ANNOTATION_LIMIT} bytes",
            )
        applied = dict(stripped)
        applied["metadata"] = dict(meta, annotations=dict(annotations, **{LAST_APPLIED: last_applied + "\n"}))
        if state.live is None:
            self.store.create(
                resource, applied, namespace=namespace_arg, dry_run=self.dry_run, field_manager=FIELD_MANAGER
            )
            return f"{display} created"
        live = {k: v for k, v in state.live.items() if k != "status"}
        original_text = ((state.live.get("metadata") or {}).get("annotations") or {}).get(LAST_APPLIED)
        try:
            original = json.loads(original_text) if original_text else {}
        except ValueError:
            original = {}
        patch = three_way_merge_patch(original, applied, live)
        if not patch:
            return f"{display} unchanged"
        self.store.patch(resource, ns, name, patch, "merge", field_manager=FIELD_MANAGER, dry_run=self.dry_run)
        return f"{display} configured"


def resource_exists_kind(kind: str) -> bool:
    return kind in KINDS
