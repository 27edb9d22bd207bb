"""Following a pushed revision from the command line (``commit --wait``, ``root --apply``): progress on stderr."""

from __future__ import annotations

import sys
from typing import Any

from raywizard.model.textsafe import literal


def print_state(state: Any) -> None:
    line = f"[follow] {state.summary}"
    if state.blocker:
        line += f"\n    blocked by: {state.blocker}"
    print(literal(line), file=sys.stderr, flush=True)


def follow(conn: Any, target: Any, timeout: float) -> Any:
    from raywizard.kube.follow import follow_parent

    state = follow_parent(conn, target, timeout=timeout, on_progress=print_state)
    for line in state.lines:
        print(literal(f"  {line}", single_line=True), file=sys.stderr)
    return state


def target_from_repository(conn: Any, namespace: str, parent: str, revision: str | None = None,
                           ray_namespace: str | None = None) -> Any:
    from raywizard.kube.follow import FollowTarget

    del conn  # the children are read from the parent's status while following
    return FollowTarget(namespace, parent, revision=revision, ray_namespace=ray_namespace or "")
