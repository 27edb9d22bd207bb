"""raywizard preflight: can this spec be deployed to this cluster? (exit 1 when a check fails)"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from raywizard.kube.preflight import Check
    from raywizard.model.spec import ClusterSpec

from raywizard.model.textsafe import literal

HELP = "check the cluster before applying: API, Argo CD, namespaces, permissions, existing Applications"
EXAMPLES = """\
examples:
  raywizard preflight --preset argocd-guide
  raywizard preflight --context prod -o json
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from raywizard.cli.commands._cluster_args import add_cluster_arguments, add_target_arguments

    add_target_arguments(parser)
    add_cluster_arguments(parser)
    parser.add_argument("-o", "--output", choices=("text", "json"), default="text")


def _progress(spec: ClusterSpec) -> Callable[[str, list[Check]], None] | None:
    """On a terminal, one stderr line updated as each check finishes (they run at once); nothing when piped."""
    import threading

    from raywizard.kube.preflight import check_names

    if not sys.stderr.isatty():
        return None
    pending = check_names(spec)
    total = len(pending)
    lock = threading.Lock()

    def show(name: str, checks: list[Check]) -> None:
        with lock:
            if name in pending:
                pending.remove(name)
            worst = "FAIL" if any(c.status == "fail" for c in checks) else "ok"
            line = f"{total - len(pending)}/{total} checks done ({name}: {worst})"
            if pending:
                line += f"; waiting for {', '.join(pending)}"
            sys.stderr.write("\r\x1b[2K" + line[:200])
            if not pending:
                sys.stderr.write("\r\x1b[2K")
            sys.stderr.flush()

    return show


def run(args: argparse.Namespace) -> int:
    import json

    from raywizard.cli.commands._cluster_args import connect, spec_from, use_color
    from raywizard.kube.preflight import run_preflight

    spec = spec_from(args)
    conn = connect(args)
    try:
        print(literal(f"preflight for {conn.banner()}"), file=sys.stderr)
        checks = run_preflight(conn, spec, on_check=_progress(spec))
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
