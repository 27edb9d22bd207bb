"""The dashboard against the sandbox cluster (real kubernetes client over HTTP, real watches): apply the
guide's Applications, watch the pods come up, trigger a burst load and see replicas and the sparkline move,
press sync and see the operation, and survive an API server restart. Polls with Pilot pauses; no timing
asserts.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from raywizard.documents.presets import load_preset
from raywizard.tui.dashboard import DashboardApp
from raywizard.tui.dashboard.dialogs import ConfirmWrite
from raywizard.tui.dashboard.widgets.apps import ApplicationsTable
from raywizard.tui.dashboard.widgets.connection import ConnectionIndicator
from raywizard.tui.dashboard.widgets.groups import WorkerGroupsPanel
from raywizard.tui.dashboard.widgets.pods import COLUMN_KEYS, PodsTable
from tests.waiting import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.cluster]
SIZE = (120, 40)
STATUS = COLUMN_KEYS.index("status")
APPS = "applications.argoproj.io"


@pytest.fixture
def guide_sandbox(tmp_path: Path) -> Iterator[tuple[Any, Any]]:
    """A sandbox at speed 20 with the guide's three Applications created through the API, and a Connection."""
    from kubernetes import client

    from raywizard.kube.connection import load_connection
    from tests.cluster.controller_helpers import guide_apps
    from tests.plugins.sandbox import running_sandbox

    with running_sandbox(speed=20) as cluster:
        kubeconfig = cluster.write_kubeconfig(tmp_path / "kubeconfig")
        connection = load_connection(str(kubeconfig))
        api = client.CustomObjectsApi(connection.api_client)
        for app in guide_apps():
            api.create_namespaced_custom_object("argoproj.io", "v1alpha1", "argocd", "applications", app)
        try:
            yield cluster, connection
        finally:
            connection.close()


async def test_guide_comes_up_scales_under_burst_and_syncs(guide_sandbox: tuple[Any, Any]) -> None:
    cluster, connection = guide_sandbox
    app = DashboardApp(connection, load_preset("argocd-guide"))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.dashboard
        pods = screen.query_one(PodsTable)
        apps = screen.query_one(ApplicationsTable)
        await wait_until(pilot, lambda: screen.query_one(ConnectionIndicator).state == "live", what="live watches")

        # The operator, the head and one worker per group, Running; the three apps Synced and Healthy.
        await wait_until(pilot, lambda: pods.phase_counts.get("Running", 0) >= 5, what="5 Running pods")
        await wait_until(
            pilot,
            lambda: (
                len(apps.rows_by_key) == 3
                and all(r.sync == "Synced" and r.health == "Healthy" for r in apps.rows_by_key.values())
            ),
            what="three Synced/Healthy Applications",
        )
        assert any("-head-" in cells[0] for cells in pods.cells_by_key.values())
        groups = screen.query_one(WorkerGroupsPanel)
        await wait_until(pilot, lambda: len(groups.lines) == 3, what="three worker groups")

        # Burst load: the autoscaler raises replicas; the label and the sparkline show it.
        cluster.set_load("burst")
        await wait_until(
            pilot,
            lambda: any(max(screen.panels.history.values(g) or [0]) >= 9 for g in groups.lines),
            what="replicas raised by the burst",
        )
        group = next(g for g in groups.lines if max(screen.panels.history.values(g)) >= 9)
        assert min(screen.panels.history.values(group)) < max(screen.panels.history.values(group))
        sparkline = groups.lines[group].query_one("Sparkline")
        assert max(sparkline.data) >= 9  # type: ignore[attr-defined]
        await wait_until(pilot, lambda: pods.phase_counts.get("Running", 0) > 5, what="more Running workers")

        # Sync the RayCluster Application: confirm, then see the operation.
        cluster.set_load("idle")
        key = "argocd/raycluster"
        before = cluster.store.get(APPS, "argocd", "raycluster")["status"]["operationState"]
        apps.focus()
        apps.move_cursor(row=apps.get_row_index(key))
        await pilot.press("s")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmWrite), what="the confirmation")
        await pilot.press("y")

        def synced_by_us() -> bool:
            state = (cluster.store.get(APPS, "argocd", "raycluster") or {}).get("status", {}).get(
                "operationState"
            ) or {}
            return (state.get("operation") or {}).get("initiatedBy", {}).get("username") == "raywizard"

        await wait_until(pilot, synced_by_us, what="an operation initiated by raywizard")
        await wait_until(
            pilot,
            lambda: (
                apps.rows_by_key[key].operation == "Succeeded"
                and apps.rows_by_key[key].last_sync != (before.get("finishedAt") or "")
            ),
            what="the dashboard showing the finished operation",
        )

        # `w`: the live spec (with the replicas the autoscaler set) goes to the wizard's worker-group step.
        live = cluster.store.get("rayclusters.ray.io", "ray-cluster", "raycluster-kuberay")
        live_replicas = {g["groupName"]: g["replicas"] for g in live["spec"]["workerGroupSpecs"]}
        await pilot.press("w")
        await wait_until(pilot, lambda: app.return_value is not None, what="the dashboard handing over the spec")
    spec = app.return_value
    assert spec is not None and spec.target.cluster_app == "raycluster"
    assert {g.name for g in spec.worker_groups} >= set(live_replicas)
    for worker in spec.worker_groups:
        if worker.name in live_replicas:  # the autoscaler may have moved on since: same order of magnitude
            assert worker.replicas is not None and worker.replicas >= 1


