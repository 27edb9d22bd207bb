"""The dashboard's Applications details for Applications synced from git by a parent: who manages a child, the
commit subject of the parent's revision, and "behind" once the branch moved past it before Argo CD looked."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from raywizard.documents.presets import load_preset
from raywizard.tui.dashboard import DashboardApp
from raywizard.tui.dashboard.widgets.apps import ApplicationDetails, ApplicationsTable
from tests.cluster.controller_helpers import APPS
from tests.cluster.gitops_helpers import Repos, make_repos
from tests.cluster.test_gitops_parent import parent_app, push_guide
from tests.plugins.sandbox import running_sandbox
from tests.waiting import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.cluster]


@pytest.fixture
def parent_sandbox(tmp_path: Path) -> Iterator[tuple[Any, Any, Repos]]:
    from raywizard.kube.connection import load_connection

    repos = make_repos(tmp_path)
    push_guide(repos)
    with running_sandbox(speed=2) as cluster:  # the 180 s poll is 90 s: a push stays unseen meanwhile
        kubeconfig = cluster.write_kubeconfig(tmp_path / "kubeconfig")
        cluster.store.create(APPS, parent_app(repos.url))
        connection = load_connection(str(kubeconfig))
        try:
            yield cluster, connection, repos
        finally:
            connection.close()


async def test_details_name_the_parent_and_the_commit_and_say_behind(
        parent_sandbox: tuple[Any, Any, Repos], monkeypatch: pytest.MonkeyPatch) -> None:
    _cluster, connection, repos = parent_sandbox
    monkeypatch.setattr(ApplicationDetails, "REVISION_TTL", 0.2)
    first = repos.head()
    app = DashboardApp(connection, load_preset("argocd-guide"))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.dashboard
        table = screen.query_one(ApplicationsTable)
        details = screen.query_one(ApplicationDetails)
        await wait_until(pilot, lambda: "argocd/raycluster" in table.rows and "argocd/ray-root" in table.rows,
                         timeout=60, what="the parent and its child listed")
        table.move_cursor(row=table.get_row_index("argocd/raycluster"))
        await wait_until(pilot, lambda: f"managed by Application ray-root ({repos.url}, path ray, revision main at "
                         f"{first[:7]})" in str(details.render()), timeout=30, what="managed by, with the revision")
        table.move_cursor(row=table.get_row_index("argocd/ray-root"))
        await wait_until(pilot, lambda: f"rev {first[:8]} Ray apps" in str(details.render()), what="the subject")
        second = repos.commit_file("ray/NOTES.md", "notes\n", "notes for the team")
        await wait_until(pilot, lambda: f"behind main (at {second[:8]})" in str(details.render()),
                         what="behind the branch")
