"""The chart's name helpers (``templates/_helpers.tpl``, identical in every supported version)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from raywizard.chart.errors import ChartRenderError
from raywizard.chart.sprig import trim_suffix, trunc, truthy

CHART_NAME = "ray-cluster"
# values.yaml default of nameOverride in every supported version (1.4.0 .. 1.7.0).
DEFAULT_NAME_OVERRIDE = "kuberay"
MAX_RELEASE_NAME_LENGTH = 53
_RELEASE_NAME = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")


def _value_or_default(values: Mapping[str, Any], key: str, chart_default: str) -> Any:
    # Coalescing: a key the user did not set takes the chart default; a user null deletes it.
    return values.get(key, chart_default)


def _string(value: Any, key: str) -> str:
    if not isinstance(value, str):
        raise ChartRenderError(
            f"{key} must be a string, got {value!r}", "helm template fails with 'wrong type for value'"
        )
    return value


def _short(text: str, key: str) -> str:
    try:
        return trim_suffix(trunc(text, 63), "-")
    except ValueError as exc:
        raise ChartRenderError(f"{key}: {exc}") from exc


def fullname(values: Mapping[str, Any], release_name: str) -> str:
    """``ray-cluster.fullname``: the RayCluster's ``metadata.name``, from the user's values.

    ``fullnameOverride`` when set; otherwise ``name = nameOverride or "ray-cluster"`` (nameOverride defaults
    to "kuberay"; a null deletes that default), and the release name alone if it *contains* ``name``, else
    ``<release>-<name>``; always cut to 63 bytes and one trailing "-" removed.
    Merged values give the same result unless the user deleted nameOverride with null.
    """
    return fullname_from_merged(
        {
            "fullnameOverride": _value_or_default(values, "fullnameOverride", ""),
            "nameOverride": _value_or_default(values, "nameOverride", DEFAULT_NAME_OVERRIDE),
        },
        release_name,
    )


def fullname_from_merged(merged: Mapping[str, Any], release_name: str) -> str:
    """``ray-cluster.fullname`` over ``.Values`` as the template sees them (a missing key is nil)."""
    override = merged.get("fullnameOverride")
    if truthy(override):
        return _short(_string(override, "fullnameOverride"), "fullnameOverride")
    name = merged.get("nameOverride")
    name = _string(name, "nameOverride") if truthy(name) else CHART_NAME
    if name in release_name:
        return _short(release_name, "release name")
    return _short(f"{release_name}-{name}", "release name")


def chart_label(chart_version: str) -> str:
    """``ray-cluster.chart``: ``helm.sh/chart`` label value."""
    return trim_suffix(trunc(f"{CHART_NAME}-{chart_version}".replace("+", "_"), 63), "-")


def check_release_name(release_name: str) -> None:
    """The check ``helm template`` (install) makes before rendering anything."""
    if not release_name:
        raise ChartRenderError(
            "the Helm release name is empty", "Argo CD uses the Application name by default"
        )
    if len(release_name) > MAX_RELEASE_NAME_LENGTH or not _RELEASE_NAME.fullmatch(release_name):
        raise ChartRenderError(
            f"invalid Helm release name {release_name!r}",
            "use at most 53 characters: lowercase letters, digits, '-' and '.', starting and ending with a "
            "letter or digit",
        )
