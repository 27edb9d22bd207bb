"""The resource types the sandbox API server knows: built-in ones and those defined by
CustomResourceDefinitions.

A resource is addressed in the in-process API by its *key*: the plural for the core group (``"pods"``) and
``"plural.group"`` otherwise (``"deployments.apps"``, ``"rayclusters.ray.io"``), like ``kubectl get`` accepts.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

ALL_VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")


@dataclass(frozen=True)
class PrinterColumn:
    name: str
    type: str
    json_path: str
    priority: int = 0
    description: str = ""
    format: str = ""


@dataclass(frozen=True)
class ResourceInfo:
    group: str
    versions: tuple[str, ...]  # served versions, storage (preferred) first
    plural: str
    singular: str
    kind: str
    namespaced: bool
    verbs: tuple[str, ...] = ALL_VERBS
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    has_status: bool = False
    has_log: bool = False
    builtin: bool = True
    columns: tuple[PrinterColumn, ...] = ()
    #: versions whose CRD declares subresources.status (CRDs may differ per version)
    status_versions: frozenset[str] = field(default_factory=frozenset)

    @property
    def key(self) -> str:
        return f"{self.plural}.{self.group}" if self.group else self.plural

    @property
    def version(self) -> str:
        return self.versions[0]

    def api_version(self, version: str | None = None) -> str:
        v = version or self.version
        return f"{self.group}/{v}" if self.group else v

    @property
    def list_kind(self) -> str:
        return self.kind + "List"

    def status_for(self, version: str | None) -> bool:
        if not self.builtin and version:
            return version in self.status_versions
        return self.has_status

    def qualified(self) -> str:
        """How errors name the resource: ``pods``, ``rayclusters.ray.io``."""
        return self.key


def _core(
    plural: str,
    kind: str,
    *,
    namespaced: bool = True,
    short: tuple[str, ...] = (),
    status: bool = False,
    categories: tuple[str, ...] = (),
    log: bool = False,
    singular: str | None = None,
) -> ResourceInfo:
    return ResourceInfo(
        "",
        ("v1",),
        plural,
        singular or kind.lower(),
        kind,
        namespaced,
        short_names=short,
        has_status=status,
        categories=categories,
        has_log=log,
    )


def _grouped(
    group: str,
    version: str,
    plural: str,
    kind: str,
    *,
    namespaced: bool = True,
    short: tuple[str, ...] = (),
    status: bool = False,
    categories: tuple[str, ...] = (),
    verbs: tuple[str, ...] = ALL_VERBS,
) -> ResourceInfo:
    return ResourceInfo(
        group,
        (version,),
        plural,
        kind.lower(),
        kind,
        namespaced,
        verbs=verbs,
        short_names=short,
        has_status=status,
        categories=categories,
    )


BUILTINS: tuple[ResourceInfo, ...] = (
    _core("namespaces", "Namespace", namespaced=False, short=("ns",), status=True),
    _core("nodes", "Node", namespaced=False, short=("no",), status=True),
    _core("pods", "Pod", short=("po",), status=True, categories=("all",), log=True),
    _core("services", "Service", short=("svc",), status=True, categories=("all",)),
    _core("endpoints", "Endpoints", short=("ep",), singular="endpoints"),
    _core("events", "Event", short=("ev",)),
    _core("configmaps", "ConfigMap", short=("cm",)),
    _core("secrets", "Secret"),
    _core("serviceaccounts", "ServiceAccount", short=("sa",)),
    _core("persistentvolumeclaims", "PersistentVolumeClaim", short=("pvc",), status=True),
    _grouped("apps", "v1", "deployments", "Deployment", short=("deploy",), status=True, categories=("all",)),
    _grouped("apps", "v1", "replicasets", "ReplicaSet", short=("rs",), status=True, categories=("all",)),
    _grouped("apps", "v1", "statefulsets", "StatefulSet", short=("sts",), status=True, categories=("all",)),
    _grouped("apps", "v1", "daemonsets", "DaemonSet", short=("ds",), status=True, categories=("all",)),
    _grouped("batch", "v1", "jobs", "Job", status=True, categories=("all",)),
    _grouped("networking.k8s.io", "v1", "ingresses", "Ingress", short=("ing",), status=True),
    _grouped("policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget", short=("pdb",), status=True),
    _grouped("coordination.k8s.io", "v1", "leases", "Lease"),
    _grouped("rbac.authorization.k8s.io", "v1", "roles", "Role"),
    _grouped("rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding"),
    _grouped("rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", namespaced=False),
    _grouped("rbac.authorization.k8s.io", "v1", "clusterrolebindings", "ClusterRoleBinding", namespaced=False),
    _grouped(
        "apiextensions.k8s.io",
        "v1",
        "customresourcedefinitions",
        "CustomResourceDefinition",
        namespaced=False,
        short=("crd", "crds"),
        status=True,
    ),
    _grouped(
        "authorization.k8s.io",
        "v1",
        "selfsubjectaccessreviews",
        "SelfSubjectAccessReview",
        namespaced=False,
        verbs=("create",),
    ),
)

#: preferred version of each built-in group (discovery order)
BUILTIN_GROUP_ORDER = (
    "apps",
    "batch",
    "networking.k8s.io",
    "policy",
    "coordination.k8s.io",
    "rbac.authorization.k8s.io",
    "apiextensions.k8s.io",
    "authorization.k8s.io",
)


def info_from_crd(crd: dict[str, Any]) -> ResourceInfo:
    """The ResourceInfo a CustomResourceDefinition object defines (served versions only, storage first)."""
    spec = crd.get("spec") or {}
    names = spec.get("names") or {}
    versions = [v for v in spec.get("versions") or [] if v.get("served", True)]
    versions.sort(key=lambda v: 0 if v.get("storage") else 1)
    status_versions = frozenset(v["name"] for v in versions if "status" in (v.get("subresources") or {}))
    columns: list[PrinterColumn] = []
    if versions:
        for col in versions[0].get("additionalPrinterColumns") or []:
            columns.append(
                PrinterColumn(
                    col.get("name", ""),
                    col.get("type", "string"),
                    col.get("jsonPath", ""),
                    int(col.get("priority", 0) or 0),
                    col.get("description", ""),
                    col.get("format", ""),
                )
            )
    plural = names.get("plural", "")
    return ResourceInfo(
        group=spec.get("group", ""),
        versions=tuple(v["name"] for v in versions),
        plural=plural,
        singular=names.get("singular") or names.get("kind", "").lower(),
        kind=names.get("kind", ""),
        namespaced=spec.get("scope", "Namespaced") == "Namespaced",
        short_names=tuple(names.get("shortNames") or ()),
        categories=tuple(names.get("categories") or ()),
        has_status=bool(status_versions),
        builtin=False,
        columns=tuple(columns),
        status_versions=status_versions,
    )


class Registry:
    """Known resources by key and by (group, version, plural). Thread-safe; CRDs come and go."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_key: dict[str, ResourceInfo] = {}
        self._by_gvp: dict[tuple[str, str, str], ResourceInfo] = {}
        for info in BUILTINS:
            self.add(info)

    def add(self, info: ResourceInfo) -> None:
        with self._lock:
            old = self._by_key.get(info.key)
            if old is not None:
                for v in old.versions:
                    self._by_gvp.pop((old.group, v, old.plural), None)
            self._by_key[info.key] = info
            for v in info.versions:
                self._by_gvp[(info.group, v, info.plural)] = info

    def remove(self, key: str) -> ResourceInfo | None:
        with self._lock:
            old = self._by_key.pop(key, None)
            if old is not None:
                for v in old.versions:
                    self._by_gvp.pop((old.group, v, old.plural), None)
            return old

    def get(self, key: str) -> ResourceInfo | None:
        return self._by_key.get(key)

    def lookup(self, group: str, version: str, plural: str) -> ResourceInfo | None:
        return self._by_gvp.get((group, version, plural))

    def all(self) -> list[ResourceInfo]:
        with self._lock:
            return list(self._by_key.values())

    def keys(self) -> list[str]:
        with self._lock:
            return list(self._by_key)

    def reset(self) -> None:
        with self._lock:
            self._by_key.clear()
            self._by_gvp.clear()
        for info in BUILTINS:
            self.add(info)
