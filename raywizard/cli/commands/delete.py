"""raywizard delete: delete our Applications (and, by default, what they deployed) in reverse order."""

from __future__ import annotations

import argparse
import sys

HELP = "delete the Applications in reverse order (RayCluster, operator, CRDs), cascading by default"
EXAMPLES = """\
examples:
  raywizard delete --preset argocd-guide
  raywizard delete --from ray-apps.yaml --yes --no-cascade
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from raywizard.cli.commands._cluster_args import add_cluster_arguments, add_target_arguments

    add_target_arguments(parser)
    add_cluster_arguments(parser)
    parser.add_argument("-y", "--yes", action="store_true", help="do not ask for confirmation")
    parser.add_argument(
        "--no-cascade",
        action="store_true",
        help="delete only the Applications; leave the RayCluster, operator and CRDs running",
    )
    parser.add_argument("--no-wait", action="store_true", help="do not wait for each deletion to finish")
    parser.add_argument("--timeout", type=float, default=300, metavar="SECONDS", help="(default 300)")


def run(args: argparse.Namespace) -> int:
    from raywizard.cli.commands._cluster_args import confirm, connect, print_banner, spec_from
    from raywizard.kube.cascade import cascade_plan
    from raywizard.kube.operations import delete_applications
    from raywizard.model.textsafe import literal
    from raywizard.render import applications as manifests

    spec = spec_from(args)
    names = [app["metadata"]["name"] for app in reversed(manifests.render_applications(spec))]
    conn = connect(args)
    try:
        print_banner(conn, "delete")
        what = "and everything they deployed " if not args.no_cascade else ""
        plans = [cascade_plan(conn, spec.target.argocd_namespace, name) for name in names]
        for plan in plans:
            for line in plan.lines(cascade=not args.no_cascade):
                print(literal(line), file=sys.stderr)
        confirm(
            f"delete Applications {', '.join(names)} in {spec.target.argocd_namespace} {what}"
            f"from {conn.banner()}?",
            args.yes,
        )
        if not args.no_cascade:
            for plan in plans:
                if plan.exists and plan.removes_crds:
                    confirm_by_name(plan, args.yes)
        delete_applications(
            conn,
            spec,
            cascade=not args.no_cascade,
            wait=not args.no_wait,
            timeout=args.timeout,
            on_progress=lambda message: print(literal(message), file=sys.stderr, flush=True),
        )
    finally:
        conn.close()
    return 0


def confirm_by_name(plan: object, assume_yes: bool) -> None:
    """The CRDs Application takes every Ray custom resource of the cluster with it: its name must be typed."""
    from raywizard.model.errors import Aborted
    from raywizard.model.textsafe import literal

    if assume_yes:
        return
    name = str(getattr(plan, "name", ""))
    total = int(getattr(plan, "custom_resource_total", 0))
    sys.stderr.write(
        literal(f"This deletes the Ray CRDs and {total} Ray custom resource(s) in the whole cluster. "
                f"Type {name} to confirm: ")
    )
    sys.stderr.flush()
    try:
        typed = sys.stdin.readline().strip()
    except (EOFError, KeyboardInterrupt):
        typed = ""
    if typed != name:
        raise Aborted("nothing was changed (the name did not match)")
