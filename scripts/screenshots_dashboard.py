"""Write screenshots/dashboard*.svg: the live dashboard on fixed data (deterministic) and on the sandbox.

    python scripts/screenshots_dashboard.py             # fixed data only
    python scripts/screenshots_dashboard.py --sandbox   # also the guide under burst load, logs, 5,000 pods

Same app (``DashboardApp``) as ``raywizard dashboard``. Look at them before committing.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

OUT = ROOT / "screenshots"
SIZE = (120, 40)
Action = Callable[[Any], Awaitable[None]]


async def settle(pilot: Any, seconds: float = 0.5) -> None:
    await pilot.pause(seconds)


async def shoot(name: str, app: Any, action: Action | None = None, size: tuple[int, int] = SIZE) -> None:
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        if action is not None:
            await action(pilot)
        await settle(pilot, 0.3)
        app.save_screenshot(filename=f"{name}.svg", path=str(OUT))
    print(f"wrote screenshots/{name}.svg")


def fixed_app() -> Any:
    from raywizard.documents.presets import load_preset
    from raywizard.tui.dashboard import DashboardApp
    from tests.tui.dashboard_data import NOW, filled_state

    timeline = ["crds Synced 4s", "operator Healthy 11s", "raycluster ready 23s"]  # what the wizard passes
    return DashboardApp(
        None, load_preset("argocd-guide"), state=filled_state(), clock=lambda: NOW, apply_timeline=timeline
    )


def keys(*names: str) -> Action:
    async def action(pilot: Any) -> None:
        await pilot.press(*names)
        await settle(pilot)

    return action


async def fixed_shots() -> None:
    await shoot("dashboard", fixed_app())
    await shoot("dashboard-80x24", fixed_app(), size=(80, 24))
    await shoot("dashboard-100x32", fixed_app(), size=(100, 32))
    await shoot("dashboard-160x48", fixed_app(), size=(160, 48))
    await shoot("dashboard-filter", fixed_app(), keys("slash", *"pending"))

    async def confirm_sync(pilot: Any) -> None:
        conn = type("Connection", (), {"context_name": "prod", "server_url": "https://10.0.0.1:6443"})()
        pilot.app.dashboard.session.connection = conn
        await pilot.press("s")
        await settle(pilot)

    await shoot("dashboard-sync-confirm", fixed_app(), confirm_sync)
    await shoot("dashboard-raycluster-yaml", fixed_app(), keys("c"))
    await shoot("dashboard-help", fixed_app(), keys("question_mark"))
    await shoot("dashboard-events", fixed_app(), keys("e", "g", "up", "enter"))
    await shoot("dashboard-resource-tree", tree_app(), keys("a"))
    await shoot("dashboard-logs-picker", logs_app(), keys("c"), size=(100, 30))
    await shoot("dashboard-delete-crds", fixed_app(), confirm_delete)


def tree_app() -> Any:
    from raywizard.documents.presets import load_preset
    from raywizard.tui.dashboard import DashboardApp
    from tests.tui.dashboard_data import NOW
    from tests.tui.test_dashboard_application import state_with_tree

    return DashboardApp(None, load_preset("argocd-guide"), state=state_with_tree(), clock=lambda: NOW)


def logs_app() -> Any:
    from raywizard.tui.dashboard.logs import LogOptions, PodLogsScreen
    from tests.tui.test_dashboard_logs import HEAD, LogsApp, fixed_reader

    return LogsApp(PodLogsScreen([HEAD], fixed_reader([]), LogOptions("ray-head", tail=10)))


async def confirm_delete(pilot: Any) -> None:
    """The CRDs Application's confirmation, on a fixed plan (what kube.cascade counts on a cluster)."""
    from raywizard.kube.cascade import CascadePlan, CustomResourceCount
    from raywizard.tui.dashboard.delete_confirm import DeleteConfirm

    crds = ("rayclusters.ray.io", "rayjobs.ray.io", "rayservices.ray.io")
    plan = CascadePlan(
        "argocd", "ray-operator-crds", exists=True,
        resources=tuple(("CustomResourceDefinition", "", crd) for crd in crds),
        custom_resources=(
            CustomResourceCount(crds[0], "RayCluster", 4, ("ray-cluster/raycluster-kuberay", "ml/train-a",
                                                            "ml/train-b")),
            CustomResourceCount(crds[1], "RayJob", 2, ("ml/nightly-eval", "ml/backfill")),
            CustomResourceCount(crds[2], "RayService", 0),
        ),
    )
    pilot.app.push_screen(DeleteConfirm(plan, "context prod (https://10.0.0.1:6443)"))
    await settle(pilot)


