"""The dashboard with a multi-source RayCluster Application (the chart plus a `ref` git source): the row comes up
Synced and Healthy, and the details show one revision per source, a commit SHA shortened."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from raywizard.documents.workspace import Workspace
from raywizard.tui.dashboard import DashboardApp
from raywizard.tui.dashboard.widgets.apps import ApplicationDetails, ApplicationsTable
from tests.cluster.controller_helpers import APPS, guide_apps
from tests.cluster.gitops_helpers import Repos, make_repos
from tests.cluster.test_multi_source import VALUES, _application
from tests.plugins.sandbox import running_sandbox
from tests.waiting import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.cluster]


@pytest.fixture
def multi_source_sandbox(tmp_path: Path) -> Iterator[tuple[Any, Path, Repos]]:
    from raywizard.kube.connection import load_connection

    repos = make_repos(tmp_path)
    repos.commit_file("ray/values.yaml", VALUES, "Ray values")
    path = tmp_path / "raycluster.yaml"
    path.write_text(yaml.safe_dump(_application(repos.url), sort_keys=False), encoding="utf-8")
    with running_sandbox(speed=20) as cluster:
        kubeconfig = cluster.write_kubeconfig(tmp_path / "kubeconfig")
        for app in [*guide_apps()[:2], yaml.safe_load(path.read_text())]:
            cluster.store.create(APPS, app, namespace="argocd")
        connection = load_connection(str(kubeconfig))
        try:
            yield connection, path, repos
        finally:
            connection.close()


async def test_multi_source_row_and_revisions(multi_source_sandbox: tuple[Any, Path, Repos]) -> None:
    connection, path, repos = multi_source_sandbox
    sha = repos.head()
    app = DashboardApp(connection, Workspace.load([path]).spec)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.dashboard
        table = screen.query_one(ApplicationsTable)
        details = screen.query_one(ApplicationDetails)
        await wait_until(pilot, lambda: (row := table.rows_by_key.get("argocd/raycluster")) is not None
                         and (row.sync, row.health) == ("Synced", "Healthy"), timeout=60,
                         what="the multi-source Application Synced and Healthy")
        table.move_cursor(row=table.get_row_index("argocd/raycluster"))
        await wait_until(pilot, lambda: f"rev 1.5.1,{sha[:8]}" in str(details.render()), timeout=30,
                         what="one revision per source")
