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
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from .base import Controller
from .images import image_exists, pull_error
from .objects import condition, is_deleting, now_iso
from .quantity import parse_or_none

NODE_NAMES = ("sandbox-worker", "sandbox-worker2", "sandbox-worker3")
NODE_CPU = Fraction(16)
NODE_MEMORY = Fraction(64 * 2**30)
NODE_PODS = 110

SCHEDULE_DELAY = 0.3
CREATE_DELAY = 0.5
PULL_SECONDS = 1.5
DEFAULT_READY_DELAY = 1.0
BACKOFF_SECONDS = 10.0


@dataclass
class Node:
    name: str
    index: int
    cpu: Fraction = Fraction(0)
    memory: Fraction = Fraction(0)
    pods: set[tuple[str, str]] = field(default_factory=set)
    images: set[str] = field(default_factory=set)
    next_ip: int = 2
    cpu_capacity: Fraction = NODE_CPU
    memory_capacity: Fraction = NODE_MEMORY
    pod_capacity: int = NODE_PODS


def pod_requests(pod: dict[str, Any]) -> tuple[Fraction, Fraction]:
    """Effective requests: sum over containers (request, else limit), at least the largest init container."""

    def of(container: dict[str, Any]) -> tuple[Fraction, Fraction]:
        resources = container.get("resources") or {}
        values = []
        for name in ("cpu", "memory"):
            raw = (resources.get("requests") or {}).get(name, (resources.get("limits") or {}).get(name))
            quantity = parse_or_none(raw) if raw is not None else None
            values.append(quantity.value if quantity else Fraction(0))
        return values[0], values[1]

    spec = pod.get("spec") or {}
    cpu = memory = Fraction(0)
    for container in spec.get("containers") or []:
        c, m = of(container)
        cpu, memory = cpu + c, memory + m
    for container in spec.get("initContainers") or []:
        c, m = of(container)
        cpu, memory = max(cpu, c), max(memory, m)
    return cpu, memory


