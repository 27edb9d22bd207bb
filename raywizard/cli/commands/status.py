"""raywizard status: Applications, the RayCluster, worker groups, pods and recent warnings."""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from datetime import datetime

    from rich.console import Group

    from raywizard.kube.connection import Connection
    from raywizard.kube.state import ClusterState, StateSnapshot
    from raywizard.model.ray_insight import RayInsight

HELP = "show Applications, RayCluster, worker groups, pods and recent warnings (--watch to follow)"
EXAMPLES = """\
examples:
  raywizard status
  raywizard status --namespace ml --watch
  raywizard status -o json | jq '.raycluster'
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from raywizard.cli.commands._cluster_args import add_cluster_arguments, add_target_arguments

    add_target_arguments(parser)
    add_cluster_arguments(parser)
    parser.add_argument("-w", "--watch", action="store_true", help="keep updating until Ctrl-C")
    parser.add_argument(
        "-o",
        "--output",
        choices=("table", "json", "yaml"),
        default="table",
        help="tables (default), or json / yaml for scripts",
    )


def load_state(conn: Connection, argocd_namespace: str, namespace: str) -> ClusterState:
    """A ClusterState filled by one list of each kind (what `status` without --watch shows)."""
    from raywizard.kube import resources
    from raywizard.kube.error_translation import is_api_exception
    from raywizard.kube.resources import APPLICATIONS, RAYCLUSTERS
    from raywizard.kube.state import ClusterState
    from raywizard.model.errors import ClusterError

    missing: dict[str, str] = {}

    def items_or_none(res: Any, ns: str, kind: str, why: str) -> list[dict[str, Any]]:
        try:
            return list(resources.list_custom(conn, res, ns).get("items") or [])
        except ClusterError as error:
            if not is_api_exception(error.__cause__ or error, 404):
                raise
            missing[kind] = why  # the CRD is not installed (yet): nothing to show, not an error
            return []

    state = ClusterState()
    state.replace_all(
        "applications",
        items_or_none(APPLICATIONS, argocd_namespace, "applications", "Argo CD Applications are not installed"),
    )
    state.replace_all(
        "rayclusters",
        items_or_none(RAYCLUSTERS, namespace, "rayclusters", "the RayCluster CRD is not installed yet"),
    )
    state.replace_all("pods", resources.list_pods(conn, namespace))
    state.replace_all("events", resources.list_events(conn, namespace))
    for kind in ("applications", "rayclusters", "pods", "events"):
        state.set_connection(kind, "live", missing.get(kind, ""))  # same messages as the watches give
    return state


def ray_insight(conn: Connection, namespace: str, snap: StateSnapshot) -> RayInsight:
    """The autoscaler's view from the head of the namespace's RayCluster (through pods/portforward)."""
    from raywizard.kube.rayhead import ray_insight as ask_head

    clusters = [obj for obj in snap.rayclusters.values() if (obj.get("metadata") or {}).get("namespace") == namespace]
    return ask_head(conn.api_client, namespace, clusters[0] if clusters else None, list(snap.pods.values()))


def _stale(snap: StateSnapshot) -> list[dict[str, Any]]:
    """Per group: running pods that still run an older pod template (KubeRay does not restart them)."""
    from raywizard.kube.template_drift import stale_pods

    pods = list(snap.pods.values())
    return [
        {"raycluster": obj["metadata"].get("name"), "group": d.group, "stale": list(d.stale), "total": d.total}
        for obj in snap.rayclusters.values()
        for d in stale_pods(obj, pods)
    ]


def status_data(snap: StateSnapshot, insight: RayInsight | None = None) -> dict[str, Any]:
    from raywizard.kube import views

    summary = views.raycluster_summary(snap)
    return {
        "applications": [row.as_dict() for row in views.application_rows(snap)],
        "raycluster": summary.as_dict() if summary else None,
        "workerGroups": [row.as_dict() for row in views.worker_group_rows(snap)],
        "pods": [row.as_dict() for row in views.pod_rows(snap)],
        "warnings": [row.as_dict() for row in views.event_rows(snap, warnings_only=True, limit=20)],
        "ray": insight.as_dict() if insight is not None else None,
        "staleTemplates": _stale(snap),
        "connection": {"state": snap.connection.state, "message": snap.connection.message},
    }


COLOURS = {
    "Synced": "green",
    "Healthy": "green",
    "OutOfSync": "yellow",
    "Progressing": "yellow",
    "Degraded": "red",
    "Missing": "red",
    "Running": "green",
    "Pending": "yellow",
    "ready": "green",
}


@dataclass
class Section:
    """One table of the status: a title, headers, rows of cells (cluster text, not yet made literal) and which
    columns hold resource names (never shortened: users paste them into kubectl)."""

    title: str
    headers: tuple[str, ...]
    rows: list[tuple[str, ...]] = field(default_factory=list)
    name_columns: tuple[int, ...] = (0,)
    styles: dict[int, str] = field(default_factory=dict)  # column -> fixed style (else COLOURS by value)
    note: str = ""  # shown instead of the table when there are no rows and a note is set
    drop_order: tuple[int, ...] = ()  # columns hidden first when a terminal is too narrow
    wrap_columns: tuple[int, ...] = ()  # free text (messages) that may wrap onto more lines


WRAP_MIN = 16  # a wrapping column is not squeezed below this


def fit_columns(section: Section, width: int) -> list[int]:
    """The columns shown at ``width``: all of them if the table fits, else without the ``drop_order`` columns
    (in that order) until it does. Name columns stay whole; free-text columns count at WRAP_MIN."""
    from raywizard.model.textsafe import literal

    def natural(index: int) -> int:
        cells = [len(literal(row[index], single_line=True)) for row in section.rows]
        longest = max([len(section.headers[index]), *cells])
        return min(longest, WRAP_MIN) if index in section.wrap_columns else longest

    visible = list(range(len(section.headers)))
    sizes = {i: natural(i) for i in visible}
    for index in section.drop_order:
        if sum(sizes[i] + 3 for i in visible) + 1 <= width:
            break
        visible.remove(index)
    return visible


def ray_section(insight: RayInsight) -> Section:
    from raywizard.model.ray_insight import insight_rows, insight_summary

    section = Section(f"Ray autoscaler ({insight_summary(insight)})", ("KIND", "GROUP", "DETAIL"), name_columns=(1,))
    section.wrap_columns = (2,)
    section.styles = {2: "yellow"}
    section.rows = list(insight_rows(insight))
    if not insight.reachable:
        section.note = f"Ray: {insight.message}"
    elif not section.rows:
        section.note = f"Ray: {insight_summary(insight)} · no pending demands, launches, failures or idle nodes"
    return section


def sections(snap: StateSnapshot, insight: RayInsight | None = None) -> list[Section]:
    from raywizard.kube import views
    from raywizard.model.units import human_cpu, human_memory

    result: list[Section] = []
    apps = Section("Argo CD Applications", ("NAME", "SYNC", "HEALTH", "OPERATION", "REVISION", "MESSAGE"))
    apps.styles = {5: "red"}
    apps.drop_order, apps.wrap_columns = (4, 3), (5,)
    managed: dict[str, list[str]] = {}
    for row in views.application_rows(snap):
        apps.rows.append((row.name, row.sync, row.health, row.operation, row.revision[:12], row.message))
        if row.managed_by:
            managed.setdefault(row.managed_by, []).append(row.name)
    if not apps.rows:
        apps.note = _none("Argo CD Applications", snap, "applications")
    result.append(apps)
    for parent, children in managed.items():
        # docs/gitops.md: a direct apply to these is reverted by the parent; changes go through its repository.
        result.append(Section("Managed by a parent", (), note=f"{', '.join(children)}: {parent}; commit changes "
                              "to its repository (raywizard commit)"))
    summary = views.raycluster_summary(snap)
    if summary is None:
        result.append(Section("RayCluster", (), note=_none("RayCluster", snap, "rayclusters")))
    else:
        rc = Section(
            "RayCluster",
            (
                "NAME",
                "DESIRED WORKERS",
                "AVAILABLE WORKERS",
                "CPUS",
                "MEMORY",
                "GPUS",
                "STATUS",
                "AGE",
                "HEAD POD IP",
                "HEAD SERVICE IP",
            ),
        )
        rc.drop_order = (9, 8, 5, 7, 4, 3, 2, 1)
        rc.rows.append(
            (
                summary.name,
                str(summary.desired_workers),
                str(summary.available_workers),
                human_cpu(summary.cpus),
                human_memory(summary.memory),
                human_cpu(summary.gpus),
                summary.state,
                summary.age,
                summary.head_pod_ip,
                summary.head_service_ip,
            )
        )
        result.append(rc)
        groups = Section("Worker groups", ("GROUP", "REPLICAS", "MIN", "MAX", "READY", "PENDING"))
        for g in views.worker_group_rows(snap):
            groups.rows.append(
                (g.group, str(g.replicas), str(g.min_replicas), str(g.max_replicas), str(g.ready), str(g.pending))
            )
        result.append(groups)
        if insight is not None:
            result.append(ray_section(insight))
        from raywizard.kube.template_drift import stale_pods

        for obj in snap.rayclusters.values():
            for drift in stale_pods(obj, list(snap.pods.values())):
                note = f"{drift.line()}: `raywizard restart {drift.group}` recreates them"
                result.append(Section("Old template", (), note=note))
    pods = Section(
        f"Pods ({len(snap.pods)})", ("NAME", "GROUP", "READY", "STATUS", "RESTARTS", "AGE", "NODE", "REASON")
    )
    pods.drop_order, pods.wrap_columns = (6, 4, 1, 5, 7, 2), (7,)
    for p in views.pod_rows(snap):
        pods.rows.append((p.name, p.group, p.ready, p.status, str(p.restarts), p.age, p.node, p.reason))
    result.append(pods)
    warnings = views.event_rows(snap, warnings_only=True, limit=10)
    if warnings:
        events = Section("Recent warnings", ("LAST SEEN", "REASON", "OBJECT", "MESSAGE"), name_columns=(2,))
        events.styles = {1: "red"}
        events.drop_order, events.wrap_columns = (0, 1), (3,)
        for e in warnings:
            events.rows.append((e.last_seen, e.reason, e.object, e.message))
        result.append(events)
    return result


def _none(title: str, snap: StateSnapshot, kind: str) -> str:
    """"RayCluster: none", with the reason when the watch/list knows one (e.g. the CRD is not installed)."""
    status = snap.connection.watches.get(kind)
    reason = status.message if status is not None and status.state == "live" else ""
    return f"{title}: none ({reason})" if reason else f"{title}: none"


def _connection_line(snap: StateSnapshot) -> str:
    return f"connection: {snap.connection.state} {snap.connection.message}".rstrip()


def render_plain(snap: StateSnapshot, insight: RayInsight | None = None) -> str:
    """kubectl-like columns for pipes and scripts: no box drawing, no colour, nothing cut, no trailing blanks."""
    from raywizard.model.textsafe import literal

    out: list[str] = []
    for section in sections(snap, insight):
        if out:
            out.append("")
        if not section.rows and section.note:
            out.append(section.note)
            continue
        out.append(f"{section.title}:")
        table = [section.headers] + [tuple(literal(cell, single_line=True) for cell in row) for row in section.rows]
        widths = [max(len(row[i]) for row in table) for i in range(len(section.headers))]
        for row in table:
            out.append("   ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    if snap.connection.state != "live":
        out.append("")
        out.append(literal(_connection_line(snap), single_line=True))
    return "\n".join(out) + "\n"


def render_tables(
    snap: StateSnapshot, footer: str = "", width: int = 120, insight: RayInsight | None = None
) -> Group:
    """A Rich renderable of the whole status at ``width`` columns (every cluster string through rich_text: shown
    literally).

    Resource names are never shortened (users paste them into kubectl): at a narrow terminal whole columns are
    hidden instead (and named below the table), and free-text columns wrap."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    from raywizard.tui.common.literal_text import rich_text as t

    parts: list[Any] = []
    for section in sections(snap, insight):
        if not section.rows and section.note:
            parts.append(Text(section.note))
            continue
        visible = fit_columns(section, width)
        table = Table(title=section.title, title_justify="left")
        for index in visible:
            header = section.headers[index]
            if index in section.wrap_columns:
                table.add_column(header, overflow="fold", min_width=min(WRAP_MIN, len(header)))
            elif index in section.name_columns:
                # fold, not ellipsis: only if even the name alone is wider than the terminal
                table.add_column(header, no_wrap=True, overflow="fold")
            else:
                table.add_column(header, no_wrap=True)
        for row in section.rows:
            table.add_row(
                *(t(row[i], section.styles.get(i) or COLOURS.get(row[i], ""), single_line=True) for i in visible)
            )
        parts.append(table)
        hidden = [section.headers[i] for i in range(len(section.headers)) if i not in visible]
        if hidden:
            parts.append(Text(f"({', '.join(hidden)} hidden at this width; widen the terminal or pipe)", "dim"))
    if snap.connection.state != "live":
        parts.append(t(_connection_line(snap), "yellow", single_line=True))
    if footer:
        parts.append(Text(footer, style="dim"))
    return Group(*parts)