async def test_survives_an_api_server_restart(guide_sandbox: tuple[Any, Any]) -> None:
    cluster, connection = guide_sandbox
    app = DashboardApp(connection, load_preset("argocd-guide"))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.dashboard
        indicator = screen.query_one(ConnectionIndicator)
        pods = screen.query_one(PodsTable)
        await wait_until(pilot, lambda: pods.phase_counts.get("Running", 0) >= 5, what="5 Running pods")
        seen: set[str] = set()

        def record() -> None:
            seen.add(indicator.state)

        screen.set_interval(0.05, record)
        cluster.restart(keep_state=True, down_for=1.5)
        await wait_until(pilot, lambda: "reconnecting" in seen or "stale" in seen, what="reconnecting shown")
        await wait_until(pilot, lambda: indicator.state == "live", timeout=40, what="live again")
        assert pods.row_count >= 5  # the table survived (relist, not a blank screen)


async def test_a_silent_server_shows_reconnecting_within_seconds(guide_sandbox: tuple[Any, Any]) -> None:
    """A hung API server (connections accepted, nothing answered) with a real server's minute between bookmarks:
    the dashboard's /version probe says so within seconds, not when the watches' reads time out."""
    import time

    cluster, connection = guide_sandbox
    app = DashboardApp(connection, load_preset("argocd-guide"))
    async with app.run_test(size=SIZE) as pilot:
        indicator = app.dashboard.query_one(ConnectionIndicator)
        await wait_until(pilot, lambda: indicator.state == "live", what="live")
        frozen_at = time.monotonic()
        cluster.faults.freeze()
        try:
            await wait_until(pilot, lambda: indicator.state == "reconnecting", timeout=30, what="reconnecting")
            print(f"silent server shown after {time.monotonic() - frozen_at:.1f} s")
        finally:
            cluster.faults.thaw()
        await wait_until(pilot, lambda: indicator.state == "live", timeout=40, what="live again")


async def test_pod_logs_container_picker_filter_follow_and_group(guide_sandbox: tuple[Any, Any]) -> None:
    from raywizard.tui.dashboard.logs import ContainerPicker, PodLogsScreen

    _, connection = guide_sandbox
    app = DashboardApp(connection, load_preset("argocd-guide"))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.dashboard
        pods = screen.query_one(PodsTable)
        head = await wait_until(
            pilot,
            lambda: next(
                (k for k, c in pods.cells_by_key.items() if "-head-" in c[0] and c[STATUS] == "Running"), None
            ),
            what="the head pod Running",
        )
        assert head is not None
        pods.focus()
        pods.move_cursor(row=pods.get_row_index(head))
        await pilot.press("l")
        await wait_until(pilot, lambda: isinstance(app.screen, ContainerPicker | PodLogsScreen), what="logs")
        if isinstance(app.screen, ContainerPicker):  # the head runs the autoscaler beside ray-head
            assert app.screen.source.containers[0] == "ray-head"
            await pilot.press("enter")
            await wait_until(pilot, lambda: isinstance(app.screen, PodLogsScreen), what="logs")
        logs = app.screen
        assert isinstance(logs, PodLogsScreen) and logs.options.container == "ray-head"
        await wait_until(pilot, lambda: len(logs.lines) > 3, what="log lines")
        assert "following" in logs.status_text
        word = next(w for w in logs.lines[1].split() if len(w) > 3)
        await pilot.press("slash", *word, "enter")
        await wait_until(pilot, lambda: logs.filter_text == word, what="the filter")
        assert "filter" in logs.status_text
        await pilot.press("f")
        assert not logs.following
        await pilot.press("f")
        assert logs.following
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen, what="back on the dashboard")

        # L: every pod of a worker group, each line prefixed with its pod.
        worker = next(k for k, c in pods.cells_by_key.items() if "-worker-" in c[0] and c[STATUS] == "Running")
        pods.move_cursor(row=pods.get_row_index(worker))
        await pilot.press("L")
        await wait_until(pilot, lambda: isinstance(app.screen, PodLogsScreen), what="group logs")
        group_logs = app.screen
        assert isinstance(group_logs, PodLogsScreen) and group_logs.options.container == "ray-worker"
        await wait_until(pilot, lambda: len(group_logs.lines) > 0, what="group log lines")
        if group_logs.grouped:  # several workers: each line starts with its pod's name
            names = {source.pod for source in group_logs.sources}
            assert all(line.split(" ", 1)[0] in names for line in group_logs.lines)


