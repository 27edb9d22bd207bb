"""One Application as Argo CD shows it (``a``, or Enter in the Applications panel): its resource tree (kind, name,
sync, health, message from ``status.resources``, the RayCluster's pods under it), its YAML, the sync history with
revisions, and the last operation in full (phase, message, every resource's result). Shapes:
docs/domain/argocd.md#application-status. Refreshed once a second while open, from the dashboard's snapshot.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static, TabbedContent, TabPane, Tree

from raywizard.model.textsafe import literal
from raywizard.tui.common.literal_text import rich_text
from raywizard.tui.dashboard.widgets.cells import status_cell, theme_styles

REFRESH_SECONDS = 1.0
# The order Argo CD syncs kinds in (CRDs and namespaces first), then by name: the tree reads top-down.
KIND_ORDER = ("Namespace", "CustomResourceDefinition", "ServiceAccount", "ClusterRole", "ClusterRoleBinding",
              "Role", "RoleBinding", "ConfigMap", "Secret", "Service", "Deployment", "RayCluster")
TABS = ("resources", "yaml", "history", "operation")


def _s(value: Any) -> str:
    return "" if value is None else str(value)


def resource_rows(app: Mapping[str, Any]) -> list[dict[str, str]]:
    """``status.resources`` as (kind, namespace, name, sync, health, message), in sync order."""
    rows = []
    for res in (app.get("status") or {}).get("resources") or []:
        health = res.get("health") or {}
        rows.append({
            "kind": _s(res.get("kind")), "group": _s(res.get("group")), "namespace": _s(res.get("namespace")),
            "name": _s(res.get("name")), "sync": _s(res.get("status")), "health": _s(health.get("status")),
            "message": _s(health.get("message")),
            "prune": "requires pruning" if res.get("requiresPruning") else "",
        })
    order = {kind: index for index, kind in enumerate(KIND_ORDER)}
    rows.sort(key=lambda r: (order.get(r["kind"], len(order)), r["kind"], r["namespace"], r["name"]))
    return rows


def history_rows(app: Mapping[str, Any]) -> list[dict[str, str]]:
    """``status.history``, newest first: id, revision(s), deployed at, who started it, the source."""
    rows = []
    for entry in reversed((app.get("status") or {}).get("history") or []):
        revisions = entry.get("revisions") or ([entry["revision"]] if entry.get("revision") else [])
        sources = entry.get("sources") or ([entry["source"]] if entry.get("source") else [])
        who = entry.get("initiatedBy") or {}
        rows.append({
            "id": _s(entry.get("id")),
            "revision": ", ".join(_short(_s(r)) for r in revisions),
            "deployed": _s(entry.get("deployedAt")),
            "started": _s(entry.get("deployStartedAt")),
            "by": "automated" if who.get("automated") else _s(who.get("username")),
            "source": "; ".join(_source_text(s) for s in sources),
        })
    return rows


def _short(revision: str) -> str:
    return revision[:8] if len(revision) == 40 and all(c in "0123456789abcdef" for c in revision) else revision


def _source_text(source: Mapping[str, Any]) -> str:
    parts = [_s(source.get("repoURL"))]
    if source.get("chart"):
        parts.append(f"chart {source['chart']}")
    if source.get("path"):
        parts.append(f"path {source['path']}")
    if source.get("targetRevision"):
        parts.append(f"@ {source['targetRevision']}")
    return " ".join(p for p in parts if p)


def operation_text(app: Mapping[str, Any]) -> Text:
    """The last operation in full: phase, times, the whole message, every resource's result."""
    state = (app.get("status") or {}).get("operationState") or {}
    text = Text()
    if not state:
        text.append("No operation yet.", style="italic")
        return text
    operation = state.get("operation") or {}
    sync = operation.get("sync") or {}
    who = operation.get("initiatedBy") or {}
    lines = [
        ("Phase", _s(state.get("phase"))),
        ("Started", _s(state.get("startedAt"))),
        ("Finished", _s(state.get("finishedAt"))),
        ("Revision", ", ".join(_s(r) for r in (sync.get("revisions") or [sync.get("revision")]) if r)),
        ("By", "automated" if who.get("automated") else _s(who.get("username"))),
        ("Retries", _s(state.get("retryCount") or "")),
    ]
    for label, value in lines:
        if value:
            text.append(f"{label:<9} ", style="bold")
            text.append(literal(value, single_line=True))
            text.append("\n")
    text.append("\nMessage\n", style="bold")
    text.append(literal(_s(state.get("message")) or "(none)"))  # whole, with its own line breaks
    results = ((state.get("syncResult") or {}).get("resources")) or []
    if results:
        text.append(f"\n\nResources ({len(results)})\n", style="bold")
        for res in results:
            name = f"{res.get('kind', '')} {res.get('namespace', '') + '/' if res.get('namespace') else ''}"
            name += _s(res.get("name"))
            text.append(literal(name, single_line=True))
            text.append(f"  {literal(_s(res.get('status')), single_line=True)}")
            if res.get("hookPhase"):
                text.append(f" ({literal(_s(res['hookPhase']), single_line=True)})")
            if res.get("message"):
                text.append(f": {literal(_s(res['message']))}")
            text.append("\n")
    return text


