"""Scheduler + kubelet for every pod: Pending (PodScheduled) → ContainerCreating → Running → Ready.

Three virtual nodes with fixed allocatable capacity; a pod whose requests fit nowhere stays Pending with
PodScheduled=False/Unschedulable and the scheduler's "0/3 nodes are available: 3 Insufficient cpu." message,
and is
retried when capacity frees. Image pulls follow `images.image_exists`; missing tags cycle through
ErrImagePull / ImagePullBackOff like the kubelet. All delays are simulated seconds (divided by the speed
factor).
"""

from __future__ import annotations

import contextlib
from collections.abc import Hashable
from fractions import Fraction
from typing import Any

from .base import Controller
from .images import image_exists, pull_error
from .objects import condition, is_deleting, now_iso
from .podstatus import (
    is_ready,
    pod_conditions,
    pod_requests,
    qos_class,
    running_status,
    terminated_status,
    waiting_status,
)
from .scheduler import Node, load_nodes, unschedulable_message

SCHEDULE_DELAY = 0.3
CREATE_DELAY = 0.5
PULL_SECONDS = 1.5
DEFAULT_READY_DELAY = 1.0
BACKOFF_SECONDS = 10.0


class Kubelet(Controller):
    name = "kubelet"
    resources = ("pods",)
    resync_seconds = 10.0

    def __init__(self, cluster: Any) -> None:
        super().__init__(cluster)
        self.nodes: list[Node] = []
        self._placement: dict[tuple[str, str], tuple[Node, Fraction, Fraction]] = {}
        self._unschedulable: set[tuple[str, str]] = set()
        self._pull_failures: dict[tuple[str, str], int] = {}
        self._deleted: dict[tuple[str, str], dict[str, Any]] = {}

    def start(self) -> None:
        self._create_node_objects()
        super().start()

    def _create_node_objects(self) -> None:
        self.nodes = load_nodes(self.store)

    # --- events from the store ---
    def key_for(self, event_type: str, resource: str, obj: dict[str, Any]) -> Hashable | None:
        meta = obj.get("metadata") or {}
        key = (meta.get("namespace") or "", meta.get("name") or "")
        if event_type == "DELETED":
            if key in self._placement:
                self._deleted[key] = obj  # for the Killing events
            return ("deleted", key)
        if event_type == "ADDED" and not (obj.get("spec") or {}).get("nodeName"):
            return ("new", key)
        return None

    def reconcile(self, key: Any) -> None:
        kind, pod_key = key
        if kind == "deleted":
            self._release(pod_key)
        else:
            self.after(SCHEDULE_DELAY, lambda: self._schedule(pod_key))

    def resync(self) -> None:
        # Forget pods that vanished without a DELETED event (a restart that dropped the cluster's state).
        for pod_key in list(self._placement):
            pod = self.store.get("pods", pod_key[0], pod_key[1])
            if pod is None or not (pod.get("spec") or {}).get("nodeName"):
                self._release(pod_key)
        for pod_key in sorted(self._unschedulable):
            self._schedule(pod_key)

    def _release(self, pod_key: tuple[str, str]) -> None:
        self._unschedulable.discard(pod_key)
        self._pull_failures.pop(pod_key, None)
        placed = self._placement.pop(pod_key, None)
        pod = self._deleted.pop(pod_key, None)
        if placed is None:
            return
        running = {
            s.get("name")
            for s in ((pod or {}).get("status") or {}).get("containerStatuses") or []
            if "running" in (s.get("state") or {})
        }
        for container in ((pod or {}).get("spec") or {}).get("containers") or []:
            if pod is not None and container.get("name") in running:
                self._event(pod, "Killing", f"Stopping container {container.get('name', '')}")
        node, cpu, memory = placed
        node.cpu -= cpu
        node.memory -= memory
        node.pods.discard(pod_key)
        if self._unschedulable:
            self.after(0.2, self.resync)

    # --- steps ---
    def _get(self, pod_key: tuple[str, str]) -> dict[str, Any] | None:
        pod = self.store.get("pods", pod_key[0], pod_key[1])
        if pod is None or is_deleting(pod):
            return None
        return dict(pod)

    def _status(self, pod_key: tuple[str, str], status: dict[str, Any]) -> None:
        from raywizard.sandbox.store import ApiError

        with contextlib.suppress(ApiError):  # deleted meanwhile
            self.store.patch(
                "pods",
                pod_key[0],
                pod_key[1],
                {"status": status},
                "merge",
                subresource="status",
                field_manager="kubelet",
            )

    def _event(
        self,
        pod: dict[str, Any],
        reason: str,
        message: str,
        type_: str = "Normal",
        component: str = "kubelet",
    ) -> None:
        self.store.emit_event(
            namespace=pod["metadata"]["namespace"],
            involved=pod,
            reason=reason,
            message=message,
            type=type_,
            component=component,
        )

    def _schedule(self, pod_key: tuple[str, str]) -> None:
        from raywizard.sandbox.store import ApiError

        pod = self._get(pod_key)
        if pod is None or (pod.get("spec") or {}).get("nodeName") or pod_key in self._placement:
            self._unschedulable.discard(pod_key)
            return
        cpu, memory = pod_requests(pod)
        fits = [
            n
            for n in self.nodes
            if n.cpu + cpu <= n.cpu_capacity and n.memory + memory <= n.memory_capacity and len(n.pods) < n.pod_capacity
        ]
        if not fits:
            self._mark_unschedulable(pod, pod_key, cpu, memory)
            return
        node = min(fits, key=lambda n: (n.cpu, len(n.pods)))
        try:
            # the scheduler's binding (pods/binding sets spec.nodeName)
            self.store.patch(
                "pods",
                pod_key[0],
                pod_key[1],
                {"spec": {"nodeName": node.name}},
                "merge",
                field_manager="kube-scheduler",
            )
        except ApiError:
            return
        self._unschedulable.discard(pod_key)
        node.cpu += cpu
        node.memory += memory
        node.pods.add(pod_key)
        self._placement[pod_key] = (node, cpu, memory)
        now = now_iso()
        self._status(
            pod_key,
            {
                "phase": "Pending",
                "conditions": [
                    {
                        "type": "PodScheduled",
                        "status": "True",
                        "lastProbeTime": None,
                        "lastTransitionTime": now,
                    }
                ],
                "qosClass": qos_class(pod),
            },
        )
        self._event(
            pod,
            "Scheduled",
            f"Successfully assigned {pod_key[0]}/{pod_key[1]} to {node.name}",
            component="default-scheduler",
        )
        self.after(CREATE_DELAY, lambda: self._create_containers(pod_key))

    def _mark_unschedulable(
        self, pod: dict[str, Any], pod_key: tuple[str, str], cpu: Fraction, memory: Fraction
    ) -> None:
        message = unschedulable_message(self.nodes, cpu, memory)
        old = condition((pod.get("status") or {}).get("conditions") or [], "PodScheduled")
        self._unschedulable.add(pod_key)
        if old and old.get("status") == "False" and old.get("message") == message:
            return
        self._status(
            pod_key,
            {
                "phase": "Pending",
                "conditions": [
                    {
                        "type": "PodScheduled",
                        "status": "False",
                        "reason": "Unschedulable",
                        "message": message,
                        "lastProbeTime": None,
                        "lastTransitionTime": now_iso(),
                    }
                ],
                "qosClass": qos_class(pod),
            },
        )
        self._event(pod, "FailedScheduling", message, "Warning", component="default-scheduler")

    def _create_containers(self, pod_key: tuple[str, str]) -> None:
        pod = self._get(pod_key)
        if pod is None:
            return
        placed = self._placement.get(pod_key)
        spec = pod.get("spec") or {}
        status = dict(pod.get("status") or {})
        now = now_iso()
        status["hostIP"] = f"172.18.0.{placed[0].index + 1}" if placed else "172.18.0.2"
        status["hostIPs"] = [{"ip": status["hostIP"]}]
        status["startTime"] = now
        status["conditions"] = pod_conditions(
            now, initialized=not spec.get("initContainers"), ready=False, reason="ContainersNotReady", pod=pod
        )
        if spec.get("initContainers"):
            status["initContainerStatuses"] = [waiting_status(c, "PodInitializing") for c in spec["initContainers"]]
        status["containerStatuses"] = [waiting_status(c, "ContainerCreating") for c in spec.get("containers") or []]
        self._status(pod_key, status)
        node = placed[0] if placed else self.nodes[0]
        for container in list(spec.get("initContainers") or []) + list(spec.get("containers") or []):
            if not _present(node, container):
                self._event(pod, "Pulling", f'Pulling image "{container.get("image", "")}"')
        self.after(PULL_SECONDS, lambda: self._pulled(pod_key))

    def _pulled(self, pod_key: tuple[str, str]) -> None:
        pod = self._get(pod_key)
        if pod is None:
            return
        spec = pod.get("spec") or {}
        containers = list(spec.get("initContainers") or []) + list(spec.get("containers") or [])
        bad = [c for c in containers if not image_exists(str(c.get("image", "")))]
        if bad:
            self._pull_failed(pod, pod_key, bad)
            return
        init = list(spec.get("initContainers") or [])
        if any(c.get("name") == "wait-gcs-ready" for c in init) and not self._gcs_ready(pod):
            # KubeRay's init container loops on `ray health-check` until the head's GCS answers: Init:0/1.
            self._start_containers(pod, pod_key, init)
            now = now_iso()
            status = dict(pod.get("status") or {})
            status["initContainerStatuses"] = [running_status(c, now, ready=False) for c in init]
            status["containerStatuses"] = [waiting_status(c, "PodInitializing") for c in spec.get("containers") or []]
            self._status(pod_key, status)
            self.after(2.0, lambda: self._wait_gcs(pod_key))
            return
        self._start_containers(pod, pod_key, containers)
        self._run(pod, pod_key)

    def _wait_gcs(self, pod_key: tuple[str, str]) -> None:
        pod = self._get(pod_key)
        if pod is None:
            return
        if not self._gcs_ready(pod):
            self.after(2.0, lambda: self._wait_gcs(pod_key))
            return
        self._start_containers(pod, pod_key, list((pod.get("spec") or {}).get("containers") or []))
        self._run(pod, pod_key)

    def _gcs_ready(self, pod: dict[str, Any]) -> bool:
        cluster = (pod["metadata"].get("labels") or {}).get("ray.io/cluster")
        if not cluster:
            return True
        heads = self.store.list(
            "pods", pod["metadata"].get("namespace"), label_selector=f"ray.io/cluster={cluster},ray.io/node-type=head"
        )
        return any(is_ready(h) for h in heads)

    def _start_containers(
        self, pod: dict[str, Any], pod_key: tuple[str, str], containers: list[dict[str, Any]]
    ) -> None:
        placed = self._placement.get(pod_key)
        node = placed[0] if placed else self.nodes[0]
        for container in containers:
            image = str(container.get("image", ""))
            if _present(node, container):
                self._event(pod, "Pulled", f'Container image "{image}" already present on machine')
            else:
                node.images.add(image)
                self._event(
                    pod,
                    "Pulled",
                    f'Successfully pulled image "{image}" in {PULL_SECONDS:.3f}s '
                    f"({PULL_SECONDS:.3f}s including waiting). Image size: 1034887529 bytes.",
                )
            self._event(pod, "Created", f"Created container: {container.get('name', '')}")
            self._event(pod, "Started", f"Started container {container.get('name', '')}")

    def _pull_failed(self, pod: dict[str, Any], pod_key: tuple[str, str], bad: list[dict[str, Any]]) -> None:
        failures = self._pull_failures.get(pod_key, 0) + 1
        self._pull_failures[pod_key] = failures
        image = str(bad[0].get("image", ""))
        self._event(
            pod,
            "Failed",
            f'Failed to pull image "{image}": rpc error: code = NotFound desc = {pull_error(image)}',
            "Warning",
        )
        self._event(pod, "Failed", "Error: ErrImagePull", "Warning")
        self._set_waiting(pod, pod_key, bad, "ErrImagePull", f"rpc error: code = NotFound desc = {pull_error(image)}")

        def backoff() -> None:
            current = self._get(pod_key)
            if current is None:
                return
            self._event(current, "BackOff", f'Back-off pulling image "{image}"')
            self._event(current, "Failed", "Error: ImagePullBackOff", "Warning")
            self._set_waiting(current, pod_key, bad, "ImagePullBackOff", f'Back-off pulling image "{image}"')
            self.after(min(300.0, BACKOFF_SECONDS * 2 ** min(failures, 5)), lambda: self._retry_pull(pod_key))

        self.after(1.0, backoff)

    def _retry_pull(self, pod_key: tuple[str, str]) -> None:
        pod = self._get(pod_key)
        if pod is None:
            return
        for container in list((pod.get("spec") or {}).get("containers") or []):
            self._event(pod, "Pulling", f'Pulling image "{container.get("image", "")}"')
        self.after(PULL_SECONDS, lambda: self._pulled(pod_key))

    def _set_waiting(
        self,
        pod: dict[str, Any],
        pod_key: tuple[str, str],
        bad: list[dict[str, Any]],
        reason: str,
        message: str,
    ) -> None:
        spec = pod.get("spec") or {}
        bad_names = {c.get("name") for c in bad}
        status = dict(pod.get("status") or {})
        init = spec.get("initContainers") or []
        init_bad = any(c.get("name") in bad_names for c in init)
        if init:
            status["initContainerStatuses"] = [
                waiting_status(c, reason, message)
                if c.get("name") in bad_names
                else waiting_status(c, "PodInitializing")
                for c in init
            ]
        status["containerStatuses"] = [
            waiting_status(c, reason, message)
            if c.get("name") in bad_names and not init_bad
            else waiting_status(c, "PodInitializing" if init else "ContainerCreating")
            for c in spec.get("containers") or []
        ]
        self._status(pod_key, status)

    def _run(self, pod: dict[str, Any], pod_key: tuple[str, str]) -> None:
        spec = pod.get("spec") or {}
        placed = self._placement.get(pod_key)
        node = placed[0] if placed else self.nodes[0]
        ip = f"10.244.{node.index - 1}.{node.next_ip}"
        node.next_ip = node.next_ip + 1 if node.next_ip < 250 else 2
        now = now_iso()
        status = dict(pod.get("status") or {})
        status.update({"phase": "Running", "podIP": ip, "podIPs": [{"ip": ip}]})
        status["conditions"] = pod_conditions(now, initialized=True, ready=False, reason="ContainersNotReady", pod=pod)
        if spec.get("initContainers"):
            status["initContainerStatuses"] = [terminated_status(c, now) for c in spec["initContainers"]]
        status["containerStatuses"] = [running_status(c, now, ready=False) for c in spec.get("containers") or []]
        self._status(pod_key, status)
        delay = (
            max(
                (
                    float(((c.get("readinessProbe") or {}).get("initialDelaySeconds") or 0))
                    for c in spec.get("containers") or []
                ),
                default=0.0,
            )
            or DEFAULT_READY_DELAY
        )
        self.after(delay, lambda: self._ready(pod_key))

    def _ready(self, pod_key: tuple[str, str]) -> None:
        pod = self._get(pod_key)
        if pod is None or (pod.get("status") or {}).get("phase") != "Running":
            return
        now = now_iso()
        status = dict(pod.get("status") or {})
        status["conditions"] = pod_conditions(now, initialized=True, ready=True, reason="", pod=pod)
        status["containerStatuses"] = [dict(s, ready=True) for s in status.get("containerStatuses") or []]
        self._status(pod_key, status)

    # --- a container process that exits ---
    def crash(self, namespace: str, name: str, container: str | None = None, exit_code: int = 1) -> bool:
        """The process of `container` (default: the first) exits with `exit_code`. Like the kubelet
        (`pkg/kubelet/kuberuntime`, `computePodActions`): under restartPolicy Never the container stays terminated
        and the pod turns Failed once no container runs; otherwise it restarts after a CrashLoopBackOff wait.
        False when the pod does not run."""
        pod_key = (namespace, name)
        pod = self._get(pod_key)
        if pod is None or (pod.get("status") or {}).get("phase") != "Running":
            return False
        spec = pod.get("spec") or {}
        target = container or ((spec.get("containers") or [{}])[0]).get("name", "")
        now = now_iso()
        status = dict(pod.get("status") or {})
        statuses = [dict(s) for s in status.get("containerStatuses") or []]
        never = spec.get("restartPolicy") == "Never"
        reason = "Error" if exit_code else "Completed"
        for entry in statuses:
            if entry.get("name") != target:
                continue
            started = ((entry.get("state") or {}).get("running") or {}).get("startedAt", now)
            terminated = {"exitCode": exit_code, "reason": reason, "startedAt": started, "finishedAt": now}
            entry.update(ready=False, started=False)
            if never or (spec.get("restartPolicy") == "OnFailure" and exit_code == 0):
                entry["state"] = {"terminated": dict(terminated, containerID=entry.get("containerID", ""))}
            else:
                entry["lastState"] = {"terminated": dict(terminated, containerID=entry.get("containerID", ""))}
                entry["restartCount"] = int(entry.get("restartCount") or 0) + 1
                entry["state"] = {
                    "waiting": {
                        "reason": "CrashLoopBackOff",
                        "message": f"back-off 10s restarting failed container={target} pod={name}_{namespace}"
                        f"({pod['metadata'].get('uid', '')})",
                    }
                }
        status["containerStatuses"] = statuses
        status["conditions"] = pod_conditions(now, initialized=True, ready=False, reason="ContainersNotReady", pod=pod)
        if never and all("terminated" in (s.get("state") or {}) for s in statuses):
            status["phase"] = (
                "Failed"
                if any(((s.get("state") or {}).get("terminated") or {}).get("exitCode") for s in statuses)
                else "Succeeded"
            )
        self._status(pod_key, status)
        if "waiting" in next((s.get("state") or {} for s in statuses if s.get("name") == target), {}):
            self._event(
                pod,
                "BackOff",
                f"Back-off restarting failed container {target} in pod {name}_{namespace}"
                f"({pod['metadata'].get('uid', '')})",
                "Warning",
            )
            self.after(BACKOFF_SECONDS, lambda: self._restarted(pod_key, target))
        return True

    def _restarted(self, pod_key: tuple[str, str], target: str) -> None:
        pod = self._get(pod_key)
        if pod is None or (pod.get("status") or {}).get("phase") != "Running":
            return
        now = now_iso()
        status = dict(pod.get("status") or {})
        statuses = [dict(s) for s in status.get("containerStatuses") or []]
        for entry in statuses:
            if entry.get("name") == target and "waiting" in (entry.get("state") or {}):
                entry.update(started=True, state={"running": {"startedAt": now}})
        status["containerStatuses"] = statuses
        self._status(pod_key, status)
        self.after(DEFAULT_READY_DELAY, lambda: self._ready(pod_key))


def _present(node: Node, container: dict[str, Any]) -> bool:
    image = str(container.get("image", ""))
    policy = container.get("imagePullPolicy") or ("Always" if image.endswith(":latest") else "IfNotPresent")
    return policy != "Always" and image in node.images
