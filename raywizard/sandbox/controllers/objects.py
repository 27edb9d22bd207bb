"""Small helpers shared by the simulated controllers: time stamps, names, owners, kinds → store resources."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import random
from typing import Any

# Kubernetes' name-suffix alphabet (no vowels, no ambiguous characters): apimachinery `rand.String`.
SUFFIX_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
_random = random.Random()

# kind → (store resource name, apiVersion, namespaced)
KINDS: dict[str, tuple[str, str, bool]] = {
    "Namespace": ("namespaces", "v1", False),
    "Pod": ("pods", "v1", True),
    "Service": ("services", "v1", True),
    "ServiceAccount": ("serviceaccounts", "v1", True),
    "ConfigMap": ("configmaps", "v1", True),
    "Event": ("events", "v1", True),
    "Deployment": ("deployments.apps", "apps/v1", True),
    "ReplicaSet": ("replicasets.apps", "apps/v1", True),
    "Role": ("roles.rbac.authorization.k8s.io", "rbac.authorization.k8s.io/v1", True),
    "RoleBinding": ("rolebindings.rbac.authorization.k8s.io", "rbac.authorization.k8s.io/v1", True),
    "ClusterRole": ("clusterroles.rbac.authorization.k8s.io", "rbac.authorization.k8s.io/v1", False),
    "ClusterRoleBinding": (
        "clusterrolebindings.rbac.authorization.k8s.io",
        "rbac.authorization.k8s.io/v1",
        False,
    ),
    "CustomResourceDefinition": (
        "customresourcedefinitions.apiextensions.k8s.io",
        "apiextensions.k8s.io/v1",
        False,
    ),
    "Application": ("applications.argoproj.io", "argoproj.io/v1alpha1", True),
    "RayCluster": ("rayclusters.ray.io", "ray.io/v1", True),
    "RayJob": ("rayjobs.ray.io", "ray.io/v1", True),
    "RayService": ("rayservices.ray.io", "ray.io/v1", True),
}


def now_iso() -> str:
    """RFC 3339 at second precision, as metav1.Time serialises."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str | None) -> float:
    if not text:
        return 0.0
    try:
        return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC).timestamp()
    except ValueError:
        return 0.0


def suffix(length: int = 5) -> str:
    return "".join(_random.choice(SUFFIX_ALPHABET) for _ in range(length))


def template_hash(template: Any) -> str:
    """A stable 10-character pod-template-hash in the Kubernetes alphabet."""
    digest = hashlib.sha256(repr(_canonical(template)).encode()).digest()
    return "".join(SUFFIX_ALPHABET[b % len(SUFFIX_ALPHABET)] for b in digest[:10])


def _canonical(value: Any) -> Any:
    if isinstance(value, dict):
        return sorted((k, _canonical(v)) for k, v in value.items())
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    return value


def meta(obj: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = obj.setdefault("metadata", {})
    return result


def name_of(obj: dict[str, Any]) -> str:
    return str((obj.get("metadata") or {}).get("name") or "")


def namespace_of(obj: dict[str, Any]) -> str:
    return str((obj.get("metadata") or {}).get("namespace") or "")


def labels_of(obj: dict[str, Any]) -> dict[str, str]:
    return dict((obj.get("metadata") or {}).get("labels") or {})


def owner_ref(owner: dict[str, Any], *, controller: bool = True) -> dict[str, Any]:
    return {
        "apiVersion": owner.get("apiVersion", ""),
        "kind": owner.get("kind", ""),
        "name": name_of(owner),
        "uid": (owner.get("metadata") or {}).get("uid", ""),
        "controller": controller,
        "blockOwnerDeletion": True,
    }


def owned_by(obj: dict[str, Any], owner_uid: str) -> bool:
    return any(ref.get("uid") == owner_uid for ref in (obj.get("metadata") or {}).get("ownerReferences") or [])


def is_deleting(obj: dict[str, Any]) -> bool:
    return bool((obj.get("metadata") or {}).get("deletionTimestamp"))


def resource_for_kind(kind: str, api_version: str = "") -> str:
    if kind in KINDS:
        return KINDS[kind][0]
    group = api_version.split("/")[0] if "/" in api_version else ""
    plural = kind.lower() + ("es" if kind.lower().endswith("s") else "s")
    return f"{plural}.{group}" if group else plural


def group_of(api_version: str) -> str:
    return api_version.split("/")[0] if "/" in api_version else ""


def version_of(api_version: str) -> str:
    return api_version.split("/")[-1]


def is_namespaced(kind: str) -> bool:
    return KINDS.get(kind, ("", "", True))[2]


def deep(obj: Any) -> Any:
    return copy.deepcopy(obj)


def condition(conditions: list[dict[str, Any]], ctype: str) -> dict[str, Any] | None:
    for item in conditions or []:
        if item.get("type") == ctype:
            return item
    return None


def set_condition(conditions: list[dict[str, Any]], new: dict[str, Any]) -> list[dict[str, Any]]:
    """metav1 SetStatusCondition: keep lastTransitionTime when the status does not change."""
    result = [dict(c) for c in conditions or []]
    for item in result:
        if item.get("type") == new["type"]:
            if item.get("status") != new.get("status"):
                item["lastTransitionTime"] = new.get("lastTransitionTime") or now_iso()
            for key in ("status", "reason", "message", "observedGeneration"):
                if key in new:
                    item[key] = new[key]
            return result
    added = dict(new)
    added.setdefault("lastTransitionTime", now_iso())
    result.append(added)
    return result


def create_generated(store: Any, resource: str, body: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """store.create for a generateName body, retrying a name collision as the API server does (KEP-4420)."""
    from raywizard.sandbox.store import ApiError

    for attempt in range(7):
        try:
            return dict(store.create(resource, body, **kwargs))
        except ApiError as exc:
            if exc.code != 409 or attempt == 6 or not (body.get("metadata") or {}).get("generateName"):
                raise
    raise AssertionError("unreachable")
