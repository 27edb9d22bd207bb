"""What a first-time user meets in the wizard: a blank configuration next to the presets, the current context
connected by default (offline one choice away), notes that say what is wrong, folders created only when asked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from textual.widgets import OptionList, Select, Static

from raywizard.model.spec import ClusterSpec
from raywizard.sandbox.kubeconfig import NAME as SANDBOX_CONTEXT
from raywizard.tui.common.dialogs import ConfirmModal, SaveModal
from raywizard.tui.wizard.app import create_app
from raywizard.tui.wizard.screens.start import BLANK, OFFLINE
from raywizard.tui.wizard.wizard_model import WizardStep
from tests.tui.conftest import SIZE
from tests.tui.helpers import fill, settle, type_into
from tests.waiting import wait_until


@pytest.mark.usefixtures("no_kubeconfig")
async def test_a_blank_configuration_starts_from_the_charts_defaults() -> None:
    app = create_app(offline=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        presets = app.screen.query_one("#presets", OptionList)
        ids = [str(presets.get_option_at_index(i).id) for i in range(presets.option_count)]
        assert BLANK in ids
        presets.focus()
        presets.highlighted = ids.index(BLANK)
        await pilot.press("enter")
        await settle(pilot)
        assert app.current_step is WizardStep.VERSIONS
        assert app.model.spec == ClusterSpec()  # what `raywizard init` starts from
        assert app.model.workspace.files == []


def _current_context_kubeconfig(sandbox: Any, tmp_path: Path) -> Path:
    """The sandbox's kubeconfig as a user's ~/.kube/config: its context is the current one."""
    config = yaml.safe_load(Path(sandbox.kubeconfig_path).read_text(encoding="utf-8"))
    config["current-context"] = SANDBOX_CONTEXT
    path = tmp_path / "config"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


async def test_the_current_context_is_connected_by_default(sandbox: Any, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUBECONFIG", str(_current_context_kubeconfig(sandbox, tmp_path)))
    app = create_app()  # no --context, no --kubeconfig: as `raywizard` alone
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_until(pilot, lambda: app.connection is not None or app.connection_error)
        assert app.connection is not None, app.connection_error
        assert app.connection.context_name == SANDBOX_CONTEXT
        note = " ".join(str(n.message) for n in app._notifications)
        assert SANDBOX_CONTEXT in note and sandbox.url in note and "offline" in note
        await wait_until(pilot, lambda: not app.connecting)
        await settle(pilot)
        select = app.screen.query_one("#context", Select)
        assert select.value == SANDBOX_CONTEXT
        assert sandbox.url in str(app.screen.query_one("#cluster-summary", Static).render())
        select.value = OFFLINE  # the offline choice
        await settle(pilot)
        assert app.connection is None and not app.connecting


async def test_offline_means_no_connection_even_with_a_current_context(sandbox: Any, tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUBECONFIG", str(_current_context_kubeconfig(sandbox, tmp_path)))
    app = create_app(offline=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await app.workers.wait_for_complete()
        await settle(pilot)
        assert app.connection is None and not app.connecting


@pytest.mark.usefixtures("no_kubeconfig")
async def test_a_choice_that_cannot_deploy_is_not_called_invalid_input() -> None:
    app = create_app(preset="argocd-guide", offline=True, start_step="sync")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.model.spec.sync.self_heal
        app.screen.query_one("#f-ignoreDifferences-mode", Select).value = "none"
        await settle(pilot)
        assert app.model.blocking(WizardStep.SYNC)
        note = str(app.screen.query_one("#side-note", Static).render())
        assert "invalid input" not in note
        assert "Replicas" in note or "ignore" in note.lower()
        assert "selfHeal will revert" in note


@pytest.mark.usefixtures("no_kubeconfig")
async def test_a_typed_value_that_cannot_deploy_is_invalid_input() -> None:
    app = create_app(preset="argocd-guide", offline=True, start_step="head")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_into(pilot, "#f-head-cpuRequest", "400")  # parses, but above the limit
        assert app.model.blocking(WizardStep.HEAD)
        assert "From invalid input" in str(app.screen.query_one("#side-note", Static).render())


@pytest.mark.usefixtures("no_kubeconfig")
async def test_saving_into_a_folder_that_does_not_exist_asks_first(tmp_path: Path) -> None:
    target = tmp_path / "typo" / "deep" / "ray-cluster.yaml"
    app = create_app(preset="minimal", offline=True, start_step="preview")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        for answer in ("n", "y"):
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, SaveModal)
            await fill(pilot, "#save-path", str(target))
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, ConfirmModal)
            assert str(tmp_path / "typo") in app.screen.question
            await pilot.press(answer)
            await settle(pilot)
            if answer == "n":
                assert not (tmp_path / "typo").exists()
                assert any("not created" in str(n.message) for n in app._notifications)
    assert target.is_file()
    assert not app.model.dirty


def test_the_cli_says_when_it_creates_a_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from raywizard.cli.main import main

    target = tmp_path / "new" / "apps.yaml"
    assert main(["render", "--preset", "minimal", "-o", str(target)]) == 0
    assert f"created folder {tmp_path / 'new'}" in capsys.readouterr().err
    assert target.is_file()


async def test_the_live_diff_shows_what_a_new_object_will_contain(sandbox: Any) -> None:
    from raywizard.documents.presets import load_preset
    from raywizard.documents.workspace import Workspace

    spec = load_preset("minimal")
    # Names no other test uses: every object is new to the cluster.
    spec.target.namespace = "ray-first-look"
    spec.target.crds_app, spec.target.operator_app, spec.target.cluster_app = (
        "first-look-crds", "first-look-operator", "first-look-cluster")
    spec.target.release_name = "first-look"
    app = create_app(workspace=Workspace.new(spec), kubeconfig=str(sandbox.kubeconfig_path),
                     context=SANDBOX_CONTEXT, start_step="preview")
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.connection is not None or app.connection_error)
        assert app.connection is not None, app.connection_error
        view = app.screen.query_one("#live-view", Static)
        await wait_until(pilot, lambda: "will be created" in str(view.render())
                        or "Cannot compare" in str(view.render()))
        text = str(view.render())
    assert "first-look-cluster  added" in text
    assert "  + kind: Application" in text
    assert "  + kind: RayCluster" in text
    assert "first-look" in text.split("RayCluster (chart render vs live)")[1]


async def test_tweaking_a_running_cluster_shows_live_and_ready_workers(sandbox: Any) -> None:
    from textual.widgets import DataTable

    from raywizard.documents.presets import load_preset
    from raywizard.documents.workspace import Workspace
    from raywizard.kube.apply import execute_apply, plan_apply
    from raywizard.kube.connection import load_connection
    from raywizard.tui.wizard.screens.workers import WorkersScreen

    spec = load_preset("minimal")
    spec.target.namespace = "ray-live-columns"
    spec.target.crds_app, spec.target.operator_app, spec.target.cluster_app = (
        "live-columns-crds", "live-columns-operator", "live-columns-cluster")
    spec.target.release_name = "live-columns"
    connection = load_connection(str(sandbox.kubeconfig_path), SANDBOX_CONTEXT)
    try:
        execute_apply(connection, plan_apply(connection, spec), wait=False)
    finally:
        connection.close()
    workspace = Workspace.new(spec.clone())
    workspace.saved_spec = spec.clone()  # as read from the live Applications
    replicas = spec.worker_groups[0].replicas
    app = create_app(workspace=workspace, kubeconfig=str(sandbox.kubeconfig_path), context=SANDBOX_CONTEXT,
                     start_step="workers")
    async with app.run_test(size=(120, 32)) as pilot:
        await wait_until(pilot, lambda: app.connection is not None or app.connection_error)
        assert app.connection is not None, app.connection_error
        screen = app.screen
        assert isinstance(screen, WorkersScreen) and app.model.from_live
        screen.read_live_groups()
        table = screen.query_one("#groups", DataTable)
        assert [str(c.label) for c in table.columns.values()][-2:] == ["Live", "Ready"]

        polls = [0]

        def ready_cell() -> str:
            polls[0] += 1
            if polls[0] % 20 == 0:  # read again about once a second rather than wait for the step's timer
                screen.read_live_groups()
            return str(table.get_cell("g0", "Ready"))

        await wait_until(pilot, lambda: ready_cell() == f"{replicas}/{replicas}", timeout=120)
        assert str(table.get_cell("g0", "Live")) == str(replicas)


@pytest.mark.usefixtures("no_kubeconfig")
async def test_a_configuration_from_files_has_no_live_columns(guide_cluster_file: Path) -> None:
    from textual.widgets import DataTable

    app = create_app(files=[guide_cluster_file], offline=True, start_step="workers")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        labels = [str(c.label) for c in app.screen.query_one("#groups", DataTable).columns.values()]
        assert "Live" not in labels and "Ready" not in labels


@pytest.mark.usefixtures("no_kubeconfig")
async def test_the_demos_kubectl_line_is_in_the_help_of_every_step() -> None:
    from raywizard.tui.common.dialogs import HelpModal

    line = "kubectl --kubeconfig /tmp/raywizard-demo-x/kubeconfig get applications,pods -A"
    app = create_app(preset="minimal", offline=True, demo_kubectl=line)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.goto(WizardStep.WORKERS, force=True)
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpModal) and line in app.screen.body
