"""raywizard diff: what apply would change, like `kubectl diff` and `argocd app diff` (exit 0 / 1 / >1)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from raywizard.diff.report import DiffReport
    from raywizard.kube.tracking import ParentApplication
    from raywizard.model.scale_limits import ScaleLimitNote

from raywizard.model.textsafe import literal

HELP = "show what apply would change in the cluster (exit 0: none, 1: differences, >1: error)"
DESCRIPTION = (
    "Compare the Applications of the spec with the live ones (server-side dry-run apply) and the RayCluster\n"
    "that Argo CD will render with the live one, normalised by the spec's ignoreDifferences like Argo CD.\n"
    "Differences that ignoreDifferences hides (e.g. replicas set by the autoscaler) are listed separately."
)
EXAMPLES = """\
examples:
  raywizard diff --preset argocd-guide
  raywizard diff --from ray-apps.yaml --set workerGroups.standard-worker.maxReplicas=50
  raywizard diff --from ray-apps.yaml -o json | jq '.resources[].changed'
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from raywizard.cli.commands._cluster_args import add_cluster_arguments
    from raywizard.cli.commands._inputs import add_input_arguments

    add_input_arguments(parser, layout=False)
    add_cluster_arguments(parser)
    parser.add_argument(
        "-o",
        "--output",
        choices=("diff", "json"),
        default="diff",
        help="unified diff (coloured on a terminal) or JSON (default: diff)",
    )


def print_report(report: DiffReport, stream: TextIO | None = None, *, color: bool | None = None) -> None:
    """The unified diff, then one line per change and per ignored difference."""
    from raywizard.cli.commands._cluster_args import use_color
    from raywizard.model.textsafe import literal

    out = stream or sys.stdout
    paint = use_color(out) if color is None else color
    text = report.unified(color=paint)
    if text:
        out.write(text)
    lines = report.summary_lines()
    if lines:
        out.write("\nsummary:\n")
        for line in lines:
            out.write(f"  {literal(line, single_line=True)}\n")
    if not report.has_changes:
        out.write("no differences\n" if not lines else "no differences (only ignored ones)\n")


def run(args: argparse.Namespace) -> int:
    from raywizard.cli.commands._cluster_args import connect, spec_from
    from raywizard.kube.apply import plan_apply
    from raywizard.render.applicationsets import refuse_on_cluster

    spec = spec_from(args)
    refuse_on_cluster(spec, "diff")
    conn = connect(args)
    try:
        print(literal(f"diff against {conn.banner()}"), file=sys.stderr)
        plan = plan_apply(conn, spec)
    finally:
        conn.close()
    report = plan.report
    if args.output == "json":
        import json

        document = report.as_dict()
        document["scaleWarnings"] = [note.as_dict() for note in plan.scale_notes]
        document["managedBy"] = {child: managed_by_dict(parent) for child, parent in plan.parents.items()}
        sys.stdout.write(json.dumps(document, indent=2, default=str) + "\n")
    else:
        print_report(report)
        print_scale_notes(plan.scale_notes)
        for conflict in plan.conflicts:
            print(literal(f"conflict: {conflict}"), file=sys.stderr)
        print_managed(plan.parents)
    return 1 if report.has_changes else 0


def managed_by_dict(parent: ParentApplication) -> dict[str, object]:
    return {"name": parent.name, "namespace": parent.namespace, "repoURL": parent.repo_url, "path": parent.path,
            "targetRevision": parent.target_revision, "revision": parent.revision, "selfHeal": parent.self_heal,
            "tracking": parent.method}


def print_managed(parents: dict[str, ParentApplication], stream: TextIO | None = None) -> None:
    """``Application raycluster: managed by Application ray-root (repo, path, revision)`` per managed child."""
    from raywizard.kube.tracking import managed_lines

    out = stream or sys.stderr
    for line in managed_lines(parents):
        out.write(line + "\n")


def print_scale_notes(notes: Sequence[ScaleLimitNote], stream: TextIO | None = None) -> None:
    """One 'warning:' line per group whose new maxReplicas/minReplicas is below the workers it runs, saying
    what KubeRay and the autoscaler will do with the surplus (docs/scale-limits.md)."""
    out = stream or sys.stderr
    for note in notes:
        out.write(literal(f"warning: {note.line()}", single_line=True) + "\n")