async def wait_until(pilot: Any, check: Callable[[], Any], timeout: float = 60.0) -> Any:
    waited = 0.0
    while waited < timeout:
        value = check()
        if value:
            return value
        await pilot.pause(0.25)
        waited += 0.25
    raise SystemExit("timed out waiting for the sandbox")


async def sandbox_shots() -> None:
    from kubernetes import client

    from raywizard.documents.presets import load_preset
    from raywizard.kube.connection import load_connection
    from raywizard.model.spec import ClusterSpec
    from raywizard.sandbox.cluster import SandboxCluster
    from raywizard.tui.dashboard import DashboardApp
    from raywizard.tui.dashboard.logs import PodLogsScreen
    from raywizard.tui.dashboard.widgets.pods import PodsTable
    from tests.cluster.controller_helpers import guide_apps

    with tempfile.TemporaryDirectory() as scratch, SandboxCluster(speed=20) as cluster:
        connection = load_connection(str(cluster.write_kubeconfig(Path(scratch) / "kubeconfig")))
        api = client.CustomObjectsApi(connection.api_client)
        for app in guide_apps():
            api.create_namespaced_custom_object("argoproj.io", "v1alpha1", "argocd", "applications", app)

        async def burst(pilot: Any) -> None:
            screen = pilot.app.dashboard
            pods = screen.query_one(PodsTable)
            await wait_until(pilot, lambda: pods.phase_counts.get("Running", 0) >= 5)
            cluster.set_load("burst")  # type: ignore[attr-defined]
            await wait_until(pilot, lambda: pods.phase_counts.get("Running", 0) >= 20)
            await pilot.press("p")  # the Ray dashboard forward, through the sandbox's stub
            await wait_until(pilot, lambda: screen.forward_state == "live")
            await settle(pilot, 2.5)

        await shoot("dashboard-sandbox-burst", DashboardApp(connection, load_preset("argocd-guide")), burst)

        async def logs(pilot: Any) -> None:
            pods = pilot.app.dashboard.query_one(PodsTable)
            head = await wait_until(
                pilot,
                lambda: next((k for k, c in pods.cells_by_key.items() if "-head-" in c[0]), None),
            )
            pods.move_cursor(row=pods.get_row_index(head))
            await pilot.press("l")
            await wait_until(pilot, lambda: isinstance(pilot.app.screen, PodLogsScreen))
            await wait_until(pilot, lambda: len(pilot.app.screen.lines) > 5)

        await shoot("dashboard-logs", DashboardApp(connection, load_preset("argocd-guide")), logs)

        cluster.generate_pods(5000)  # type: ignore[attr-defined]
        cluster.set_event_rate(1000)  # type: ignore[attr-defined]
        spec = ClusterSpec()
        spec.target.namespace = "load"

        async def many(pilot: Any) -> None:
            pods = pilot.app.dashboard.query_one(PodsTable)
            await wait_until(pilot, lambda: len(pods.cells_by_key) >= 5000)
            await settle(pilot, 1.5)

        await shoot("dashboard-5000-pods", DashboardApp(connection, spec), many)
        cluster.set_event_rate(0)  # type: ignore[attr-defined]
        connection.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sandbox", action="store_true", help="also shoot the dashboard on the sandbox")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    asyncio.run(fixed_shots())
    if args.sandbox:
        asyncio.run(sandbox_shots())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
