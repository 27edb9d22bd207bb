"""Reading ``.Values`` the way the chart's Go template does, and turning template output into data.

Each helper reports the values path (``worker.image``) in a ChartRenderError, so a wizard can point at the
field.
"""

from __future__ import annotations

from typing import Any

from raywizard.chart.errors import ChartRenderError
from raywizard.chart.sprig import quote, template_print
from raywizard.chart.yamlscalar import key_from_template, to_yaml_value, value_from_template


def field(node: Any, key: str, path: str) -> Any:
    """``.node.key``: a missing key is nil; reading a key of nil or of a non-map fails in Helm."""
    if isinstance(node, dict):
        return node.get(key)
    where = path or "values"
    if node is None:
        raise ChartRenderError(
            f"{where} is missing or null, but the chart reads {where}.{key}",
            f"set {where} to a map (or remove the null that deletes the chart default)",
        )
    raise ChartRenderError(f"{where} must be a map, got {node!r}", f"the chart reads {where}.{key}")


def scalar(value: Any, path: str) -> Any:
    """``key: {{ value }}``: printed with Go's %v, then read back as a YAML plain scalar."""
    try:
        return value_from_template(template_print(value), path)
    except ValueError as exc:
        raise ChartRenderError(str(exc), f"change {path}") from exc


def key(text: str, path: str) -> str:
    """``{{ $key }}:`` as a mapping key."""
    try:
        return key_from_template(text, path)
    except ValueError as exc:
        raise ChartRenderError(str(exc), f"rename the key in {path}") from exc


def quoted(value: Any) -> str | None:
    """``key: {{ value | quote }}``."""
    return quote(value)


def block(value: Any, path: str) -> Any:
    """``key:`` followed by ``toYaml value`` indented deeper than the key: any value reads back as itself."""
    try:
        return to_yaml_value(value)
    except ValueError as exc:
        raise ChartRenderError(f"{path}: {exc}") from exc


def list_block(value: Any, path: str) -> Any:
    """``key:`` followed by ``toYaml value`` at the *same* indentation as the key (valid only for a list).

    A map there would turn into sibling keys of ``key`` and a scalar would break the YAML; both are user
    mistakes this model refuses instead of reproducing.
    """
    if not isinstance(value, list):
        raise ChartRenderError(
            f"{path} must be a list, got {type(value).__name__}",
            "the chart writes it at the same indentation as its key, so only a list renders correctly",
        )
    return block(value, path)


def map_items(value: Any, path: str) -> list[tuple[str, Any]]:
    """``range $key, $val := value``: a map in sorted key order (Go's order), a list with its indexes as keys,
    nothing for nil; anything else fails in Helm."""
    if value is None:
        return []
    if isinstance(value, list):
        return [(str(index), item) for index, item in enumerate(value)]
    if not isinstance(value, dict):
        raise ChartRenderError(f"{path} must be a map, got {value!r}", "the chart iterates over its keys")
    return [(name, value[name]) for name in sorted(value)]


def concat_lists(lists: list[tuple[Any, str]]) -> list[Any]:
    """sprig ``concat``: every argument must be a list (nil included: Helm fails with 'Cannot concat')."""
    result: list[Any] = []
    for value, path in lists:
        if not isinstance(value, list):
            raise ChartRenderError(
                f"{path} must be a list, got {value!r}", "the chart concatenates it with common.containerEnv"
            )
        result.extend(value)
    return result
