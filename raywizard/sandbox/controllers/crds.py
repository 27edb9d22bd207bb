"""The KubeRay CRDs as the sandbox serves them, and the apiextensions "Established" bookkeeping.

The real CRDs carry ~270–400 KB OpenAPI schemas; ours keep the real names, versions (v1 served+storage,
v1alpha1
served), status subresource and printer columns; RayCluster v1 has a compact structural schema
(crd_schemas.py), the others a permissive one. `REAL_SIZES` remembers how big the
real
ones are, so a client-side apply still fails with the real "metadata.annotations: Too long" error.
"""

from __future__ import annotations

import contextlib
from collections.abc import Hashable
from typing import Any

from .base import Controller
from .crd_schemas import raycluster_schema
from .objects import now_iso

# Compact-JSON sizes of the real CRDs (KubeRay v1.5.1, docs/domain/kuberay.md#the-operator-chart); other versions are
# within a few percent.
REAL_SIZES = {"rayclusters.ray.io": 276_871, "rayjobs.ray.io": 404_446, "rayservices.ray.io": 290_801}
ANNOTATION_LIMIT = 262_144

_RAYCLUSTER_COLUMNS: list[dict[str, Any]] = [
    {"jsonPath": ".status.desiredWorkerReplicas", "name": "desired workers", "type": "integer"},
    {"jsonPath": ".status.availableWorkerReplicas", "name": "available workers", "type": "integer"},
    {"jsonPath": ".status.desiredCPU", "name": "cpus", "type": "string"},
    {"jsonPath": ".status.desiredMemory", "name": "memory", "type": "string"},
    {"jsonPath": ".status.desiredGPU", "name": "gpus", "type": "string"},
    {"jsonPath": ".status.desiredTPU", "name": "tpus", "priority": 1, "type": "string"},
    {"jsonPath": ".status.state", "name": "status", "type": "string"},
    {"jsonPath": ".metadata.creationTimestamp", "name": "age", "type": "date"},
    {"jsonPath": ".status.head.podIP", "name": "head pod IP", "priority": 1, "type": "string"},
    {"jsonPath": ".status.head.serviceIP", "name": "head service IP", "priority": 1, "type": "string"},
]
_RAYJOB_COLUMNS: list[dict[str, Any]] = [
    {"jsonPath": ".status.jobStatus", "name": "job status", "type": "string"},
    {"jsonPath": ".status.jobDeploymentStatus", "name": "deployment status", "type": "string"},
    {"jsonPath": ".status.rayClusterName", "name": "ray cluster name", "type": "string"},
    {"jsonPath": ".status.startTime", "name": "start time", "type": "string"},
    {"jsonPath": ".status.endTime", "name": "end time", "type": "string"},
    {"jsonPath": ".metadata.creationTimestamp", "name": "age", "type": "date"},
]
_RAYSERVICE_COLUMNS: list[dict[str, Any]] = [
    {"jsonPath": ".status.serviceStatus", "name": "service status", "type": "string"},
    {"jsonPath": ".status.numServeEndpoints", "name": "num serve endpoints", "type": "integer"},
]


def _crd(
    kind: str, plural: str, columns: list[dict[str, Any]], *, version: str, labels: dict[str, str]
) -> dict[str, Any]:
    permissive = {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}}
    versions = []
    for name, storage in (("v1", True), ("v1alpha1", False)):
        schema = {"openAPIV3Schema": raycluster_schema()} if kind == "RayCluster" and name == "v1" else permissive
        entry: dict[str, Any] = {
            "name": name,
            "schema": schema,
            "served": True,
            "storage": storage,
            "subresources": {"status": {}},
        }
        if columns and name == "v1":
            entry["additionalPrinterColumns"] = columns
        versions.append(entry)
    body: dict[str, Any] = {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {
            "annotations": {"controller-gen.kubebuilder.io/version": "v0.16.4"},
            "name": f"{plural}.ray.io",
        },
        "spec": {
            "group": "ray.io",
            "names": {
                "categories": ["all"],
                "kind": kind,
                "listKind": f"{kind}List",
                "plural": plural,
                "singular": kind.lower(),
            },
            "scope": "Namespaced",
            "versions": versions,
        },
    }
    if labels:
        body["metadata"]["labels"] = dict(labels)
    del version
    return body


def kuberay_crds(version: str, labels: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """rayclusters/rayjobs/rayservices.ray.io as in `helm-chart/kuberay-operator/crds` at `version`."""
    labels = labels or {}
    return [
        _crd("RayCluster", "rayclusters", _RAYCLUSTER_COLUMNS, version=version, labels=labels),
        _crd("RayJob", "rayjobs", _RAYJOB_COLUMNS, version=version, labels=labels),
        _crd("RayService", "rayservices", _RAYSERVICE_COLUMNS, version=version, labels=labels),
    ]


class CrdEstablisher(Controller):
    """Sets NamesAccepted/Established on new CRDs when the API server did not already (apiextensions does)."""

    name = "apiextensions"
    resources = ("customresourcedefinitions.apiextensions.k8s.io",)

    def key_for(self, event_type: str, resource: str, obj: dict[str, Any]) -> Hashable | None:
        if event_type == "DELETED":
            return None
        conditions = (obj.get("status") or {}).get("conditions") or []
        if any(c.get("type") == "Established" and c.get("status") == "True" for c in conditions):
            return None
        return ("", (obj.get("metadata") or {}).get("name") or "")

    def resync(self) -> None:
        for crd in self.store.list("customresourcedefinitions.apiextensions.k8s.io"):
            key = self.key_for("ADDED", "", crd)
            if key is not None:
                self.enqueue(key)

    def reconcile(self, key: Any) -> None:
        from raywizard.sandbox.store import ApiError

        crd = self.store.get("customresourcedefinitions.apiextensions.k8s.io", "", key[1])
        if crd is None or self.key_for("MODIFIED", "", crd) is None:
            return
        from raywizard.sandbox.defaults import crd_status

        status = crd_status(crd, now_iso())
        with contextlib.suppress(ApiError):
            self.store.patch(
                "customresourcedefinitions.apiextensions.k8s.io",
                "",
                key[1],
                {"status": status},
                "merge",
                subresource="status",
            )
