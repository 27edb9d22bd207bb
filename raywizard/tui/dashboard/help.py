"""``?`` on the dashboard: its keys by panel (the keys in force, after the keys file), and the same commands in
the command palette (ctrl+p), so that an action the footer has no room for is still one search away.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from raywizard.tui.common.textual_internals import bindings_of
from raywizard.tui.dashboard.keys import key_for

# (panel, [(binding id, what it does)]): what `?` shows, in this order. The ids are the keys file's names.
PANELS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("Applications", (
        ("dashboard.sync", "sync the highlighted Application (asks first)"),
        ("dashboard.refresh", "normal refresh: Argo CD compares again (no write to the cluster's workloads)"),
        ("dashboard.hard_refresh", "hard refresh: regenerate the manifests, then compare (asks first)"),
        ("dashboard.application", "resource tree, YAML, sync history and last operation of the Application"),
        ("dashboard.delete", "delete the Application, listing what its cascade removes (asks first)"),
    )),
    ("Pods", (
        ("dashboard.logs", "logs of the highlighted pod: pick the container (init containers too)"),
        ("dashboard.group_logs", "logs of every pod of the highlighted pod's group, each line prefixed"),
        ("dashboard.describe_pod", "the pod as YAML"),
        ("dashboard.filter", "filter the focused table (pods or events)"),
        ("dashboard.sort", "sort by the next column"),
        ("dashboard.reverse_sort", "reverse the sort"),
    )),
    ("Events", (
        ("dashboard.events", "all events: scroll, filter, Warning only, grouped by object, full text"),
        ("events.warnings", "in the Events panel: Warning events only"),
        ("events.open", "in the Events panel: the events view"),
        ("dashboard.filter", "in the Events panel: filter"),
        ("@tab", "focus the Events panel; then the cursor keys scroll it"),
    )),
    ("RayCluster and Ray", (
        ("dashboard.describe_raycluster", "the RayCluster as YAML"),
        ("dashboard.port_forward", "forward the Ray dashboard (8265) to localhost; again to stop"),
        ("dashboard.edit_worker_groups", "edit the worker groups in the wizard (F2 there comes back)"),
    )),
    ("Everywhere", (
        ("dashboard.help", "this help"),
        ("@ctrl+p", "command palette: every action by name"),
        ("@tab", "next panel (shift+tab: previous)"),
        ("@q", "quit"),
    )),
)


def bindings_by_id(screen: Screen[Any]) -> dict[str, Binding]:
    """Every binding with an id on the screen and its widgets (the class bindings, before the keymap)."""
    found: dict[str, Binding] = {}
    for node in (screen, *screen.query("*")):
        for bindings in bindings_of(node).values():
            for binding in bindings:
                if binding.id and binding.id not in found:
                    found[binding.id] = binding
    return found


def help_rows(screen: Screen[Any]) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    """(panel, [(key, what it does)]) with the keys in force now."""
    found = bindings_by_id(screen)
    for panel, entries in PANELS:
        rows = []
        for binding_id, text in entries:
            if binding_id.startswith("@"):
                rows.append((binding_id[1:], text))
            elif binding_id in found:
                rows.append((key_for(screen.app, found[binding_id]), text))
        if rows:
            yield panel, rows


class HelpScreen(ModalScreen[None]):
    """The dashboard's keys by panel; any of Escape, q or ? closes it."""

    CSS_PATH = "dashboard.tcss"
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close")]

    def __init__(self, rows: list[tuple[str, list[tuple[str, str]]]]) -> None:
        super().__init__(classes="dashboard-help")
        self._rows = rows

    def compose(self) -> ComposeResult:
        with Vertical(id="help-dialog"):
            yield Static(Text("Dashboard keys", style="bold"), id="help-title")
            with VerticalScroll(id="help-body"):
                for panel, rows in self._rows:
                    table = Table.grid(padding=(0, 2))
                    table.add_column(width=8, style="bold")
                    table.add_column()
                    for key, text in rows:
                        table.add_row(Text(key), Text(text))
                    yield Static(Text(panel, style="underline"), classes="help-panel")
                    yield Static(table, classes="help-keys")
            yield Static(Text("Keys can be remapped by id in keys.yaml (see README)", style="italic"),
                         id="help-hint")

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)

    @property
    def panels(self) -> list[str]:
        return [panel for panel, _ in self._rows]


def commands(screen: Screen[Any]) -> list[tuple[str, str, Callable[[], Awaitable[None]]]]:
    """(title, help, callback) for every dashboard action with a binding: the palette's entries."""
    found = bindings_by_id(screen)
    result: list[tuple[str, str, Callable[[], Awaitable[None]]]] = []
    seen: set[str] = set()
    for _panel, entries in PANELS:
        for binding_id, text in entries:
            binding = found.get(binding_id)
            if binding is None or binding_id in seen or not binding_id.startswith("dashboard."):
                continue
            seen.add(binding_id)

            async def run(action: str = binding.action) -> None:
                await screen.run_action(action)

            result.append((f"{binding.description} ({key_for(screen.app, binding)})", text, run))
    return result


class DashboardCommands(Provider):
    """The command palette's dashboard entries (``DashboardScreen.COMMANDS``)."""

    async def discover(self) -> Hits:
        for title, help_text, callback in commands(self.screen):
            yield DiscoveryHit(title, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in commands(self.screen):
            score = max(matcher.match(title), matcher.match(help_text) * 0.5)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help_text)
