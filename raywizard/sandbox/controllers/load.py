"""Load generator for benchmarks and the dashboard: many real-looking pods and a steady stream of Events.

`generate_pods(n)` creates n Running pods (`load-<i>`-style generateName, labels `app=load`) in namespace
`load` — each a real Pod object with a node, IP, conditions and container status — and `set_event_rate(r)`
emits
about r Events per second against them (kubelet-style Pulled/Started/Unhealthy/BackOff).
"""

from __future__ import annotations

import contextlib
import itertools
import time
from typing import Any

from .base import Controller
from .objects import create_generated, now_iso

LOAD_NAMESPACE = "load"
_REASONS = (
    ("Normal", "Pulled", 'Container image "busybox:1.36" already present on machine'),
    ("Normal", "Started", "Started container app"),
    ("Warning", "Unhealthy", "Readiness probe failed: HTTP probe failed with statuscode: 503"),
    ("Warning", "BackOff", "Back-off restarting failed container app in pod"),
)


class LoadGenerator(Controller):
    name = "load-generator"
    resources = ()
    resync_seconds = 0.0

    def __init__(self, cluster: Any) -> None:
        super().__init__(cluster)
        self.event_rate = 0.0
        self._pods: list[dict[str, Any]] = []
        self._cycle = itertools.count()
        self._owed = 0.0
        self._last_tick = 0.0
        self._ticking = False

    def reconcile(self, key: Any) -> None:  # pragma: no cover - nothing is enqueued
        return

    def _ensure_namespace(self, namespace: str) -> None:
        from raywizard.sandbox.store import ApiError

        if self.store.get("namespaces", "", namespace) is None:
            with contextlib.suppress(ApiError):
                self.store.create(
                    "namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}}
                )

    def generate_pods(self, count: int, namespace: str = LOAD_NAMESPACE) -> list[str]:
        """Create `count` Running pods now (on the caller's thread); returns their names."""
        self._ensure_namespace(namespace)
        names = []
        now = now_iso()
        node_names = [n["metadata"]["name"] for n in self.store.list("nodes")] or ["sandbox-node-1"]
        for i in range(count):
            node = i % 3 + 1
            body = {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {
                    "generateName": "load-",
                    "namespace": namespace,
                    "labels": {"app": "load", "shard": str(i % 10)},
                },
                "spec": {
                    "nodeName": node_names[i % len(node_names)],
                    "containers": [
                        {
                            "name": "app",
                            "image": "busybox:1.36",
                            "command": ["sleep", "infinity"],
                            "env": [{"name": f"VAR_{k}", "value": f"value-{k}"} for k in range(5)],
                            "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}},
                        }
                    ],
                },
            }
            created = create_generated(self.store, "pods", body)
            ip = f"10.245.{(i // 250) % 250}.{i % 250 + 2}"
            status = {
                "phase": "Running",
                "podIP": ip,
                "podIPs": [{"ip": ip}],
                "hostIP": f"172.18.0.{node + 1}",
                "startTime": now,
                "qosClass": "Burstable",
                "conditions": [
                    {"type": t, "status": "True", "lastProbeTime": None, "lastTransitionTime": now}
                    for t in (
                        "PodReadyToStartContainers",
                        "Initialized",
                        "Ready",
                        "ContainersReady",
                        "PodScheduled",
                    )
                ],
                "containerStatuses": [
                    {
                        "name": "app",
                        "image": "busybox:1.36",
                        "imageID": "",
                        "ready": True,
                        "restartCount": 0,
                        "started": True,
                        "state": {"running": {"startedAt": now}},
                    }
                ],
            }
            self.store.patch(
                "pods",
                namespace,
                created["metadata"]["name"],
                {"status": status},
                "merge",
                subresource="status",
            )
            names.append(created["metadata"]["name"])
            self._pods.append(created)
        return names

    def delete_pods(self, namespace: str = LOAD_NAMESPACE) -> int:
        removed = self.store.delete_collection("pods", namespace, label_selector="app=load")
        self._pods = [p for p in self._pods if p["metadata"].get("namespace") != namespace]
        return len(removed)

    def set_event_rate(self, per_second: float) -> None:
        """Emit about `per_second` Events per (real) second against the generated pods; 0 stops."""
        self.event_rate = max(0.0, float(per_second))
        self._last_tick = 0.0
        if self.event_rate and not self._ticking:
            self._ticking = True
            self.after(0, self._tick)

    def _tick(self) -> None:
        if not self.event_rate or not self._pods:
            self._ticking = False
            return
        started = time.monotonic()
        # catch up with the wall clock: emit what the rate owes since the last tick (at most one second's worth)
        owed = self._owed + self.event_rate * min(1.0, started - (self._last_tick or started - 0.05))
        batch = int(owed)
        self._owed = owed - batch
        self._last_tick = started
        for _ in range(batch):
            n = next(self._cycle)
            pod = self._pods[n % len(self._pods)]
            type_, reason, message = _REASONS[n % len(_REASONS)]
            self.store.emit_event(
                namespace=pod["metadata"]["namespace"],
                involved=pod,
                reason=reason,
                message=f"{message} (#{n})",
                type=type_,
                component="kubelet",
            )
        spent = time.monotonic() - started
        # `after` takes simulated seconds; aim for 20 batches per real second
        self.after(max(0.0, 0.05 - spent) * self.speed, self._tick)
