"""Whole journeys through the wizard, asserting on the files written."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Static, TabbedContent

from raywizard.render.applications import render_files
from raywizard.tui.common.dialogs import ConfirmModal, SaveModal
from raywizard.tui.wizard.app import create_app
from raywizard.tui.wizard.screens.group_edit import GroupEditModal
from raywizard.tui.wizard.screens.preview import changed_line_count, file_changes
from raywizard.tui.wizard.wizard_model import WizardStep
from tests.tui.conftest import SIZE
from tests.tui.helpers import fill, settle, type_into

pytestmark = pytest.mark.usefixtures("no_kubeconfig")


async def test_preset_edit_group_save_equals_render(tmp_path: Path) -> None:
    """(a) preset -> edit a group -> save -> the file is exactly what `raywizard render` writes for the spec."""
    app = create_app(offline=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")  # the highlighted preset: argocd-guide
        await settle(pilot)
        assert app.current_step is WizardStep.VERSIONS
        for _ in range(3):
            await pilot.press("ctrl+n")
            await settle(pilot)
        assert app.current_step is WizardStep.WORKERS
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, GroupEditModal)
        await type_into(pilot, "#f-workerGroups-maxReplicas", "40")
        await type_into(pilot, "#f-workerGroups-memoryLimit", "2G")
        await pilot.press("ctrl+s")
        await settle(pilot)
        for _ in range(2):
            await pilot.press("ctrl+n")
            await settle(pilot)
        assert app.current_step is WizardStep.PREVIEW
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, SaveModal)
        target = tmp_path / "out" / "ray-cluster.yaml"
        await fill(pilot, "#save-path", str(target))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)  # the folder out/ does not exist: asked first
        await pilot.press("y")
        await settle(pilot)
        spec = app.model.spec
        assert spec.worker_groups[0].max_replicas == 40
        assert not app.model.dirty
    (expected,) = render_files(spec, "single").values()
    assert target.read_text(encoding="utf-8") == expected
    assert "maxReplicas: 40" in expected


async def test_open_guide_change_max_one_line_diff_keeps_comments(guide_cluster_file: Path) -> None:
    """(b) open the guide's file -> change maxReplicas -> preview shows a one-line diff -> save keeps comments."""
    original = guide_cluster_file.read_text(encoding="utf-8")
    app = create_app(files=[guide_cluster_file], offline=True, start_step="workers")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        await type_into(pilot, "#f-workerGroups-maxReplicas", "150")
        await pilot.press("ctrl+s")
        await settle(pilot)
        app.goto(WizardStep.PREVIEW)
        await settle(pilot)
        app.screen.query_one(TabbedContent).active = "tab-changes"
        await settle(pilot)
        diff = file_changes(app.model.workspace)
        assert changed_line_count(diff) == 2  # one line out, one line in
        assert "-          maxReplicas: 200\n+          maxReplicas: 150" in diff
        assert "2 changed line(s)" in str(app.screen.query_one("#changes-view", Static).render())
        await pilot.press("ctrl+s")  # saves in place: the file it came from
        await settle(pilot)
        assert not app.model.dirty
    saved = guide_cluster_file.read_text(encoding="utf-8")
    assert "idleTimeoutSeconds: 600 # 10 minutes" in saved
    assert saved == original.replace("maxReplicas: 200", "maxReplicas: 150", 1)
    assert guide_cluster_file.with_name(guide_cluster_file.name + ".bak").read_text(encoding="utf-8") == original


async def test_split_save_writes_one_file_per_application(tmp_path: Path) -> None:
    app = create_app(preset="minimal", offline=True, start_step="preview")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, SaveModal)
        modal.query_one("#save-layout").value = "split"  # type: ignore[attr-defined]
        await fill(pilot, "#save-path", str(tmp_path / "apps"))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("y")
        await settle(pilot)
        spec = app.model.spec
    expected = render_files(spec, "split")
    for name, text in expected.items():
        assert (tmp_path / "apps" / name).read_text(encoding="utf-8") == text
    assert len(expected) == 3


async def test_save_as_leaves_the_opened_file_alone(guide_cluster_file: Path, tmp_path: Path) -> None:
    original = guide_cluster_file.read_text(encoding="utf-8")
    app = create_app(files=[guide_cluster_file], offline=True, start_step="preview")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.model.spec.worker_groups[0].max_replicas = 9
        app.spec_changed()
        app.action_save_as()
        await settle(pilot)
        assert isinstance(app.screen, SaveModal)
        target = tmp_path / "copy.yaml"
        await fill(pilot, "#save-path", str(target))
        await pilot.press("enter")
        await settle(pilot)
        spec = app.model.spec
    assert guide_cluster_file.read_text(encoding="utf-8") == original
    (expected,) = render_files(spec, "single").values()
    assert target.read_text(encoding="utf-8") == expected


async def test_visiting_every_step_changes_nothing(guide_cluster_file: Path) -> None:
    """Opening a file and walking through every form (and the group editor) must not rewrite a single value,
    even where the file writes a number the form shows as text (`cpu: 1`)."""
    guide_cluster_file.write_text(guide_cluster_file.read_text(encoding="utf-8").replace('cpu: "1"', "cpu: 1"),
                                  encoding="utf-8")
    app = create_app(files=[guide_cluster_file], offline=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for _ in range(3):
            await pilot.press("ctrl+n")
            await settle(pilot)
        assert app.current_step is WizardStep.WORKERS
        await pilot.press("e")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        for _ in range(2):
            await pilot.press("ctrl+n")
            await settle(pilot)
        assert app.current_step is WizardStep.PREVIEW
        assert not app.model.dirty
        assert file_changes(app.model.workspace) == ""