async def test_survives_410_and_dropped_watches(guide_sandbox: tuple[Any, Any]) -> None:
    cluster, connection = guide_sandbox
    app = DashboardApp(connection, load_preset("argocd-guide"))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.dashboard
        pods = screen.query_one(PodsTable)
        indicator = screen.query_one(ConnectionIndicator)
        await wait_until(pilot, lambda: pods.phase_counts.get("Running", 0) >= 5, what="5 Running pods")
        cluster.faults.expire_watches()  # every watch gets 410 Gone: relist
        cluster.faults.drop_watches()  # and every connection is cut
        # Meanwhile the cluster changes: the burst adds workers, which the relisted watches must deliver.
        cluster.set_load("burst")
        await wait_until(pilot, lambda: pods.phase_counts.get("Running", 0) > 8, what="new workers after 410")
        await wait_until(pilot, lambda: indicator.state == "live", what="live")
        live = {
            p["metadata"]["name"]
            for p in cluster.store.list("pods", "ray-cluster")
            if not p["metadata"].get("deletionTimestamp")
        }
        await wait_until(
            pilot,
            lambda: {c[0] for c in pods.cells_by_key.values()} >= live - {""},
            what="the table matching the cluster",
        )


async def test_ray_dashboard_forward_shows_its_url_and_state(guide_sandbox: tuple[Any, Any]) -> None:
    import asyncio
    import urllib.request

    _, connection = guide_sandbox
    app = DashboardApp(connection, load_preset("argocd-guide"))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.dashboard
        await wait_until(pilot, lambda: screen.panels.summary() is not None, what="the RayCluster")
        await wait_until(
            pilot,
            lambda: any(
                "-head-" in c[0] and c[STATUS] == "Running" for c in screen.query_one(PodsTable).cells_by_key.values()
            ),
            what="the head pod Running",
        )
        await pilot.press("p")
        await wait_until(pilot, lambda: screen.forward_state == "live", what="the forward live")
        assert screen.forward_text.startswith("Ray dashboard http://127.0.0.1:")
        assert screen.forward is not None
        url = screen.forward.url

        def fetch(path: str) -> bytes:
            with urllib.request.urlopen(url + path, timeout=10) as response:
                return bytes(response.read())

        # The sandbox's Ray head, reached through pods/portforward to the head pod.
        assert b"Ray Dashboard" in await asyncio.to_thread(fetch, "")
        assert b"ray_version" in await asyncio.to_thread(fetch, "api/version")
        await pilot.press("p")  # stops it
        await wait_until(pilot, lambda: screen.forward is None and not screen.forward_text, what="stopped")


