"""Pod status pieces as the kubelet writes them (conditions, container states, QoS) and pod resource requests."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from .objects import condition
from .quantity import parse_or_none


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


def is_ready(pod: dict[str, Any]) -> bool:
    status = pod.get("status") or {}
    ready = condition(status.get("conditions") or [], "Ready")
    return status.get("phase") == "Running" and ready is not None and ready.get("status") == "True"


def qos_class(pod: dict[str, Any]) -> str:
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


def pod_conditions(
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


def waiting_status(container: dict[str, Any], reason: str, message: str = "") -> dict[str, Any]:
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


def running_status(container: dict[str, Any], now: str, *, ready: bool) -> dict[str, Any]:
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


def terminated_status(container: dict[str, Any], now: str) -> dict[str, Any]:
    return {
        "name": container.get("name", ""),
        "image": container.get("image", ""),
        "imageID": f"{container.get('image', '')}@sha256:{'0' * 64}",
        "ready": True,
        "restartCount": 0,
        "started": False,
        "state": {"terminated": {"exitCode": 0, "reason": "Completed", "startedAt": now, "finishedAt": now}},
    }
