"""raywizard sync: start an Argo CD sync of one or all of our Applications (the `operation` field)."""

from __future__ import annotations

import argparse
import sys

from raywizard.model.textsafe import literal

HELP = "sync Applications through Argo CD (like `argocd app sync`), refusing while an operation runs"
EXAMPLES = """\
examples:
  raywizard sync                     sync the three Applications of the default spec
  raywizard sync raycluster --prune
  raywizard sync --from ray-apps.yaml --revision v1.5.1
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


def app_names(args: argparse.Namespace, spec) -> list[str]:  # type: ignore[no-untyped-def]
    from raywizard.render import applications as manifests

    return list(args.apps) or [app["metadata"]["name"] for app in manifests.render_applications(spec)]


def run(args: argparse.Namespace) -> int:
    from raywizard.cli.commands._cluster_args import connect, print_banner, spec_from
    from raywizard.kube.operations import sync_application

    spec = spec_from(args)
    conn = connect(args)
    try:
        print_banner(conn, "sync")
        for name in app_names(args, spec):
            sync_application(
                conn, spec.target.argocd_namespace, name, revision=args.revision, prune=args.prune
            )
            print(literal(f"Application {spec.target.argocd_namespace}/{name}: sync requested"), file=sys.stderr)
    finally:
        conn.close()
    print("follow progress with: raywizard status --watch", file=sys.stderr)
    return 0
