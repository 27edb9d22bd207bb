"""Chart versions, their values.yaml defaults, and Helm's coalescing of user values into them."""

from __future__ import annotations

import copy
import json
import math
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from importlib import resources
from typing import Any

from raywizard.chart.errors import ChartRenderError, UnknownChartVersion
from raywizard.chart.yamlscalar import json_key

SUPPORTED_CHART_VERSIONS: tuple[str, ...] = (
    "1.4.0",
    "1.4.1",
    "1.4.2",
    "1.5.0",
    "1.5.1",
    "1.5.2",
    "1.6.0",
    "1.6.1",
    "1.6.2",
    "1.7.0",
)


@dataclass(frozen=True)
class ChartFeatures:
    """What one chart version's template does differently (read from each tag's raycluster-cluster.yaml)."""

    version: str
    # 1.4.x writes ``rayStartParams: {}`` when a group has none; 1.5.0+ leaves the key out.
    empty_ray_start_params: bool
    # 1.5.0+: ``gcsFaultTolerance.enabled`` renders ``spec.gcsFaultToleranceOptions``.
    gcs_fault_tolerance: bool
    # 1.6.0+: ``runtimeClassName`` and ``resourceClaims`` per group, and additional worker groups without
    # ``resources`` get limits/requests cpu "1", memory "1Gi".
    runtime_class_and_claims: bool
    additional_group_default_resources: bool


def _minor(version: str) -> tuple[int, int]:
    major, minor, _patch = version.split(".")
    return int(major), int(minor)


def chart_features(chart_version: str) -> ChartFeatures:
    check_version(chart_version)
    minor = _minor(chart_version)
    return ChartFeatures(
        version=chart_version,
        empty_ray_start_params=minor < (1, 5),
        gcs_fault_tolerance=minor >= (1, 5),
        runtime_class_and_claims=minor >= (1, 6),
        additional_group_default_resources=minor >= (1, 6),
    )


def check_version(chart_version: str) -> None:
    if chart_version not in SUPPORTED_CHART_VERSIONS:
        raise UnknownChartVersion(
            f"unknown ray-cluster chart version {chart_version!r}",
            "use one of " + ", ".join(SUPPORTED_CHART_VERSIONS),
        )


@cache
def _defaults_data(chart_version: str) -> dict[str, Any]:
    folder = resources.files("raywizard.chart") / "defaults"
    index = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    data: dict[str, Any] = json.loads((folder / index[chart_version]).read_text(encoding="utf-8"))
    return data


def chart_defaults(chart_version: str) -> dict[str, Any]:
    """A deep copy of the chart's values.yaml defaults for ``chart_version``."""
    check_version(chart_version)
    return copy.deepcopy(_defaults_data(chart_version))


def helm_values(value: Any, path: str = "") -> Any:
    """User values as Helm holds them: plain dicts with string keys, lists, str, bool, numbers, None.

    Accepts anything a YAML loader returns (ruamel's CommentedMap/ScalarFloat subclasses, tuples). Non-string
    keys become strings the way sigs.k8s.io/yaml converts them (``1`` -> "1", ``true`` -> "true").
    Numbers keep their Python type here; the renderer prints them as the float64 Helm holds.
    """
    if value is None or isinstance(value, bool | str):
        return str(value) if isinstance(value, str) else value
    if isinstance(value, int | float):
        if isinstance(value, int):
            if abs(value) > sys.float_info.max:
                raise ChartRenderError(f"{path or 'values'}: {value} is too large for Helm (float64)")
            return int(value)
        if not math.isfinite(value):
            # Helm reads values through YAML -> JSON, which has no NaN or infinity: helm fails to load them.
            raise ChartRenderError(
                f"{path or 'values'}: {value} cannot be a Helm value", "use a finite number"
            )
        return float(value)
    if isinstance(value, Mapping):
        converted: dict[str, Any] = {}
        for key, item in value.items():
            try:
                text_key = json_key(key)
            except ValueError as exc:
                raise ChartRenderError(f"{path or 'values'}: {exc}", "use string keys") from exc
            converted[text_key] = helm_values(item, f"{path}.{text_key}" if path else text_key)
        return converted
    if isinstance(value, list | tuple):
        return [helm_values(item, f"{path}[{index}]") for index, item in enumerate(value)]
    if isinstance(value, date) and not isinstance(value, datetime):
        # A YAML loader turned an unquoted 2024-01-01 into a date; Helm keeps the text.
        return value.isoformat()
    raise ChartRenderError(
        f"{path or 'values'}: a {type(value).__name__} cannot be a Helm value", "quote it as a string"
    )


def _coalesce_tables(user: dict[str, Any], chart: dict[str, Any]) -> dict[str, Any]:
    """Helm's coalesceTablesFullKey (current Helm 3.21 / 4.x): ``user`` wins, both-map keys merge.

    A user null over a non-null chart default deletes the key; a user null with no default stays null.
    A user value that is not a map replaces a map default (Helm only warns).
    """
    for key, chart_value in chart.items():
        if key not in user:
            user[key] = chart_value
            continue
        user_value = user[key]
        if user_value is None:
            if chart_value is not None:
                del user[key]
        elif isinstance(user_value, dict) and isinstance(chart_value, dict):
            _coalesce_tables(user_value, chart_value)
    return user


def _drop_nulls(table: dict[str, Any]) -> None:
    for key in [key for key, value in table.items() if value is None]:
        del table[key]
    for value in table.values():
        if isinstance(value, dict):
            _drop_nulls(value)


def coalesce(values: Mapping[str, Any] | None, defaults: dict[str, Any]) -> dict[str, Any]:
    """Helm ``CoalesceValues`` of user ``values`` over chart ``defaults`` (both are left unchanged)."""
    user: dict[str, Any] = helm_values(dict(values or {}))
    chart = copy.deepcopy(defaults)
    for key, chart_value in chart.items():
        if key not in user:
            if chart_value is None:
                continue
            if isinstance(chart_value, dict):
                _drop_nulls(chart_value)
            user[key] = chart_value
            continue
        user_value = user[key]
        if user_value is None:
            del user[key]
        elif isinstance(user_value, dict) and isinstance(chart_value, dict):
            _drop_nulls(chart_value)
            _coalesce_tables(user_value, chart_value)
    return user


def merged_values(values: Mapping[str, Any] | None, chart_version: str) -> dict[str, Any]:
    """The ``.Values`` the chart templates see: the chart defaults coalesced with ``values``."""
    return coalesce(values, chart_defaults(chart_version))
