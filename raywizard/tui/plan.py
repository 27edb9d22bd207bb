"""The wizard's view of the cluster layer's apply (``raywizard.kube.apply``): plan and apply jobs for workers,
and how a plan and its progress are shown."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

STEP_TITLES = {"crds": "KubeRay CRDs", "operator": "KubeRay operator", "raycluster": "RayCluster"}


def plan_job(connection: Any, spec: Any) -> Callable[[], Any]:
    def job() -> Any:
        from raywizard.kube.apply import plan_apply

        return plan_apply(connection, spec)

    return job


def plan_reports(plan: Any) -> list[tuple[str, Any]]:
    """(title, DiffReport) pairs of a plan: the Applications, then the RayCluster Argo CD will render."""
    from raywizard.diff import DiffReport

    return [("Argo CD Applications (dry-run apply vs live)", DiffReport([a.diff for a in plan.apps])),
            ("RayCluster (chart render vs live)", DiffReport([plan.raycluster]))]


def plan_steps(plan: Any) -> list[tuple[str, str]]:
    """(step key, title) in apply order."""
    return [(app.step, f"{STEP_TITLES.get(app.step, app.step)}: Application {app.name}") for app in plan.apps]


def apply_job(connection: Any, plan: Any, on_progress: Callable[[Any], Any]) -> Callable[[], Any]:
    def job() -> Any:
        from raywizard.kube.apply import execute_apply

        return execute_apply(connection, plan, wait=True, on_progress=on_progress)

    return job


def progress_fields(progress: Any) -> tuple[str, str, str]:
    """(step key, phase, message) of a StepProgress, the message carrying the Argo CD status or the blocker."""
    parts = [progress.message]
    if getattr(progress, "app_status", "") and progress.app_status not in progress.message:
        parts.append(progress.app_status)
    if getattr(progress, "blocker", None):
        parts.append(f"blocked: {progress.blocker}")
    return str(progress.step), str(progress.phase), " · ".join(str(p) for p in parts if p)
