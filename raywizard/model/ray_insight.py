"""The Ray autoscaler's view of a cluster, read from the head's ``/api/cluster_status`` (docs/ray-head-api.md),
with raywizard's explanation of why a demand waits.

Pure: takes the decoded JSON document, the RayCluster object and the pods, returns a RayInsight.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

HEAD_NODE_TYPE = "headgroup"


@dataclass(frozen=True)
class Demand:
    resources: dict[str, float]
    count: int
    reason: str  # "no group offers GPU" | "at maxReplicas" | "waiting for nodes"

    def shape(self) -> str:
        inner = ", ".join(f"{key}: {_number(value)}" for key, value in self.resources.items())
        return "{" + inner + "}"

    def line(self) -> str:
        return f"{self.shape()} × {self.count} pending: {self.reason}"

    def as_dict(self) -> dict[str, Any]:
        return {"resources": dict(self.resources), "count": self.count, "reason": self.reason}


@dataclass(frozen=True)
class NodeRef:
    group: str
    ip: str
    detail: str = ""  # pending: the status; failed: the reason; idle: "idle 12s"

    def as_dict(self) -> dict[str, Any]:
        return {"group": self.group, "ip": self.ip, "detail": self.detail}


@dataclass(frozen=True)
class GroupNodes:
    group: str
    active: int = 0
    idle: int = 0
    pending: int = 0
    launching: int = 0
    failed: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "active": self.active,
            "idle": self.idle,
            "pending": self.pending,
            "launching": self.launching,
            "failed": self.failed,
        }


@dataclass(frozen=True)
class RayInsight:
    reachable: bool
    message: str = ""  # why not reachable, or "" when it is
    ray_version: str = ""
    autoscaling: bool = False  # the head reported an autoscaler
    demands: tuple[Demand, ...] = ()
    pending_nodes: tuple[NodeRef, ...] = ()
    failed_nodes: tuple[NodeRef, ...] = ()
    idle_nodes: tuple[NodeRef, ...] = ()
    groups: tuple[GroupNodes, ...] = ()
    status_text: str = ""
    # (group, pods on the old template, "N of M running pods of GROUP still run the old template (...)"), one per
    # group: KubeRay does not restart pods when a template changes (docs/template-drift.md); the dashboard shows
    # them beside the autoscaler and offers to restart the group
    old_templates: tuple[tuple[str, int, str], ...] = ()

    @classmethod
    def unreachable(cls, why: str) -> RayInsight:
        return cls(False, f"Ray head not reachable ({why})")

    def as_dict(self) -> dict[str, Any]:
        autoscaler = None
        if self.reachable:
            autoscaler = {
                "enabled": self.autoscaling,
                "pendingDemands": [d.as_dict() for d in self.demands],
                "pendingNodes": [n.as_dict() for n in self.pending_nodes],
                "failedNodes": [n.as_dict() for n in self.failed_nodes],
                "idleNodes": [n.as_dict() for n in self.idle_nodes],
                "groups": {g.group: g.as_dict() for g in self.groups},
            }
        return {
            "reachable": self.reachable,
            "message": self.message,
            "rayVersion": self.ray_version,
            "autoscaler": autoscaler,
        }


@dataclass
class _GroupOffer:
    name: str
    resources: dict[str, float] = field(default_factory=dict)
    maximum: int = 0
    replicas: int = 0


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _quantity(text: Any) -> float:
    """A Kubernetes quantity as a float ('500m' -> 0.5, '2Gi' -> 2147483648); 0 when unreadable."""
    raw = str(text or "").strip()
    units = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12}
    for suffix, factor in units.items():
        if raw.endswith(suffix):
            try:
                return float(raw[: -len(suffix)]) * factor
            except ValueError:
                return 0.0
    try:
        return float(raw)
    except ValueError:
        return 0.0


def group_offers(raycluster: dict[str, Any] | None) -> list[_GroupOffer]:
    """What each worker group's node offers to Ray (num-cpus/num-gpus/resources start params win over the
    container's limits, as `ray start` in a KubeRay pod sees them), with maxReplicas and replicas."""
    import json

    offers = []
    for group in ((raycluster or {}).get("spec") or {}).get("workerGroupSpecs") or []:
        group = group or {}
        params = group.get("rayStartParams") or {}
        containers = ((group.get("template") or {}).get("spec") or {}).get("containers") or [{}]
        resources = (containers[0] or {}).get("resources") or {}
        limits = {**(resources.get("requests") or {}), **(resources.get("limits") or {})}
        offer = _GroupOffer(str(group.get("groupName", "")))
        offer.resources["CPU"] = _quantity(params.get("num-cpus", limits.get("cpu")))
        gpus = _quantity(params.get("num-gpus", limits.get("nvidia.com/gpu")))
        if gpus:
            offer.resources["GPU"] = gpus
        offer.resources["memory"] = _quantity(limits.get("memory"))
        custom = params.get("resources")
        if custom:
            try:
                parsed = json.loads(str(custom).strip("'\"").replace('\\"', '"'))
            except ValueError:
                parsed = {}
            if isinstance(parsed, dict):
                offer.resources.update({str(k): float(v) for k, v in parsed.items() if isinstance(v, int | float)})
        raw_max = group.get("maxReplicas")
        offer.maximum = int(raw_max) if isinstance(raw_max, int) else 2**31 - 1
        offer.replicas = int(group.get("replicas") or 0) if isinstance(group.get("replicas") or 0, int) else 0
        offers.append(offer)
    return offers


