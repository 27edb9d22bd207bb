"""Pilot tests of the wizard's keys and states: keys that fit and show where they work (footer, modals,
Preview tabs, Problems list), derived views that say when they come from invalid input, the one-key version fix,
disabled groups that keep their resources, and the Changes tab of a spec read from the cluster."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Button, DataTable, Footer, Input, OptionList, Select, Static, TabbedContent
from textual.widgets._footer import FooterKey

from raywizard.documents.presets import load_preset
from raywizard.documents.workspace import Workspace
from raywizard.tui.common.dialogs import ConfirmModal
from raywizard.tui.wizard.app import WizardApp, create_app
from raywizard.tui.wizard.screens.group_edit import GroupEditModal
from raywizard.tui.wizard.wizard_model import WizardStep
from tests.tui.conftest import SIZE
from tests.tui.helpers import settle, type_into
from tests.waiting import wait_until

pytestmark = pytest.mark.usefixtures("no_kubeconfig")


def text_of(app: WizardApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


def footer_keys(app: WizardApp) -> list[tuple[str, str]]:
    """(key, description) of each key the footer of the top screen shows, cut-off ones left out."""
    footer = app.screen.query_one(Footer)
    width = app.screen.size.width
    return [(key.key, key.description) for key in footer.query(FooterKey)
            if key.region.width and key.region.right <= width]


@pytest.mark.parametrize(("step", "width"), [("workers", 100), ("preview", 100), ("versions", 100), ("head", 100),
                                             ("workers", 80), ("preview", 80), ("apply", 80)])
async def test_step_keys_fit_the_footer(step: str, width: int) -> None:
    app = create_app(preset="argocd-guide", offline=True, start_step=step)
    async with app.run_test(size=(width, 24)) as pilot:
        await settle(pilot)
        shown = {key for key, _ in footer_keys(app)}
        wanted = {"ctrl+n", "ctrl+b", "question_mark", "ctrl+s"} | {
            "workers": {"a", "d", "e", "x", "delete", "left_square_bracket", "right_square_bracket"},
            "preview": {"left", "right", "s", "y", "p", "r"},
            "apply": {"a", "r"},
        }.get(step, set())
        assert wanted <= shown, wanted - shown
        footer = app.screen.query_one(Footer)
        assert footer.show_command_palette is (width >= 100)  # ctrl+p gives its room to the step's keys


async def test_help_lists_keys_the_footer_leaves_out() -> None:
    app = create_app(preset="argocd-guide", offline=True, start_step="workers")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        body = str(app.screen.query_one(".help-body", Static).render())
        assert "^q: Quit" in body and "[: Move up" in body and "d: Duplicate the selected group" in body
        assert "^p: command palette" in body
        assert "Cursor up" not in body  # not the table's own hidden keys


async def test_group_editor_shows_its_keys_and_enter_walks_then_applies() -> None:
    app = create_app(preset="argocd-guide", offline=True, start_step="workers")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, GroupEditModal)
        assert {("ctrl+s", "Apply"), ("escape", "Cancel")} <= set(footer_keys(app))
        assert not any(key == "a" for key, _ in footer_keys(app))  # not the step's keys
        await type_into(pilot, "#f-workerGroups-maxReplicas", "9")
        await pilot.press("enter")  # not the last field: on to the next one
        await settle(pilot)
        assert isinstance(app.screen, GroupEditModal)
        assert app.focused is not None and app.focused.id == "f-workerGroups-cpuRequest"
        editors = [w for w in app.screen.query(".field-editor") if w.focusable]
        editors[-1].focus()
        await pilot.press("enter")  # the last field: apply
        await settle(pilot)
        assert not isinstance(app.screen, GroupEditModal)
        assert app.model.spec.worker_groups[0].max_replicas == 9


async def test_confirm_dialog_names_its_keys() -> None:
    app = create_app(preset="argocd-guide", offline=True, start_step="workers")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.query_one("#groups", DataTable).move_cursor(row=1)
        await pilot.press("delete")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        labels = [str(button.label) for button in app.screen.query(Button)]
        assert labels == ["Remove (y)", "Cancel (n)"]
        assert {("y", "Remove"), ("n", "Cancel")} <= set(footer_keys(app))
        await pilot.press("n")
        await settle(pilot)
        assert len(app.model.spec.worker_groups) == 3


async def test_preview_tabs_switch_with_arrows_and_numbers_and_problems_take_enter() -> None:
    app = create_app(preset="argocd-guide", offline=True, start_step="preview")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        tabs = app.screen.query_one(TabbedContent)
        await pilot.press("right")
        await settle(pilot)
        assert tabs.active == "tab-changes"
        await pilot.press("left", "left")
        await settle(pilot)
        assert tabs.active == "tab-problems"  # wraps around
        problems = app.screen.query_one("#problem-list", OptionList)
        assert app.focused is problems and problems.highlighted == 0
        await pilot.press("1")
        await settle(pilot)
        assert tabs.active == "tab-yaml"
        await pilot.press("4", "enter")  # straight to the first problem's field
        await settle(pilot)
        assert app.current_step is not WizardStep.PREVIEW


async def test_unparsed_input_marks_asides_and_side_panel_stale() -> None:
    app = create_app(preset="argocd-guide", offline=True, start_step="head")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_into(pilot, "#f-head-cpuRequest", "4x")
        row = app.screen.query_one("#f-head-cpuRequest").parent
        assert row is not None
        assert str(row.query_one(".field-aside", Static).render()) == "(invalid)"
        assert "Stale: CPU request does not parse" in text_of(app, "#side-note")
        assert app.screen.query_one(".side-panel").has_class("-stale")
        # The status line names the text in the box, not a problem of the last value that parsed ("4").
        assert "'4x'" in text_of(app, "#status-line")
        await type_into(pilot, "#f-head-cpuRequest", "1")
        assert not app.screen.query_one(".side-panel").has_class("-stale")


async def test_target_panel_and_status_do_not_show_a_name_from_invalid_input() -> None:
    app = create_app(preset="argocd-guide", offline=True, start_step="target")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_into(pilot, "#f-target-releaseName", "My_Release")
        assert app.screen.query_one(".side-panel").has_class("-stale")
        assert "RayCluster:" not in text_of(app, "#status-line")


async def test_status_line_warns_with_a_warning_sign() -> None:
    app = create_app(preset="argocd-guide", offline=True, start_step="versions")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        status = text_of(app, "#status-line")
        assert status.startswith("⚠ 1 warning"), status


async def test_version_mismatch_has_a_one_key_fix() -> None:
    app = create_app(preset="argocd-guide", offline=True, start_step="versions")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not any(key == "f" for key, _ in footer_keys(app))  # nothing to fix yet
        app.screen.query_one("#f-versions-chart", Select).value = "1.4.1"
        await settle(pilot)
        assert ("f", "Align versions") in footer_keys(app)
        assert "Use chart 1.5.1 (f)" in str(app.screen.query_one("#align-versions").render())
        await pilot.press("f")
        await settle(pilot)
        assert app.model.spec.versions.chart == "1.5.1"
        assert app.screen.query_one("#f-versions-chart", Select).value == "1.5.1"
        assert not any(p.code == "version-mismatch" for p in app.model.problems)


async def test_disabled_group_keeps_its_resources_dimmed() -> None:
    app = create_app(preset="argocd-guide", offline=True, start_step="workers")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#groups", DataTable)
        table.move_cursor(row=1)
        await pilot.press("x")
        await settle(pilot)
        row = table.get_row("g1")
        assert row[2].plain == "disabled"
        assert (row[6].plain, row[7].plain) == ("1", "1G")  # CPU and memory as if re-enabled
        assert all(cell.style == "dim" for cell in row)
        assert "disabled (x enables it)" in text_of(app, "#group-detail")
        assert "docker.io/rayproject/ray:latest" in text_of(app, "#group-detail")  # the full image


async def test_changes_tab_of_a_live_spec_points_to_the_live_diff() -> None:
    spec = load_preset("argocd-guide")
    workspace = Workspace.new(spec)
    workspace.saved_spec = spec.clone()  # how the dashboard's "edit worker groups" hands over the live spec
    app = create_app(workspace=workspace, offline=True, start_step="preview")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "Read from the live cluster" in text_of(app, "#changes-view")
        assert "Live diff" in text_of(app, "#changes-view")


@pytest.mark.parametrize("origin", ["preset", "file", "live"])
async def test_preview_mounts_for_every_origin(origin: str, guide_cluster_file: Path) -> None:
    """Every way into the Preview shows it, also for a model that was not read from the cluster."""
    if origin == "file":
        app = create_app(files=[guide_cluster_file], offline=True, start_step="preview")
    else:
        workspace = Workspace.new(load_preset("argocd-guide"))
        if origin == "live":
            workspace.saved_spec = workspace.spec.clone()
        app = create_app(workspace=workspace, offline=True, start_step="preview")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.model.from_live is (origin == "live")
        changes = text_of(app, "#changes-view")
        assert {"preset": "A new configuration", "file": "No changes", "live": "Read from the live cluster"}[
            origin] in changes


async def test_editing_keys_keep_their_order_when_keys_arrive_in_a_burst() -> None:
    """Backspaces then text, all queued at once (a busy app, key repeat, tmux): Textual runs an Input's
    backspace binding only after the key bubbled to the App, so the characters used to overtake it."""
    from textual import events

    app = create_app(preset="argocd-guide", offline=True, start_step="target")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        editor = app.screen.query_one("#f-target-releaseName", Input)
        editor.focus()
        await pilot.pause()
        for key in ["end", *["backspace"] * 12, *"my-release"]:
            app.post_message(events.Key(key, key if len(key) == 1 else None))
        await wait_until(pilot, lambda: editor.value == "my-release", what="every posted key handled")
        await settle(pilot)
        assert app.model.spec.target.release_name == "my-release"


async def test_keys_typed_ahead_land_in_the_field_focused_when_they_were_typed() -> None:
    """A burst across fields (paste, a key macro, tmux send-keys): the App used to hand every queued key to the
    widget focused when it read the key, before the earlier Tab had moved the focus, so `4 Tab 4 Tab 8Gi Tab 8Gi`
    all went into CPU request."""
    from textual import events

    app = create_app(preset="argocd-guide", offline=True, start_step="workers")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        cpu = app.screen.query_one("#f-workerGroups-cpuRequest", Input)
        cpu.focus()
        cpu.value = ""
        await pilot.pause()
        keys = ["4", "tab", "ctrl+u", "4", "tab", "ctrl+u", *"8Gi", "tab", "ctrl+u", *"8Gi"]
        for key in keys:
            app.post_message(events.Key(key, key if len(key) == 1 else None))
        await settle(pilot)
        values = [app.screen.query_one(f"#f-workerGroups-{name}", Input).value
                  for name in ("cpuRequest", "cpuLimit", "memoryRequest", "memoryLimit")]
        assert values == ["4", "4", "8Gi", "8Gi"]