async def test_recovers_after_a_restart_with_a_new_token(guide_sandbox: tuple[Any, Any]) -> None:
    """The restarted sandbox writes a new token into the kubeconfig; the dashboard re-reads it."""
    from raywizard.kube.connection import load_connection
    from raywizard.kube.session import ClusterSession

    cluster, _ = guide_sandbox
    kubeconfig = str(cluster.kubeconfig_path)
    spec = load_preset("argocd-guide")
    connection = load_connection(kubeconfig)
    session = ClusterSession.for_spec(connection, spec, reconnect_every=0.5)
    app = DashboardApp(connection, spec, session=session)
    try:
        async with app.run_test(size=SIZE) as pilot:
            screen = app.dashboard
            indicator = screen.query_one(ConnectionIndicator)
            pods = screen.query_one(PodsTable)
            await wait_until(pilot, lambda: pods.phase_counts.get("Running", 0) >= 5, what="5 Running pods")
            seen: set[str] = set()
            screen.set_interval(0.05, lambda: seen.add(indicator.state))
            cluster.token = "rotated-" + cluster.token
            cluster.restart(keep_state=True, down_for=0.5)
            await wait_until(pilot, lambda: "error" in seen, timeout=40, what="credentials rejected")
            cluster.write_kubeconfig(kubeconfig)  # what `raywizard sandbox --kubeconfig` does on restart
            # Either a watch re-reads the kubeconfig on its next 401, or the session does and restarts the
            # watches (session.reconnects): both end live, on the new token.
            await wait_until(pilot, lambda: indicator.state == "live", timeout=40, what="live again on the new token")
            header = str(screen.query_one("#dash-title").render())
            assert "raywizard dashboard" in header
            assert pods.row_count >= 5
    finally:
        connection.close()


async def test_ray_panel_shows_the_autoscalers_view_under_burst(guide_sandbox: tuple[Any, Any]) -> None:
    from raywizard.tui.dashboard.widgets.ray import RayPanel

    cluster, connection = guide_sandbox
    app = DashboardApp(connection, load_preset("argocd-guide"))
    async with app.run_test(size=SIZE) as pilot:
        panel = app.dashboard.query_one(RayPanel)
        assert panel.display
        await wait_until(pilot, lambda: panel.insight is not None and panel.insight.reachable, 90, "the Ray head")
        assert panel.plain.startswith("Ray 2.")
        cluster.set_load("burst")
        # a burst queues {GPU: 1} tasks, and the guide's worker group offers no GPU
        await wait_until(pilot, lambda: "no group offers GPU" in panel.plain, 60, "the GPU demand")
        assert "demand    {GPU: 1} × 4 pending: no group offers GPU" in panel.plain.splitlines()


async def test_ray_panel_names_pods_on_an_old_template(guide_sandbox: tuple[Any, Any]) -> None:
    """After a group's template changes KubeRay leaves the running pods as they are; the Ray panel says how many
    still run the old template and how to restart the group."""
    from raywizard.tui.dashboard.widgets.ray import RayPanel

    cluster, connection = guide_sandbox
    app = DashboardApp(connection, load_preset("argocd-guide"))
    async with app.run_test(size=SIZE) as pilot:
        panel = app.dashboard.query_one(RayPanel)
        await wait_until(pilot, lambda: panel.insight is not None and panel.insight.reachable, 90, "the Ray head")
        assert "old tmpl" not in panel.plain
        rc = ("rayclusters.ray.io", "ray-cluster", "raycluster-kuberay")
        groups = cluster.store.get(*rc)["spec"]["workerGroupSpecs"]
        index = next(i for i, g in enumerate(groups) if g["groupName"] == "standard-worker")
        resources = {"requests": {"cpu": "2", "memory": "1G"}}
        cluster.pause_controllers()  # Argo CD would put the Git template back at once
        cluster.store.patch(
            *rc,
            [
                {
                    "op": "replace",
                    "path": f"/spec/workerGroupSpecs/{index}/template/spec/containers/0/resources",
                    "value": resources,
                }
            ],
            "json",
        )
        try:
            await wait_until(pilot, lambda: "old tmpl" in panel.plain, 60, "the old-template line")
            line = next(x for x in panel.plain.splitlines() if x.startswith("old tmpl"))
            assert "running pods of standard-worker still run the old template" in line
            assert line.endswith("raywizard restart standard-worker")
            before = {
                p["metadata"]["name"]
                for p in cluster.store.list("pods", "ray-cluster", label_selector="ray.io/group=standard-worker")
            }
            await pilot.press("T")  # the offer to restart the group, confirmed first
            await wait_until(pilot, lambda: isinstance(app.screen, ConfirmWrite), 10, "the confirmation")
            details = str(app.screen.query_one("#confirm-details").render())
            assert "standard-worker" in details and "KubeRay (and the autoscaler) recreate them" in details
            await pilot.press("y")

            def gone() -> bool:
                pods = cluster.store.list("pods", "ray-cluster", label_selector="ray.io/group=standard-worker")
                return not before & {p["metadata"]["name"] for p in pods if not p["metadata"].get("deletionTimestamp")}

            await wait_until(pilot, gone, 30, "the old pods deleted")
        finally:
            cluster.resume_controllers()
