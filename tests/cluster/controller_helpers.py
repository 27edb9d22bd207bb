"""Helpers for the controller tests: the guide's Applications and what the controllers made of them."""

from __future__ import annotations

import copy
from typing import Any, TypeVar

import yaml

from raywizard.sandbox.cluster import SandboxCluster
from tests.conftest import FIXTURES
from tests.waiting import wait_for

T = TypeVar("T")
APPS = "applications.argoproj.io"


def guide_apps() -> list[dict[str, Any]]:
    with (FIXTURES / "ray-argocd-all.yaml").open(encoding="utf-8") as handle:
        return [doc for doc in yaml.safe_load_all(handle) if doc]


def app_status(cluster: SandboxCluster, name: str) -> tuple[str, str]:
    app = cluster.store.get(APPS, "argocd", name) or {}
    status = app.get("status") or {}
    return ((status.get("sync") or {}).get("status", ""), (status.get("health") or {}).get("status", ""))


def events(cluster: SandboxCluster, namespace: str, reason: str | None = None) -> list[dict[str, Any]]:
    found = cluster.store.list("events", namespace)
    return [e for e in found if reason is None or e.get("reason") == reason]


def install_operator(cluster: SandboxCluster, namespace: str = "ray-system") -> None:
    """CRDs + the kuberay-operator Deployment straight into the store (no Argo CD), waiting until available."""
    from raywizard.sandbox.controllers.crds import kuberay_crds
    from raywizard.sandbox.controllers.sources import operator_manifests

    store = cluster.store
    if store.get("namespaces", None, namespace) is None:
        store.create("namespaces", {"metadata": {"name": namespace}})
    for crd in kuberay_crds("v1.5.1"):
        if store.get("customresourcedefinitions.apiextensions.k8s.io", None, crd["metadata"]["name"]) is None:
            store.create("customresourcedefinitions.apiextensions.k8s.io", crd)
    for obj in operator_manifests("1.5.1", release="ray-operator", namespace=namespace):
        if obj["kind"] == "Deployment" and store.get("deployments.apps", namespace, "kuberay-operator") is None:
            store.create("deployments.apps", obj)
    wait_for(
        lambda: ((store.get("deployments.apps", namespace, "kuberay-operator") or {}).get("status") or {}).get(
            "availableReplicas"
        ),
        what="kuberay-operator available",
    )


def raycluster_body(name: str, namespace: str, **worker: Any) -> dict[str, Any]:
    """A small RayCluster like the chart renders, one worker group `workers` (overrides via `worker`)."""
    group: dict[str, Any] = {
        "groupName": "workers",
        "replicas": 1,
        "minReplicas": 1,
        "maxReplicas": 5,
        "numOfHosts": 1,
        "template": {
            "spec": {
                "containers": [
                    {
                        "name": "ray-worker",
                        "image": "rayproject/ray:2.46.0",
                        "resources": {
                            "limits": {"cpu": "1", "memory": "1G"},
                            "requests": {"cpu": "1", "memory": "1G"},
                        },
                    }
                ]
            }
        },
    }
    group.update(worker)
    return {
        "apiVersion": "ray.io/v1",
        "kind": "RayCluster",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "headGroupSpec": {
                "rayStartParams": {},
                "template": {
                    "spec": {
                        "containers": [
                            {
                                "name": "ray-head",
                                "image": "rayproject/ray:2.46.0",
                                "resources": {
                                    "limits": {"cpu": "1", "memory": "2G"},
                                    "requests": {"cpu": "1", "memory": "2G"},
                                },
                            }
                        ]
                    }
                },
            },
            "workerGroupSpecs": [group],
        },
    }


def with_namespace(cluster: SandboxCluster, namespace: str) -> str:
    if cluster.store.get("namespaces", None, namespace) is None:
        cluster.store.create("namespaces", {"metadata": {"name": namespace}})
    return namespace


def deep(value: T) -> T:
    return copy.deepcopy(value)
