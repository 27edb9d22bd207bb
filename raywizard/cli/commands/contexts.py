"""raywizard contexts: the kubeconfig contexts raywizard can use (no credentials shown)."""

from __future__ import annotations

import argparse

HELP = "list kubeconfig contexts (name, cluster, server, user; never credentials)"
EXAMPLES = """\
examples:
  raywizard contexts
  raywizard contexts --kubeconfig ~/.kube/sandbox.yaml -o json
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--kubeconfig", metavar="PATH", help="kubeconfig file (default: $KUBECONFIG, ~/.kube/config)"
    )
    parser.add_argument("-o", "--output", choices=("table", "json"), default="table")


def run(args: argparse.Namespace) -> int:
    import json
    from dataclasses import asdict

    from raywizard.kube.connection import list_contexts
    from raywizard.model.textsafe import literal

    contexts = list_contexts(args.kubeconfig)
    if args.output == "json":
        print(json.dumps([asdict(c) for c in contexts], indent=2))
        return 0
    rows = [("CURRENT", "NAME", "CLUSTER", "SERVER", "USER", "NAMESPACE")]
    rows += [("*" if c.current else "", c.name, c.cluster, c.server, c.user, c.namespace) for c in contexts]
    cells = [tuple(literal(v, single_line=True) for v in row) for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(cells[0]))]
    for row in cells:
        print("  ".join(value.ljust(width) for value, width in zip(row, widths, strict=True)).rstrip())
    return 0
