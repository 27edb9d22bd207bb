"""The dashboard driven by Pilot over a ClusterState filled from fixed JSON (no cluster, no timing asserts).

Changes are made to the state the way the watches make them (``apply_event``) and the test waits for the
next coalesced tick; the keyed tables must change in place (never cleared and rebuilt).
"""

from __future__ import annotations

import io
from typing import Any, cast

from rich.console import Console
from textual.widgets import DataTable
from textual.widgets.data_table import RowKey

from raywizard.documents.presets import load_preset
from raywizard.tui.dashboard import DashboardApp, DashboardScreen
from raywizard.tui.dashboard.dialogs import ConfirmWrite, DescribeScreen
from raywizard.tui.dashboard.widgets.apps import ApplicationsTable
from raywizard.tui.dashboard.widgets.connection import ConnectionIndicator
from raywizard.tui.dashboard.widgets.events import EventsLog
from raywizard.tui.dashboard.widgets.groups import WorkerGroupsPanel
from raywizard.tui.dashboard.widgets.pods import PodsTable
from raywizard.tui.dashboard.widgets.raycluster import raycluster_renderable
from tests.tui.dashboard_data import CLUSTER, NOW, NS, event, filled_state, pod, raycluster
from tests.tui.helpers import dashboard_ticks

SIZE = (120, 40)


def make_app(state: Any = None) -> DashboardApp:
    return DashboardApp(None, load_preset("argocd-guide"), state=state or filled_state(), clock=lambda: NOW)



def column(table: DataTable[Any], key: str) -> list[str]:
    return [str(table.get_cell(row.key, key)) for row in table.ordered_rows]


async def test_shows_applications_raycluster_groups_pods_and_events() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await dashboard_ticks(pilot)
        screen = app.dashboard
        apps = screen.query_one(ApplicationsTable)
        assert column(apps, "name") == [
            "ray-operator-crds",
            "ray-operator",
            "raycluster",
        ]  # the guide's order
        assert column(apps, "sync") == ["Synced", "Synced", "OutOfSync"]
        pods = screen.query_one(PodsTable)
        assert pods.row_count == 5
        assert pods.title().startswith("Pods 5 · Running 4 · Pending 1")
        assert column(pods, "name") == sorted(column(pods, "name"))  # kubectl's order by default
        pending = f"{NS}/{CLUSTER}-workergroup-worker-pend1"
        assert "Insufficient cpu" in str(pods.get_cell(pending, "reason"))  # the scheduler's reason
        groups = screen.query_one(WorkerGroupsPanel)
        assert set(groups.lines) == {"workergroup", "gpu-group"}
        assert "4 replicas" in groups.lines["workergroup"]._label
        events = screen.query_one(EventsLog)
        assert events.total == 4 and events.warnings == 2
        assert screen.query_one(ConnectionIndicator).state == "live"


async def test_cluster_text_is_shown_literally() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await dashboard_ticks(pilot)
        events = app.dashboard.query_one(EventsLog)
        lines = [line.text for line in events.lines]
        odd = next(line for line in lines if "Odd" in line)
        assert "[bold]markup[/bold]" in odd  # Rich markup kept as text
        assert "\x1b" not in odd and "ANSI escapes" in odd  # escape sequences stripped
        # The Application condition with markup in its message shows literally in the details line.
        apps = app.dashboard.query_one(ApplicationsTable)
        apps.focus()
        apps.move_cursor(row=2)
        await dashboard_ticks(pilot, 1)
        details = str(app.dashboard.query_one("#app-details").render())
        assert "[red]not markup[/red] kept literally" in details


