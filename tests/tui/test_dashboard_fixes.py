"""The dashboard on fixed data: no ghost pod rows after filtering and removals, `w` reads the Application and
not the autoscaler's replicas, human memory and ticking ages, a footer that fits and a header that keeps its title
in error states.
"""

from __future__ import annotations

import copy
from datetime import timedelta
from types import SimpleNamespace
from typing import Any, cast

from raywizard.documents.presets import load_preset
from raywizard.render.applications import render_applications
from raywizard.tui.dashboard import DashboardApp
from raywizard.tui.dashboard.widgets.connection import ConnectionIndicator
from raywizard.tui.dashboard.widgets.events import EventsLog
from raywizard.tui.dashboard.widgets.groups import WorkerGroupsPanel
from raywizard.tui.dashboard.widgets.pods import PodsTable
from tests.tui.dashboard_data import CLUSTER, NOW, filled_state, raycluster
from tests.tui.helpers import dashboard_ticks
from tests.waiting import wait_until

SIZE = (120, 40)


def make_app(state: Any = None, **options: Any) -> DashboardApp:
    options.setdefault("clock", lambda: NOW)
    return DashboardApp(None, load_preset("argocd-guide"), state=state or filled_state(), **options)



def screen_lines(app: DashboardApp) -> list[str]:
    """The text of every line on screen, as the terminal would show it."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def pods_panel_text(app: DashboardApp) -> str:
    """The lines of the Pods panel (the Events panel below may name any pod legitimately)."""
    lines = screen_lines(app)
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("╭─ Pods"))
    end = next(i for i in range(start + 1, len(lines)) if lines[i].lstrip().startswith("╰"))
    return "\n".join(lines[start : end + 1])


def pod_names(state: Any) -> set[str]:
    return {p["metadata"]["name"] for p in state.snapshot().pods.values()}


async def test_filtering_and_removing_pods_leaves_no_stale_names_on_screen() -> None:
    state = filled_state()
    app = make_app(state)
    async with app.run_test(size=SIZE) as pilot:
        await dashboard_ticks(pilot)
        pods = app.dashboard.query_one(PodsTable)
        # The cursor is on the first row (the head). Filter to the Pending worker: the row index stays 0, so
        # no RowHighlighted comes, and the head must still vanish from the whole panel (table *and* the
        # selected-pod line under it: that stale line was the "ghost row").
        await pilot.press("slash", *"pend", "enter")
        await dashboard_ticks(pilot)
        assert pods.row_count == 1
        text = pods_panel_text(app)
        shown = {name for name in pod_names(state) if name in text}
        assert shown == {f"{CLUSTER}-workergroup-worker-pend1"}, shown

        # Resize, then remove every worker pod while unfiltered: none may be drawn afterwards.
        await pilot.press("escape")
        await dashboard_ticks(pilot)
        await pilot.resize_terminal(160, 48)
        await pilot.press("end")
        await dashboard_ticks(pilot)
        workers = [k for k, p in state.snapshot().pods.items() if "-worker-" in p["metadata"]["name"]]
        for key in workers:
            state.apply_event("pods", "DELETED", copy.deepcopy(state.snapshot().pods[key]))
        await dashboard_ticks(pilot, 5)
        text = pods_panel_text(app)
        for key in workers:
            assert key.split("/", 1)[1] not in text


async def test_edit_worker_groups_prefills_from_the_application_not_the_autoscaler() -> None:
    spec = load_preset("argocd-guide")
    state = filled_state()
    apps = render_applications(spec)
    for app_obj in apps:
        app_obj.setdefault("status", {"sync": {"status": "Synced"}, "health": {"status": "Healthy"}})
    state.replace_all("applications", apps)
    # The autoscaler has scaled every group to 9 in the live RayCluster.
    live = raycluster(replicas=9, available=9)
    live["spec"]["workerGroupSpecs"] = [
        {"groupName": g.name, "replicas": 9, "minReplicas": 1, "maxReplicas": 10} for g in spec.worker_groups
    ]
    state.replace_all("rayclusters", [live])
    app = DashboardApp(None, spec, state=state, clock=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        await dashboard_ticks(pilot, 6)
        assert len(app.dashboard.query_one(WorkerGroupsPanel).lines) == len(spec.worker_groups)
        await pilot.press("w")
        await dashboard_ticks(pilot, 1)
    edited = app.return_value
    assert edited is not None
    assert [g.replicas for g in edited.worker_groups] == [g.replicas for g in spec.worker_groups]
    assert render_applications(edited) == render_applications(spec)  # no edits: nothing to apply



def test_memory_reads_as_a_human_quantity() -> None:
    from raywizard.tui.dashboard.widgets.raycluster import human_memory

    assert human_memory("7147483648") == "6.7Gi"  # KubeRay's sum of mixed G and Gi requests
    assert human_memory("5G") == "5G"  # a quantity with a unit stays as the cluster wrote it
    assert human_memory("0") == "0"


async def test_ages_tick_without_any_change() -> None:
    clock = {"now": NOW}
    app = make_app(clock=lambda: clock["now"])
    async with app.run_test(size=(160, 48)) as pilot:
        await dashboard_ticks(pilot)
        assert "age 10m" in "\n".join(screen_lines(app))
        clock["now"] = NOW + timedelta(seconds=70)
        # One age refresh (once a second), no state change at all: the RayCluster panel and the Applications'
        # LAST SYNC (4m50s before).
        await wait_until(pilot, lambda: "age 11m" in (text := "\n".join(screen_lines(app))) and "6m ago" in text,
                         what="the ages refreshed")


async def test_short_terminal_says_when_worker_groups_are_hidden() -> None:
    state = filled_state()
    live = raycluster()
    live["spec"]["workerGroupSpecs"] = [
        {"groupName": f"group-{i}", "replicas": 1, "minReplicas": 0, "maxReplicas": 3} for i in range(6)
    ]
    state.replace_all("rayclusters", [live])
    app = make_app(state)
    async with app.run_test(size=(100, 32)) as pilot:
        await dashboard_ticks(pilot, 6)
        groups = app.dashboard.query_one(WorkerGroupsPanel)
        assert len(groups.lines) == 6
        assert "more" in str(groups.border_subtitle)


async def test_footer_fits_narrow_terminals_with_the_main_keys() -> None:
    for width, height in ((80, 24), (100, 32)):
        app = make_app()
        async with app.run_test(size=(width, height)) as pilot:
            await dashboard_ticks(pilot)
            footer = screen_lines(app)[-1]
            assert footer.rstrip().endswith("^p palette"), footer
            for key in ("s Sync", "l Logs", "w Edit groups", "/ Filter", "q Quit"):
                assert key in footer, (width, footer)


class FakeWatcher:
    """Stands in for ClusterWatcher: reports the given connection state for every watch."""

    def __init__(self, state: Any, connection: Any, status: str, message: str = "") -> None:
        self.state, self.connection, self.status, self.message = state, connection, status, message

    def start(self) -> None:
        for kind in ("applications", "rayclusters", "pods", "events"):
            self.state.set_connection(kind, self.status, self.message)

    def stop(self, timeout: float = 0) -> None:
        pass


class FakeConnection:
    """A connection whose kubeconfig holds ``kubeconfig_token``; reading it again takes that token."""

    def __init__(self, token: str) -> None:
        self.token = self.kubeconfig_token = token
        self.reads = 0
        self.api_client = SimpleNamespace(fail=None)  # fail: what the stubbed probe reports
        self.context_name, self.server_url = "ctx-a", "http://127.0.0.1:1"

    def reload_credentials(self) -> bool:
        self.reads += 1
        changed, self.token = self.kubeconfig_token != self.token, self.kubeconfig_token
        return changed


def session_app(connection: FakeConnection, factory: Any, **options: Any) -> DashboardApp:
    from raywizard.kube.session import ClusterSession

    spec = load_preset("argocd-guide")
    stand_in: Any = connection  # has what the session uses of a Connection
    return DashboardApp(stand_in, spec, session=ClusterSession.for_spec(
        stand_in, spec, watcher_factory=factory, **options))


async def test_rejected_credentials_reload_the_kubeconfig_and_the_header_keeps_its_title() -> None:
    started: list[str] = []

    def factory(connection: Any, state: Any) -> FakeWatcher:
        started.append(connection.token)
        if connection.token == "old":
            return FakeWatcher(state, connection, "error", "the API server at http://127.0.0.1:1 rejected the "
                               "credentials (401 Unauthorized) " + "x" * 200)
        return FakeWatcher(state, connection, "live")

    connection = FakeConnection("old")
    app = session_app(connection, factory, reconnect_every=0.1)
    async with app.run_test(size=(100, 32)) as pilot:
        screen = app.dashboard
        indicator = screen.query_one(ConnectionIndicator)
        await wait_until(pilot, lambda: indicator.state == "error", what="the error shown")
        header = screen_lines(app)[0]
        assert "raywizard dashboard" in header and "ctx-a" in header and "error" in header, header
        await wait_until(pilot, lambda: connection.reads >= 2, what="the kubeconfig read again")
        assert indicator.state == "error" and started == ["old"]  # unchanged: the watches were not restarted
        connection.kubeconfig_token = "new"  # a login tool wrote a new token
        await wait_until(pilot, lambda: indicator.state == "live", what="live on the new token")
        assert screen.session.reconnects == 1
        assert started == ["old", "new"]


async def test_a_silent_server_is_not_shown_as_live(monkeypatch: Any) -> None:
    from raywizard.kube.session import ClusterSession

    monkeypatch.setattr(ClusterSession, "_ask_version", lambda self, timeout: self.connection.api_client.fail)
    connection = FakeConnection("t")
    app = session_app(connection, lambda c, state: FakeWatcher(state, c, "live"), probe_every=0.1)
    async with app.run_test(size=(120, 32)) as pilot:
        indicator = app.dashboard.query_one(ConnectionIndicator)
        await wait_until(pilot, lambda: indicator.state == "live", what="live")
        connection.api_client.fail = "the API server at http://127.0.0.1:1 did not answer within 2.5s"
        await wait_until(pilot, lambda: indicator.state == "reconnecting", what="reconnecting")
        assert "did not answer" in screen_lines(app)[0] or "did not answer" in str(indicator.tooltip)
        connection.api_client.fail = None
        await wait_until(pilot, lambda: indicator.state == "live", what="live again")


async def test_events_in_time_order_and_rerendered_at_the_new_width() -> None:
    from tests.tui.dashboard_data import event

    state = filled_state()
    long_message = "the newest warning, with a message long enough to be cut at 100 columns " + "x" * 30
    # A relist delivers them newest-first: the Warning must still end up at the bottom (the newest).
    state.replace_all("events", [event("new", "Evil", long_message, kind="Warning", seconds_ago=1),
                                 event("old", "Pulled", "an old one", seconds_ago=500)])
    app = make_app(state)
    async with app.run_test(size=(100, 32)) as pilot:
        await dashboard_ticks(pilot)
        log = app.dashboard.query_one(EventsLog)
        texts = [line.text for line in log.lines]
        assert "Evil" in texts[-1]
        assert min(i for i, t in enumerate(texts) if "an old one" in t) < len(texts) - 1
        assert log.lines[-1].text.rstrip().endswith("…")
        await pilot.resize_terminal(200, 48)
        await dashboard_ticks(pilot)
        assert log.lines[-1].text.rstrip().endswith("x" * 30)


async def test_sync_on_an_empty_cluster_says_apply_first() -> None:
    from raywizard.kube.state import ClusterState
    from raywizard.tui.dashboard.dialogs import ConfirmWrite

    state = ClusterState()
    for kind in ("applications", "rayclusters", "pods", "events"):
        state.set_connection(kind, "live")
    app = make_app(state)
    async with app.run_test(size=SIZE) as pilot:
        await dashboard_ticks(pilot)
        app.dashboard.session.connection = cast(Any, object())
        await pilot.press("s")
        await dashboard_ticks(pilot, 1)
        assert not isinstance(app.screen, ConfirmWrite)
        assert any("apply first" in n.message for n in app._notifications)
