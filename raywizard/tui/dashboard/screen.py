"""DashboardScreen: the live view of the Argo CD Applications, the RayCluster, its worker groups, pods and
events.

Data flow: the cluster layer's ``ClusterWatcher`` threads fill a ``ClusterState``; an 8 Hz timer asks it
what changed (``StateFeed``), turns the changed objects into rows with ``raywizard.kube.views`` (the same
functions as ``raywizard status --watch``) and updates the widgets in place. A tick does a bounded amount of
work (changes beyond ``POD_BUDGET`` wait for the next tick), so keys stay responsive under 1,000 events/s.
Cluster writes and log streams run in thread workers (``actions.py``); nothing here blocks on the network.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Footer, Input, Static

from raywizard.model.textsafe import literal
from raywizard.tui.dashboard.features import DashboardFeatures
from raywizard.tui.dashboard.feed import Batch, ReplicaHistory, StateFeed
from raywizard.tui.dashboard.help import DashboardCommands
from raywizard.tui.dashboard.keys import install_keymap, note_way_back
from raywizard.tui.dashboard.panels import DashboardPanels
from raywizard.tui.dashboard.upkeep import ConnectionUpkeep
from raywizard.tui.dashboard.widgets.apps import ApplicationDetails, ApplicationsTable
from raywizard.tui.dashboard.widgets.cells import theme_styles
from raywizard.tui.dashboard.widgets.connection import ConnectionIndicator
from raywizard.tui.dashboard.widgets.events import EventsLog
from raywizard.tui.dashboard.widgets.groups import WorkerGroupsPanel
from raywizard.tui.dashboard.widgets.pods import PodsTable
from raywizard.tui.dashboard.widgets.ray import RayPanel
from raywizard.tui.dashboard.widgets.raycluster import RayClusterPanel

TICK_SECONDS = 0.125  # 8 UI batches a second: headroom under 10 redraws/s for Textual's own follow-up frames
POD_BUDGET = 1500  # pod rows touched per tick; the rest is carried to the next tick
GROUPS_EVERY = 0.5  # worker-group counts scan all pods: at most twice a second
AGES_EVERY = 1.0  # ages tick each second: the pods on screen, the RayCluster age, the apps' "LAST SYNC … ago"
RAY_POLL_SECONDS = 5.0  # the Ray head is asked through a fresh port-forward: every few seconds is plenty


class DashboardScreen(DashboardFeatures, DashboardPanels, ConnectionUpkeep):
    """``DashboardScreen(connection, spec)``; tests and screenshots pass ``state=`` (and no watcher starts)."""

    CSS_PATH = "dashboard.tcss"
    # Short terminals: the pods table keeps the room (-tiny is 80x24 and the like).
    VERTICAL_BREAKPOINTS = [(0, "-tiny"), (28, "-short"), (36, "-tall")]
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]  # wide: the Applications table gets its width
    # Every binding has an id: the keys file remaps them (keys.py), help and the palette list them (help.py).
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "sync", "Sync", id="dashboard.sync"),
        Binding("r", "refresh", "Refresh", id="dashboard.refresh"),
        Binding("R", "hard_refresh", "Hard refresh", key_display="R", id="dashboard.hard_refresh"),
        Binding("l", "logs", "Logs", id="dashboard.logs"),
        Binding("d", "describe_pod", "Pod YAML", id="dashboard.describe_pod"),
        Binding("c", "describe_raycluster", "RayCluster", id="dashboard.describe_raycluster"),
        Binding("p", "port_forward", "Ray UI", id="dashboard.port_forward"),
        Binding("w", "edit_worker_groups", "Edit groups", id="dashboard.edit_worker_groups"),
        Binding("slash", "filter", "Filter", key_display="/", id="dashboard.filter"),
        Binding("o", "sort", "Sort", id="dashboard.sort"),
        Binding("O", "reverse_sort", "Reverse", key_display="O", show=False, id="dashboard.reverse_sort"),
        Binding("question_mark", "help", "Help", key_display="?", id="dashboard.help"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="dashboard.clear_filter"),
    ]
    COMMANDS: ClassVar[set[Any]] = {DashboardCommands}
    IS_DASHBOARD = True  # the wizard's palette leaves its steps out over the dashboard
    # Footer keys in order of importance: at 80-100 columns only the first ones fit, the rest stay reachable
    # through their keys and the command palette (an overflowing compact footer drew garbage like
    # "^p paletter"). q Quit (the app's) is always shown.
    FOOTER_PRIORITY = ("help", "sync", "logs", "edit_worker_groups", "filter", "port_forward", "refresh",
                       "describe_pod", "sort", "describe_raycluster", "hard_refresh")
    FOOTER_RESERVED = len("q Quit ▏^p palette") + 4  # the app's quit key, the palette key and a margin

    def request_edit_worker_groups(self, spec: Any) -> None:
        """Open the wizard's worker-group step on ``spec``.

        An app that handles ``EditWorkerGroups`` decides (the standalone ``DashboardApp`` exits with the
        spec and the CLI opens the wizard). Inside the wizard (``WizardApp.replace_workspace``) the
        dashboard switches to the step itself: the live spec counts as saved, so only the user's edits are
        changes.
        """
        app: Any = self.app
        if hasattr(app, "on_dashboard_screen_edit_worker_groups") or not hasattr(app, "replace_workspace"):
            self.post_message(self.EditWorkerGroups(spec))
            return
        from raywizard.documents.workspace import Workspace
        from raywizard.tui.wizard.wizard_model import WizardStep

        workspace = Workspace.new(spec)
        workspace.saved_spec = spec.clone()
        app.replace_workspace(workspace, step=WizardStep.WORKERS)
        note_way_back(app)

    class EditWorkerGroups(Message):
        """Asks the app to open the wizard's worker-group step on ``spec`` (read from the live cluster)."""

        def __init__(self, spec: Any) -> None:
            super().__init__()
            self.spec = spec

    def __init__(
        self,
        connection: Any,
        spec: Any,
        *,
        state: Any = None,
        apply_timeline: Sequence[str] = (),
        watcher_factory: Callable[[Any, Any, Any], Any] | None = None,
        clock: Callable[[], datetime] | None = None,
        reconnect: Callable[[], Any] | None = None,
        name: str | None = None,
    ) -> None:
        """``reconnect`` re-reads the kubeconfig into a new Connection (default: the app's ``kubeconfig`` and the
        connection's context); see ``reconnect.py``."""
        super().__init__(name=name)
        self.connection = connection
        self._reconnect = reconnect
        self._own_connection = False  # True once the screen replaced the connection it was given
        self._reconnecting = False
        self._last_reconnect = 0.0
        self._probing = False
        self._last_probe = time.monotonic()
        self.probe_failure: tuple[datetime, str] | None = None  # since when /version has not answered, why
        self.reconnects = 0
        self._error_notified = ""
        self.spec = spec
        self.apply_timeline = list(apply_timeline)
        self._clock = clock or (lambda: datetime.now(UTC))
        self._watcher_factory = watcher_factory
        self.watcher: Any = None
        if state is None:
            from raywizard.kube.state import ClusterState

            state = ClusterState()
            self._own_state = True
        else:
            self._own_state = False
        self.state = state
        self.feed = StateFeed(state)
        self.history = ReplicaHistory()
        self.snapshot: Any = None
        self._pending: dict[str, set[str]] = {"applications": set(), "rayclusters": set(), "pods": set()}
        self._new_events: list[Any] = []
        self._groups_due = True
        self._last_groups = 0.0
        self._groups_running = False
        self._first_fill = True
        self._last_ages = time.monotonic()
        self.ticks_applied = 0
        self.tick_seconds: deque[float] = deque(maxlen=2000)
        self._titles: dict[str, str] = {}
        self._pod_details_shown = ""
        self._styles: dict[str, str] = {}
        self.forward: Any = None
        self.forward_text = ""
        self.forward_state = ""
        self.cluster_name = _raycluster_name(spec)
        self._last_group_rows: list[Any] = []

    # -- layout --------------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Horizontal(id="dash-header"):
            yield Static(self._header_text(), id="dash-title")
            yield Static("", id="dash-forward")
            yield ConnectionIndicator(id="dash-connection")
        with Horizontal(id="dash-top"):
            with Vertical(id="apps-panel", classes="panel"):
                yield ApplicationsTable(id="apps")
                yield ApplicationDetails(id="app-details")
            yield RayClusterPanel(id="raycluster", classes="panel")
        yield WorkerGroupsPanel(id="groups", classes="panel")
        yield RayPanel(id="ray", classes="panel")
        with Vertical(id="pods-panel", classes="panel"):
            yield PodsTable(id="pods")
            yield Static("", id="pod-details")
        with Vertical(id="events-panel", classes="panel"):
            yield EventsLog(id="events")
        yield Input(placeholder="filter (Enter to keep, Escape to clear)", id="dash-filter")
        yield Footer(compact=True)

    def _header_text(self) -> Text:
        """Title, context, server and namespace; below 120 columns without the server (the namespace matters
        more, and it was the part cut off at 80 columns)."""
        text = Text("raywizard dashboard", style="bold")
        context = getattr(self.connection, "context_name", "") if self.connection is not None else ""
        server = getattr(self.connection, "server_url", "") if self.connection is not None else ""
        if self.is_mounted and self.app.size.width < 120:
            server = ""
        if context:
            text.append(f"  {literal(context, single_line=True)}")
        if server:
            text.append(f" ({literal(server, single_line=True)})")
        namespace = getattr(getattr(self.spec, "target", None), "namespace", "")
        if namespace:
            text.append(f"  ns {literal(namespace, single_line=True)}")
        return text

    def fit_footer(self, width: int) -> None:
        """Show the most important keys that fit ``width`` columns; hide the others from the footer only."""
        from dataclasses import replace

        by_action = {b.action: b for b in self.BINDINGS if isinstance(b, Binding)}
        budget = width - self.FOOTER_RESERVED
        shown: set[str] = set()
        for action in self.FOOTER_PRIORITY:
            binding = by_action[action]
            cost = len(binding.key_display or binding.key) + len(binding.description) + 2
            if cost > budget:
                break
            budget -= cost
            shown.add(action)
        bindings = self._bindings.key_to_bindings
        changed = False
        for key, found in list(bindings.items()):
            new = [replace(b, show=b.action in shown) if b.action in self.FOOTER_PRIORITY else b for b in found]
            if [b.show for b in new] != [b.show for b in found]:
                bindings[key] = new  # a new list: the class's lists are shared by every instance
                changed = True
        if changed:
            self.refresh_bindings()

    def on_resize(self, event: Any) -> None:
        self.fit_footer(event.size.width)
        title = self._header_text()
        shown = self.query_one("#dash-title", Static)
        if title.plain != getattr(shown, "_title_plain", None):
            shown._title_plain = title.plain  # type: ignore[attr-defined]
            shown.update(title)

    def on_mount(self) -> None:
        install_keymap(self.app)
        self.fit_footer(self.app.size.width)
        self._styles = theme_styles(self.app.theme_variables)
        self.query_one("#apps-panel").border_title = "Applications"
        self.query_one("#raycluster").border_title = "RayCluster"
        self.query_one("#groups").border_title = "Worker groups"
        self._start_ray_panel()
        self.query_one("#dash-filter").display = False
        pods = self.query_one(PodsTable)
        pods.on_counts_changed = self._pods_changed
        self._update_titles()
        pods.focus()
        if self._own_state and self.connection is not None:
            self.start_watcher()
        self.set_interval(TICK_SECONDS, self.tick, name="dashboard-tick")
        self.call_after_refresh(self.tick)  # once the layout is known (the events log renders at its width)

    def _start_ray_panel(self) -> None:
        """The Ray autoscaler's view, asked of the head through a port-forward; hidden without a cluster."""
        panel = self.query_one(RayPanel)
        panel.border_title = "Ray autoscaler"
        connection = self.connection
        if connection is None:
            panel.display = False
            return
        namespace = str(getattr(getattr(self.spec, "target", None), "namespace", "") or "")

        def ask() -> Any:
            from raywizard.kube.rayhead import ray_insight

            snap = self.snapshot
            summary = self._summary()
            raycluster = dict(snap.rayclusters.get(summary.key) or {}) if snap is not None and summary else None
            pods = list(snap.pods.values()) if snap is not None else []
            return ray_insight(connection.api_client, summary.namespace if summary else namespace, raycluster, pods)

        panel.poll(ask, RAY_POLL_SECONDS)

    def on_unmount(self) -> None:
        self.stop_forward(closing=True)
        self._stop_watcher(close=self.connection if self._own_connection else None)

    def _stop_watcher(self, close: Any = None) -> None:
        """Stop the watches (and close ``close``, a connection) on a thread: never wait for sockets here."""
        watcher, self.watcher = self.watcher, None

        def stop() -> None:
            if watcher is not None:
                watcher.stop()
            if close is not None:
                close.close()

        if watcher is not None or close is not None:
            threading.Thread(target=stop, name="dashboard-watch-stop", daemon=True).start()

    # -- the data loop -------------------------------------------------------------------------------------

    def tick(self) -> None:
        """One coalesced UI update (timer, 8/s): fold in what changed, then spend a bounded budget on it."""
        started = time.perf_counter()
        self._tick()
        self.tick_seconds.append(time.perf_counter() - started)  # read by bench/bench_dashboard.py

    def _tick(self) -> None:
        batch = self.feed.poll()
        if batch is not None:
            self._absorb(batch)
        now = time.monotonic()
        if self.snapshot is None:
            return
        work = self._apply_pending()
        if self.query_one(PodsTable).flush_sort():
            self._show_pod_details()
        if self._groups_due and not self._groups_running and now - self._last_groups >= GROUPS_EVERY:
            self._groups_due = False
            self._last_groups = now
            self._compute_groups()
        elif self.history.sample(self._replicas()):
            self._show_groups(sampled=True)
        if now - self._last_ages >= AGES_EVERY:
            self._last_ages = now
            self._refresh_ages()
        self._check_connection(now)
        if work:
            self.ticks_applied += 1

    def _absorb(self, batch: Batch) -> None:
        snap = batch.snapshot
        self.snapshot = snap
        for kind in self._pending:
            self._pending[kind] |= batch.changed(kind)
        changed_events = batch.changed("events")
        if changed_events:
            # A changed event moves to the end of the list (oldest first): walk back from the newest.
            found: list[Any] = []
            for event in reversed(snap.events):
                if _key(event) in changed_events:
                    found.append(event)
                    if len(found) == len(changed_events):
                        break
            # Oldest first by the event's own time (the state's order is arrival order: a relist delivered them
            # newest-first, and a new Warning then landed below older events, off screen).
            found.reverse()  # arrival order, which breaks ties between events of the same second
            found.sort(key=_event_time)
            self._new_events.extend(found)
        if batch.changed("rayclusters") or batch.changed("pods"):
            self._groups_due = True
        self._show_connection()

    def _apply_pending(self) -> bool:
        from raywizard.kube import views

        snap = self.snapshot
        work = False
        apps = self._pending["applications"]
        if apps:
            app_rows = [
                (key, views.application_row(snap.applications[key], snap.applications)
                 if key in snap.applications else None)
                for key in sorted(apps, key=self._app_order)
            ]
            apps.clear()
            table = self.query_one(ApplicationsTable)
            first_fill = table.row_count == 0
            table.apply(app_rows, self._clock())
            target = getattr(self.spec, "target", None)
            cluster_key = f"{target.argocd_namespace}/{target.cluster_app}" if target is not None else ""
            if first_fill and cluster_key in table.rows:
                # Actions on Applications (sync, refresh) default to the one that holds the RayCluster.
                table.move_cursor(row=table.get_row_index(cluster_key), scroll=False)
            self._show_app_details()
            work = True
        if self._pending["rayclusters"] or self._first_fill:
            self._pending["rayclusters"].clear()
            self._show_raycluster()
            work = True
        if self._first_fill:  # empty panels say what they wait for
            self._first_fill = False
            self._show_app_details()
        pods = self._pending["pods"]
        if pods:
            now = self._clock()
            take = [pods.pop() for _ in range(min(POD_BUDGET, len(pods)))]
            rows: list[tuple[str, Any, str]] = []
            for key in take:
                pod = snap.pods.get(key)
                if pod is None:
                    rows.append((key, None, ""))
                else:
                    rows.append((key, views.pod_row(pod, now), str((pod.get("status") or {}).get("phase", ""))))
            self.query_one(PodsTable).apply(rows)
            self._show_pod_details()
            work = True
        if self._new_events:
            events, self._new_events = self._new_events, []
            self.query_one(EventsLog).add(views.event_row(e) for e in events[-500:])
            self._update_titles()
            work = True
        return work

    # -- the watcher ---------------------------------------------------------------------------------------

    def start_watcher(self) -> None:
        """Start the cluster layer's watches in a thread (construction and start may touch the network)."""

        def start() -> None:
            if self._watcher_factory is not None:
                watcher = self._watcher_factory(self.connection, self.spec, self.state)
            else:
                from raywizard.kube.watch import ClusterWatcher

                target = self.spec.target
                watcher = ClusterWatcher(
                    self.connection.api_client,
                    argocd_namespace=target.argocd_namespace,
                    namespace=target.namespace,
                    state=self.state,
                )
            watcher.start()
            self.watcher = watcher
            if not self.is_mounted:  # the screen closed while the watches were starting
                self.watcher = None
                watcher.stop()

        self.run_worker(start, thread=True, exit_on_error=False, group="dashboard-watch", name="cluster watch")


def _key(obj: Any) -> str:
    meta = obj.get("metadata") or {}
    namespace = meta.get("namespace") or ""
    return f"{namespace}/{meta.get('name', '')}" if namespace else str(meta.get("name", ""))


def _event_time(event: Any) -> str:
    """When an event last happened, as ISO text (sorts as time): lastTimestamp, eventTime, or creation."""
    meta = event.get("metadata") or {}
    return str(event.get("lastTimestamp") or event.get("eventTime") or meta.get("creationTimestamp") or "")


def _raycluster_name(spec: Any) -> str | None:
    try:
        from raywizard.render.applications import raycluster_name

        return str(raycluster_name(spec))
    except Exception:  # no spec (or an incomplete one): show whichever RayCluster the namespace holds
        return None
