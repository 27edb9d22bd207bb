"""raywizard refresh: ask Argo CD to compare again (annotation argocd.argoproj.io/refresh)."""

from __future__ import annotations

import argparse
import sys

from raywizard.model.textsafe import literal

HELP = "ask Argo CD to refresh Applications (--hard also regenerates manifests)"
EXAMPLES = """\
examples:
  raywizard refresh
  raywizard refresh raycluster --hard
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from raywizard.cli.commands._cluster_args import add_cluster_arguments, add_target_arguments

    parser.add_argument("apps", nargs="*", metavar="APP", help="Application names (default: all three)")
    add_target_arguments(parser)
    add_cluster_arguments(parser)
    # Accepted for scripts that pass --yes to every writing command (apply and delete ask; sync and refresh
    # only ask Argo CD to act on what is already there, so they do not).
    parser.add_argument("-y", "--yes", action="store_true", help="accepted for symmetry with apply/delete; no effect")
    parser.add_argument(
        "--hard", action="store_true", help="hard refresh: regenerate manifests from the source"
    )


def run(args: argparse.Namespace) -> int:
    from raywizard.cli.commands._cluster_args import connect, print_banner, spec_from
    from raywizard.cli.commands.sync import app_names
    from raywizard.kube.operations import refresh_application

    spec = spec_from(args)
    conn = connect(args)
    try:
        print_banner(conn, "refresh")
        for name in app_names(args, spec):
            refresh_application(conn, spec.target.argocd_namespace, name, hard=args.hard)
            kind = "hard refresh" if args.hard else "refresh"
            print(literal(f"Application {spec.target.argocd_namespace}/{name}: {kind} requested"), file=sys.stderr)
    finally:
        conn.close()
    return 0