async def test_pods_table_is_updated_in_place(monkeypatch: Any) -> None:
    state = filled_state()
    app = make_app(state)
    async with app.run_test(size=SIZE) as pilot:
        await dashboard_ticks(pilot)
        pods = app.dashboard.query_one(PodsTable)
        rebuilt: list[bool] = []
        monkeypatch.setattr(pods, "clear", lambda *a, **k: rebuilt.append(True))
        head_key = f"{NS}/{CLUSTER}-head-x7k2p"
        head_row = pods.rows[RowKey(head_key)]
        pending_name = f"{CLUSTER}-workergroup-worker-pend1"
        # The Pending pod gets scheduled and starts; a new worker appears; one worker goes away.
        state.apply_event("pods", "MODIFIED", pod(pending_name, group="workergroup", node_type="worker", rv=2))
        state.apply_event(
            "pods",
            "ADDED",
            pod(
                f"{CLUSTER}-workergroup-worker-new01",
                group="workergroup",
                node_type="worker",
                phase="Pending",
                age=1,
                pending_reason="0/3 nodes are available: 3 Insufficient memory.",
            ),
        )
        state.apply_event(
            "pods",
            "DELETED",
            pod(f"{CLUSTER}-workergroup-worker-kq7rt", group="workergroup", node_type="worker"),
        )
        await dashboard_ticks(pilot)
        assert not rebuilt
        assert pods.rows[RowKey(head_key)] is head_row  # untouched rows keep their identity
        assert str(pods.get_cell(f"{NS}/{pending_name}", "status")) == "Running"
        assert f"{NS}/{CLUSTER}-workergroup-worker-kq7rt" not in pods.rows
        assert pods.row_count == 5
        assert pods.title().startswith("Pods 5 · Running 4 · Pending 1")
        await dashboard_ticks(pilot, 10)  # new rows are sorted in within a second (SORT_EVERY)
        assert column(pods, "name") == sorted(column(pods, "name"))


async def test_filter_and_sort_pods() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await dashboard_ticks(pilot)
        pods = app.dashboard.query_one(PodsTable)
        await pilot.press("slash", *"pend")
        await dashboard_ticks(pilot, 1)
        assert pods.row_count == 1
        assert "filter “pend”: 1 shown" in pods.title()
        await pilot.press("enter")  # keep the filter, back to the table
        assert pods.has_focus and pods.row_count == 1
        await pilot.press("escape")  # clears it
        await dashboard_ticks(pilot, 1)
        assert pods.row_count == 5 and not pods.filter_text
        await pilot.press("o")  # name -> group
        assert pods.sort_column == "group"
        assert column(pods, "group")[0] == "headgroup"
        await pilot.press("O")
        assert column(pods, "group")[0] == "workergroup"
        for _ in range(4):  # group -> type -> status -> ready -> restarts
            await pilot.press("o")
        assert pods.sort_column == "restarts"
        assert column(pods, "restarts")[0] == "1"  # reversed: most restarts first


async def test_filter_events_when_focused() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await dashboard_ticks(pilot)
        events = app.dashboard.query_one(EventsLog)
        events.focus()
        await pilot.press("slash", *"warning", "enter")
        await dashboard_ticks(pilot, 1)
        assert events.filter_text == "warning"
        assert [line.text for line in events.lines if line.text.strip()] and all(
            "Warning" in line.text for line in events.lines if line.text.strip()
        )


async def test_describe_pod_and_raycluster_as_yaml() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await dashboard_ticks(pilot)
        await pilot.press("d")
        await dashboard_ticks(pilot, 1)
        assert isinstance(app.screen, DescribeScreen)
        assert f"name: {CLUSTER}-head-x7k2p" in app.screen.yaml_text
        await pilot.press("escape")
        await pilot.press("c")
        await dashboard_ticks(pilot, 1)
        assert isinstance(app.screen, DescribeScreen)
        assert "kind: RayCluster" in app.screen.yaml_text and "desiredWorkerReplicas: 4" in app.screen.yaml_text
        await pilot.press("escape")
        assert isinstance(app.screen, DashboardScreen)


async def test_writes_need_a_connection_and_a_confirmation() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await dashboard_ticks(pilot)
        await pilot.press("s")
        await dashboard_ticks(pilot, 1)
        assert not isinstance(app.screen, ConfirmWrite)  # no cluster: a warning, nothing to confirm
        app.dashboard.session.connection = cast(Any, object())  # any connection: the modal must come first
        await pilot.press("R")
        await dashboard_ticks(pilot, 1)
        assert isinstance(app.screen, ConfirmWrite)
        await pilot.press("n")
        await dashboard_ticks(pilot, 1)
        assert isinstance(app.screen, DashboardScreen)


async def test_replicas_history_and_sparkline_follow_the_raycluster() -> None:
    state = filled_state()
    app = make_app(state)
    async with app.run_test(size=SIZE) as pilot:
        await dashboard_ticks(pilot)
        screen = app.dashboard
        for replicas in (6, 9):
            state.apply_event("rayclusters", "MODIFIED", raycluster(replicas=replicas, available=3, rv=replicas))
            await dashboard_ticks(pilot, 5)  # worker-group counts refresh twice a second
        assert screen.panels.history.values("workergroup")[-1] == 9.0
        assert min(screen.panels.history.values("workergroup")) == 4.0
        line = screen.query_one(WorkerGroupsPanel).lines["workergroup"]
        assert "9 replicas" in line._label
        assert max(line.query_one("Sparkline").data) == 9.0  # type: ignore[attr-defined]


