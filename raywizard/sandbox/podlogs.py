"""Pod logs for the ``pods/log`` subresource: a provider hook with a default that writes Ray-like lines.

A provider is ``Callable[[pod: dict, container: str], list[str]]`` returning the container's whole log so far
(lines without newlines). The simulated controllers may install their own with
``SandboxCluster.set_log_provider``;
following a log re-asks the provider about twice a second and sends the new lines.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

LogProvider = Callable[[dict[str, Any], str], list[str]]


def _started(pod: dict[str, Any]) -> datetime:
    text = (pod.get("status") or {}).get("startTime") or (pod.get("metadata") or {}).get("creationTimestamp")
    try:
        return datetime.strptime(str(text), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        return datetime.now(UTC)


def _operator_log(started: datetime) -> list[str]:
    """The KubeRay operator's start-up as its chart runs it (``--log-stdout-encoder json``): zap JSON lines from
    its setup and from controller-runtime starting the controllers."""
    import json

    def line(offset: float, logger: str, msg: str, **fields: Any) -> str:
        ts = datetime.fromtimestamp(started.timestamp() + offset, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        return json.dumps({"level": "info", "ts": ts, "logger": logger, "msg": msg, **fields})

    lines = [
        line(0.5, "setup", "Flag watchNamespace is not set. Watch custom resources in all namespaces."),
        line(0.6, "setup", "Setup manager"),
        line(0.8, "setup", "starting manager"),
        line(1.0, "controller-runtime.metrics", "Starting metrics server"),
        line(1.2, "", "attempting to acquire leader lease ray-cluster/ray-operator-leader..."),
        line(1.4, "", "successfully acquired lease ray-cluster/ray-operator-leader"),
    ]
    for offset, controller, kind in ((1.5, "raycluster-controller", "RayCluster"),
                                     (1.6, "rayjob", "RayJob"), (1.7, "rayservice", "RayService")):
        lines += [
            line(offset, "", "Starting EventSource", controller=controller, controllerGroup="ray.io",
                 controllerKind=kind),
            line(offset + 0.05, "", "Starting Controller", controller=controller, controllerGroup="ray.io",
                 controllerKind=kind),
            line(offset + 0.1, "", "Starting workers", controller=controller, controllerGroup="ray.io",
                 controllerKind=kind, **{"worker count": 1}),
        ]
    return lines


def default_log_provider(pod: dict[str, Any], container: str) -> list[str]:
    """Lines a Ray head, worker or autoscaler container prints at start, then one status line every 10 s; the
    KubeRay operator's pod writes the operator's JSON log."""
    status = pod.get("status") or {}
    if status.get("phase") not in ("Running", "Succeeded", "Failed"):
        return []
    labels = (pod.get("metadata") or {}).get("labels") or {}
    started = _started(pod)
    ip = status.get("podIP") or "10.244.0.10"
    node_type = labels.get("ray.io/node-type", "")
    if labels.get("app.kubernetes.io/name") == "kuberay-operator":
        return _operator_log(started)

    def ts(offset: float) -> str:
        t = started.timestamp() + offset
        return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%d %H:%M:%S,%f")[:-3]

    if container == "autoscaler":
        lines = [
            f"{ts(1)}\tINFO monitor.py:690 -- Starting monitor using ray installation: "
            "/home/ray/anaconda3/lib/python3.9/site-packages/ray/__init__.py",
            f"{ts(2)}\tINFO node_provider.py:54 -- Creating KubeRay node provider.",
        ]
        status_line = "INFO autoscaler.py:146 -- The autoscaler took 0.05 seconds to complete the update iteration."
    elif node_type == "head":
        lines = [
            f"{ts(1)}\tINFO usage_lib.py:441 -- Usage stats collection is disabled.",
            f"{ts(1.2)}\tINFO scripts.py:744 -- Local node IP: {ip}",
            f"{ts(4)}\tSUCC scripts.py:781 -- Ray runtime started.",
            f"{ts(4.1)}\tINFO scripts.py:786 -- To connect to this Ray cluster: ray.init()",
            f"{ts(4.2)}\tINFO scripts.py:810 -- To view the Ray dashboard: http://{ip}:8265",
        ]
        status_line = "INFO gcs_server.cc:246 -- GcsNodeManager: heartbeat OK"
    else:
        lines = [
            f"{ts(1)}\tINFO scripts.py:926 -- Local node IP: {ip}",
            f"{ts(3)}\tSUCC scripts.py:939 -- Ray runtime started.",
            f"{ts(3.1)}\tINFO scripts.py:942 -- To terminate the Ray runtime, run ray stop",
        ]
        status_line = "INFO raylet.cc:120 -- Raylet is healthy"
    elapsed = (datetime.now(UTC) - started).total_seconds()
    for n in range(int(max(0.0, elapsed - 5) // 10)):
        lines.append(f"{ts(10 + 10 * n)}\t{status_line}")
    return lines[-1000:]
