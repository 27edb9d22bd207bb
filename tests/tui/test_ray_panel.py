"""The dashboard's Ray panel on its own: a fixed autoscaler report (the shape the head's /api/cluster_status
gives under a burst) read into a RayInsight and shown; the unreachable case; and a snapshot of the layout."""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult

from raywizard.model.ray_insight import RayInsight, insight_from_status
from raywizard.tui.dashboard.widgets.ray import RayPanel

RAYCLUSTER = {
    "metadata": {"name": "raycluster-kuberay"},
    "spec": {
        "workerGroupSpecs": [
            {
                "groupName": "cpu_workers",
                "replicas": 3,
                "minReplicas": 1,
                "maxReplicas": 3,
                "template": {"spec": {"containers": [{"resources": {"limits": {"cpu": "1", "memory": "1G"}}}]}},
            }
        ]
    },
}
STATUS = {
    "result": True,
    "msg": "Got cluster status.",
    "data": {
        "autoscalingStatus": "======== Autoscaler status ...",
        "autoscalingError": None,
        "clusterStatus": {
            "loadMetricsReport": {
                "resourceDemand": [[{"CPU": 1.0}, 6], [{"GPU": 1.0}, 4]],
                "idleTimeMap": {"10.244.1.7": 42000},
                "nodeTypeMapping": {"10.244.1.7": "cpuWorkers", "10.244.0.2": "headgroup"},
            },
            "autoscalerReport": {
                "activeNodes": {"headgroup": 1, "cpuWorkers": 2},
                "idleNodes": {"cpuWorkers": 1},
                "pendingNodes": [["10.244.2.9", "cpuWorkers", "setting-up"]],
                "pendingLaunches": {},
                "failedNodes": [["10.244.3.4", "cpuWorkers"]],
            },
        },
    },
}


def burst_insight() -> RayInsight:
    return insight_from_status(STATUS, RAYCLUSTER, {"10.244.3.4": "ImagePullBackOff"}, "2.46.0")


class PanelApp(App[None]):
    def __init__(self, insight: RayInsight | None) -> None:
        super().__init__()
        self.insight = insight

    def compose(self) -> ComposeResult:
        yield RayPanel(id="ray")

    def on_mount(self) -> None:
        self.query_one(RayPanel).show(self.insight)


async def test_the_panel_shows_why_demands_wait_launches_failures_and_idle_nodes() -> None:
    app = PanelApp(None)
    async with app.run_test(size=(100, 12)) as pilot:
        panel = app.query_one(RayPanel)
        assert panel.plain == "Ray: asking the head…"
        panel.show(burst_insight())
        await pilot.pause()
        lines = panel.plain.splitlines()
        # the dashboard camel-cases node types; the panel speaks of the RayCluster's group names
        assert lines[0] == "Ray 2.46.0 · autoscaler on · cpu_workers 2 active, 1 idle"
        assert "demand    {CPU: 1} × 6 pending: at maxReplicas (cpu_workers)" in lines
        assert "demand    {GPU: 1} × 4 pending: no group offers GPU" in lines
        assert "pending   cpu_workers 10.244.2.9: setting-up" in lines
        assert "failed    cpu_workers 10.244.3.4: ImagePullBackOff" in lines
        assert "idle      cpu_workers 10.244.1.7: idle 42s, removed after idleTimeoutSeconds" in lines


async def test_an_unreachable_head_says_why() -> None:
    app = PanelApp(RayInsight.unreachable("no running head pod"))
    async with app.run_test(size=(100, 6)) as pilot:
        await pilot.pause()
        assert app.query_one(RayPanel).plain == "Ray head not reachable (no running head pod)"


def test_ray_panel_snapshot(snap_compare: Any) -> None:
    assert snap_compare(PanelApp(burst_insight()), terminal_size=(100, 12))


async def test_groups_on_an_old_template_are_named_with_the_restart_command() -> None:
    import dataclasses

    note = "2 of 2 running pods of cpu_workers still run the old template (ray-worker resources.limits.cpu: 1 -> 2)"
    insight = dataclasses.replace(
        RayInsight.unreachable("no running head pod"),
        old_templates=(("cpu_workers", 2, f"{note}: raywizard restart cpu_workers"),),
    )
    app = PanelApp(insight)
    async with app.run_test(size=(140, 6)) as pilot:
        await pilot.pause()
        assert app.query_one(RayPanel).plain.splitlines() == [
            "Ray head not reachable (no running head pod)",
            f"old tmpl  {note}: raywizard restart cpu_workers",
        ]


def test_ray_panel_with_an_old_template_snapshot(snap_compare: Any) -> None:
    import dataclasses

    note = "1 of 2 running pods of cpu_workers still run the old template (ray-worker image: a -> b)"
    insight = dataclasses.replace(
        burst_insight(), old_templates=(("cpu_workers", 1, f"{note}: raywizard restart cpu_workers"),)
    )
    assert snap_compare(PanelApp(insight), terminal_size=(120, 12))
