"""Pilot tests of each wizard step: edits land in the ClusterSpec, derived views follow, errors block Next."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widget import Widget
from textual.widgets import DataTable, OptionList, Select, Static

from raywizard.tui.common.dialogs import ConfirmModal, ErrorModal, HelpModal
from raywizard.tui.wizard.app import create_app
from raywizard.tui.wizard.wizard_model import WizardStep
from tests.tui.conftest import SIZE
from tests.tui.helpers import fill, settle, type_into

pytestmark = pytest.mark.usefixtures("no_kubeconfig")


def text_of(app, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def test_start_new_from_preset_goes_to_versions() -> None:
    app = create_app(offline=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.current_step is WizardStep.START
        presets = app.screen.query_one("#presets", OptionList)
        names = [str(presets.get_option_at_index(i).id) for i in range(presets.option_count)]
        assert "minimal" in names and "argocd-guide" in names
        presets.focus()
        presets.highlighted = names.index("minimal")
        await pilot.press("enter")
        await settle(pilot)
        assert app.current_step is WizardStep.VERSIONS
        assert len(app.model.spec.worker_groups) == 1  # the minimal preset


async def test_start_opens_a_file(guide_cluster_file: Path) -> None:
    app = create_app(offline=True)
    async with app.run_test(size=SIZE) as pilot:
        await fill(pilot, "#open-paths", str(guide_cluster_file))
        await pilot.press("enter")
        await settle(pilot)
        assert app.current_step is WizardStep.VERSIONS
        assert app.model.workspace.paths == [guide_cluster_file]
        assert not app.model.dirty


async def test_start_reports_a_missing_file(tmp_path: Path) -> None:
    app = create_app(offline=True)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await fill(pilot, "#open-paths", str(tmp_path / "nope.yaml"))
        await pilot.press("enter")
        await settle(pilot)
        assert app.current_step is WizardStep.START
        assert isinstance(app.screen, ErrorModal) and "no such file" in app.screen.body


async def test_start_without_kubeconfig_stays_offline() -> None:
    app = create_app()
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await settle(pilot)
        summary = text_of(app, "#cluster-summary")
        assert "No kube contexts" in summary or "Offline" in summary
        assert app.connection is None


async def test_versions_mismatch_warns_and_notes_follow() -> None:
    app = create_app(preset="minimal", offline=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.current_step is WizardStep.VERSIONS
        select = app.screen.query_one("#f-versions-chart", Select)
        select.value = "1.7.0"
        await settle(pilot)
        assert app.model.spec.versions.chart == "1.7.0"
        assert "1.7" in text_of(app, "#release-notes")
        assert any(p.path.startswith("versions") for p in app.model.step_problems(WizardStep.VERSIONS))


async def test_invalid_text_is_shown_inline_and_blocks_next() -> None:
    app = create_app(preset="minimal", offline=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+n")  # -> target
        await settle(pilot)
        await type_into(pilot, "#f-target-namespace", "Not_A_Namespace")
        message = app.screen.query(".field-message.-shown")
        assert message, "the parse error is shown under the field"
        assert "Next disabled" in str(app.screen.query_one("#status-line", Static).render())
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert app.current_step is WizardStep.TARGET
        await type_into(pilot, "#f-target-namespace", "ray")
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert app.current_step is WizardStep.HEAD
        assert app.model.spec.target.namespace == "ray"


async def test_target_shows_raycluster_name_live() -> None:
    app = create_app(preset="argocd-guide", offline=True, start_step="target")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "raycluster-kuberay" in text_of(app, "#raycluster-name")
        await type_into(pilot, "#f-target-releaseName", "my-kuberay-prod")
        assert "my-kuberay-prod" in text_of(app, "#raycluster-name")
        assert app.model.spec.target.release_name == "my-kuberay-prod"


async def test_head_effective_resources_follow_inputs() -> None:
    app = create_app(preset="argocd-guide", offline=True, start_step="head")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "2G" in text_of(app, "#effective-head")
        await type_into(pilot, "#f-head-memoryLimit", "8Gi")
        assert "8Gi" in text_of(app, "#effective-head")
        # requests merge from the chart default (2G) under the new limit
        assert app.model.spec.head.resources is not None
        assert app.model.spec.head.resources.limits["memory"] == "8Gi"


async def test_back_and_forward_keep_edits() -> None:
    app = create_app(preset="minimal", offline=True, start_step="target")
    async with app.run_test(size=SIZE) as pilot:
        await type_into(pilot, "#f-target-project", "ray-team")
        await pilot.press("ctrl+n", "ctrl+n", "ctrl+b", "ctrl+b")
        await settle(pilot)
        assert app.current_step is WizardStep.TARGET
        assert app.screen.query_one("#f-target-project").value == "ray-team"  # type: ignore[attr-defined]


async def test_sync_explains_what_is_ignored() -> None:
    app = create_app(preset="argocd-guide", offline=True, start_step="sync")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "/spec/workerGroupSpecs/0/replicas" in text_of(app, "#ignored-paths")
        app.screen.query_one("#f-ignoreDifferences-mode", Select).value = "none"
        await settle(pilot)
        assert app.model.spec.ignore_mode.value == "none"
        assert "No ignore rule" in text_of(app, "#ignored-paths")


async def test_help_for_the_focused_field() -> None:
    app = create_app(preset="minimal", offline=True, start_step="target")
    async with app.run_test(size=SIZE) as pilot:
        app.screen.query_one("#f-target-releaseName").focus()
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpModal)
        assert "releaseName" in app.screen.body
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, HelpModal)


async def test_quit_with_unsaved_changes_asks_first() -> None:
    app = create_app(preset="minimal", offline=True, start_step="target")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)  # a new configuration is unsaved
        await pilot.press("n")
        await settle(pilot)
        assert app.is_running
        await pilot.press("ctrl+q")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
    assert app.return_value == 0


async def test_quit_without_changes_does_not_ask(guide_cluster_file: Path) -> None:
    app = create_app(files=[guide_cluster_file], offline=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+q")
        await settle(pilot)
    assert app.return_value == 0


async def test_command_palette_lists_steps_and_actions() -> None:
    app = create_app(preset="minimal", offline=True, start_step="workers")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for step in WizardStep:
            assert f"Go to {step.number}. {step.label}" in titles
        assert {"Save", "Save as…", "Copy YAML", "Save as preset", "Add", "Duplicate the selected group"} <= set(titles)


async def test_preview_problem_jumps_to_field() -> None:
    app = create_app(preset="minimal", offline=True, start_step="target")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.model.spec.worker_groups[0].min_replicas = 9
        app.model.spec.worker_groups[0].max_replicas = 2
        app.spec_changed()
        app.goto(WizardStep.PREVIEW, force=True)
        await settle(pilot)
        problems = app.screen.query_one("#problem-list", OptionList)
        assert problems.option_count >= 1
        app.screen.query_one("TabbedContent").active = "tab-problems"  # type: ignore[attr-defined]
        problems.focus()
        problems.highlighted = 0
        await pilot.press("enter")
        await settle(pilot)
        assert app.current_step is WizardStep.WORKERS
        assert app.screen.query_one("#groups", DataTable).cursor_row == 0


async def test_copy_yaml_and_save_as_preset() -> None:
    from raywizard.documents.presets import list_presets, load_preset
    from raywizard.tui.common.dialogs import PromptModal

    app = create_app(preset="minimal", offline=True, start_step="preview")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert app.clipboard == app.model.workspace.render_applications_text()
        assert app.clipboard.count("kind: Application") == 3
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, PromptModal)
        await type_into(pilot, "#prompt", "my-team")
        await pilot.press("enter")
        await settle(pilot)
    assert "my-team" in {p.name for p in list_presets()}
    assert load_preset("my-team") == app.model.spec


async def test_cluster_text_is_shown_literally() -> None:
    from raywizard.kube.preflight import Check
    from raywizard.tui.wizard.cluster_jobs import check_summary

    text = check_summary([Check("Argo CD [bold]", "fail", "namespace \x1b[31margocd[/] missing", "install it")])
    assert "[bold]" in text and "\x1b" not in text and "[/]" in text


async def test_autoscaler_options_follow_the_autoscaling_toggle() -> None:
    app = create_app(preset="argocd-guide", offline=True, start_step="head")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        version_input = app.screen.query_one("#f-head-autoscaler-version")
        assert version_input.parent is not None
        version_row = version_input.parent.parent
        assert isinstance(version_row, Widget)
        assert not version_row.disabled
        app.screen.query_one("#f-head-autoscaling").focus()
        await pilot.press("space")
        await settle(pilot)
        assert app.model.spec.head.enable_in_tree_autoscaling is False
        assert version_row.disabled
        assert app.model.spec.head.autoscaler_options is not None  # kept, only greyed out


async def test_problem_jump_focuses_the_field() -> None:
    app = create_app(preset="minimal", offline=True, start_step="preview")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.model.spec.target.namespace = "Bad_Name"
        app.spec_changed()
        await settle(pilot)
        problems = app.screen.query_one("#problem-list", OptionList)
        index = next(i for i, p in enumerate(app.screen._problems) if p.path == "target.namespace")  # type: ignore[attr-defined]
        app.screen.query_one("TabbedContent").active = "tab-problems"  # type: ignore[attr-defined]
        problems.focus()
        problems.highlighted = index
        await pilot.press("enter")
        await settle(pilot)
        assert app.current_step is WizardStep.TARGET
        assert app.focused is not None and app.focused.id == "f-target-namespace"
        assert "Next disabled" in str(app.screen.query_one("#status-line", Static).render())
