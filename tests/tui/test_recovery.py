"""The wizard never loses the user's work: an unexpected exception writes it to a recovery file, the app ends with
one message and a non-zero status, and the next start offers the work back; open errors are a dialog."""

from __future__ import annotations

from pathlib import Path

import pytest

from raywizard.documents.recovery import pending_recovery, recovery_root
from raywizard.tui.common.dialogs import ConfirmModal, ErrorModal
from raywizard.tui.wizard.app import create_app
from raywizard.tui.wizard.crash import CRASH_EXIT
from raywizard.tui.wizard.wizard_model import WizardStep
from tests.tui.conftest import SIZE
from tests.tui.helpers import fill, settle

pytestmark = pytest.mark.usefixtures("no_kubeconfig")


class Bug(RuntimeError):
    """Stands for a bug of ours that some handler meets."""


def _raise_bug() -> None:
    raise Bug("\x1b]0;title\x07unexpected [red]state[/]")


async def _crash_with_an_edit(guide_cluster_file: Path) -> None:
    app = create_app(files=[guide_cluster_file])
    with pytest.raises(Bug):
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            app.model.spec.worker_groups[0].max_replicas = 77
            app.spec_changed()
            await settle(pilot)
            app.call_later(_raise_bug)
            await pilot.pause()
            await app.workers.wait_for_complete()
    assert app.return_code == CRASH_EXIT
    message = app.crash_message or ""
    assert "internal error: Bug" in message and "\x1b" not in message and "\x07" not in message
    assert str(recovery_root()) in message and "traceback.txt" in message


async def test_a_crash_keeps_the_unsaved_work_and_the_next_start_restores_it(guide_cluster_file: Path) -> None:
    before = guide_cluster_file.read_text(encoding="utf-8")
    await _crash_with_an_edit(guide_cluster_file)
    assert guide_cluster_file.read_text(encoding="utf-8") == before  # nothing written to the user's file
    recovery = pending_recovery()
    assert recovery is not None and recovery.step == "Versions"
    (copy,) = recovery.files
    assert copy.original == guide_cluster_file.resolve()
    recovered = copy.copy.read_text(encoding="utf-8")
    assert "maxReplicas: 77" in recovered
    assert recovered.splitlines()[0] == before.splitlines()[0]  # the user's file with the edit: comments kept
    assert "Bug" in (recovery.folder / "traceback.txt").read_text(encoding="utf-8")

    app = create_app(offer_recovery=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        assert str(guide_cluster_file.resolve()) in app.screen.detail
        await pilot.press("y")
        await settle(pilot)
        assert app.current_step is WizardStep.VERSIONS
        assert app.model.spec.worker_groups[0].max_replicas == 77
        assert app.model.workspace.paths == [guide_cluster_file.resolve()]  # Save edits the user's file
        assert app.model.dirty
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert "maxReplicas: 77" in guide_cluster_file.read_text(encoding="utf-8")
    assert pending_recovery() is None  # offered once


async def test_a_declined_recovery_stays_on_disk_and_is_not_asked_again(guide_cluster_file: Path) -> None:
    await _crash_with_an_edit(guide_cluster_file)
    recovery = pending_recovery()
    assert recovery is not None
    app = create_app(offer_recovery=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("n")
        await settle(pilot)
        assert app.current_step is WizardStep.START
        assert app.model.spec.worker_groups[0].max_replicas != 77
    assert recovery.files[0].copy.is_file()
    assert pending_recovery() is None
    app = create_app(offer_recovery=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmModal)


@pytest.mark.parametrize("content", [
    b"a: \xff\n",
    b"\xff\xfea\x00:\x00",
    b"apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: x}\nspec: a string\n",
], ids=["latin-1", "utf-16", "spec-is-a-string"])
async def test_a_file_that_does_not_open_is_a_dialog_and_the_work_stays(tmp_path: Path, content: bytes) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(content)
    app = create_app(preset="minimal", offline=True, start_step=WizardStep.START)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        spec_before = app.model.spec.clone()
        await fill(pilot, "#open-paths", str(bad))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ErrorModal)
        assert str(bad) in app.screen.body
        await pilot.press("enter")
        await settle(pilot)
        assert app.current_step is WizardStep.START
        assert app.model.spec == spec_before
    assert app.return_code in (None, 0)


async def test_group_names_that_look_like_markup_or_yaml_open_and_every_step_shows(tmp_path: Path) -> None:
    values = tmp_path / "values.yaml"
    values.write_text('worker:\n  groupName: "[red]x[/]"\nadditionalWorkerGroups:\n  "[b]y[/b \\x1b]":\n'
                      '    replicas: 1\n    image: {repository: "[i]r", tag: "[/]"}\n', encoding="utf-8")
    app = create_app(offline=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await fill(pilot, "#open-paths", str(values))
        await pilot.press("enter")
        await settle(pilot)
        assert app.current_step is WizardStep.VERSIONS
        assert any(p.path.startswith("workerGroups") and p.is_error for p in app.model.problems)
        for step in WizardStep:
            app.goto(step, force=True)
            await settle(pilot)
            assert app.current_step is step
        assert app.model.spec.worker_groups[0].name == "[red]x[/]"  # kept as typed, shown literally
    assert app.return_code in (None, 0) and app.crash_message is None