def run(args: argparse.Namespace) -> int:
    from raywizard.cli.commands._cluster_args import connect, dump, spec_from

    spec = spec_from(args)
    argocd_ns, namespace = spec.target.argocd_namespace, spec.target.namespace
    conn = connect(args)
    try:
        if not args.watch:
            snap = load_state(conn, argocd_ns, namespace).snapshot()
            insight = ray_insight(conn, namespace, snap)
            if args.output == "table":
                if not sys.stdout.isatty():
                    sys.stdout.write(render_plain(snap, insight))  # piped: kubectl-like columns
                    return 0
                from rich.console import Console

                console = Console(no_color=bool(os.environ.get("NO_COLOR")))
                console.print(render_tables(snap, width=console.width, insight=insight))
            else:
                sys.stdout.write(dump(status_data(snap, insight), args.output))
            return 0
        return _watch(conn, argocd_ns, namespace, args.output)
    finally:
        conn.close()


def _watch(conn: Connection, argocd_ns: str, namespace: str, output: str) -> int:
    import time

    from raywizard.cli.commands._cluster_args import dump
    from raywizard.kube.probe import ServerProbe
    from raywizard.kube.watch import ClusterWatcher

    watcher = ClusterWatcher(conn.api_client, argocd_namespace=argocd_ns, namespace=namespace, server=conn.server_url)
    probe = ServerProbe(conn.api_client, watcher.state, server=conn.server_url)
    watcher.start()
    probe.start()
    try:
        if output != "table":
            seen = -1
            while True:
                snap = watcher.state.snapshot()
                if snap.version != seen:
                    seen = snap.version
                    sys.stdout.write(dump(status_data(snap), output) + ("---\n" if output == "yaml" else ""))
                    sys.stdout.flush()
                time.sleep(1.0)
        if not sys.stdout.isatty():
            # Piped: a full plain snapshot per change, each after a timestamp line (a Live display only redraws
            # on a terminal).
            seen = -1
            started = time.monotonic()
            while True:
                snap = watcher.state.snapshot()
                if snap.connection.state == "connecting" and time.monotonic() - started < 10:
                    time.sleep(0.1)  # not "none" before the first lists arrived (the connection line says why)
                    continue
                if snap.version != seen:
                    seen = snap.version
                    sys.stdout.write(f"--- {_clock(snap.taken_at)}\n{render_plain(snap)}")
                    sys.stdout.flush()
                time.sleep(1.0)
        from rich.console import Console
        from rich.live import Live

        console = Console(no_color=bool(os.environ.get("NO_COLOR")))
        with Live(console=console, refresh_per_second=4, screen=False) as live:
            shown: tuple[int, int] = (-1, -1)
            while True:
                snap = watcher.state.snapshot()
                # Redraw on every change and once a second anyway: ages tick and the footer shows the watch is
                # alive (a frozen screen and a quiet cluster must look different).
                key = (snap.version, int(time.monotonic()))
                if key != shown:
                    shown = key
                    footer = f"updated {_clock(snap.taken_at)} · {snap.connection.state} · Ctrl-C to stop"
                    live.update(render_tables(snap, footer, width=console.width))
                time.sleep(0.25)
    except KeyboardInterrupt:
        return 0
    finally:
        probe.stop()
        watcher.stop()


def _clock(moment: datetime) -> str:
    return str(moment.astimezone().strftime("%H:%M:%S"))