class Kubelet(Controller):
    name = "kubelet"
    resources = ("pods",)
    resync_seconds = 10.0

    def __init__(self, cluster: Any) -> None:
        super().__init__(cluster)
        self.nodes = [Node(name, i + 1) for i, name in enumerate(NODE_NAMES)]
        self._placement: dict[tuple[str, str], tuple[Node, Fraction, Fraction]] = {}
        self._unschedulable: set[tuple[str, str]] = set()
        self._pull_failures: dict[tuple[str, str], int] = {}
        self._deleted: dict[tuple[str, str], dict[str, Any]] = {}

    def start(self) -> None:
        self._create_node_objects()
        super().start()

    def _create_node_objects(self) -> None:
        """Schedule onto the Node objects (their allocatable capacity); create ours if there are none."""
        from raywizard.sandbox.store import ApiError

        try:
            existing = self.store.list("nodes")
        except ApiError:
            existing = []
        if existing:
            self.nodes = []
            for index, node_obj in enumerate(sorted(existing, key=lambda n: n["metadata"]["name"])):
                allocatable = (node_obj.get("status") or {}).get("allocatable") or {}
                cpu, memory = parse_or_none(allocatable.get("cpu")), parse_or_none(allocatable.get("memory"))
                node = Node(node_obj["metadata"]["name"], index + 1)
                node.cpu_capacity = cpu.value if cpu else NODE_CPU
                node.memory_capacity = memory.value if memory else NODE_MEMORY
                node.pod_capacity = int(allocatable.get("pods") or NODE_PODS)
                self.nodes.append(node)
            return
        for node in self.nodes:
            body = {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": node.name, "labels": {"kubernetes.io/hostname": node.name}},
                "spec": {"podCIDR": f"10.244.{node.index}.0/24"},
            }
            status = {
                "capacity": {"cpu": str(NODE_CPU), "memory": "64Gi", "pods": str(NODE_PODS)},
                "allocatable": {"cpu": str(NODE_CPU), "memory": "64Gi", "pods": str(NODE_PODS)},
                "conditions": [
                    {
                        "type": "Ready",
                        "status": "True",
                        "reason": "KubeletReady",
                        "message": "kubelet is posting ready status",
                    }
                ],
            }
            with contextlib.suppress(ApiError):
                self.store.create("nodes", body, field_manager="kubelet")
                self.store.patch("nodes", None, node.name, {"status": status}, "merge", subresource="status")

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
                "qosClass": _qos_class(pod),
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
        reasons: list[str] = []
        short_cpu = sum(1 for n in self.nodes if n.cpu + cpu > n.cpu_capacity)
        short_mem = sum(1 for n in self.nodes if n.memory + memory > n.memory_capacity)
        short_pods = sum(1 for n in self.nodes if len(n.pods) >= n.pod_capacity)
        if short_cpu:
            reasons.append(f"{short_cpu} Insufficient cpu")
        if short_mem:
            reasons.append(f"{short_mem} Insufficient memory")
        if short_pods:
            reasons.append(f"{short_pods} Too many pods")
        total = len(self.nodes)
        message = (
            f"0/{total} nodes are available: {', '.join(sorted(reasons))}. preemption: 0/{total} nodes are "
            f"available: {total} No preemption victims found for incoming pod."
        )
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
                "qosClass": _qos_class(pod),
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
        status["conditions"] = _pod_conditions(
            now, initialized=not spec.get("initContainers"), ready=False, reason="ContainersNotReady", pod=pod
        )
        if spec.get("initContainers"):
            status["initContainerStatuses"] = [_waiting(c, "PodInitializing") for c in spec["initContainers"]]
        status["containerStatuses"] = [_waiting(c, "ContainerCreating") for c in spec.get("containers") or []]
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
            status["initContainerStatuses"] = [_running(c, now, ready=False) for c in init]
            status["containerStatuses"] = [_waiting(c, "PodInitializing") for c in spec.get("containers") or []]
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
        return any(_is_ready(h) for h in heads)

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
                _waiting(c, reason, message) if c.get("name") in bad_names else _waiting(c, "PodInitializing")
                for c in init
            ]
        status["containerStatuses"] = [
            _waiting(c, reason, message)
            if c.get("name") in bad_names and not init_bad
            else _waiting(c, "PodInitializing" if init else "ContainerCreating")
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
        status["conditions"] = _pod_conditions(now, initialized=True, ready=False, reason="ContainersNotReady", pod=pod)
        if spec.get("initContainers"):
            status["initContainerStatuses"] = [_terminated(c, now) for c in spec["initContainers"]]
        status["containerStatuses"] = [_running(c, now, ready=False) for c in spec.get("containers") or []]
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
        status["conditions"] = _pod_conditions(now, initialized=True, ready=True, reason="", pod=pod)
        status["containerStatuses"] = [dict(s, ready=True) for s in status.get("containerStatuses") or []]
        self._status(pod_key, status)


def _is_ready(pod: dict[str, Any]) -> bool:
    status = pod.get("status") or {}
    ready = condition(status.get("conditions") or [], "Ready")
    return status.get("phase") == "Running" and ready is not None and ready.get("status") == "True"


def _present(node: Node, container: dict[str, Any]) -> bool:
    image = str(container.get("image", ""))
    policy = container.get("imagePullPolicy") or ("Always" if image.endswith(":latest") else "IfNotPresent")
    return policy != "Always" and image in node.images


def _qos_class(pod: dict[str, Any]) -> str:
    containers = (pod.get("spec") or {}).get("containers") or []
    if not any(
        (c.get("resources") or {}).get("requests") or (c.get("resources") or {}).get("limits") for c in containers
    ):
        return "BestEffort"
    for c in containers:
        res = c.get("resources") or {}
        limits, requests = res.get("limits") or {}, res.get("requests") or {}
        for name in ("cpu", "memory"):
            if name not in limits or str(requests.get(name, limits[name])) != str(limits[name]):
                return "Burstable"
    return "Guaranteed"


def _pod_conditions(
    now: str, *, initialized: bool, ready: bool, reason: str, pod: dict[str, Any]
) -> list[dict[str, Any]]:
    old = {c.get("type"): c for c in (pod.get("status") or {}).get("conditions") or []}

    def cond(ctype: str, ok: bool, why: str = "", message: str = "") -> dict[str, Any]:
        previous = old.get(ctype) or {}
        stamp = previous.get("lastTransitionTime") if previous.get("status") == ("True" if ok else "False") else now
        item: dict[str, Any] = {
            "type": ctype,
            "status": "True" if ok else "False",
            "lastProbeTime": None,
            "lastTransitionTime": stamp or now,
        }
        if why and not ok:
            item["reason"] = why
            if message:
                item["message"] = message
        return item

    names = [c.get("name", "") for c in (pod.get("spec") or {}).get("containers") or []]
    unready = f"containers with unready status: [{' '.join(names)}]"
    return [
        cond("PodReadyToStartContainers", True),
        cond(
            "Initialized",
            initialized,
            "ContainersNotInitialized",
            "containers with incomplete status: ["
            + " ".join(c.get("name", "") for c in (pod.get("spec") or {}).get("initContainers") or [])
            + "]",
        ),
        cond("Ready", ready, reason, unready),
        cond("ContainersReady", ready, reason, unready),
        cond("PodScheduled", True),
    ]


def _waiting(container: dict[str, Any], reason: str, message: str = "") -> dict[str, Any]:
    state: dict[str, Any] = {"reason": reason}
    if message:
        state["message"] = message
    return {
        "name": container.get("name", ""),
        "image": container.get("image", ""),
        "imageID": "",
        "ready": False,
        "restartCount": 0,
        "started": False,
        "state": {"waiting": state},
    }


def _running(container: dict[str, Any], now: str, *, ready: bool) -> dict[str, Any]:
    return {
        "name": container.get("name", ""),
        "image": container.get("image", ""),
        "imageID": f"{container.get('image', '')}@sha256:{'0' * 64}",
        "containerID": f"containerd://{abs(hash((container.get('name'), now))):064x}"[:77],
        "ready": ready,
        "restartCount": 0,
        "started": True,
        "state": {"running": {"startedAt": now}},
    }


def _terminated(container: dict[str, Any], now: str) -> dict[str, Any]:
    return {
        "name": container.get("name", ""),
        "image": container.get("image", ""),
        "imageID": f"{container.get('image', '')}@sha256:{'0' * 64}",
        "ready": True,
        "restartCount": 0,
        "started": False,
        "state": {"terminated": {"exitCode": 0, "reason": "Completed", "startedAt": now, "finishedAt": now}},
    }
