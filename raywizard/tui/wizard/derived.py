"""Small formatting of core results for the screens (effective values beside inputs, table cells, totals)."""

from __future__ import annotations

from typing import Any

from raywizard.fields.kit import Field
from raywizard.model.spec import GPU_RESOURCE, ClusterSpec, Resources, WorkerGroup

# Field name -> (section, resource) of the resource fields (see fields._resource_fields).
RESOURCE_FIELDS = {
    "cpuRequest": ("requests", "cpu"),
    "cpuLimit": ("limits", "cpu"),
    "memoryRequest": ("requests", "memory"),
    "memoryLimit": ("limits", "memory"),
    "gpu": ("limits", GPU_RESOURCE),
}


def effective(spec: ClusterSpec, group: WorkerGroup | None, merged: dict[str, Any] | None = None) -> Resources:
    """Resources after the chart's defaults; pass ``merged`` (``effective_values``) when asking for many groups."""
    from raywizard.validation.effective import effective_resources

    return effective_resources(spec, group, merged)


def effective_aside(spec: ClusterSpec, group: WorkerGroup | None, field: Field) -> str:
    """``→ 2G`` beside a resource input: the value after the chart's defaults are merged."""
    where = RESOURCE_FIELDS.get(field.name)
    if where is None:
        return ""
    try:
        resources = effective(spec, group)
    except Exception:
        return ""
    section, name = where
    value = (getattr(resources, section, {}) or {}).get(name)
    return f"→ {value}" if value is not None else "→ none"


def pair(resources: Resources, name: str) -> str:
    """``1/2`` (request/limit) or a single value when they agree; ``–`` when unset."""
    request = (getattr(resources, "requests", {}) or {}).get(name)
    limit = (getattr(resources, "limits", {}) or {}).get(name)
    if request is None and limit is None:
        return "–"
    if request is None or limit is None or str(request) == str(limit):
        return str(request if request is not None else limit)
    return f"{request}/{limit}"


def format_bytes(amount: float | int | None) -> str:
    if amount is None:
        return "–"
    value = float(amount)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if abs(value) < 1024 or unit == "PiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}".replace(".0 ", " ")
        value /= 1024
    return str(amount)


def format_number(value: Any) -> str:
    if value is None:
        return "–"
    number = float(value)
    return str(int(number)) if number.is_integer() else f"{number:g}"
