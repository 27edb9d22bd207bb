"""Which worker groups the chart renders, in which order, and with which effective values.

Order (every supported version): the default ``worker`` group first unless ``worker.disabled`` is truthy, then
``additionalWorkerGroups`` in Go's map order -- keys sorted by bytes, so "Beta" < "alpha" < "zeta" -- skipping
groups whose ``disabled`` is truthy. A group without ``disabled`` is enabled. User groups deep-merge with the
chart's own ``smallGroup`` only when they use that key.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from raywizard.chart import access
from raywizard.chart.errors import ChartRenderError
from raywizard.chart.sprig import truthy
from raywizard.chart.values import ChartFeatures

# What 1.6.0+ renders for an additional worker group whose ``resources`` is empty.
ADDITIONAL_GROUP_DEFAULT_RESOURCES: dict[str, Any] = {
    "limits": {"cpu": "1", "memory": "1Gi"},
    "requests": {"cpu": "1", "memory": "1Gi"},
}


@dataclass(frozen=True)
class WorkerGroup:
    """One rendered worker group: its values, where they live in values.yaml, and how its name is written."""

    kind: str  # "worker" (the default group) or "additional"
    values: dict[str, Any]
    path: str  # "worker" or "additionalWorkerGroups.<key>"
    name_source: Any  # worker.groupName, or the additionalWorkerGroups key


def enabled_worker_groups(values: dict[str, Any]) -> list[WorkerGroup]:
    """The groups ``workerGroupSpecs`` will hold, in rendered order (``values`` are merged values)."""
    groups: list[WorkerGroup] = []
    worker = access.field(values, "worker", "")
    if not truthy(access.field(worker, "disabled", "worker")):
        groups.append(WorkerGroup("worker", worker, "worker", access.field(worker, "groupName", "worker")))
    additional = values.get("additionalWorkerGroups")
    for name, group in access.map_items(additional, "additionalWorkerGroups"):
        path = f"additionalWorkerGroups.{name}"
        if not truthy(access.field(group, "disabled", path)):
            groups.append(WorkerGroup("additional", group, path, name))
    return groups


def rendered_group_name(group: WorkerGroup) -> str:
    """``groupName`` as written in the RayCluster, as text (null -> "")."""
    name = access.scalar(
        group.name_source, f"{group.path}.groupName" if group.kind == "worker" else group.path
    )
    if name is None:
        return ""
    if isinstance(name, bool):
        return "true" if name else "false"
    return str(name)


def effective_image(values: dict[str, Any], group: dict[str, Any], path: str) -> dict[str, Any]:
    """The image map a group's container uses: its own ``image`` when non-empty, else the top-level one."""
    own = access.field(group, "image", path)
    if truthy(own):
        if not isinstance(own, dict):
            raise ChartRenderError(f"{path}.image must be a map, got {own!r}", "set repository/tag")
        return own
    image = access.field(values, "image", "")
    if isinstance(image, dict):
        return image
    access.field(image, "repository", "image")  # raises with the right message
    raise ChartRenderError(f"image must be a map, got {image!r}", "set repository/tag")


def effective_resources(group: WorkerGroup | None, values: dict[str, Any], features: ChartFeatures) -> Any:
    """The container ``resources`` rendered for a group (None when the chart renders none)."""
    source = values if group is None else group.values
    resources = source.get("resources")
    if truthy(resources):
        return resources
    if group is not None and group.kind == "additional" and features.additional_group_default_resources:
        return copy.deepcopy(ADDITIONAL_GROUP_DEFAULT_RESOURCES)
    return None


def effective_values(values: dict[str, Any], features: ChartFeatures) -> dict[str, dict[str, Any]]:
    """Per group ('head', then worker groups by rendered name) the merged values the template uses.

    Each entry is a deep copy of the group's merged values with ``image`` replaced by the image map actually
    used (group or top-level) and ``resources`` by what is rendered (None if nothing), so validation can check
    requests <= limits after chart defaults.
    """
    head = access.field(values, "head", "")
    result: dict[str, dict[str, Any]] = {}
    head_values = copy.deepcopy(access.field(values, "head", "") or {})
    head_values["image"] = copy.deepcopy(effective_image(values, head, "head"))
    head_values["resources"] = copy.deepcopy(effective_resources(None, head, features))
    result["head"] = head_values
    for group in enabled_worker_groups(values):
        group_values = copy.deepcopy(group.values)
        group_values["image"] = copy.deepcopy(effective_image(values, group.values, group.path))
        group_values["resources"] = copy.deepcopy(effective_resources(group, values, features))
        result[rendered_group_name(group)] = group_values
    return result
