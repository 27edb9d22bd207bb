"""On the sandbox: `diff` and `apply` warn when maxReplicas drops below the running workers (saying what KubeRay
does with in-tree autoscaling), and after an apply that changes a group's template `apply` names the pods still
on the old template with the command that restarts them."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest

from raywizard.sandbox.cluster import SandboxCluster
from tests.cluster.cli_helpers import raywizard
from tests.waiting import wait_for

NS = "ray-cluster"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxCluster]:
    sandbox = SandboxCluster(speed=20.0).start()
    sandbox.write_kubeconfig(tmp_path_factory.mktemp("scale-limits") / "kubeconfig")
    yield sandbox
    sandbox.stop()


def _workers(cluster: SandboxCluster, group: str) -> list[str]:
    pods = cluster.store.list("pods", NS, label_selector=f"ray.io/group={group}")
    return sorted(
        p["metadata"]["name"]
        for p in pods
        if (p.get("status") or {}).get("phase") == "Running" and not p["metadata"].get("deletionTimestamp")
    )


def test_lowered_max_warns_and_template_change_offers_restart(
    cluster: SandboxCluster, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = raywizard(cluster, capsys, "apply", "--preset", "argocd-guide", "--yes", "--timeout", "120")
    assert code == 0, err
    assert "old template" not in err
    cluster.set_load("steady")  # two workers above minReplicas 1 per group
    wait_for(lambda: len(_workers(cluster, "standard-worker")) == 3, timeout=60, what="three standard workers")

    lowered = ("--preset", "argocd-guide", "--set", "workerGroups.standard-worker.maxReplicas=2")
    code, out, err = raywizard(cluster, capsys, "diff", *lowered)
    assert code == 1
    assert (
        "warning: standard-worker: maxReplicas 2 is below the 3 running workers: KubeRay deletes none itself while "
        "in-tree autoscaling is on (unless the operator runs with ENABLE_RANDOM_POD_DELETE=true)"
    ) in err
    code, out, _ = raywizard(cluster, capsys, "diff", *lowered, "-o", "json")
    (warning,) = json.loads(out)["scaleWarnings"]
    assert warning["group"] == "standard-worker" and warning["limit"] == 2 and warning["running"] == 3
    code, _, err = raywizard(cluster, capsys, "apply", *lowered, "--dry-run")
    assert code == 1 and "warning: standard-worker: maxReplicas 2 is below the 3 running workers" in err

    cpu = ("--set", "workerGroups.standard-worker.cpuRequest=2", "--set", "workerGroups.standard-worker.cpuLimit=2")
    code, _, err = raywizard(cluster, capsys, "apply", "--preset", "argocd-guide", *cpu, "--yes", "--timeout", "120")
    assert code == 0, err
    stale = re.search(r"(\d+) of (\d+) running pods of standard-worker still run the old template", err)
    assert stale is not None and int(stale.group(1)) >= 1, err
    assert "KubeRay does not restart them" in err
    assert "`raywizard restart standard-worker --namespace ray-cluster` recreates them" in err
