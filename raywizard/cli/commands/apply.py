"""raywizard apply: preview, confirm, then server-side apply CRDs, operator, RayCluster, waiting for each."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from raywizard.kube.apply import StepProgress
    from raywizard.kube.connection import Connection

from raywizard.model.textsafe import literal

HELP = "preview and apply the Applications in order (CRDs, operator, RayCluster), waiting for each"
DESCRIPTION = (
    "Server-side apply (field manager raywizard) of the three Applications in order, each followed by a\n"
    "wait like `argocd app wait` (Synced, Healthy, no operation running) plus Ray readiness for the\n"
    "RayCluster.\n"
    "The preview is what gets applied: if the live Applications change before you confirm, apply refuses\n"
    "and shows the new diff (unless --force). Fields owned by other managers are never taken over without\n"
    "--force."
)
EXAMPLES = """\
examples:
  raywizard apply --preset argocd-guide
  raywizard apply --from ray-apps.yaml --yes --timeout 900
  raywizard apply --from ray-apps.yaml --dry-run        preview only, exit 1 when something would change
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from raywizard.cli.commands._cluster_args import add_cluster_arguments
    from raywizard.cli.commands._inputs import add_input_arguments

    add_input_arguments(parser, layout=False)
    add_cluster_arguments(parser)
    parser.add_argument("-y", "--yes", action="store_true", help="do not ask for confirmation")
    parser.add_argument("--dry-run", action="store_true", help="show the preview only; write nothing")
    parser.add_argument("--no-wait", action="store_true", help="apply all three without waiting in between")
    parser.add_argument(
        "--timeout",
        type=float,
        default=600,
        metavar="SECONDS",
        help="give up waiting after this long in total (default 600)",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="apply even if the cluster changed since the preview, take ownership of fields other managers own, "
             "and apply Applications a parent Application manages (it reverts them when it self-heals)",
    )


def _progress_printer(stream: TextIO) -> Callable[[StepProgress], None]:
    from raywizard.model.textsafe import literal

    def show(progress: StepProgress) -> None:
        line = f"[{progress.step}] {progress.phase}: {literal(progress.message, single_line=True)}"
        if progress.app_status:
            line += f" ({literal(progress.app_status, single_line=True)})"
        if progress.blocker:
            line += f"\n    blocked by: {literal(progress.blocker, single_line=True)}"
        print(line, file=stream, flush=True)

    return show


def run(args: argparse.Namespace) -> int:
    from raywizard.cli.commands._cluster_args import confirm, connect, spec_from
    from raywizard.cli.commands.diff import print_managed, print_report, print_scale_notes
    from raywizard.cli.commands.validate import print_problems
    from raywizard.kube.apply import PlanOutdated, execute_apply, plan_apply
    from raywizard.kube.tracking import ManagedByParent, commit_hint, reverted_note
    from raywizard.model.errors import InputError
    from raywizard.model.problems import has_errors
    from raywizard.render.applicationsets import refuse_on_cluster
    from raywizard.validation.validate import validate

    spec = spec_from(args)
    refuse_on_cluster(spec, "apply")
    problems = validate(spec)
    print_problems(problems, stream=sys.stderr, quiet_ok=True)
    if has_errors(problems):
        raise InputError("not applied because of the errors above", "fix them (raywizard validate) and retry")
    conn = connect(args)
    try:
        print(literal(f"apply to {conn.banner()}"), file=sys.stderr)
        plan = plan_apply(conn, spec)
        print_report(plan.report)
        print_scale_notes(plan.scale_notes)
        for conflict in plan.conflicts:
            print(literal(f"conflict: {conflict}"), file=sys.stderr)
        print_managed(plan.parents)
        if args.dry_run:
            return 1 if plan.has_changes else 0
        if plan.parents and not args.force:
            raise ManagedByParent(plan.parents)
        if plan.parents:
            parent = next(iter(plan.parents.values()))
            print(literal(f"warning: applying anyway (--force); {reverted_note(parent)}; {commit_hint(parent)}",
                          single_line=True), file=sys.stderr)
        if not plan.has_changes and not args.force:
            print("Applications already up to date; checking that they are synced and ready", file=sys.stderr)
        else:
            limits = " (with the scale warnings above)" if plan.scale_notes else ""
            confirm(f"apply these changes{limits} to {conn.banner()}?", args.yes)
        try:
            result = execute_apply(
                conn,
                plan,
                wait=not args.no_wait,
                timeout=args.timeout,
                force=args.force,
                on_progress=_progress_printer(sys.stderr),
                over_parent=args.force,
            )
        except PlanOutdated as outdated:
            print(literal(f"raywizard: {outdated.message}; the current diff:"), file=sys.stderr)
            print_report(plan_apply(conn, spec).report)
            raise
        changed = ", ".join(f"{s.application} {s.outcome}" for s in result.steps)
        print(literal(f"applied: {changed}"), file=sys.stderr)
        if not args.no_wait:
            offer_restarts(conn, plan.ray_namespace, plan.raycluster_name, ask=not args.yes and sys.stdin.isatty())
    finally:
        conn.close()
    return 0


def offer_restarts(conn: Connection, namespace: str, raycluster: str, *, ask: bool) -> None:
    """After an apply: per group, the running pods that still run an older pod template (KubeRay does not
    restart them, docs/template-drift.md) and the command that recreates them; on a terminal (``ask``) the
    offer to restart the group now, with a confirmation naming the count. Declining changes nothing."""
    from raywizard.kube.template_drift import old_template_groups, restart_group

    for drift in old_template_groups(conn, namespace, raycluster):
        command = f"raywizard restart {drift.group} --namespace {namespace}"
        print(literal(f"{drift.line()}; KubeRay does not restart them", single_line=True), file=sys.stderr)
        if not ask:
            print(literal(f"  `{command}` recreates them", single_line=True), file=sys.stderr)
            continue
        question = (
            f"Restart group {drift.group} now: delete its {drift.total} pod(s) so that KubeRay recreates them from "
            "the new template (work running on them is lost)?"
        )
        sys.stderr.write(literal(question, single_line=True) + " [y/N] ")
        sys.stderr.flush()
        try:
            answer = sys.stdin.readline().strip().lower()
        except (EOFError, KeyboardInterrupt):
            answer = ""
        if answer in ("y", "yes"):
            count = restart_group(conn, namespace, raycluster, drift.group)
            print(literal(f"deleted {count} pod(s) of {drift.group}; KubeRay recreates them"), file=sys.stderr)
        else:
            print(literal(f"  not restarted; `{command}` does it later", single_line=True), file=sys.stderr)
