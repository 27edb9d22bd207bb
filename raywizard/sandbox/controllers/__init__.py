"""Simulated controllers of the sandbox cluster: Argo CD, KubeRay, the Ray autoscaler and the Kubernetes
basics.

`SandboxCluster.start()` imports this package lazily and starts one controller per entry of `FACTORIES`. Each
controller has start/stop/pause/resume and runs on its own thread; delays are simulated seconds divided by the
cluster's speed factor.

The cluster also gets (when it does not define them itself): `set_load(profile)`, `generate_pods(n)`,
`set_event_rate(per_second)` and `controller(name)`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .argocd import ArgoCDController
from .autoscaler import PROFILES, RayAutoscaler
from .base import Controller
from .crds import CrdEstablisher
from .kubelet import Kubelet
from .kuberay import KubeRayOperator
from .load import LoadGenerator
from .workloads import DeploymentController, GarbageCollector


def _argocd(cluster: Any) -> Controller:
    # With --no-argocd there is no Application resource; the controller then simply finds nothing to do.
    return ArgoCDController(cluster)


def _autoscaler(cluster: Any) -> Controller:
    scaler = RayAutoscaler(cluster, load=str(getattr(cluster, "load", "idle") or "idle"))
    _offer(cluster, "set_load", scaler.set_load)
    base = getattr(cluster, "log_provider", None)
    if base is not None and hasattr(cluster, "set_log_provider"):

        def provider(pod: dict[str, Any], container: str) -> list[str]:
            # the autoscaler container's log also tells what it decided (scale up/down)
            lines = list(base(pod, container))
            if container == "autoscaler":
                meta = pod.get("metadata") or {}
                key = (meta.get("namespace", ""), (meta.get("labels") or {}).get("ray.io/cluster", ""))
                lines += scaler.log_lines.get(key, [])
            return lines

        cluster.set_log_provider(provider)
    return scaler


def _load(cluster: Any) -> Controller:
    generator = LoadGenerator(cluster)
    _offer(cluster, "generate_pods", generator.generate_pods)
    _offer(cluster, "set_event_rate", generator.set_event_rate)
    return generator


def _offer(cluster: Any, attribute: str, function: Callable[..., Any]) -> None:
    """Expose a controller method on the cluster unless the cluster class defines its own."""
    if attribute not in type(cluster).__dict__:
        setattr(cluster, attribute, function)


FACTORIES: list[Callable[[Any], Controller]] = [
    Kubelet,
    DeploymentController,
    GarbageCollector,
    CrdEstablisher,
    KubeRayOperator,
    _autoscaler,
    _load,
    _argocd,
]


def controller(cluster: Any, name: str) -> Controller | None:
    """The running controller called `name` (e.g. "ray-autoscaler") of a started cluster."""
    for item in getattr(cluster, "controllers", None) or []:
        if getattr(item, "name", "") == name:
            return item
    return None


__all__ = ["FACTORIES", "PROFILES", "Controller", "controller"]