def demand_reason(bundle: dict[str, float], offers: list[_GroupOffer]) -> str:
    fitting = [o for o in offers if all(o.resources.get(k, 0.0) >= v for k, v in bundle.items() if v > 0)]
    if not fitting:
        missing = sorted(
            {k for k, v in bundle.items() if v > 0 and not any(o.resources.get(k, 0.0) >= v for o in offers)}
        )
        return f"no group offers {', '.join(missing)}" if missing else "no single group offers all of it"
    if all(o.replicas >= o.maximum for o in fitting):
        names = ", ".join(o.name for o in fitting)
        return f"at maxReplicas ({names})"
    return "waiting for nodes"


def _camel(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(part.title() for part in rest)


def insight_from_status(
    document: Any,
    raycluster: dict[str, Any] | None,
    pod_reasons: dict[str, str] | None = None,
    ray_version: str = "",
) -> RayInsight:
    """Read the ``/api/cluster_status`` document; ``pod_reasons`` maps pod IP to why a pod fails (for failed
    nodes, whose reason Ray does not report)."""
    if not isinstance(document, dict) or not document.get("result"):
        message = document.get("msg") if isinstance(document, dict) else ""
        return RayInsight.unreachable(f"the dashboard answered without a status: {message or 'no result'}")
    data = document.get("data") or {}
    status = data.get("clusterStatus") or {}
    load = status.get("loadMetricsReport") or {}
    scaler = status.get("autoscalerReport")
    offers = group_offers(raycluster)
    # The dashboard camel-cases dict keys, node types included ("cpu_group" -> "cpuGroup"): map them back.
    names = {_camel(o.name): o.name for o in offers} | {o.name: o.name for o in offers}

    def group(key: Any) -> str:
        return names.get(str(key), str(key))

    demands = []
    for entry in load.get("resourceDemand") or []:
        if isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], dict):
            bundle = {str(k): float(v) for k, v in entry[0].items() if isinstance(v, int | float)}
            demands.append(Demand(bundle, int(entry[1]), demand_reason(bundle, offers)))
    pending, failed, idle = [], [], []
    counts: dict[str, dict[str, int]] = {o.name: {} for o in offers}
    if isinstance(scaler, dict):
        for key, count in (scaler.get("activeNodes") or {}).items():
            counts.setdefault(group(key), {})["active"] = int(count)
        for key, count in (scaler.get("idleNodes") or {}).items():
            counts.setdefault(group(key), {})["idle"] = int(count)
        for key, count in (scaler.get("pendingLaunches") or {}).items():
            counts.setdefault(group(key), {})["launching"] = int(count)
        for ip, kind, state in scaler.get("pendingNodes") or []:
            pending.append(NodeRef(group(kind), str(ip or ""), str(state)))
            entry = counts.setdefault(group(kind), {})
            entry["pending"] = entry.get("pending", 0) + 1
        for ip, kind in scaler.get("failedNodes") or []:
            failed.append(NodeRef(group(kind), str(ip or ""), (pod_reasons or {}).get(str(ip), "")))
            entry = counts.setdefault(group(kind), {})
            entry["failed"] = entry.get("failed", 0) + 1
        idle_times = load.get("idleTimeMap") or {}
        mapping = load.get("nodeTypeMapping") or {}
        for ip, millis in idle_times.items():
            if mapping.get(ip) != HEAD_NODE_TYPE and isinstance(millis, int | float) and millis > 0:
                idle.append(NodeRef(group(mapping.get(ip, "")), str(ip), f"idle {int(millis // 1000)}s"))
    groups = tuple(
        GroupNodes(name, **{k: v for k, v in c.items()}) for name, c in counts.items() if name != HEAD_NODE_TYPE
    )
    return RayInsight(
        True,
        "",
        ray_version,
        isinstance(scaler, dict),
        tuple(demands),
        tuple(pending),
        tuple(failed),
        tuple(idle),
        groups,
        str(data.get("autoscalingStatus") or ""),
    )


def insight_rows(insight: RayInsight) -> list[tuple[str, str, str]]:
    """(kind, group, detail) lines for displays: demands that wait, launches, failures, idle nodes."""
    rows: list[tuple[str, str, str]] = [("demand", "", d.line()) for d in insight.demands]
    for g in insight.groups:
        if g.launching:
            rows.append(("launching", g.group, f"{g.launching} node(s) launching"))
    rows += [("pending", n.group, f"{n.ip or 'no IP yet'}: {n.detail}") for n in insight.pending_nodes]
    rows += [("failed", n.group, f"{n.ip or 'no IP'}: {n.detail or 'NodeTerminated'}") for n in insight.failed_nodes]
    rows += [("idle", n.group, f"{n.ip}: {n.detail}, removed after idleTimeoutSeconds") for n in insight.idle_nodes]
    return rows


def insight_summary(insight: RayInsight) -> str:
    """One line: the nodes per group, or why the head could not be asked."""
    if not insight.reachable:
        return insight.message
    parts = [f"{g.group} {g.active} active" + (f", {g.idle} idle" if g.idle else "") for g in insight.groups]
    head = f"Ray {insight.ray_version}" if insight.ray_version else "Ray"
    scaler = "autoscaler on" if insight.autoscaling else "no autoscaler"
    return f"{head} · {scaler} · " + ("; ".join(parts) if parts else "no worker groups")