class ApplicationScreen(Screen[None]):
    """``ApplicationScreen(key, current)``: ``current()`` returns (the Application or None, the snapshot's pods)."""

    CSS_PATH = "dashboard.tcss"
    BINDINGS = [
        Binding("escape,q", "back", "Back", id="application.back"),
        Binding("t", "tab('resources')", "Tree", id="application.tree"),
        Binding("y", "tab('yaml')", "YAML", id="application.yaml"),
        Binding("h", "tab('history')", "History", id="application.history"),
        Binding("m", "tab('operation')", "Last operation", id="application.operation"),
    ]

    def __init__(self, key: str, current: Callable[[], tuple[Mapping[str, Any] | None, Sequence[Any]]],
                 *, tab: str = "resources") -> None:
        super().__init__(classes="application-view")
        self.key = key
        self._current = current
        self._initial_tab = tab
        self._shown: Any = object()
        self._styles: dict[str, str] = {}
        self.resources: list[dict[str, str]] = []
        self.history: list[dict[str, str]] = []

    def compose(self) -> ComposeResult:
        yield Static(rich_text(f"Application {self.key}", single_line=True), id="application-title")
        with TabbedContent(initial=self._initial_tab, id="application-tabs"):
            with TabPane("Resource tree (t)", id="resources"):
                yield Tree(Text(literal(self.key, single_line=True)), id="application-tree")
            with TabPane("YAML (y)", id="yaml"), VerticalScroll(id="application-yaml-scroll"):
                yield Static("", id="application-yaml")
            with TabPane("History (h)", id="history"):
                yield DataTable(cursor_type="row", id="application-history")
            with TabPane("Last operation (m)", id="operation"), VerticalScroll(id="application-operation-scroll"):
                yield Static("", id="application-operation")
        yield Footer()

    def on_mount(self) -> None:
        self._styles = theme_styles(self.app.theme_variables)
        history = self.query_one("#application-history", DataTable)
        for key, label in (("id", "ID"), ("revision", "REVISION"), ("deployed", "DEPLOYED AT"),
                           ("by", "BY"), ("source", "SOURCE")):
            history.add_column(label, key=key)
        self.refresh_view()
        self.set_interval(REFRESH_SECONDS, self.refresh_view)

    def refresh_view(self) -> None:
        app, pods = self._current()
        if app is self._shown:
            return
        self._shown = app
        if app is None:
            self.query_one("#application-title", Static).update(
                rich_text(f"Application {self.key} (gone: deleted, or not visible any more)", single_line=True))
            return
        self._fill_tree(app, pods)
        from textual.highlight import highlight

        from raywizard.tui.dashboard.dialogs import object_yaml

        self.query_one("#application-yaml", Static).update(highlight(object_yaml(dict(app)), language="yaml"))
        self._fill_history(app)
        self.query_one("#application-operation", Static).update(operation_text(app))

    def _fill_tree(self, app: Mapping[str, Any], pods: Sequence[Any]) -> None:
        status = app.get("status") or {}
        tree = self.query_one(Tree)
        tree.clear()
        root = Text(literal(_s((app.get("metadata") or {}).get("name")), single_line=True), style="bold")
        root.append("  ")
        root.append_text(status_cell(_s((status.get("sync") or {}).get("status")) or "Unknown", self._styles))
        root.append("  ")
        root.append_text(status_cell(_s((status.get("health") or {}).get("status")) or "Unknown", self._styles))
        tree.root.set_label(root)
        self.resources = resource_rows(app)
        by_kind: dict[str, list[dict[str, str]]] = {}
        for row in self.resources:
            by_kind.setdefault(row["kind"], []).append(row)
        for kind, rows in by_kind.items():
            branch = tree.root.add(Text(f"{literal(kind, single_line=True)} ({len(rows)})", style="bold"),
                                   expand=True)
            for row in rows:
                node = branch.add(self._resource_label(row), expand=True, allow_expand=kind == "RayCluster")
                if kind == "RayCluster":
                    for pod in _pods_of(pods, row["name"]):
                        node.add_leaf(pod)
        if not self.resources:
            tree.root.add_leaf(Text("no resources reported yet (status.resources is empty)", style="italic"))
        tree.root.expand()

    def _resource_label(self, row: dict[str, str]) -> Text:
        label = Text(literal(f"{row['namespace']}/{row['name']}" if row["namespace"] else row["name"],
                             single_line=True))
        label.append("  ")
        label.append_text(status_cell(row["sync"] or "Unknown", self._styles))
        if row["health"]:
            label.append("  ")
            label.append_text(status_cell(row["health"], self._styles))
        if row["prune"]:
            label.append(f"  {row['prune']}", style=self._styles.get("wait", ""))
        if row["message"]:
            label.append(f"  {literal(row['message'], single_line=True)}", style=self._styles.get("dim", ""))
        return label

    def _fill_history(self, app: Mapping[str, Any]) -> None:
        table = self.query_one("#application-history", DataTable)
        table.clear()
        self.history = history_rows(app)
        for row in self.history:
            table.add_row(*(rich_text(row[key], single_line=True) for key in ("id", "revision", "deployed", "by",
                                                                                "source")))

    @property
    def active_tab(self) -> str:
        return str(self.query_one(TabbedContent).active)

    def action_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab

    def action_back(self) -> None:
        self.app.pop_screen()


def _pods_of(pods: Sequence[Any], cluster: str) -> list[Text]:
    """The RayCluster's pods as tree leaves: name, status (kubectl's), node type."""
    from raywizard.kube.views import pod_status

    leaves = []
    for pod in sorted(pods, key=lambda p: _s((p.get("metadata") or {}).get("name"))):
        meta = pod.get("metadata") or {}
        labels = meta.get("labels") or {}
        if labels.get("ray.io/cluster") != cluster:
            continue
        leaf = Text(f"Pod {literal(_s(meta.get('name')), single_line=True)}  ")
        leaf.append(literal(pod_status(pod), single_line=True))
        leaf.append(f"  {literal(_s(labels.get('ray.io/node-type')), single_line=True)}", style="italic")
        leaves.append(leaf)
    return leaves
