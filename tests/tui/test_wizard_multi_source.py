"""The wizard on a running multi-source RayCluster Application (the chart plus a `ref` source in a local git
repository): "tweak running cluster" reads the value file from git, the plan shows no RayCluster change, and an
edit applied from the wizard goes into the inline values, with Argo CD syncing both sources."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from textual.widgets import Static

from raywizard.sandbox.kubeconfig import NAME as SANDBOX_CONTEXT
from raywizard.tui.common.dialogs import ConfirmModal
from raywizard.tui.wizard.app import create_app
from raywizard.tui.wizard.screens.apply import ApplyScreen
from raywizard.tui.wizard.wizard_model import WizardStep
from tests.cluster.controller_helpers import APPS, app_status, guide_apps
from tests.cluster.gitops_helpers import Repos, make_repos
from tests.cluster.test_multi_source import VALUES, _application
from tests.plugins.sandbox import running_sandbox
from tests.tui.conftest import SIZE
from tests.waiting import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.cluster]


@pytest.fixture
def running(tmp_path: Path) -> Iterator[tuple[Any, Repos]]:
    repos = make_repos(tmp_path)
    repos.commit_file("ray/values.yaml", VALUES, "Ray values")
    with running_sandbox(speed=20) as cluster:
        cluster.write_kubeconfig(tmp_path / "kubeconfig")
        for app in [*guide_apps()[:2], _application(repos.url)]:
            cluster.store.create(APPS, app, namespace="argocd")
        yield cluster, repos


async def test_tweak_a_running_multi_source_cluster(running: tuple[Any, Repos]) -> None:
    cluster, repos = running
    app = create_app(kubeconfig=str(cluster.kubeconfig_path), context=SANDBOX_CONTEXT)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.connection is not None or app.connection_error)
        assert app.connection is not None, app.connection_error
        await wait_until(pilot, lambda: app_status(cluster, "raycluster") == ("Synced", "Healthy"), timeout=60)
        await pilot.press("l")
        await wait_until(pilot, lambda: app.current_step is WizardStep.VERSIONS)
        spec = app.model.spec
        assert spec.versions.image is not None and spec.versions.image.tag == "2.44.1"  # from the value file
        assert spec.values_layers is not None and spec.values_layers.unread == []

        spec.worker_groups[0].max_replicas = 5
        app.spec_changed()
        app.goto(WizardStep.APPLY)
        await wait_until(pilot, lambda: isinstance(app.screen, ApplyScreen) and app.screen.plan is not None)
        screen = app.screen
        assert isinstance(screen, ApplyScreen) and screen.plan is not None
        changed = [e.path for e in screen.plan.raycluster.entries]
        assert changed == [".spec.workerGroupSpecs[0].maxReplicas"], changed
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("y")
        await wait_until(pilot, lambda: screen.applied or "failed" in str(
            screen.query_one("#apply-result", Static).render()), timeout=120)
        assert screen.applied, str(screen.query_one("#apply-result", Static).render())

    live = cluster.store.get(APPS, "argocd", "raycluster")
    chart, ref = live["spec"]["sources"]
    assert chart["helm"]["valuesObject"] == {"worker": {"maxReplicas": 5}}  # the edit, and nothing else
    assert chart["helm"]["valueFiles"] == ["$values/ray/values.yaml"] and ref == _application(repos.url)[
        "spec"]["sources"][1]
    assert live["status"]["sync"]["revisions"] == ["1.5.1", repos.head()]
    raycluster = cluster.store.get("rayclusters.ray.io", "ray-cluster", "raycluster-kuberay")
    assert raycluster["spec"]["workerGroupSpecs"][0]["maxReplicas"] == 5
    assert yaml.safe_load(VALUES)["image"]["tag"] in raycluster["spec"]["headGroupSpec"]["template"]["spec"][
        "containers"][0]["image"]


def test_two_running_raycluster_applications_are_named_not_guessed(running: tuple[Any, Repos]) -> None:
    from raywizard.kube.connection import load_connection
    from raywizard.model.errors import ClusterError
    from raywizard.tui.wizard.cluster_jobs import live_workspace_job

    cluster, repos = running
    second = _application(repos.url)
    second["metadata"]["name"] = "raycluster-staging"
    cluster.store.create(APPS, second, namespace="argocd")
    connection = load_connection(str(cluster.kubeconfig_path), SANDBOX_CONTEXT)
    try:
        with pytest.raises(ClusterError, match="2 RayCluster Applications in namespace 'argocd': raycluster, "
                                               "raycluster-staging"):
            live_workspace_job(connection, "argocd")()
    finally:
        connection.close()
