"""Adapter to the cluster layer's apply planning and execution (``raywizard.kube.apply``), kept in one place so
the screens do not depend on the exact shape of ``ApplyPlan`` / ``StepProgress``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def _apply_module() -> Any:
    import importlib

    for name in ("raywizard.kube.apply", "raywizard.kube.applying", "raywizard.kube"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        if hasattr(module, "plan_apply"):
            return module
    from raywizard.errors import ClusterError

    raise ClusterError("this build has no apply support yet (raywizard.kube.plan_apply is missing)")


def plan_job(connection: Any, spec: Any) -> Callable[[], Any]:
    def job() -> Any:
        return _apply_module().plan_apply(connection, spec)

    return job


def plan_reports(plan: Any) -> list[tuple[str, Any]]:
    """(title, DiffReport) pairs of a plan: the Applications, then the RayCluster."""
    reports: list[tuple[str, Any]] = []
    for attr, title in (("applications", "Argo CD Applications"), ("application_diff", "Argo CD Applications"),
                        ("apps", "Argo CD Applications"), ("raycluster", "RayCluster (desired vs live)"),
                        ("raycluster_diff", "RayCluster (desired vs live)")):
        value = getattr(plan, attr, None)
        if value is not None and hasattr(value, "resources"):
            reports.append((title, value))
    return reports


def plan_steps(plan: Any) -> list[str]:
    steps = getattr(plan, "steps", None) or []
    return [str(getattr(step, "title", getattr(step, "name", step))) for step in steps]


def apply_job(connection: Any, plan: Any, on_progress: Callable[[Any], None]) -> Callable[[], Any]:
    def job() -> Any:
        return _apply_module().execute_apply(connection, plan, wait=True, on_progress=on_progress)

    return job


def progress_fields(progress: Any) -> tuple[str, str, str]:
    """(step, status, message) of a StepProgress."""
    step = getattr(progress, "step", None)
    name = getattr(step, "title", None) or getattr(step, "name", None) or getattr(progress, "name", None) or step
    status = getattr(progress, "status", getattr(progress, "state", ""))
    message = getattr(progress, "message", getattr(progress, "detail", ""))
    return str(name), str(getattr(status, "value", status)), str(message or "")
