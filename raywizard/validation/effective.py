"""What the chart will really render for a spec: resources after the chart's defaults, and cluster totals.

A user who sets only ``requests`` still gets the chart's default ``limits``
(docs/domain/ray-cluster-chart.md#effective-resources): showing the effective values beside the inputs, and validating
them, is how the wizard catches requests > limits before Kubernetes rejects every pod.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from raywizard.model import units
from raywizard.model.checks import parse_quantity
from raywizard.model.spec import GPU_RESOURCE, ClusterSpec, Resources, WorkerGroup
from raywizard.render.helm_values import chart_values

HEAD = "head"


def _group_key(spec: ClusterSpec, group: WorkerGroup | None) -> str:
    return HEAD if group is None else group.name


def effective_values(spec: ClusterSpec) -> dict[str, dict[str, Any]]:
    """Per group name (``head`` for the head) the merged values the chart's template uses."""
    from raywizard.chart import effective_group_values

    return effective_group_values(chart_values(spec), spec.versions.chart)


def effective_resources(spec: ClusterSpec, group: WorkerGroup | None = None,
                        merged: dict[str, dict[str, Any]] | None = None) -> Resources:
    merged = effective_values(spec) if merged is None else merged
    values = merged.get(_group_key(spec, group)) or {}
    found = values.get("resources")
    resources: dict[str, Any] = found if isinstance(found, dict) else {}
    requests, limits = resources.get("requests"), resources.get("limits")
    return Resources(requests=dict(requests) if isinstance(requests, dict) else {},
                     limits=dict(limits) if isinstance(limits, dict) else {})


def chart_default_for(spec: ClusterSpec, group: WorkerGroup | None, keys: tuple[str, ...]) -> Any:
    """The value the chart would use for ``keys`` if the user left it blank (for placeholders)."""
    from raywizard.chart import chart_defaults

    if keys and keys[0] == "image":
        node: Any = chart_defaults(spec.versions.chart)
        for key in keys:
            node = node.get(key) if isinstance(node, dict) else None
        return node
    probe = spec.clone()
    if group is None:
        probe.head.resources = None
        target = None
    else:
        index = spec.group_index(group.name)
        if index is None:
            return None
        probe.worker_groups[index].resources = None
        probe.worker_groups[index].disabled = False
        target = probe.worker_groups[index]
    node = effective_values(probe).get(_group_key(probe, target)) or {}
    for key in keys[1:]:
        node = node.get(key) if isinstance(node, dict) else None
    return node


def cluster_image(spec: ClusterSpec) -> str:
    """The top-level image as the chart renders it (``REPOSITORY:TAG``): Helm merges the values' ``image`` with
    the chart's key by key, so each part left unset is the chart's default
    (docs/domain/ray-cluster-chart.md#defaults)."""
    from raywizard.chart import SUPPORTED_CHART_VERSIONS, chart_defaults

    version = spec.versions.chart if spec.versions.chart in SUPPORTED_CHART_VERSIONS else SUPPORTED_CHART_VERSIONS[-1]
    defaults = chart_defaults(version).get("image") or {}
    image = spec.versions.image
    repository = image.repository if image and image.repository is not None else defaults.get("repository")
    tag = image.tag if image and image.tag is not None else defaults.get("tag")
    return f"{repository or ''}:{tag or ''}"


@dataclass(frozen=True)
class Totals:
    """Resources the cluster asks Kubernetes for, with every group at its minimum and at its maximum."""

    cpus_min: Decimal
    cpus_max: Decimal
    memory_min: Decimal  # bytes
    memory_max: Decimal
    gpus_min: Decimal
    gpus_max: Decimal
    workers_min: int
    workers_max: int


def _per_pod(resources: Resources, name: str) -> Decimal:
    value = resources.requests.get(name, resources.limits.get(name))
    if value is None:
        return Decimal(0)
    try:
        return parse_quantity(value)
    except ValueError:
        return Decimal(0)


def totals(spec: ClusterSpec) -> Totals:
    """Head plus every rendered group at minReplicas and at maxReplicas (requests, else limits, per pod)."""
    merged = effective_values(spec)
    head = effective_resources(spec, None, merged)
    sums = {name: [_per_pod(head, name)] * 2 for name in ("cpu", "memory", GPU_RESOURCE)}
    workers = [0, 0]
    for group in spec.rendered_groups():
        values = merged.get(group.name) or {}
        low = int(values.get("minReplicas") or 0)
        high_raw = values.get("maxReplicas")
        high = int(high_raw) if high_raw else 2147483647
        high = max(high, low)
        resources = effective_resources(spec, group, merged)
        for name in sums:
            per_pod = _per_pod(resources, name)
            sums[name][0] += per_pod * low
            sums[name][1] += per_pod * high
        workers[0] += low
        workers[1] += high
    return Totals(
        cpus_min=sums["cpu"][0], cpus_max=sums["cpu"][1],
        memory_min=sums["memory"][0], memory_max=sums["memory"][1],
        gpus_min=sums[GPU_RESOURCE][0], gpus_max=sums[GPU_RESOURCE][1],
        workers_min=workers[0], workers_max=workers[1],
    )


def format_bytes(amount: Decimal) -> str:
    return units.format_bytes(amount)


def format_cpus(amount: Decimal) -> str:
    return f"{amount.normalize():f}" if amount == amount.to_integral() else f"{float(amount):.2f}"
