"""The wizard's view of the cluster layer's apply (``raywizard.kube.apply``): plan and apply jobs for workers,
and how a plan and its progress are shown."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from raywizard.diff.report import DiffReport
    from raywizard.kube.apply import ApplyPlan, ApplyResult, StepProgress
    from raywizard.kube.connection import Connection
    from raywizard.kube.template_drift import GroupDrift
    from raywizard.model.spec import ClusterSpec

STEP_TITLES = {"crds": "KubeRay CRDs", "operator": "KubeRay operator", "raycluster": "RayCluster"}


def plan_job(connection: Connection, spec: ClusterSpec) -> Callable[[], ApplyPlan]:
    def job() -> ApplyPlan:
        from raywizard.kube.apply import plan_apply
        from raywizard.render.applicationsets import refuse_on_cluster

        refuse_on_cluster(spec, "the live diff")
        return plan_apply(connection, spec)

    return job


def plan_reports(plan: ApplyPlan) -> list[tuple[str, DiffReport]]:
    """(title, DiffReport) pairs of a plan: the Applications, then the RayCluster Argo CD will render."""
    from raywizard.diff.report import DiffReport

    return [("Argo CD Applications (dry-run apply vs live)", DiffReport([a.diff for a in plan.apps])),
            ("RayCluster (chart render vs live)", DiffReport([plan.raycluster]))]


def plan_steps(plan: ApplyPlan) -> list[tuple[str, str]]:
    """(step key, title) in apply order."""
    return [(app.step, f"{STEP_TITLES.get(app.step, app.step)}: Application {app.name}") for app in plan.apps]


@dataclass
class Applied:
    """The answer of an apply that went through: the kube layer's result, and per group the running pods that
    still run the previous pod template (KubeRay does not restart them, docs/template-drift.md)."""

    result: ApplyResult
    old_templates: list[GroupDrift]
    old_templates_unknown: str = ""  # why the pods could not be compared, when they could not


@dataclass
class PlanOutdated:
    """The answer of an apply that refused to write because live Applications changed after the plan."""

    changed: list[str]


def apply_job(connection: Connection, plan: ApplyPlan, on_progress: Callable[[StepProgress], object], *,
              force: bool = False, over_parent: bool = False) -> Callable[[], Applied | PlanOutdated]:
    """``force`` takes ownership of fields another field manager owns (the plan's conflicts), as ``apply
    --force`` does; the user confirmed exactly that. A plan the cluster moved past comes back as
    ``PlanOutdated`` (not an error whose advice names CLI flags): the step plans again and shows it.
    ``over_parent``: the user confirmed applying Applications that a parent Application manages."""

    def job() -> Applied | PlanOutdated:
        from raywizard.kube import apply
        from raywizard.kube.template_drift import old_template_groups
        from raywizard.model.errors import ClusterError

        try:
            result = apply.execute_apply(connection, plan, wait=True, on_progress=on_progress, force=force,
                                         over_parent=over_parent)
        except apply.PlanOutdated as exc:
            return PlanOutdated(list(exc.changed))
        try:
            return Applied(result, old_template_groups(connection, plan.ray_namespace, plan.raycluster_name))
        except ClusterError as exc:
            return Applied(result, [], str(exc))

    return job


def change_summary(plan: ApplyPlan) -> list[str]:
    """One line per Application of what applying changes (for the confirmation)."""
    lines = []
    for app in plan.apps:
        title = STEP_TITLES.get(app.step, app.step)
        diff = app.diff
        what = {"added": "created", "removed": "removed", "unchanged": "no changes"}.get(
            diff.status, f"{len(diff.entries)} change(s)")
        lines.append(f"  {title}: Application {app.name} — {what}")
        if diff.status == "changed" and len(diff.entries) <= 3:  # a few: say which (the usual one-field edit)
            lines.extend(f"      {entry.describe()}" for entry in diff.entries)
    return lines


def progress_fields(progress: StepProgress) -> tuple[str, str, str]:
    """(step key, phase, message) of a StepProgress, the message carrying the Argo CD status or the blocker."""
    parts = [progress.message]
    if getattr(progress, "app_status", "") and progress.app_status not in progress.message:
        parts.append(progress.app_status)
    if getattr(progress, "blocker", None):
        parts.append(f"blocked: {progress.blocker}")
    return str(progress.step), str(progress.phase), " · ".join(str(p) for p in parts if p)


def managed_summary(plan: ApplyPlan) -> list[str]:
    """``Application raycluster: managed by Application ray-root (repo, path, revision)`` per managed child."""
    from raywizard.kube.tracking import managed_lines

    return managed_lines(getattr(plan, "parents", None) or {})
