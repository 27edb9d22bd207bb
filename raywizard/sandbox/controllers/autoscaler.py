"""Simulated Ray autoscaler (in-tree, one per RayCluster with `enableInTreeAutoscaling: true`).

Like Ray's KubeRay node provider it only talks to the RayCluster: a JSON patch `replace
/spec/workerGroupSpecs/<i>/replicas` to scale up (index = position of groupName in the *live* list), and on scale down
`replicas` plus `scaleStrategy.workersToDelete` naming idle pods, cleared to [] once they are gone
(docs/domain/kuberay.md#templates-scaling-and-the-autoscaler). Demand comes from a load profile, switchable at runtime
with `cluster.set_load(name)`:

- idle: no demand beyond minReplicas; extra workers go after idleTimeoutSeconds (default 60).
- steady: two workers above minReplicas per group.
- burst: spikes of eight workers above minReplicas for 40 s out of every 120 s.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Hashable
from typing import Any

from .base import Controller
from .kuberay_status import group_replicas
from .objects import is_deleting, name_of, now_iso
from .workloads import pod_ready

RAYCLUSTERS = "rayclusters.ray.io"
PROFILES = ("idle", "steady", "burst")
UPDATE_INTERVAL = 5.0  # AUTOSCALER_UPDATE_INTERVAL_S
DEFAULT_IDLE_TIMEOUT = 60.0
BURST_PERIOD, BURST_LENGTH, BURST_EXTRA, STEADY_EXTRA = 120.0, 40.0, 8, 2
FIELD_MANAGER = "python-requests"


class RayAutoscaler(Controller):
    name = "ray-autoscaler"
    resources = (RAYCLUSTERS,)
    resync_seconds = UPDATE_INTERVAL

    def __init__(self, cluster: Any, load: str = "idle") -> None:
        super().__init__(cluster)
        self.load = load if load in PROFILES else "idle"
        self._started = time.monotonic()
        self._idle_since: dict[tuple[str, str, str], float] = {}
        self.log_lines: dict[tuple[str, str], list[str]] = {}  # (namespace, cluster) -> autoscaler log

    def set_load(self, profile: str) -> None:
        if profile not in PROFILES:
            raise ValueError(f"unknown load profile {profile!r}; choose one of {', '.join(PROFILES)}")
        self.load = profile
        self._started = time.monotonic()
        self.request_resync()

    def key_for(self, event_type: str, resource: str, obj: dict[str, Any]) -> Hashable | None:
        return None  # works on its own update interval, like the real autoscaler loop

    def resync(self) -> None:
        from raywizard.sandbox.store import ApiError

        try:
            clusters = self.store.list(RAYCLUSTERS)
        except ApiError:
            return
        for cluster in clusters:
            if (cluster.get("spec") or {}).get("enableInTreeAutoscaling") and not is_deleting(cluster):
                self._update(cluster)

    def reconcile(self, key: Any) -> None:  # pragma: no cover - nothing is enqueued
        return

    def extra_demand(self) -> int:
        elapsed = (time.monotonic() - self._started) * self.speed
        if self.load == "steady":
            return STEADY_EXTRA
        if self.load == "burst":
            return BURST_EXTRA if elapsed % BURST_PERIOD < BURST_LENGTH else 0
        return 0

    def report(self, namespace: str, name: str) -> dict[str, Any] | None:
        """What this autoscaler would publish for the RayCluster now (``autoscaler_report.build_report``); None
        when there is no such cluster. Without in-tree autoscaling only the load metrics are reported, as the
        head's monitor does without an autoscaler."""
        from .autoscaler_report import build_report, group_views, node_resources

        cluster = self.store.get(RAYCLUSTERS, namespace, name)
        if cluster is None:
            return None
        spec = cluster.get("spec") or {}
        pods = [
            p for p in self.store.list("pods", namespace, label_selector=f"ray.io/cluster={name}") if not is_deleting(p)
        ]
        heads = [p for p in pods if (p["metadata"].get("labels") or {}).get("ray.io/node-type") == "head"]
        head_spec = spec.get("headGroupSpec") or {}
        autoscaling = bool(spec.get("enableInTreeAutoscaling"))
        extra = self.extra_demand() if autoscaling else 0
        idle_since = {
            group: since for (ns, cl, group), since in self._idle_since.items() if (ns, cl) == (namespace, name)
        }
        report = build_report(
            group_views(spec, pods),
            heads[0] if heads else None,
            node_resources(head_spec.get("template") or {}, head_spec.get("rayStartParams") or {}),
            extra,
            autoscaling and self.load == "burst" and extra > 0,
            idle_since,
        )
        if not autoscaling:
            report.pop("autoscaler_report")
        return report

    def _log(self, cluster: dict[str, Any], message: str) -> None:
        key = (cluster["metadata"].get("namespace", ""), cluster["metadata"]["name"])
        lines = self.log_lines.setdefault(key, [])
        lines.append(f"{now_iso()}\tINFO autoscaler.py:421 -- {message}")
        del lines[:-500]

    def _update(self, cluster: dict[str, Any]) -> None:
        from raywizard.sandbox.store import ApiError

        namespace = cluster["metadata"].get("namespace", "")
        name = cluster["metadata"]["name"]
        pods = [
            p for p in self.store.list("pods", namespace, label_selector=f"ray.io/cluster={name}") if not is_deleting(p)
        ]
        if not any(pod_ready(p) for p in pods if (p["metadata"].get("labels") or {}).get("ray.io/node-type") == "head"):
            return  # the autoscaler runs in the head pod
        spec = cluster.get("spec") or {}
        options = spec.get("autoscalerOptions") or {}
        idle_timeout = float(options.get("idleTimeoutSeconds") or DEFAULT_IDLE_TIMEOUT)
        operations: list[dict[str, Any]] = []
        extra = self.extra_demand()
        for index, group in enumerate(spec.get("workerGroupSpecs") or []):
            group = group or {}
            group_name = str(group.get("groupName", ""))
            replicas = int(group.get("replicas") or 0)
            _, minimum, maximum, hosts = group_replicas(group)
            minimum, maximum = minimum // hosts, maximum // hosts
            target = max(minimum, min(maximum, minimum + extra))
            workers = [
                p
                for p in pods
                if (p["metadata"].get("labels") or {}).get("ray.io/group") == group_name
                and (p["metadata"].get("labels") or {}).get("ray.io/node-type") == "worker"
            ]
            pending_delete = list((group.get("scaleStrategy") or {}).get("workersToDelete") or [])
            idle_key = (namespace, name, group_name)
            if pending_delete:
                live_names = {name_of(p) for p in workers}
                if not live_names & set(pending_delete):
                    operations.append(
                        {
                            "op": "replace",  # the Ray autoscaler always replaces (worker_delete_patch)
                            "path": f"/spec/workerGroupSpecs/{index}/scaleStrategy",
                            "value": {"workersToDelete": []},
                        }
                    )
                continue
            if target > replicas:
                self._idle_since.pop(idle_key, None)
                operations.append(
                    {"op": "replace", "path": f"/spec/workerGroupSpecs/{index}/replicas", "value": target}
                )
                self._log(cluster, f"Adding {target - replicas} node(s) of type {group_name}.")
            elif target < replicas:
                since = self._idle_since.setdefault(idle_key, time.monotonic())
                if (time.monotonic() - since) * self.speed < idle_timeout:
                    continue
                surplus = replicas - target
                victims = sorted(workers, key=lambda p: p["metadata"].get("creationTimestamp", ""), reverse=True)[
                    :surplus
                ]
                operations.append(
                    {"op": "replace", "path": f"/spec/workerGroupSpecs/{index}/replicas", "value": target}
                )
                operations.append(
                    {
                        "op": "replace",  # the Ray autoscaler always replaces (worker_delete_patch)
                        "path": f"/spec/workerGroupSpecs/{index}/scaleStrategy",
                        "value": {"workersToDelete": [name_of(p) for p in victims]},
                    }
                )
                self._idle_since.pop(idle_key, None)
                self._log(cluster, f"Removing {surplus} nodes of type {group_name} (idle).")
            else:
                self._idle_since.pop(idle_key, None)
        if not operations:
            return
        # on a conflict the next update interval retries against the new live object
        with contextlib.suppress(ApiError):
            self.store.patch(RAYCLUSTERS, namespace, name, operations, "json", field_manager=FIELD_MANAGER)
