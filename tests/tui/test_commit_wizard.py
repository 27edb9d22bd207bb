"""The wizard's Commit & push: from Application files in a git clone (Preview), and from the Apply step when a
parent Application manages the live Applications (it commits instead of applying, pushes, and follows the
parent to the new commit on the sandbox)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Static, TextArea

from raywizard.cli import main as cli
from raywizard.tui.common.dialogs import ConfirmModal
from raywizard.tui.wizard.app import create_app
from raywizard.tui.wizard.committing import CommitModal
from raywizard.tui.wizard.screens.apply import ApplyScreen
from raywizard.tui.wizard.screens.preview import PreviewScreen
from raywizard.tui.wizard.wizard_model import WizardStep
from tests.cluster.gitops_helpers import Repos, git, make_repos
from tests.tui.conftest import SIZE
from tests.waiting import wait_until


@pytest.fixture
def repos(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Repos:
    made = make_repos(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    assert cli.main(["commit", "--preset", "argocd-guide", "--repo", str(made.clone), "--path", "ray",
                     "--push"]) == 0
    return made


def shown_modal(app: Any) -> bool:
    """The Commit & push dialog is up and composed (its message box is there to read)."""
    screen = app.screen
    return isinstance(screen, CommitModal) and all(screen.query(part) for part in (
        ".dialog-title", "#commit-diff-text", "#commit-message", "#commit"))


def set_standard_max(app: Any, value: int) -> None:
    next(g for g in app.model.spec.worker_groups if g.name == "standard-worker").max_replicas = value
    app.spec_changed()


async def test_preview_commits_and_pushes_the_files_of_a_clone(repos: Repos) -> None:
    files = sorted((repos.clone / "ray").glob("*.yaml"))
    app = create_app(files=files, offline=True)
    async with app.run_test(size=SIZE) as pilot:
        set_standard_max(app, 8)
        app.goto(WizardStep.PREVIEW, force=True)
        await wait_until(pilot, lambda: isinstance(app.screen, PreviewScreen))
        await pilot.press("c")
        await wait_until(pilot, lambda: shown_modal(app), timeout=30)
        modal = app.screen
        assert isinstance(modal, CommitModal)
        title = str(modal.query_one(".dialog-title", Static).render())
        assert f"and push to origin ({repos.bare}) branch main?" in title
        diff = str(modal.query_one("#commit-diff-text", Static).render())
        assert "-          maxReplicas: 200" in diff and "+          maxReplicas: 8" in diff
        message = modal.query_one("#commit-message", TextArea)
        assert message.text == "raycluster: standard-worker maxReplicas 200 → 8"
        await wait_until(pilot, lambda: modal.focused is message)  # the message is where typing goes
        message.text = "ray: eight standard workers at most"
        await pilot.press("ctrl+g")
        await wait_until(pilot, lambda: git(repos.bare, "log", "-1", "--format=%s", "main").strip()
                       == "ray: eight standard workers at most", timeout=30)
        await wait_until(pilot, lambda: not app.model.dirty)
        assert "maxReplicas: 8" in (repos.clone / "ray" / "raycluster.yaml").read_text(encoding="utf-8")
        assert git(repos.clone, "status", "--porcelain") == ""


async def test_cancel_leaves_the_clone_as_it_was(repos: Repos) -> None:
    files = sorted((repos.clone / "ray").glob("*.yaml"))
    head = repos.head()
    app = create_app(files=files, offline=True)
    async with app.run_test(size=SIZE) as pilot:
        set_standard_max(app, 3)
        app.goto(WizardStep.PREVIEW, force=True)
        await wait_until(pilot, lambda: isinstance(app.screen, PreviewScreen))
        await pilot.press("c")
        await wait_until(pilot, lambda: shown_modal(app), timeout=30)
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, PreviewScreen))
        assert app.model.dirty
    assert repos.head() == head and git(repos.clone, "status", "--porcelain") == ""


@pytest.mark.slow
@pytest.mark.cluster
async def test_apply_step_commits_instead_and_follows_the_parent(repos: Repos, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from raywizard.sandbox.kubeconfig import NAME as SANDBOX_CONTEXT
    from tests.plugins.sandbox import running_sandbox

    monkeypatch.chdir(repos.clone)  # the clone whose remote the parent syncs from
    with running_sandbox(speed=50) as cluster:
        kubeconfig = cluster.write_kubeconfig(tmp_path / "kubeconfig")
        assert cli.main(["root", "--repo-url", repos.url, "--path", "ray", "--apply", "--yes", "--timeout", "240",
                         "--kubeconfig", str(kubeconfig)]) == 0
        app = create_app(preset="argocd-guide", kubeconfig=str(kubeconfig), context=SANDBOX_CONTEXT)
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: app.connection is not None or app.connection_error)
            assert app.connection is not None, app.connection_error
            set_standard_max(app, 8)
            app.goto(WizardStep.APPLY, force=True)
            await wait_until(pilot, lambda: isinstance(app.screen, ApplyScreen) and app.screen.plan is not None)
            screen = app.screen
            assert isinstance(screen, ApplyScreen)
            result = screen.query_one("#apply-result", Static)
            assert "managed by Application ray-root" in str(result.render())
            assert "c: Commit & push" in str(result.render())
            # Apply is still possible, but asks with the parent named and "Apply anyway".
            await pilot.press("a")
            await wait_until(pilot, lambda: isinstance(app.screen, ConfirmModal))
            confirm = app.screen
            assert isinstance(confirm, ConfirmModal)
            assert confirm.yes == "Apply anyway"
            assert "managed by Application ray-root" in confirm.detail and "selfHeal" in confirm.detail
            await pilot.press("n")
            await wait_until(pilot, lambda: app.screen is screen)
            await pilot.press("c")
            await wait_until(pilot, lambda: shown_modal(app), timeout=30)
            await pilot.press("ctrl+g")
            await wait_until(pilot, lambda: "RayCluster raycluster-kuberay ready" in str(result.render())
                           or "✗" in str(result.render()), timeout=180)
            sha = repos.head()
            assert f"✓ ray-root and its Applications at {sha[:7]}" in str(result.render())
            rc = cluster.store.get("rayclusters.ray.io", "ray-cluster", "raycluster-kuberay")
            assert rc is not None
            standard = next(g for g in rc["spec"]["workerGroupSpecs"] if g["groupName"] == "standard-worker")
            assert standard["maxReplicas"] == 8
