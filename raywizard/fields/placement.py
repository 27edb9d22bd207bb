"""Where a group's pods may run: ``nodeSelector`` and ``tolerations`` as one line of text, and back.

A GPU pool is usually labelled and tainted (``nvidia.com/gpu=present:NoSchedule``): a group's pods reach it only
with a matching node selector and a toleration (docs/domain/ray-cluster-chart.md#what-renders-where: both are
written into the pod template as given). The short forms follow kubectl's:

- node selector: ``pool=gpu, cloud.google.com/gke-accelerator=nvidia-l4``
- tolerations: ``KEY=VALUE:EFFECT`` (operator Equal), ``KEY:EFFECT`` or ``KEY`` (operator Exists), with the
  effect optional (every effect), e.g. ``nvidia.com/gpu=present:NoSchedule, dedicated``

Anything the short form cannot say (``tolerationSeconds``, a toleration of every taint, values that are not
strings) is shown and accepted as a YAML flow collection (``[{key: a, operator: Exists, tolerationSeconds: 60}]``),
so editing the line never drops a part the user wrote.
"""

from __future__ import annotations

import re
from typing import Any

from raywizard.model.spec import WorkerGroup

EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")
# A label key: an optional DNS subdomain prefix and a name (validated by Kubernetes; here only the shape that
# keeps the short form unambiguous).
_KEY = r"[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?"
_SELECTOR_ITEM = re.compile(rf"({_KEY})=([-A-Za-z0-9_.]*)")
_TOLERATION_ITEM = re.compile(rf"({_KEY})(?:=([-A-Za-z0-9_.]*))?(?::({'|'.join(EFFECTS)}))?")


def _flow(text: str, kind: type, what: str) -> Any:
    from raywizard.documents.roundtrip_yaml import load_plain
    from raywizard.model.errors import InputError

    try:
        value = load_plain(text, source=what)
    except InputError as exc:
        raise ValueError(f"{what}: {exc.message}") from None
    if not isinstance(value, kind):
        raise ValueError(f"{what} must be a YAML {'map' if kind is dict else 'list'}, got {text!r}.")
    return value


def _dump_flow(value: Any) -> str:
    import json

    # JSON is a YAML flow collection that keeps every type as it is (a number stays a number).
    return json.dumps(value, separators=(", ", ": "))


def parse_node_selector(text: str) -> dict[str, Any]:
    text = text.strip()
    if text.startswith("{"):
        value: dict[str, Any] = _flow(text, dict, "Node selector")
        return value
    out: dict[str, Any] = {}
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        match = _SELECTOR_ITEM.fullmatch(item)
        if not match:
            raise ValueError(f"Node selector entry {item!r} is not LABEL=VALUE; write e.g. pool=gpu, "
                             "nvidia.com/gpu.present=true.")
        out[match.group(1)] = match.group(3)
    return out


def format_node_selector(value: Any) -> str:
    if not isinstance(value, dict):
        return "" if value is None else _dump_flow(value)
    if all(isinstance(v, str) and _SELECTOR_ITEM.fullmatch(f"{k}={v}") for k, v in value.items()):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    return _dump_flow(value)


def parse_tolerations(text: str) -> list[Any]:
    text = text.strip()
    if text.startswith("["):
        written: list[Any] = _flow(text, list, "Tolerations")
        return written
    out: list[Any] = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        match = _TOLERATION_ITEM.fullmatch(item)
        if not match:
            raise ValueError(f"Toleration {item!r} is not KEY[=VALUE][:EFFECT]; write e.g. "
                             f"nvidia.com/gpu=present:NoSchedule (effects: {', '.join(EFFECTS)}).")
        key, _, value, effect = match.groups()
        toleration: dict[str, Any] = {"key": key, "operator": "Equal" if value is not None else "Exists"}
        if value is not None:
            toleration["value"] = value
        if effect:
            toleration["effect"] = effect
        out.append(toleration)
    return out


def _short_toleration(toleration: Any) -> str | None:
    if not isinstance(toleration, dict) or not set(toleration) <= {"key", "operator", "value", "effect"}:
        return None
    key, operator = toleration.get("key"), toleration.get("operator", "Equal")
    value, effect = toleration.get("value"), toleration.get("effect")
    if not isinstance(key, str) or effect not in (None, *EFFECTS):
        return None
    if operator == "Exists" and value is None:
        text = key
    elif operator == "Equal" and isinstance(value, str) and "operator" in toleration:
        text = f"{key}={value}"
    else:
        return None
    text += f":{effect}" if effect else ""
    return text if _TOLERATION_ITEM.fullmatch(text) else None


def format_tolerations(value: Any) -> str:
    if not isinstance(value, list):
        return "" if value is None else _dump_flow(value)
    short = [_short_toleration(t) for t in value]
    if all(s is not None for s in short):
        return ", ".join(s for s in short if s is not None)
    return _dump_flow(value)


# Keys of a group's values that the group form edits (the rest is listed as "also set in your file").
SHOWN_GROUP_KEYS = frozenset({"nodeSelector", "tolerations"})


def other_group_keys(group: WorkerGroup) -> list[str]:
    """The keys of a group's values that no field of the group form edits, in the file's order: they are kept
    exactly as written, and the forms list them so the user sees they are there."""
    keys = ["rayStartParams"] if group.ray_start_params else []
    for key, value in group.extra.items():
        if key in SHOWN_GROUP_KEYS or (key == "rayStartParams" and not value):
            continue
        keys.append(str(key))
    return keys


def also_set_text(group: WorkerGroup) -> str:
    """``also set in your file (kept as written): volumes, sidecarContainers``, or "" when there is nothing."""
    keys = other_group_keys(group)
    return f"also set in your file (kept as written): {', '.join(keys)}" if keys else ""
