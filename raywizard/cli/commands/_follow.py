"""Following a pushed revision from the command line (``commit --wait``, ``root --apply``): progress on stderr."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from raywizard.model.textsafe import literal

if TYPE_CHECKING:
    from raywizard.kube.connection import Connection
    from raywizard.kube.follow import FollowState, FollowTarget


def print_state(state: FollowState) -> None:
    line = f"[follow] {state.summary}"
    if state.blocker:
        line += f"\n    blocked by: {state.blocker}"
    print(literal(line), file=sys.stderr, flush=True)


def follow(conn: Connection, target: FollowTarget, timeout: float) -> FollowState:
    from raywizard.kube.follow import follow_parent

    state = follow_parent(conn, target, timeout=timeout, on_progress=print_state)
    for line in state.lines:
        print(literal(f"  {line}", single_line=True), file=sys.stderr)
    return state


def parent_target(namespace: str, parent: str) -> FollowTarget:
    """Follow ``parent`` to whatever its branch resolves to; its children and RayCluster are read while following."""
    from raywizard.kube.follow import FollowTarget

    return FollowTarget(namespace, parent)
