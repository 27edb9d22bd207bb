"""The README's five-minute tour, key by key, at 80x24 and 160x48 on a sandbox of its own (as `raywizard demo`
starts one): Start with the context connected, the guide's preset, every step with ctrl+n, a group added in the
form, the Preview's tabs, Apply in order, and the dashboard."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable, Footer, OptionList, Static

from raywizard.sandbox.kubeconfig import NAME as SANDBOX_CONTEXT
from raywizard.tui.common.dialogs import ConfirmModal
from raywizard.tui.wizard.app import create_app
from raywizard.tui.wizard.screens.apply import ApplyScreen
from raywizard.tui.wizard.screens.group_edit import GroupEditModal
from raywizard.tui.wizard.wizard_model import WizardStep
from tests.plugins.sandbox import running_sandbox
from tests.tui.helpers import settle, type_into
from tests.waiting import wait_until

pytestmark = pytest.mark.cluster




def _text(app: Any, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def _next(pilot: Any, step: WizardStep) -> None:
    await pilot.press("ctrl+n")
    await settle(pilot)
    assert pilot.app.current_step is step, pilot.app.current_step
    assert pilot.app.screen.query(Footer)  # every step keeps its keys on screen at 80 columns


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
async def test_the_readme_tour(tmp_path: Path, size: tuple[int, int]) -> None:
    with running_sandbox(speed=20) as cluster:
        kubeconfig = cluster.write_kubeconfig(tmp_path / "kubeconfig")
        app = create_app(kubeconfig=str(kubeconfig), context=SANDBOX_CONTEXT, demo_note="sandbox")
        async with app.run_test(size=size) as pilot:
            # 1. Start: the context line shows the sandbox, its server and the preflight summary.
            await wait_until(pilot, lambda: app.connection is not None and not app.connecting)
            await settle(pilot)
            summary = _text(app, "#cluster-summary")
            assert SANDBOX_CONTEXT in summary and cluster.url in summary and "check(s) passed" in summary
            presets = app.screen.query_one("#presets", OptionList)
            assert str(presets.get_option_at_index(presets.highlighted or 0).id) == "argocd-guide"
            await pilot.press("enter")
            await settle(pilot)
            # 2. Versions -> Target -> Head: the guide's `latest` image is a warning; the head shows the
            # effective resources beside its inputs.
            assert app.current_step is WizardStep.VERSIONS
            assert any(p.path == "image.tag" and not p.is_error for p in app.model.problems)
            await _next(pilot, WizardStep.TARGET)
            await _next(pilot, WizardStep.HEAD)
            # 3. Worker groups: a adds a group in the form, ctrl+s applies it.
            await _next(pilot, WizardStep.WORKERS)
            groups = len(app.model.spec.worker_groups)
            await pilot.press("a")
            await settle(pilot)
            assert isinstance(app.screen, GroupEditModal)
            await type_into(pilot, "#f-workerGroups-maxReplicas", "4")
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert len(app.model.spec.worker_groups) == groups + 1
            assert app.screen.query_one("#groups", DataTable).row_count == groups + 1
            # 4. Sync & drift, 5. Preview: the tabs switch with the arrows; the Live diff compares with the sandbox.
            await _next(pilot, WizardStep.SYNC)
            await _next(pilot, WizardStep.PREVIEW)
            await pilot.press("right", "right")
            await settle(pilot)
            await wait_until(pilot, lambda: "will be created" in _text(app, "#live-view"))
            # 6. Apply: a confirmation naming the context and the server, then the three steps, then the dashboard.
            await _next(pilot, WizardStep.APPLY)
            await wait_until(pilot, lambda: isinstance(app.screen, ApplyScreen) and app.screen.plan is not None)
            assert isinstance(app.screen, ApplyScreen)
            screen: ApplyScreen = app.screen
            await pilot.press("a")
            await settle(pilot)
            assert isinstance(app.screen, ConfirmModal)
            assert SANDBOX_CONTEXT in app.screen.question and cluster.url in app.screen.question
            await pilot.press("y")
            await wait_until(pilot, lambda: screen.applied or "failed" in _text(app, "#apply-result") if
                            app.screen is screen else screen.applied, timeout=180)
            assert screen.applied
            # What the dashboard's "last apply" line shows: where each step ended, none still "applying".
            assert [line.split(":")[0] for line in screen.timeline] == ["crds", "operator", "raycluster"]
            assert not any(": applying" in line for line in screen.timeline), screen.timeline
            await wait_until(pilot, lambda: type(app.screen).__name__ == "DashboardScreen")
            await settle(pilot)
