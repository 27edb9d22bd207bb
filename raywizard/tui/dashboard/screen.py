"""DashboardScreen: the live view of the Argo CD Applications, the RayCluster, its worker groups, pods and
events.

Data flow: a ``ClusterSession`` (``raywizard.kube.session``) runs the watches that fill a ``ClusterState``; an
8 Hz timer asks it what changed (``StateFeed``), turns the changed objects into rows with
``raywizard.kube.views`` (the same functions as ``raywizard status --watch``) and updates the widgets in place
(``panels.py``). A tick does a bounded amount of work (changes beyond ``POD_BUDGET`` wait for the next tick), so
keys stay responsive under 1,000 events/s. Everything that may block (starting the watches, the probe, the
kubeconfig re-read, counting worker groups, writes, the port-forward) runs in this screen's thread workers,
which post a message from ``raywizard.tui.messages`` when done; the keys' logic is in ``actions.py`` and the
views they open (help, events, an Application, delete, a whole pod) in ``views.py``.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static
from textual.worker import get_current_worker

from raywizard.kube.session import ClusterSession
from raywizard.kube.watch_support import freeze_long_lived
from raywizard.model.errors import RaywizardError
from raywizard.model.textsafe import literal
from raywizard.tui.common.textual_internals import show_in_footer
from raywizard.tui.dashboard.actions import DashboardActions
from raywizard.tui.dashboard.feed import Batch, StateFeed
from raywizard.tui.dashboard.help import DashboardCommands
from raywizard.tui.dashboard.keys import install_keymap, note_way_back
from raywizard.tui.dashboard.panels import DashboardPanels
from raywizard.tui.dashboard.views import DashboardViews
from raywizard.tui.dashboard.widgets.apps import ApplicationDetails, ApplicationsTable
from raywizard.tui.dashboard.widgets.cells import theme_styles
from raywizard.tui.dashboard.widgets.connection import ConnectionIndicator
from raywizard.tui.dashboard.widgets.events import EventsLog
from raywizard.tui.dashboard.widgets.groups import WorkerGroupsPanel
from raywizard.tui.dashboard.widgets.pods import PodsTable
from raywizard.tui.dashboard.widgets.ray import RayPanel
from raywizard.tui.dashboard.widgets.raycluster import RayClusterPanel
from raywizard.tui.messages import (
    CredentialsReloaded,
    ForwardStarted,
    ForwardStatusChanged,
    GroupsCounted,
    ProbeAnswered,
    WriteFinished,
)

if TYPE_CHECKING:
    from raywizard.kube.connection import Connection
    from raywizard.kube.portforward import ForwardStatus, HeadPortForward
    from raywizard.kube.state import ClusterState, StateSnapshot
    from raywizard.model.ray_insight import RayInsight
    from raywizard.model.spec import ClusterSpec

TICK_SECONDS = 0.125  # 8 UI batches a second: headroom under 10 redraws/s for Textual's own follow-up frames
POD_BUDGET = 1500  # pod rows touched per tick; the rest is carried to the next tick
FREEZE_AFTER_ROWS = 1000  # rows added in one tick (a fill): their objects leave the garbage collector's scans
GROUPS_EVERY = 0.5  # worker-group counts scan all pods: at most twice a second
AGES_EVERY = 1.0  # ages tick each second: the pods on screen, the RayCluster age, the apps' "LAST SYNC … ago"
RAY_POLL_SECONDS = 5.0  # the Ray head is asked through a fresh port-forward: every few seconds is plenty


class DashboardScreen(Screen[None]):
    """``DashboardScreen(connection, spec)``, or ``session=`` a ``ClusterSession`` made elsewhere. With
    ``state=`` (tests, screenshots) the screen shows that state and starts no watches."""

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
        Binding("L", "group_logs", "Group logs", key_display="L", show=False, id="dashboard.group_logs"),
        Binding("d", "describe_pod", "Pod YAML", id="dashboard.describe_pod"),
        Binding("c", "describe_raycluster", "RayCluster", id="dashboard.describe_raycluster"),
        Binding("p", "port_forward", "Ray UI", id="dashboard.port_forward"),
        Binding("w", "edit_worker_groups", "Edit groups", id="dashboard.edit_worker_groups"),
        Binding("slash", "filter", "Filter", key_display="/", id="dashboard.filter"),
        Binding("o", "sort", "Sort", id="dashboard.sort"),
        Binding("O", "reverse_sort", "Reverse", key_display="O", show=False, id="dashboard.reverse_sort"),
        Binding("e", "events", "Events", show=False, id="dashboard.events"),
        Binding("a", "application", "Application", show=False, id="dashboard.application"),
        Binding("ctrl+d", "delete", "Delete", show=False, id="dashboard.delete"),
        Binding("T", "restart_old_template", "Restart old pods", key_display="T", show=False,
                id="dashboard.restart_old_template"),
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

    class EditWorkerGroups(Message):
        """Asks the app to open the wizard's worker-group step on ``spec`` (read from the live cluster)."""

        def __init__(self, spec: ClusterSpec) -> None:
            super().__init__()
            self.spec = spec

    def __init__(
        self,
        connection: Connection | None,
        spec: ClusterSpec,
        *,
        state: ClusterState | None = None,
        session: ClusterSession | None = None,
        apply_timeline: Sequence[str] = (),
        clock: Callable[[], datetime] | None = None,
        name: str | None = None,
    ) -> None:
        super().__init__(name=name)
        self.session = session or ClusterSession.for_spec(connection, spec, state=state)
        self.spec = spec
        self.apply_timeline = list(apply_timeline)
        self.clock = clock or (lambda: datetime.now(UTC))
        self.feed = StateFeed(self.session.state)
        self.panels = DashboardPanels(self)
        self.actions = DashboardActions(self)
        self.views = DashboardViews(self)
        self.snapshot: StateSnapshot | None = None
        self.cluster_name = _raycluster_name(spec)
        self._pending: dict[str, set[str]] = {"applications": set(), "rayclusters": set(), "pods": set()}
        self._new_events: list[Any] = []
        self._groups_due = True
        self._last_groups = 0.0
        self._groups_running = False
        self._first_fill = True
        self._last_ages = time.monotonic()
        self._error_notified = ""
        self.ticks_applied = 0
        self.tick_seconds: deque[float] = deque(maxlen=2000)  # read by bench/bench_dashboard.py
        self.forward_text = ""
        self.forward_state = ""

    @property
    def connection(self) -> Connection | None:
        return self.session.connection

    @property
    def forward(self) -> HeadPortForward | None:
        return self.session.forward

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Notifications carry names and errors from the cluster: shown literally unless asked otherwise."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

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
        connection = self.connection
        context = getattr(connection, "context_name", "") if connection is not None else ""
        server = getattr(connection, "server_url", "") if connection is not None else ""
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

    def _show_header(self) -> None:
        title = self._header_text()
        shown = self.query_one("#dash-title", Static)
        if title.plain != getattr(shown, "_title_plain", None):
            shown._title_plain = title.plain  # type: ignore[attr-defined]
            shown.update(title)

    def fit_footer(self, width: int) -> None:
        """Show the most important keys that fit ``width`` columns; hide the others from the footer only."""
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
        if show_in_footer(self, shown, self.FOOTER_PRIORITY):
            self.refresh_bindings()

    def on_resize(self, event: Any) -> None:
        self.fit_footer(event.size.width)
        self._show_header()

    def on_mount(self) -> None:
        if not self.children:
            return  # the app closed before this screen's widgets were composed: nothing to start
        install_keymap(self.app)
        self.fit_footer(self.app.size.width)
        self.panels.styles = theme_styles(self.app.theme_variables)
        self.query_one("#apps-panel").border_title = "Applications"
        self.query_one("#raycluster").border_title = "RayCluster"
        self.query_one("#groups").border_title = "Worker groups"
        self._start_ray_panel()
        self.query_one("#dash-filter").display = False
        pods = self.query_one(PodsTable)
        pods.on_counts_changed = self.panels.pods_changed
        self.panels.update_titles()
        pods.focus()
        if self.session.watching and self.connection is not None:
            self._start_watches()
        self.set_interval(TICK_SECONDS, self.tick, name="dashboard-tick")
        self.call_after_refresh(self.tick)  # once the layout is known (the events log renders at its width)

    def _start_ray_panel(self) -> None:
        """The Ray autoscaler's view, asked of the head through a port-forward; hidden without a cluster."""
        panel = self.query_one(RayPanel)
        panel.border_title = "Ray autoscaler"
        session = self.session
        if session.connection is None:
            panel.display = False
            return
        namespace = session.namespace

        def ask() -> RayInsight:
            snap = self.snapshot
            summary = self.panels.summary()
            raycluster = dict(snap.rayclusters.get(summary.key) or {}) if snap is not None and summary else None
            pods = list(snap.pods.values()) if snap is not None else []
            return session.ray_insight(summary.namespace if summary else namespace, raycluster, pods)

        panel.poll(ask, RAY_POLL_SECONDS)

    def on_unmount(self) -> None:
        """Stop the watches and the forward without waiting for their threads (a read in progress is shut
        down; they end on their own within moments): leaving the dashboard never waits on sockets. This
        screen's workers are cancelled with it."""
        self.forward_text = ""
        self.session.close(timeout=0)

    # -- the data loop -------------------------------------------------------------------------------------

    def tick(self) -> None:
        """One coalesced UI update (timer, 8/s): fold in what changed, then spend a bounded budget on it."""
        started = time.perf_counter()
        self._tick()
        self.tick_seconds.append(time.perf_counter() - started)

    def _tick(self) -> None:
        batch = self.feed.poll()
        if batch is not None:
            self._absorb(batch)
        now = time.monotonic()
        if self.snapshot is None:
            return
        work = self._apply_pending()
        if self.query_one(PodsTable).flush_sort():
            self.panels.show_pod_details()
        if self._groups_due and not self._groups_running and now - self._last_groups >= GROUPS_EVERY:
            self._groups_due = False
            self._last_groups = now
            self._count_groups()
        elif self.panels.history.sample(self.panels.replicas()):
            self.panels.show_groups(sampled=True)
        if now - self._last_ages >= AGES_EVERY:
            self._last_ages = now
            self.panels.refresh_ages()
        self._upkeep()
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
        self.show_connection()

    def _apply_pending(self) -> bool:
        from raywizard.kube import views

        snap = self.snapshot
        assert snap is not None  # the tick applies nothing before the first snapshot
        work = False
        apps = self._pending["applications"]
        if apps:
            app_rows = [
                (key, views.application_row(snap.applications[key], snap.applications)
                 if key in snap.applications else None)
                for key in sorted(apps, key=self.panels.app_order)
            ]
            apps.clear()
            table = self.query_one(ApplicationsTable)
            first_fill = table.row_count == 0
            table.apply(app_rows, self.clock())
            target = getattr(self.spec, "target", None)
            cluster_key = f"{target.argocd_namespace}/{target.cluster_app}" if target is not None else ""
            if first_fill and cluster_key in table.rows:
                # Actions on Applications (sync, refresh) default to the one that holds the RayCluster.
                table.move_cursor(row=table.get_row_index(cluster_key), scroll=False)
            self.panels.show_app_details()
            work = True
        if self._pending["rayclusters"] or self._first_fill:
            self._pending["rayclusters"].clear()
            self.panels.show_raycluster()
            work = True
        if self._first_fill:  # empty panels say what they wait for
            self._first_fill = False
            self.panels.show_app_details()
        pods = self._pending["pods"]
        if pods:
            now = self.clock()
            take = [pods.pop() for _ in range(min(POD_BUDGET, len(pods)))]
            rows: list[tuple[str, Any, str]] = []
            for key in take:
                pod = snap.pods.get(key)
                if pod is None:
                    rows.append((key, None, ""))
                else:
                    rows.append((key, views.pod_row(pod, now), str((pod.get("status") or {}).get("phase", ""))))
            pods_table = self.query_one(PodsTable)
            before = pods_table.row_count
            pods_table.apply(rows)
            if pods_table.row_count - before >= FREEZE_AFTER_ROWS:
                freeze_long_lived()
            self.panels.show_pod_details()
            work = True
        if self._new_events:
            events, self._new_events = self._new_events, []
            self.query_one(EventsLog).add(views.event_row(e) for e in events[-500:])
            self.panels.update_titles()
            work = True
        return work

    # -- the connection ------------------------------------------------------------------------------------

    def show_connection(self) -> None:
        """The session's view of the connection in the indicator; an error's whole message once, as a
        notification (the header has room for the start of it only)."""
        status = self.session.status(self.snapshot)
        self.query_one(ConnectionIndicator).show(status)
        state, message = str(getattr(status, "state", "")), str(getattr(status, "message", ""))
        if state == "error" and message and message != self._error_notified:
            self._error_notified = message
            self.notify(literal(message, single_line=True), title="Connection error", severity="error", timeout=10)
        elif state == "live":
            self._error_notified = ""

    def _upkeep(self) -> None:
        """Re-read the kubeconfig while the watches are in error; probe the server while they say live."""
        if self.session.reload_due(self.snapshot):
            self._reload_credentials()
        if self.session.probe_due(self.snapshot):
            self._probe()

    def on_probe_answered(self, message: ProbeAnswered) -> None:
        self.show_connection()

    def on_credentials_reloaded(self, message: CredentialsReloaded) -> None:
        if message.changed:
            self.query_one("#dash-title", Static).update(self._header_text())
            self.notify("The kubeconfig changed (new credentials): watching again.", title="Reconnecting")

    # -- workers: everything that may block ----------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="dashboard-watch", name="cluster watch")
    def _start_watches(self) -> None:
        self.session.start_watches()

    @work(thread=True, exclusive=True, exit_on_error=False, group="dashboard-credentials")
    def _reload_credentials(self) -> None:
        changed = self.session.reload_credentials()
        if not get_current_worker().is_cancelled:
            self.post_message(CredentialsReloaded(changed))

    @work(thread=True, exclusive=True, exit_on_error=False, group="dashboard-probe")
    def _probe(self) -> None:
        failure = self.session.probe()
        if not get_current_worker().is_cancelled:
            self.post_message(ProbeAnswered(failure))

    def _count_groups(self) -> None:
        snapshot, name = self.snapshot, getattr(self.panels.summary(), "name", None)
        if snapshot is None or name is None:
            self.panels.groups_counted([])
            return
        self._groups_running = True
        self._count_groups_in_worker(snapshot, name)

    @work(thread=True, exclusive=True, exit_on_error=False, group="dashboard-groups")
    def _count_groups_in_worker(self, snapshot: StateSnapshot, name: str) -> None:
        """Worker-group counts scan every pod (5,000 of them under load): done over the immutable snapshot,
        shown when ready, so a tick never waits for it."""
        from raywizard.kube import views

        try:
            rows = views.worker_group_rows(snapshot, name)
        except Exception:  # a malformed object: keep the last counts
            rows = None
        if not get_current_worker().is_cancelled:
            self.post_message(GroupsCounted(rows))

    def on_groups_counted(self, message: GroupsCounted) -> None:
        self._groups_running = False
        self.panels.groups_counted(message.rows)

    @work(thread=True, exit_on_error=False, group="dashboard-write")
    def write(self, verb: str, namespace: str, name: str) -> None:
        """Send a confirmed sync, refresh or hard refresh (each reports its own outcome: not exclusive)."""
        try:
            if verb == "sync":
                self.session.sync(namespace, name)
                done = f"Sync of {name} started: watch its operation in the Applications panel."
            else:
                self.session.refresh(namespace, name, hard=verb == "hard_refresh")
                done = f"{'Hard refresh' if verb == 'hard_refresh' else 'Refresh'} of {name} requested."
        except Exception as exc:
            self.post_message(WriteFinished(verb, literal(str(exc), single_line=True), failed=True))
            return
        self.post_message(WriteFinished(verb, done))

    def on_write_finished(self, message: WriteFinished) -> None:
        if message.failed:
            self.notify(message.message, title=f"{message.verb} failed", severity="error", timeout=8)
        else:
            self.notify(message.message, timeout=4)

    # -- the Ray dashboard forward -------------------------------------------------------------------------

    def start_forward(self, namespace: str, raycluster: str) -> None:
        forward = self.session.open_forward(namespace, raycluster, on_status=self._forward_status)
        self._listen(forward)

    @work(thread=True, exclusive=True, exit_on_error=False, group="dashboard-forward")
    def _listen(self, forward: HeadPortForward) -> None:
        try:
            url = forward.start()
        except (OSError, RaywizardError) as exc:
            self.post_message(ForwardStarted(error=str(exc)))
            return
        self.post_message(ForwardStarted(url=url))

    def on_forward_started(self, message: ForwardStarted) -> None:
        if message.error:
            self.session.detach_forward()
            self.notify(f"Cannot listen locally: {message.error}", severity="error")
        else:
            self.notify(f"Ray dashboard: {message.url} (p stops the forward)", timeout=8)

    def _forward_status(self, status: ForwardStatus) -> None:
        """Called from the port-forward's threads (``post_message`` is thread-safe)."""
        self.post_message(ForwardStatusChanged(status))

    def on_forward_status_changed(self, message: ForwardStatusChanged) -> None:
        self._show_forward(message.status)

    def _show_forward(self, status: ForwardStatus | None) -> None:
        forward = self.session.forward
        url = forward.url if forward is not None else ""
        state = getattr(status, "state", "")
        message = str(getattr(status, "message", "") or "")
        if state == "stopped" or not url:
            text = Text("")
        else:
            text = Text(f"Ray dashboard {url} ", style="bold")
            text.append(f"({literal(state)})")
            if state == "error" and self.forward_state != "error":
                self.notify(literal(message, single_line=True), title="Ray dashboard forward", severity="error")
        self.forward_state = state
        self.forward_text = text.plain
        self.query_one("#dash-forward", Static).update(text)

    def stop_forward(self) -> None:
        forward = self.session.detach_forward()
        if forward is not None:
            self._stop_forward(forward)
        self._show_forward(None)

    @work(thread=True, exit_on_error=False, group="dashboard-forward-stop")
    def _stop_forward(self, forward: HeadPortForward) -> None:
        forward.stop()  # joins the forward's threads

    # -- keys ----------------------------------------------------------------------------------------------

    def action_sync(self) -> None:
        self.actions.sync()

    def action_refresh(self) -> None:
        self.actions.refresh()

    def action_hard_refresh(self) -> None:
        self.actions.hard_refresh()

    def action_logs(self) -> None:
        self.actions.logs()

    def action_describe_pod(self) -> None:
        self.actions.describe_pod()

    def action_describe_raycluster(self) -> None:
        self.actions.describe_raycluster()

    def action_port_forward(self) -> None:
        self.actions.port_forward()

    def action_edit_worker_groups(self) -> None:
        self.actions.edit_worker_groups()

    def action_restart_old_template(self) -> None:
        self.actions.restart_old_template()

    def action_filter(self) -> None:
        self.actions.open_filter()

    def action_clear_filter(self) -> None:
        self.actions.clear_filter()

    def action_sort(self) -> None:
        self.actions.sort()

    def action_reverse_sort(self) -> None:
        self.actions.reverse_sort()

    def action_group_logs(self) -> None:
        self.views.group_logs()

    def action_events(self) -> None:
        self.views.events()

    def action_application(self, tab: str = "resources") -> None:
        self.views.application(tab)

    def action_delete(self) -> None:
        self.views.delete()

    def action_help(self) -> None:
        self.views.help()

    def describe_whole_pod(self, namespace: str, name: str) -> None:
        self.views.describe_whole_pod(namespace, name)

    @on(Input.Changed, "#dash-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.actions.filter_changed(event.value)

    @on(Input.Submitted, "#dash-filter")
    def _filter_kept(self, event: Input.Submitted) -> None:
        self.actions.keep_filter()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id == "apps":
            event.stop()
            self.views.application()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "apps":
            self.panels.show_app_details()
        elif event.data_table.id == "pods":
            self.panels.show_pod_details()

    def live_spec(self) -> ClusterSpec:
        return self.actions.live_spec()

    def request_edit_worker_groups(self, spec: ClusterSpec) -> None:
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


def _key(obj: Any) -> str:
    meta = obj.get("metadata") or {}
    namespace = meta.get("namespace") or ""
    return f"{namespace}/{meta.get('name', '')}" if namespace else str(meta.get("name", ""))


def _event_time(event: Any) -> str:
    """When an event last happened, as ISO text (sorts as time): lastTimestamp, eventTime, or creation."""
    meta = event.get("metadata") or {}
    return str(event.get("lastTimestamp") or event.get("eventTime") or meta.get("creationTimestamp") or "")


def _raycluster_name(spec: ClusterSpec) -> str | None:
    try:
        from raywizard.render.applications import raycluster_name

        return str(raycluster_name(spec))
    except Exception:  # no spec (or an incomplete one): show whichever RayCluster the namespace holds
        return None
