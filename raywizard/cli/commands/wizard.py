"""`raywizard wizard` (also `raywizard` with no arguments): the Textual wizard."""

from __future__ import annotations

import argparse
import sys

HELP = "open the Textual wizard (the default command)"
DESCRIPTION = ("Walk through versions, target, head, worker groups and sync settings; preview the Argo CD "
               "Applications and their diff against the cluster; save them or apply them.")
EXAMPLES = """\
examples:
  raywizard                                   start screen: preset, open files, or tweak a running cluster
  raywizard wizard --preset gpu               start from a bundled preset
  raywizard wizard --from apps.yaml           edit the guide's Application file in place (keeps comments)
  raywizard wizard --from crds.yaml operator.yaml cluster.yaml --context prod
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--preset", metavar="NAME", help="start from this preset (raywizard presets lists them)")
    source.add_argument("--from", dest="files", metavar="FILE", nargs="+",
                        help="open these Application files (single or split), an ApplicationSet or a chart values "
                             "file")
    parser.add_argument("--checkout", metavar="DIR", action="append", default=[],
                        help="a local git checkout holding the $ref/... value files of a multi-source Application "
                             "(repeatable; the repository the --from file is in is used anyway)")
    parser.add_argument("--kubeconfig", metavar="PATH", help="kubeconfig file (default: KUBECONFIG, ~/.kube/config)")
    parser.add_argument("--context", metavar="NAME", help="kube context to preview the diff and apply against")
    parser.add_argument("--offline", action="store_true", help="never talk to a cluster")


def run(args: argparse.Namespace) -> int:
    from raywizard.model.errors import InputError

    if not sys.stdin.isatty() or not sys.stdout.isatty():
        raise InputError("the wizard needs a terminal",
                         "use raywizard render --preset NAME / --from FILE, or raywizard init for prompts")
    from raywizard.tui.wizard.app import create_app

    app = create_app(preset=getattr(args, "preset", None), files=getattr(args, "files", None),
                     checkouts=list(getattr(args, "checkout", None) or []),
                     kubeconfig=getattr(args, "kubeconfig", None), context=getattr(args, "context", None),
                     offline=bool(getattr(args, "offline", False)), offer_recovery=True)
    result = app.run()
    return app.return_code or int(result or 0)  # non-zero after a crash (the recovery message says why)
