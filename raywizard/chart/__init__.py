"""A per-version model of the ray-cluster Helm chart (ray-project/kuberay ``helm-chart/ray-cluster``).

Given Helm values, a release name, a namespace and a chart version (1.4.0 .. 1.7.0), it produces the
RayCluster ``helm template`` renders, as Kubernetes reads it. Pure Python: no I/O besides the bundled
defaults JSON.
"""

from typing import Any

from raywizard.chart.custom_resources import decode_custom_resources, encode_custom_resources
from raywizard.chart.errors import ChartRenderError, UnknownChartVersion
from raywizard.chart.groups import effective_values, enabled_worker_groups, rendered_group_name
from raywizard.chart.naming import fullname
from raywizard.chart.render import render_raycluster
from raywizard.chart.values import SUPPORTED_CHART_VERSIONS, chart_defaults, chart_features, merged_values


def rendered_worker_groups(values: dict[str, Any], chart_version: str) -> list[str]:
    """Names of the enabled worker groups, in the order ``workerGroupSpecs`` lists them."""
    merged = merged_values(values, chart_version)
    return [rendered_group_name(group) for group in enabled_worker_groups(merged)]


def effective_group_values(values: dict[str, Any], chart_version: str) -> dict[str, dict[str, Any]]:
    """Per group name ('head' for the head) the merged values the template uses.

    See ``groups.effective_values``.
    """
    return effective_values(merged_values(values, chart_version), chart_features(chart_version))


__all__ = [
    "SUPPORTED_CHART_VERSIONS",
    "ChartRenderError",
    "UnknownChartVersion",
    "chart_defaults",
    "decode_custom_resources",
    "effective_group_values",
    "encode_custom_resources",
    "fullname",
    "merged_values",
    "render_raycluster",
    "rendered_worker_groups",
]