async def test_connection_indicator_reconnecting_then_live() -> None:
    state = filled_state()
    app = make_app(state)
    async with app.run_test(size=SIZE) as pilot:
        await dashboard_ticks(pilot)
        indicator = app.dashboard.query_one(ConnectionIndicator)
        state.set_connection("pods", "reconnecting", "watch dropped: [b]connection reset[/b]")
        await dashboard_ticks(pilot)
        assert indicator.state == "reconnecting"
        assert "[b]connection reset[/b]" in str(indicator.render())
        state.set_connection("pods", "live")
        await dashboard_ticks(pilot)
        assert indicator.state == "live"


async def test_edit_worker_groups_returns_the_live_spec() -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await dashboard_ticks(pilot)
        await pilot.press("w")
        await dashboard_ticks(pilot, 1)
    spec = app.return_value
    assert spec is not None
    assert spec.target.cluster_app == "raycluster"


async def test_many_events_are_bounded_per_tick() -> None:
    state = filled_state()
    app = make_app(state)
    async with app.run_test(size=SIZE) as pilot:
        await dashboard_ticks(pilot)
        for i in range(400):
            state.apply_event("events", "ADDED", event(f"burst-{i}", "Pulled", f"pulled #{i}"))
        await dashboard_ticks(pilot)
        events = app.dashboard.query_one(EventsLog)
        assert events.total == 404
        assert events.skipped >= 400 - events.max_per_batch
        assert "pulled #399" in events.lines[-1].text


async def test_edit_worker_groups_inside_the_wizard_opens_its_step() -> None:
    from raywizard.tui.wizard.app import create_app
    from raywizard.tui.wizard.wizard_model import WizardStep

    wizard = create_app(preset="argocd-guide", offline=True, start_step="sync")
    async with wizard.run_test(size=SIZE) as pilot:
        await pilot.pause()
        wizard.push_screen(DashboardScreen(None, wizard.model.spec, state=filled_state(), clock=lambda: NOW))
        await dashboard_ticks(pilot)
        await pilot.press("w")
        await dashboard_ticks(pilot)
        assert wizard.current_step is WizardStep.WORKERS
        assert not isinstance(wizard.screen, DashboardScreen)
        assert not wizard.model.dirty  # the live spec counts as saved


async def test_last_apply_timeline_is_shown_when_passed_in() -> None:
    timeline = ["crds Synced 4s", "operator Healthy 11s", "raycluster ready 23s"]
    app = DashboardApp(
        None, load_preset("argocd-guide"), state=filled_state(), clock=lambda: NOW, apply_timeline=timeline
    )
    async with app.run_test(size=SIZE) as pilot:
        await dashboard_ticks(pilot)
        details = str(app.dashboard.query_one("#app-details").render())
        assert "last apply: crds Synced 4s → operator Healthy 11s → raycluster ready 23s" in details


async def test_pod_and_group_text_from_the_cluster_is_literal() -> None:
    state = filled_state()
    hostile = pod(
        f"{CLUSTER}-workergroup-worker-odd01",
        group="[b]grp[/b]",
        node_type="worker",
        phase="Pending",
        pending_reason="[red]no[/red] nodes \x1b[31mfit\x1b[0m",
    )
    state.apply_event("pods", "ADDED", hostile)
    rc = raycluster()
    rc["spec"]["workerGroupSpecs"].append({"groupName": "[i]x[/i]", "replicas": 1, "minReplicas": 0, "maxReplicas": 2})
    rc["status"]["desiredMemory"] = "[blink]6G[/blink]"
    rc["metadata"]["resourceVersion"] = "9"
    state.apply_event("rayclusters", "MODIFIED", rc)
    app = make_app(state)
    async with app.run_test(size=SIZE) as pilot:
        await dashboard_ticks(pilot, 6)
        screen = app.dashboard
        pods = screen.query_one(PodsTable)
        key = f"{NS}/{CLUSTER}-workergroup-worker-odd01"
        assert pods.get_cell(key, "group").plain == "[b]grp[/b]"
        assert pods.get_cell(key, "reason").plain == "[red]no[/red] nodes fit"
        line = screen.query_one(WorkerGroupsPanel).lines["[i]x[/i]"]
        assert "[i]x[/i]" in str(line.query_one("Label").render())
        console = Console(width=200, file=io.StringIO(), record=True)
        console.print(raycluster_renderable(screen.panels.summary(), {}, ""))
        assert "[blink]6G[/blink]" in console.export_text()
