"""raywizard status: Applications, the RayCluster, worker groups, pods and recent warnings."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

HELP = "show Applications, RayCluster, worker groups, pods and recent warnings (--watch to follow)"
EXAMPLES = """\
examples:
  raywizard status
  raywizard status --namespace ml --watch
  raywizard status -o json | jq '.raycluster'
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from raywizard.commands._cluster_args import add_cluster_arguments, add_target_arguments

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


def load_state(conn: Any, argocd_namespace: str, namespace: str) -> Any:
    """A ClusterState filled by one list of each kind (what `status` without --watch shows)."""
    from raywizard.errors import ClusterError
    from raywizard.kube import resources
    from raywizard.kube.errors import is_api_exception
    from raywizard.kube.resources import APPLICATIONS, RAYCLUSTERS
    from raywizard.kube.state import ClusterState

    def items_or_none(res: Any, ns: str) -> list[dict[str, Any]]:
        try:
            return list(resources.list_custom(conn, res, ns).get("items") or [])
        except ClusterError as error:
            if not is_api_exception(error.__cause__ or error, 404):
                raise
            return []  # the CRD is not installed (yet): nothing to show, not an error

    state = ClusterState()
    state.replace_all("applications", items_or_none(APPLICATIONS, argocd_namespace))
    state.replace_all("rayclusters", items_or_none(RAYCLUSTERS, namespace))
    state.replace_all("pods", resources.list_pods(conn, namespace))
    state.replace_all("events", resources.list_events(conn, namespace))
    for kind in ("applications", "rayclusters", "pods", "events"):
        state.set_connection(kind, "live")
    return state


def status_data(snap: Any) -> dict[str, Any]:
    from raywizard.kube import views

    summary = views.raycluster_summary(snap)
    return {
        "applications": [row.as_dict() for row in views.application_rows(snap)],
        "raycluster": summary.as_dict() if summary else None,
        "workerGroups": [row.as_dict() for row in views.worker_group_rows(snap)],
        "pods": [row.as_dict() for row in views.pod_rows(snap)],
        "warnings": [row.as_dict() for row in views.event_rows(snap, warnings_only=True, limit=20)],
        "connection": {"state": snap.connection.state, "message": snap.connection.message},
    }


def render_tables(snap: Any) -> Any:
    """A Rich renderable of the whole status (every cluster string through rich_text: shown literally)."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    from raywizard.kube import views
    from raywizard.textsafe import rich_text as t

    colours = {
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

    def c(value: str) -> Text:
        return t(value, colours.get(value, ""), single_line=True)

    parts: list[Any] = []
    apps = Table(title="Argo CD Applications", title_justify="left", expand=False)
    for column in ("NAME", "SYNC", "HEALTH", "OPERATION", "REVISION", "MESSAGE"):
        apps.add_column(column)
    for row in views.application_rows(snap):
        apps.add_row(
            t(row.name),
            c(row.sync),
            c(row.health),
            c(row.operation),
            t(row.revision[:12]),
            t(row.message, "red" if row.message else "", single_line=True),
        )
    parts.append(apps)
    summary = views.raycluster_summary(snap)
    if summary is None:
        parts.append(Text("RayCluster: none yet"))
    else:
        rc = Table(title="RayCluster", title_justify="left")
        for column in (
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
        ):
            rc.add_column(column)
        rc.add_row(
            t(summary.name),
            str(summary.desired_workers),
            str(summary.available_workers),
            t(summary.cpus),
            t(summary.memory),
            t(summary.gpus),
            c(summary.state),
            summary.age,
            t(summary.head_pod_ip),
            t(summary.head_service_ip),
        )
        parts.append(rc)
        groups = Table(title="Worker groups", title_justify="left")
        for column in ("GROUP", "REPLICAS", "MIN", "MAX", "READY", "PENDING"):
            groups.add_column(column)
        for g in views.worker_group_rows(snap):
            groups.add_row(
                t(g.group),
                str(g.replicas),
                str(g.min_replicas),
                str(g.max_replicas),
                str(g.ready),
                str(g.pending),
            )
        parts.append(groups)
    pods = Table(title=f"Pods ({len(snap.pods)})", title_justify="left")
    for column in ("NAME", "GROUP", "READY", "STATUS", "RESTARTS", "AGE", "NODE", "REASON"):
        pods.add_column(column)
    for p in views.pod_rows(snap):
        pods.add_row(
            t(p.name),
            t(p.group),
            p.ready,
            c(p.status),
            str(p.restarts),
            p.age,
            t(p.node),
            t(p.reason, single_line=True),
        )
    parts.append(pods)
    warnings = views.event_rows(snap, warnings_only=True, limit=10)
    if warnings:
        events = Table(title="Recent warnings", title_justify="left")
        for column in ("LAST SEEN", "REASON", "OBJECT", "MESSAGE"):
            events.add_column(column)
        for e in warnings:
            events.add_row(t(e.last_seen), t(e.reason, "red"), t(e.object), t(e.message, single_line=True))
        parts.append(events)
    if snap.connection.state != "live":
        parts.append(t(f"connection: {snap.connection.state} {snap.connection.message}", "yellow", single_line=True))
    return Group(*parts)


def run(args: argparse.Namespace) -> int:
    from raywizard.commands._cluster_args import connect, dump, spec_from

    spec = spec_from(args)
    argocd_ns, namespace = spec.target.argocd_namespace, spec.target.namespace
    conn = connect(args)
    try:
        if not args.watch:
            snap = load_state(conn, argocd_ns, namespace).snapshot()
            if args.output == "table":
                from rich.console import Console

                # Piped: wide enough that rows are not wrapped mid-word, and no colour.
                width = None if sys.stdout.isatty() else 200
                Console(width=width, no_color=bool(os.environ.get("NO_COLOR"))).print(render_tables(snap))
            else:
                sys.stdout.write(dump(status_data(snap), args.output))
            return 0
        return _watch(conn, argocd_ns, namespace, args.output)
    finally:
        conn.close()


def _watch(conn: Any, argocd_ns: str, namespace: str, output: str) -> int:
    import time

    from raywizard.commands._cluster_args import dump
    from raywizard.kube.watch import ClusterWatcher

    watcher = ClusterWatcher(conn.api_client, argocd_namespace=argocd_ns, namespace=namespace, server=conn.server_url)
    watcher.start()
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
            # Piped: a full snapshot per change (a Live display only redraws on a terminal).
            from rich.console import Console

            console = Console(width=200, no_color=True)
            seen = -1
            while True:
                snap = watcher.state.snapshot()
                if snap.version != seen:
                    seen = snap.version
                    console.print(render_tables(snap))
                    sys.stdout.flush()
                time.sleep(1.0)
        from rich.live import Live

        with Live(render_tables(watcher.state.snapshot()), refresh_per_second=4, screen=False) as live:
            seen = -1
            while True:
                snap = watcher.state.snapshot()
                if snap.version != seen:
                    seen = snap.version
                    live.update(render_tables(snap))
                time.sleep(0.25)
    except KeyboardInterrupt:
        return 0
    finally:
        watcher.stop()
