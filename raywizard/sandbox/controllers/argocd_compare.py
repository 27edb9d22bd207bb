"""Argo CD's comparison of desired and live objects: tracking, ignoreDifferences, three-way strip, health.

Sync status follows gitops-engine's default diff (three-way against the last-applied configuration, see
`normalized_pair`): desired and live are normalised with the Application's ignoreDifferences (the sandbox's own
`argocd_ignore`), live-only fields (defaults, `scaleStrategy`) never show, and `.status` is ignored (Argo CD 3.x
default). Health uses the built-in checks for CRDs, Deployments and Services; kinds without a
check
(RayCluster, ServiceAccount, RBAC) have no health, so the app is Healthy as soon as they exist.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .argocd_ignore import normalize, normalize_pair
from .mergepatch import apply_merge_patch, three_way_merge_patch
from .objects import KINDS, condition, group_of, is_deleting, resource_for_kind, version_of

TRACKING_ANNOTATION = "argocd.argoproj.io/tracking-id"
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
HEALTH_ORDER = ("Healthy", "Suspended", "Progressing", "Missing", "Degraded", "Unknown")

# gitops-engine's kind order for a sync wave (`pkg/sync/syncwaves` / kubectl's install order)
KIND_ORDER = (
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
)


@dataclass
class ResourceState:
    group: str
    version: str
    kind: str
    namespace: str
    name: str
    desired: dict[str, Any] | None
    live: dict[str, Any] | None
    status: str = "Synced"
    health: str | None = None
    health_message: str = ""

    @property
    def resource(self) -> str:
        api_version = (
            self.desired.get("apiVersion", "")
            if self.desired
            else (self.live.get("apiVersion", "") if self.live else "")
        )
        return resource_for_kind(self.kind, str(api_version))

    @property
    def requires_pruning(self) -> bool:
        return self.desired is None and self.live is not None

    def summary(self) -> dict[str, Any]:
        item: dict[str, Any] = {}
        if self.group:
            item["group"] = self.group
        item["version"] = self.version
        item["kind"] = self.kind
        if self.namespace:
            item["namespace"] = self.namespace
        item["name"] = self.name
        item["status"] = self.status
        if self.requires_pruning:
            item["requiresPruning"] = True
        return item

    def sort_key(self) -> tuple[str, str, str, str]:
        return (self.group, self.kind, self.namespace, self.name)


def tracking_id(app_name: str, group: str, kind: str, namespace: str, name: str) -> str:
    return f"{app_name}:{group}/{kind}:{namespace}/{name}"


def parse_tracking_id(value: str) -> tuple[str, str, str, str, str] | None:
    try:
        app, group_kind, namespace_name = value.split(":", 2)
        group, kind = group_kind.split("/", 1)
        namespace, name = namespace_name.split("/", 1)
    except ValueError:
        return None
    return app, group, kind, namespace, name


def prepare_desired(app_name: str, objects: list[dict[str, Any]], namespace: str) -> list[dict[str, Any]]:
    """Set the destination namespace on namespaced objects and add the tracking annotation (as Argo CD
    does)."""
    prepared = []
    for obj in objects:
        obj = dict(obj)
        meta = dict(obj.get("metadata") or {})
        kind = str(obj.get("kind", ""))
        if KINDS.get(kind, ("", "", True))[2]:
            meta.setdefault("namespace", namespace)
        else:
            meta.pop("namespace", None)
        annotations = dict(meta.get("annotations") or {})
        annotations[TRACKING_ANNOTATION] = tracking_id(
            app_name,
            group_of(str(obj.get("apiVersion", ""))),
            kind,
            str(meta.get("namespace", "")),
            str(meta.get("name", "")),
        )
        meta["annotations"] = annotations
        obj["metadata"] = meta
        prepared.append(obj)
    return prepared


def strip_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: strip_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [strip_nulls(v) for v in value]
    return value


def remove_fields(config: Any, live: Any) -> Any:
    """gitops-engine `RemoveMapFields`/`RemoveListFields`: keep only what config mentions (lists
    element-wise)."""
    if isinstance(config, dict) and isinstance(live, dict):
        return {k: remove_fields(v, live[k]) if live[k] is not None else None for k, v in config.items() if k in live}
    if isinstance(config, list) and isinstance(live, list):
        return [remove_fields(config[i], v) if i < len(config) and v is not None else v for i, v in enumerate(live)]
    return live


def comparable(obj: dict[str, Any], *, keep_managed_fields: bool = False) -> dict[str, Any]:
    result = {k: v for k, v in obj.items() if k != "status"}
    meta = dict(result.get("metadata") or {})
    for key in ("managedFields", "resourceVersion", "uid", "generation", "creationTimestamp"):
        if key != "managedFields" or not keep_managed_fields:
            meta.pop(key, None)
    result["metadata"] = meta
    return strip_nulls(result)


def last_applied(live: dict[str, Any]) -> dict[str, Any] | None:
    """The `kubectl.kubernetes.io/last-applied-configuration` of a live object, parsed (None if absent)."""
    text = ((live.get("metadata") or {}).get("annotations") or {}).get(LAST_APPLIED)
    if not text:
        return None
    try:
        parsed = json.loads(str(text))
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None


def _without_managed_fields(obj: dict[str, Any]) -> dict[str, Any]:
    meta = {k: v for k, v in (obj.get("metadata") or {}).items() if k != "managedFields"}
    return dict(obj, metadata=meta)


def normalized_pair(
    desired: dict[str, Any], live: dict[str, Any], rules: list[dict[str, Any]]
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """(normalised desired, predicted live, normalised live): what Argo CD compares.

    gitops-engine `pkg/diff/diff.go` `Diff`: with a last-applied annotation the diff is three-way: live is
    stripped to the fields last-applied mentions (`RemoveMapFields(orig, live)`), the three-way merge patch
    (orig, config, live) is applied to it and the result (predicted live) is compared with stripped live, so a
    field dropped from Git but still live is a difference. Without the annotation (server-side apply,
    Replace=true) the diff is two-way: live is stripped to what config mentions.
    """
    group = group_of(str(desired.get("apiVersion", "")))
    meta = desired.get("metadata") or {}
    where = {
        "group": group,
        "kind": str(desired.get("kind", "")),
        "name": str(meta.get("name", "")),
        "namespace": str(meta.get("namespace", "")),
    }
    norm_desired, norm_live = normalize_pair(
        comparable(desired), comparable(live, keep_managed_fields=True), rules, **where
    )
    norm_live = _without_managed_fields(norm_live)
    orig = last_applied(live)
    if orig is None:
        stripped = remove_fields(norm_desired, norm_live)
        return norm_desired, stripped, stripped
    norm_orig = normalize(comparable(orig), rules, **where)
    stripped = remove_fields(norm_orig, norm_live)
    predicted = apply_merge_patch(stripped, three_way_merge_patch(norm_orig, norm_desired, stripped))
    return norm_desired, strip_nulls(predicted), stripped


def in_sync(desired: dict[str, Any], live: dict[str, Any], rules: list[dict[str, Any]]) -> bool:
    _, predicted, stripped = normalized_pair(desired, live, rules)
    return bool(predicted == stripped)


def health_of(kind: str, live: dict[str, Any] | None) -> tuple[str | None, str]:
    """(status, message) of gitops-engine's built-in checks; None for kinds without a check."""
    if live is None:
        return "Missing", ""
    if is_deleting(live):
        return "Progressing", "Pending deletion"
    status = live.get("status") or {}
    if kind == "CustomResourceDefinition":
        established = condition(status.get("conditions") or [], "Established")
        if established and established.get("status") == "True":
            return "Healthy", ""
        return "Progressing", "Status conditions not found"
    if kind == "Deployment":
        spec = live.get("spec") or {}
        generation = (live.get("metadata") or {}).get("generation", 0)
        if status.get("observedGeneration", 0) < generation:
            return (
                "Progressing",
                "Waiting for rollout to finish: observed deployment generation less than desired generation",
            )
        replicas = int(spec.get("replicas", 1) if spec.get("replicas") is not None else 1)
        updated = int(status.get("updatedReplicas", 0))
        available = int(status.get("availableReplicas", 0))
        if updated < replicas:
            return "Progressing", (
                f"Waiting for rollout to finish: {updated} out of {replicas} new replicas have been updated..."
            )
        if int(status.get("replicas", 0)) > updated:
            return "Progressing", (
                f"Waiting for rollout to finish: {int(status.get('replicas', 0)) - updated} old "
                "replicas are pending termination..."
            )
        if available < updated:
            return (
                "Progressing",
                f"Waiting for rollout to finish: {available} of {updated} updated replicas are available...",
            )
        return "Healthy", ""
    if kind == "Service":
        spec = live.get("spec") or {}
        if spec.get("type") == "LoadBalancer" and not ((status.get("loadBalancer") or {}).get("ingress")):
            return "Progressing", ""
        return "Healthy", ""
    if kind == "Namespace":
        return ("Healthy", "") if status.get("phase", "Active") == "Active" else ("Progressing", "")
    if kind == "Pod":
        phase = status.get("phase")
        return (
            {"Running": "Healthy", "Succeeded": "Healthy", "Failed": "Degraded"}.get(str(phase), "Progressing"),
            "",
        )
    return None, ""


def worst(statuses: list[str]) -> str:
    if not statuses:
        return "Healthy"
    return max(statuses, key=lambda s: HEALTH_ORDER.index(s) if s in HEALTH_ORDER else len(HEALTH_ORDER))


def describe(obj: dict[str, Any]) -> tuple[str, str, str, str, str]:
    api_version = str(obj.get("apiVersion", ""))
    meta = obj.get("metadata") or {}
    return (
        group_of(api_version),
        version_of(api_version),
        str(obj.get("kind", "")),
        str(meta.get("namespace", "") or ""),
        str(meta.get("name", "")),
    )


def kind_rank(kind: str) -> int:
    return KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER)
