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
  raywizard refresh --wait           wait until Argo CD has compared again and print sync and health
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
    from raywizard.cli.commands.sync import add_wait_arguments

    add_wait_arguments(parser, "the refresh")


def run(args: argparse.Namespace) -> int:
    from raywizard.cli.commands._cluster_args import connect, print_banner, spec_from
    from raywizard.cli.commands._operation_report import refresh_report
    from raywizard.cli.commands.sync import app_names
    from raywizard.kube.operations import refresh_application, wait_for_refresh

    spec = spec_from(args)
    namespace = spec.target.argocd_namespace
    conn = connect(args)
    try:
        print_banner(conn, "refresh")
        for index, name in enumerate(app_names(args, spec)):
            refresh_application(conn, namespace, name, hard=args.hard)
            kind = "hard refresh" if args.hard else "refresh"
            print(literal(f"Application {namespace}/{name}: {kind} requested"), file=sys.stderr, flush=True)
            if args.wait:
                app = wait_for_refresh(conn, namespace, name, timeout=args.timeout)
                if index:
                    print()
                sys.stdout.write(refresh_report(app))
                sys.stdout.flush()
    finally:
        conn.close()
    return 0
