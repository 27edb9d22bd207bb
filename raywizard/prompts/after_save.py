"""After `raywizard init` saved the files: optionally diff and apply them.

Runs the `diff` and `apply` subcommands themselves on the saved files (same preview, confirmation, waits and
exit codes), so init never grows a second copy of the cluster logic. They are imported only when asked for,
so ``init`` works, and starts fast, without a cluster or the kubernetes client.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from raywizard.model.textsafe import literal

if TYPE_CHECKING:
    from raywizard.prompts.ask import Asker


def command_available(name: str) -> bool:
    try:
        importlib.import_module(f"raywizard.cli.commands.{name}")
        importlib.import_module("raywizard.kube.apply")
    except ModuleNotFoundError:
        return False
    return True


def cluster_flags(args: argparse.Namespace) -> list[str]:
    flags: list[str] = []
    if getattr(args, "kubeconfig", None):
        flags += ["--kubeconfig", str(args.kubeconfig)]
    if getattr(args, "context", None):
        flags += ["--context", str(args.context)]
    if getattr(args, "request_timeout", None) is not None:
        flags += ["--request-timeout", str(args.request_timeout)]
    return flags


def run_subcommand(argv: list[str]) -> int:
    from raywizard.cli.main import build_parser

    parsed = build_parser().parse_args(argv)
    return int(parsed._command_module.run(parsed) or 0)


def diff_and_apply(args: argparse.Namespace, written: list[Path], asker: Asker | None) -> int:
    """Run what ``--diff``/``--apply`` asked for; interactively, offer both when the cluster code exists."""
    say = asker.say if asker is not None else (lambda text: print(literal(text), file=sys.stderr))
    want_diff, want_apply = bool(args.diff), bool(args.apply)
    if asker is not None and written and not (want_diff or want_apply) and command_available("apply"):
        choice = asker.select("Next:", [("Done", "done"), ("Diff against the cluster", "diff"),
                                        ("Preview and apply to the cluster", "apply")], default="done")
        want_diff, want_apply = choice == "diff", choice == "apply"
    if not (want_diff or want_apply):
        return 0
    what = "apply" if want_apply else "diff"
    if not written:
        say(f"raywizard: nothing was saved, so there is nothing to {what}: write a file with -o FILE first.")
        return 2
    if not command_available(what):
        say(f"raywizard: `{what}` is not available in this build; the files were saved: run "
            f"`raywizard {what} --from {written[0]}` once it is.")
        return 2
    sources: list[str] = []
    for path in written:
        sources += ["--from", str(path)]
    if want_diff and not want_apply:
        code = run_subcommand(["diff", *sources, *cluster_flags(args)])
        return 0 if code == 1 else code  # 1 = "there are differences", expected right after an edit
    extra: list[str] = ["--yes"] if getattr(args, "yes", False) else []  # init --yes: consent given
    return run_subcommand(["apply", *sources, *cluster_flags(args), *extra])
