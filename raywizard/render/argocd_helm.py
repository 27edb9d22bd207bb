"""How Argo CD hands Helm values to the chart, from an Application's helm source (docs/application-forms.md).

Argo CD runs ``helm template`` with ``--values`` for each ``valueFiles`` entry in order, then ``--values`` for the
inline values (``valuesObject`` when set, else the ``values`` string), and ``--set`` / ``--set-string`` for each
``parameters`` entry (``forceString``). Helm merges the values files in order (maps deeply, anything else
replaced), then applies the ``--set`` assignments. ``releaseName`` defaults to the Application's name.
"""

from __future__ import annotations

import copy
import re
from typing import Any

CHART = "ray-cluster"


# ---------------------------------------------------------------------------------------------- sources
def sources_of(app: Any) -> list[tuple[int | None, dict[str, Any]]]:
    """(index, source) of an Application: ``(None, spec.source)`` and ``(i, spec.sources[i])``."""
    body = app.get("spec") if isinstance(app, dict) else None
    if not isinstance(body, dict):
        return []
    found: list[tuple[int | None, dict[str, Any]]] = []
    if isinstance(body.get("source"), dict):
        found.append((None, body["source"]))
    for index, source in enumerate(body.get("sources") or [] if isinstance(body.get("sources"), list) else []):
        if isinstance(source, dict):
            found.append((index, source))
    return found


CHART_GIT_PATH = "helm-chart/ray-cluster"


def is_git_chart_source(source: dict[str, Any]) -> bool:
    """The chart taken from the kuberay git repository (``path: helm-chart/ray-cluster`` at a tag ``vX.Y.Z``)
    instead of the Helm repository."""
    return not source.get("chart") and str(source.get("path") or "").strip("/").endswith(CHART_GIT_PATH)


def chart_source(app: Any) -> tuple[int | None, dict[str, Any]] | None:
    """The source that renders the ray-cluster chart (``spec.source`` or an entry of ``spec.sources``): from the
    Helm repository (``chart: ray-cluster``) or from the kuberay git repository (``is_git_chart_source``)."""
    return next(((i, s) for i, s in sources_of(app) if s.get("chart") == CHART or is_git_chart_source(s)), None)


def ref_sources(app: Any) -> dict[str, dict[str, Any]]:
    """``ref`` name -> source, for ``$name/path`` value files of multi-source Applications."""
    return {str(s["ref"]): s for i, s in sources_of(app) if i is not None and s.get("ref")}


# ----------------------------------------------------------------------------------------------- values
def merge_values(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Helm's merge of ``-f`` files: maps merged key by key, anything else (lists, scalars, null) replaced."""
    out = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge_values(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def parameter_path(name: str) -> list[str | int]:
    """``head.nodeSelector.kubernetes\\.io/os`` -> ["head", "nodeSelector", "kubernetes.io/os"]; ``a[0].b`` ->
    ["a", 0, "b"] (Helm's --set name grammar, escaped dots included)."""
    parts: list[str | int] = []
    current = ""
    index = 0
    while index < len(name):
        char = name[index]
        if char == "\\" and index + 1 < len(name):
            current += name[index + 1]
            index += 2
            continue
        if char == ".":
            if current:
                parts.append(current)
            current = ""
        elif char == "[":
            end = name.find("]", index)
            if end < 0 or not name[index + 1:end].isdigit():
                current += char
            else:
                if current:
                    parts.append(current)
                current = ""
                parts.append(int(name[index + 1:end]))
                index = end
        else:
            current += char
        index += 1
    if current:
        parts.append(current)
    return parts


def _typed(text: str) -> Any:
    """A --set value as Helm types it: true/false/null, whole numbers without a leading zero, else the string."""
    lowered = text.lower()
    if lowered == "true":
        return True
    if lowered == "false":
        return False
    if lowered == "null":
        return None
    if text == "0":
        return 0
    if re.fullmatch(r"[-+]?[1-9]\d*", text) and -(2**63) <= int(text) < 2**63:
        return int(text)
    return text


def parameter_value(parameter: dict[str, Any]) -> Any:
    """The value of one ``helm.parameters`` entry: a string with ``forceString``, a ``{a,b}`` list, or typed."""
    text = str(parameter.get("value", ""))
    force = bool(parameter.get("forceString"))
    if text.startswith("{") and text.endswith("}"):
        items = [item for item in re.split(r"(?<!\\),", text[1:-1]) if item != ""]
        return [item.replace("\\,", ",") if force else _typed(item.replace("\\,", ",")) for item in items]
    return text if force else _typed(text)


def set_at(values: dict[str, Any], path: list[str | int], value: Any) -> None:
    """Set ``value`` at ``path``, creating maps and list slots on the way (as ``--set`` does)."""
    node: Any = values
    for position, key in enumerate(path):
        last = position == len(path) - 1
        following: Any = {} if last or not isinstance(path[position + 1], int) else []
        if isinstance(key, int):
            if not isinstance(node, list):
                return
            while len(node) <= key:
                node.append(None)
            if last:
                node[key] = value
            elif not isinstance(node[key], dict | list):
                node[key] = following
            node = node[key]
        else:
            if not isinstance(node, dict):
                return
            if last:
                node[key] = value
            elif not isinstance(node.get(key), dict | list):
                node[key] = following
            node = node[key]


_NOT_FOUND = object()


def get_at(values: Any, path: list[str | int]) -> Any:
    node = values
    for key in path:
        if isinstance(key, int):
            if not isinstance(node, list) or key >= len(node):
                return _NOT_FOUND
        elif not isinstance(node, dict) or key not in node:
            return _NOT_FOUND
        node = node[key]
    return node


def found(value: Any) -> bool:
    return value is not _NOT_FOUND


def apply_parameters(values: dict[str, Any], parameters: list[dict[str, Any]]) -> dict[str, Any]:
    out = copy.deepcopy(values)
    for parameter in parameters:
        if isinstance(parameter, dict) and parameter.get("name"):
            set_at(out, parameter_path(str(parameter["name"])), parameter_value(parameter))
    return out


def format_parameter(value: Any) -> str:
    """A scalar as a parameter's ``value`` text (Argo CD's parameters are strings)."""
    if value is True or value is False:
        return "true" if value else "false"
    if value is None:
        return "null"
    return str(value)
