"""raywizard sync: start an Argo CD sync of one or all of our Applications (the `operation` field)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from raywizard.model.textsafe import literal

if TYPE_CHECKING:
    from raywizard.model.spec import ClusterSpec

HELP = "sync Applications through Argo CD (like `argocd app sync`), refusing while an operation runs"
EXAMPLES = """\
examples:
  raywizard sync                     sync the three Applications of the default spec
  raywizard sync raycluster --prune
  raywizard sync --from ray-apps.yaml --revision v1.5.1
  raywizard sync raycluster --wait   wait for the operation and print its result (exit 1 if it failed)
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from raywizard.cli.commands._cluster_args import add_cluster_arguments, add_target_arguments

    parser.add_argument("apps", nargs="*", metavar="APP", help="Application names (default: all three)")
    add_target_arguments(parser)
    add_cluster_arguments(parser)
    # Accepted for scripts that pass --yes to every writing command (apply and delete ask; sync and refresh
    # only ask Argo CD to act on what is already there, so they do not).
    parser.add_argument("-y", "--yes", action="store_true", help="accepted for symmetry with apply/delete; no effect")
    parser.add_argument("--prune", action="store_true", help="delete resources no longer in the source")
    parser.add_argument("--revision", metavar="REV", help="sync to this revision instead of targetRevision")
    add_wait_arguments(parser, "the sync operation")


def add_wait_arguments(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument(
        "--wait",
        action="store_true",
        help=f"wait for {what} to finish on each Application in turn and print the result",
    )
    parser.add_argument(
        "--timeout", type=float, default=300, metavar="SECONDS", help="with --wait: give up after this long (300)"
    )


def app_names(args: argparse.Namespace, spec: ClusterSpec) -> list[str]:
    from raywizard.render import applications as manifests

    return list(args.apps) or [app["metadata"]["name"] for app in manifests.render_applications(spec)]


def run(args: argparse.Namespace) -> int:
    """0 when every sync was requested (or, with --wait, succeeded); 1 when a waited-for operation ended
    Failed or Error, as `argocd app sync` exits."""
    from raywizard.cli.commands._cluster_args import connect, print_banner, spec_from
    from raywizard.cli.commands._operation_report import operation_phase, sync_report
    from raywizard.kube.operations import sync_application, wait_for_operation

    spec = spec_from(args)
    namespace = spec.target.argocd_namespace
    failed: list[str] = []
    conn = connect(args)
    try:
        print_banner(conn, "sync")
        for index, name in enumerate(app_names(args, spec)):
            sync_application(conn, namespace, name, revision=args.revision, prune=args.prune)
            print(literal(f"Application {namespace}/{name}: sync requested"), file=sys.stderr, flush=True)
            if not args.wait:
                continue
            app = wait_for_operation(conn, namespace, name, timeout=args.timeout)
            if index:
                print()
            sys.stdout.write(sync_report(app))
            sys.stdout.flush()
            phase = operation_phase(app)
            if phase != "Succeeded":
                failed.append(f"{name} ({phase})")
    finally:
        conn.close()
    if failed:
        print(literal(f"operation completed with a failure: {', '.join(failed)}"), file=sys.stderr)
        return 1
    if not args.wait:
        print("follow progress with: raywizard status --watch", file=sys.stderr)
    return 0
