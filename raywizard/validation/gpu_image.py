"""A group that asks for GPUs but runs Ray's CPU image.

``rayproject/ray`` images without a platform suffix are the ``-cpu`` images (Ubuntu, no CUDA); the CUDA builds
carry ``-gpu`` or ``-cuXX`` (docs/domain/kuberay.md#ray-images). Pods of such a group get their GPUs, but Ray
and the libraries in the image cannot use them. It runs, so this is a warning, with the GPU image as the fix.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from raywizard.model.checks import parse_quantity
from raywizard.model.problems import Problem, Severity
from raywizard.model.spec import GPU_RESOURCE, ClusterSpec

_CPU_REPOSITORIES = {"rayproject/ray", "docker.io/rayproject/ray", "docker.io/library/rayproject/ray"}
_GPU_TAG = re.compile(r"-(gpu|cu\d+)(-|$)")


def _gpus(values: dict[str, Any]) -> Decimal:
    resources = values.get("resources")
    if not isinstance(resources, dict):
        return Decimal(0)
    for section in ("limits", "requests"):
        found = resources.get(section)
        if isinstance(found, dict) and found.get(GPU_RESOURCE) not in (None, ""):
            try:
                return parse_quantity(found[GPU_RESOURCE])
            except ValueError:
                return Decimal(0)
    return Decimal(0)


def gpu_image_checks(spec: ClusterSpec, merged: dict[str, dict[str, Any]]) -> list[Problem]:
    from raywizard.chart.sprig import template_print

    problems: list[Problem] = []
    for group, values in merged.items():
        if _gpus(values) <= 0:
            continue
        image = values.get("image") or {}
        repository, tag = template_print(image.get("repository")), template_print(image.get("tag"))
        if repository not in _CPU_REPOSITORIES or not tag or _GPU_TAG.search(tag):
            continue
        index = spec.group_index(group) if group != "head" else None
        path = "head.image" if group == "head" else f"workerGroups[{index}].image"
        if group != "head" and index is None:
            continue
        gpu_image = f"{repository}:{tag}-gpu"
        problems.append(Problem(
            path, f"{'the head' if group == 'head' else f'group {group!r}'} asks for GPUs but runs "
            f"{repository}:{tag}, Ray's CPU image (no CUDA): Ray cannot use the GPUs.",
            f"use the GPU image {gpu_image}", Severity.WARNING, "gpu-cpu-image", f"{path}={gpu_image}"))
    return problems
