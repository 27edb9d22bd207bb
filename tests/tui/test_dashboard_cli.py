"""`raywizard dashboard` in a real terminal (pexpect): it connects to the sandbox, shows live data, quits on q.
Without a terminal it refuses with a pointer to `raywizard status --watch`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pexpect = pytest.importorskip("pexpect")
pytestmark = pytest.mark.slow
RAYWIZARD = [sys.executable, "-m", "raywizard"]


@pytest.mark.cluster
def test_dashboard_in_a_terminal(tmp_path: Path) -> None:
    from tests.cluster.controller_helpers import guide_apps
    from tests.plugins.sandbox import running_sandbox

    with running_sandbox(speed=20) as cluster:
        kubeconfig = cluster.write_kubeconfig(tmp_path / "kubeconfig")
        for app in guide_apps():
            cluster.store.create("applications.argoproj.io", app, namespace="argocd")
        child = pexpect.spawn(
            RAYWIZARD[0],
            [*RAYWIZARD[1:], "dashboard", "--kubeconfig", str(kubeconfig)],
            dimensions=(40, 120),
            timeout=30,
            encoding="utf-8",
        )
        try:
            child.expect("live")
            child.expect("Running")
            child.send("q")
            child.expect(pexpect.EOF)
        finally:
            child.close()
        assert child.exitstatus == 0


def test_dashboard_without_a_terminal_says_what_to_use() -> None:
    done = subprocess.run([*RAYWIZARD, "dashboard"], capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert done.returncode != 0
    assert "needs a terminal" in done.stderr and "status --watch" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.cluster
def test_w_opens_the_wizard_on_the_same_cluster(tmp_path: Path) -> None:
    """KUBECONFIG only (no flags), `w` → the wizard is connected: Live diff compares with the cluster, and with
    no edits nothing differs (it reads the Application's values, not the autoscaler's replicas)."""
    import os

    from tests.cluster.controller_helpers import guide_apps
    from tests.plugins.sandbox import running_sandbox

    with running_sandbox(speed=20) as cluster:
        kubeconfig = cluster.write_kubeconfig(tmp_path / "kubeconfig")
        for app in guide_apps():
            cluster.store.create("applications.argoproj.io", app, namespace="argocd")
        child = pexpect.spawn(
            RAYWIZARD[0],
            [*RAYWIZARD[1:], "dashboard"],
            dimensions=(40, 120),
            timeout=40,
            encoding="utf-8",
            env={**os.environ, "KUBECONFIG": str(kubeconfig)},
        )
        try:
            child.expect("live")
            child.expect("Running")
            child.send("w")
            child.expect("Worker groups")
            child.expect("Sync & drift")  # the wizard's step bar: it is up (connecting in the background)
            child.sendcontrol("n")
            child.sendcontrol("n")
            child.expect("Live diff")
            child.send("3")
            child.send("r")
            child.expect("unchanged")
            assert "Offline" not in child.before
            child.sendcontrol("q")
            child.expect(["Quit", pexpect.EOF])
        finally:
            child.close(force=True)
