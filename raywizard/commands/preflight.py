"""raywizard preflight: can this spec be deployed to this cluster? (exit 1 when a check fails)"""

from __future__ import annotations

import argparse
import sys

HELP = "check the cluster before applying: API, Argo CD, namespaces, permissions, existing Applications"
EXAMPLES = """\
examples:
  raywizard preflight --preset argocd-guide
  raywizard preflight --context prod -o json
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from raywizard.commands._cluster_args import add_cluster_arguments, add_target_arguments

    add_target_arguments(parser)
    add_cluster_arguments(parser)
    parser.add_argument("-o", "--output", choices=("text", "json"), default="text")


def run(args: argparse.Namespace) -> int:
    import json

    from raywizard.commands._cluster_args import connect, spec_from, use_color
    from raywizard.kube.preflight import run_preflight
    from raywizard.textsafe import literal

    spec = spec_from(args)
    conn = connect(args)
    try:
        print(f"preflight for {conn.banner()}", file=sys.stderr)
        checks = run_preflight(conn, spec)
    finally:
        conn.close()
    if args.output == "json":
        print(json.dumps([c.as_dict() for c in checks], indent=2))
    else:
        color = use_color(sys.stdout)
        marks = {"ok": ("ok  ", "32"), "warn": ("warn", "33"), "fail": ("FAIL", "31")}
        for check in checks:
            mark, code = marks.get(check.status, (check.status, "0"))
            label = f"\x1b[{code}m{mark}\x1b[0m" if color else mark
            print(f"{label} {literal(check.name)}: {literal(check.detail, single_line=True)}")
            if check.fix and check.status != "ok":
                print(f"     fix: {literal(check.fix, single_line=True)}")
    return 1 if any(c.status == "fail" for c in checks) else 0
