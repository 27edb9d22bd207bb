"""Snapshot tests of every wizard screen at 100x32 (offline, from bundled presets: no clock, no randomness).

Update after an intended change with ``pytest tests/tui/test_snapshots.py --snapshot-update`` and look at the
report before committing.
"""

from __future__ import annotations

from typing import Any

import pytest

from raywizard.tui.wizard.app import create_app
from tests.tui.conftest import SIZE
from tests.waiting import wait_until

pytestmark = pytest.mark.usefixtures("no_kubeconfig")


def wizard(step: str | None = None, preset: str | None = "argocd-guide") -> Any:
    return create_app(preset=preset if step else None, offline=True, start_step=step)


@pytest.mark.parametrize("step", ["start", "versions", "target", "head", "workers", "sync", "preview", "apply"])
def test_step_screen(snap_compare: Any, step: str) -> None:
    assert snap_compare(wizard(step), terminal_size=SIZE)


def test_group_editor_modal(snap_compare: Any) -> None:
    assert snap_compare(wizard("workers"), press=["e"], terminal_size=SIZE)


def test_inline_error_blocks_next(snap_compare: Any) -> None:
    async def break_namespace(pilot: Any) -> None:
        editor = pilot.app.screen.query_one("#f-target-namespace")
        editor.focus()
        editor.value = "Bad_Name"
        # The edit travels through a few messages before the row shows it: wait for the row, not for a fixed time.
        await wait_until(pilot, lambda: pilot.app.screen.query(".field-message.-error"), what="the inline error")
        await pilot.pause()

    assert snap_compare(wizard("target"), run_before=break_namespace, terminal_size=SIZE)


def test_preview_problems_tab(snap_compare: Any) -> None:
    assert snap_compare(wizard("preview"), press=["]", "]", "]"], terminal_size=SIZE)


def test_field_help_modal(snap_compare: Any) -> None:
    assert snap_compare(wizard("head"), press=["question_mark"], terminal_size=SIZE)


def test_small_terminal_80x24(snap_compare: Any) -> None:
    assert snap_compare(wizard("head"), terminal_size=(80, 24))
