"""After `raywizard init` saved the files: optionally diff and apply them, through the cluster code.

The cluster code (``raywizard.kube.apply``, ``raywizard.diff``) is imported only here and only when asked
for, so ``init`` works (and starts fast) without a cluster or the kubernetes client.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from raywizard.documents import Workspace
    from raywizard.prompts_ask import Asker


def _cluster_module(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:
            raise
        return None


def cluster_actions_available() -> bool:
    apply = _cluster_module("raywizard.kube.apply")
    return apply is not None and hasattr(apply, "plan_apply") and hasattr(apply, "execute_apply")


def _unavailable(what: str, say: Any) -> int:
    say(f"raywizard: {what} is not available in this build (raywizard/kube/apply.py is missing); the "
        f"files were saved: run `raywizard {what}` on them later.")
    return 2


def diff_and_apply(args: argparse.Namespace, workspace: Workspace, asker: Asker | None) -> int:
    """Run what ``--diff``/``--apply`` asked for; interactively, offer both when the cluster code exists."""
    say = asker.say if asker is not None else (lambda text: print(text, file=sys.stderr))
    want_diff, want_apply = bool(args.diff), bool(args.apply)
    if asker is not None and not (want_diff or want_apply) and cluster_actions_available():
        choice = asker.select("Next:", [("Done", "done"), ("Diff against the cluster", "diff"),
                                        ("Preview and apply to the cluster", "apply")], default="done")
        want_diff, want_apply = choice == "diff", choice == "apply"
    if not (want_diff or want_apply):
        return 0
    if not cluster_actions_available():
        return _unavailable("apply" if want_apply else "diff", say)
    from raywizard.prompts_cluster_run import run_cluster_actions

    return run_cluster_actions(args, workspace, asker, diff=want_diff or want_apply, apply=want_apply)
