"""Preview, ordered apply with waits, idempotence, "apply what you previewed", SSA conflicts and diff — against a
fresh sandbox of this module's own (the session sandbox is shared with tests that apply other things)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from raywizard.documents.presets import load_preset
from raywizard.kube import resources
from raywizard.kube.apply import PlanOutdated, StepProgress, execute_apply, plan_apply
from raywizard.kube.connection import Connection, load_connection
from raywizard.kube.resources import APPLICATIONS, RAYCLUSTERS
from raywizard.model.errors import ClusterError
from raywizard.model.spec import Resources, WorkerGroup
from raywizard.sandbox.cluster import SandboxCluster
from tests.cluster.cli_helpers import raywizard
from tests.waiting import wait_for


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxCluster]:
    sandbox = SandboxCluster(speed=20.0).start()
    sandbox.write_kubeconfig(tmp_path_factory.mktemp("apply") / "kubeconfig")
    yield sandbox
    sandbox.stop()


@pytest.fixture
def conn(cluster: SandboxCluster) -> Iterator[Connection]:
    cluster.faults.clear()
    cluster.permissions.reset()
    connection = load_connection(str(cluster.kubeconfig_path))
    yield connection
    connection.close()
    cluster.faults.clear()
    cluster.permissions.reset()
    cluster.resume_controllers()


def test_01_apply_from_empty_converges_with_step_progress(conn: Connection) -> None:
    spec = load_preset("argocd-guide")
    plan = plan_apply(conn, spec)
    assert [a.step for a in plan.apps] == ["crds", "operator", "raycluster"]
    assert all(a.diff.status == "added" and a.live_resource_version is None for a in plan.apps)
    assert plan.raycluster.status == "added"
    progress: list[StepProgress] = []
    result = execute_apply(conn, plan, timeout=120, on_progress=progress.append)
    assert [s.outcome for s in result.steps] == ["created", "created", "created"]
    # Each step starts only after the previous one is done, and ends with Ray ready.
    phases = [(p.step, p.phase) for p in progress]
    done = [i for i, (_, phase) in enumerate(phases) if phase == "done"]
    assert [phases[i][0] for i in done] == ["crds", "operator", "raycluster"]
    assert phases.index(("operator", "applying")) > done[0] and phases.index(("raycluster", "applying")) > done[1]
    assert "3/3 workers available" in progress[-1].app_status
    rc = resources.get_custom(conn, RAYCLUSTERS, "ray-cluster", "raycluster-kuberay")
    assert rc is not None and rc["status"]["state"] == "ready"
    apps = [resources.get_custom(conn, APPLICATIONS, "argocd", a.name) for a in plan.apps]
    assert all(a and {m["manager"] for m in a["metadata"]["managedFields"]} >= {"raywizard"} for a in apps)


def test_02_second_apply_is_a_no_op(
    cluster: SandboxCluster, conn: Connection, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = plan_apply(conn, load_preset("argocd-guide"))
    assert not plan.has_changes and not plan.report.has_changes
    before = {a.name: a.live_resource_version for a in plan.apps}
    code, out, err = raywizard(cluster, capsys, "apply", "--preset", "argocd-guide", "--yes", "--timeout", "60")
    assert code == 0
    assert "applied: ray-operator-crds unchanged, ray-operator unchanged, raycluster unchanged" in err
    assert err.index("apply to context raywizard-sandbox (http://127.0.0.1:") < err.index("[crds] applying")
    assert "no differences" in out
    assert cluster.token not in out + err
    after = plan_apply(conn, load_preset("argocd-guide"))
    assert not after.has_changes
    assert before.keys() == {a.name for a in after.apps}


def test_03_diff_shows_exactly_the_edited_max_replicas(
    cluster: SandboxCluster, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = raywizard(
        cluster,
        capsys,
        "diff",
        "--preset",
        "argocd-guide",
        "--set",
        "workerGroups.standard-worker.maxReplicas=50",
        "-o",
        "json",
    )
    assert code == 1
    report = json.loads(out)
    changed = {(r["kind"], c["path"], c["live"], c["desired"]) for r in report["resources"] for c in r["changed"]}
    assert changed == {
        ("Application", ".spec.source.helm.valuesObject.worker.maxReplicas", 200, 50),
        ("RayCluster", ".spec.workerGroupSpecs[0].maxReplicas", 200, 50),
    }
    assert all(not r["added"] and not r["removed"] for r in report["resources"])
    code, out, _ = raywizard(
        cluster, capsys, "diff", "--preset", "argocd-guide", "--set", "workerGroups.standard-worker.maxReplicas=50"
    )
    assert code == 1
    lines = [line.replace(" ", "") for line in out.splitlines()]
    assert lines.count("-maxReplicas:200") == 2 and lines.count("+maxReplicas:50") == 2  # Application + RayCluster
    assert "\x1b[" not in out  # not a terminal: plain


def test_04_autoscaled_replicas_are_ignored_not_changed(
    cluster: SandboxCluster, conn: Connection, capsys: pytest.CaptureFixture[str]
) -> None:
    cluster.pause_controllers()  # hold the autoscaler and Argo CD still while we look
    resources.patch_custom(
        conn,
        RAYCLUSTERS,
        "ray-cluster",
        "raycluster-kuberay",
        [{"op": "replace", "path": "/spec/workerGroupSpecs/0/replicas", "value": 5}],
        content_type=resources.JSON_PATCH,
    )
    code, out, _ = raywizard(cluster, capsys, "diff", "--preset", "argocd-guide", "-o", "json")
    assert code == 0
    report = json.loads(out)
    (rc,) = [r for r in report["resources"] if r["kind"] == "RayCluster"]
    assert rc["changed"] == [] and rc["status"] == "unchanged"
    assert [(i["path"], i["live"], i["desired"]) for i in rc["ignored"]] == [
        (".spec.workerGroupSpecs[0].replicas", 5, 1)
    ]
    code, out, _ = raywizard(cluster, capsys, "diff", "--preset", "argocd-guide")
    assert code == 0
    assert "replicas 5 live / 1 desired — ignored, owned by the autoscaler" in out


def test_04b_the_simulated_autoscaler_scaling_up_is_ignored_too(
    cluster: SandboxCluster, conn: Connection, capsys: pytest.CaptureFixture[str]
) -> None:
    autoscaler = next(c for c in cluster.controllers if getattr(c, "name", "") == "ray-autoscaler")
    autoscaler.set_load("steady")  # two workers above minReplicas per group, by JSON patch like Ray's
    try:

        def scaled() -> list[int] | None:
            rc = resources.get_custom(conn, RAYCLUSTERS, "ray-cluster", "raycluster-kuberay") or {}
            replicas = [g.get("replicas") for g in rc.get("spec", {}).get("workerGroupSpecs", [])]
            return replicas if replicas and all(r and r > 1 for r in replicas) else None

        replicas = wait_for(scaled, timeout=30)
        code, out, _ = raywizard(cluster, capsys, "diff", "--preset", "argocd-guide", "-o", "json")
        assert code == 0
        (rc,) = [r for r in json.loads(out)["resources"] if r["kind"] == "RayCluster"]
        assert rc["changed"] == []
        ignored = {i["path"]: (i["live"], i["desired"]) for i in rc["ignored"]}
        assert ignored == {f".spec.workerGroupSpecs[{i}].replicas": (n, 1) for i, n in enumerate(replicas)}
    finally:
        autoscaler.set_load("idle")


def test_05_refuses_when_the_cluster_changed_since_the_preview(conn: Connection) -> None:
    spec = load_preset("argocd-guide")
    spec.worker_groups[0].max_replicas = 150
    plan = plan_apply(conn, spec)
    assert plan.has_changes
    resources.patch_custom(
        conn, APPLICATIONS, "argocd", "raycluster", {"metadata": {"annotations": {"team": "someone-else"}}}
    )
    with pytest.raises(PlanOutdated) as caught:
        execute_apply(conn, plan, timeout=60)
    assert "Application argocd/raycluster" in caught.value.message and caught.value.fix
    live = resources.get_custom(conn, APPLICATIONS, "argocd", "raycluster")
    assert live is not None and live["spec"]["source"]["helm"]["valuesObject"]["worker"]["maxReplicas"] == 200
    fresh = plan_apply(conn, spec)  # re-diff, then apply converges
    result = execute_apply(conn, fresh, timeout=120)
    assert [s.outcome for s in result.steps] == ["unchanged", "unchanged", "configured"]
    rc = resources.get_custom(conn, RAYCLUSTERS, "ray-cluster", "raycluster-kuberay")
    assert rc is not None and rc["spec"]["workerGroupSpecs"][0]["maxReplicas"] == 150


def test_06_conflicts_with_other_managers_are_shown_and_never_forced(conn: Connection) -> None:
    other = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": "raycluster", "namespace": "argocd"},
        "spec": {"source": {"helm": {"valuesObject": {"worker": {"maxReplicas": 120}}}}},
    }
    response = resources._custom_api(conn).patch_namespaced_custom_object(
        "argoproj.io",
        "v1alpha1",
        "argocd",
        "applications",
        "raycluster",
        other,
        field_manager="kubectl",
        force=True,
        _content_type=resources.APPLY_PATCH,
        _preload_content=False,
    )
    assert response.status == 200
    spec = load_preset("argocd-guide")
    spec.worker_groups[0].max_replicas = 180
    plan = plan_apply(conn, spec)
    assert plan.conflicts and "kubectl" in plan.conflicts[0]
    with pytest.raises(ClusterError) as caught:
        execute_apply(conn, plan, timeout=60)
    assert "kubectl" in caught.value.message and "--force" in (caught.value.fix or "")
    live = resources.get_custom(conn, APPLICATIONS, "argocd", "raycluster")
    assert live is not None and live["spec"]["source"]["helm"]["valuesObject"]["worker"]["maxReplicas"] == 120
    result = execute_apply(conn, plan, timeout=120, force=True)
    assert result.steps[-1].outcome == "configured"
    live = resources.get_custom(conn, APPLICATIONS, "argocd", "raycluster")
    assert live is not None and live["spec"]["source"]["helm"]["valuesObject"]["worker"]["maxReplicas"] == 180


def test_07_apply_dry_run_writes_nothing(
    cluster: SandboxCluster, conn: Connection, capsys: pytest.CaptureFixture[str]
) -> None:
    before = resources.get_custom(conn, APPLICATIONS, "argocd", "raycluster")
    code, out, _ = raywizard(
        cluster,
        capsys,
        "apply",
        "--preset",
        "argocd-guide",
        "--dry-run",
        "--set",
        "workerGroups.standard-worker.maxReplicas=77",
    )
    assert code == 1 and "+maxReplicas:77" in out.replace(" ", "")
    after = resources.get_custom(conn, APPLICATIONS, "argocd", "raycluster")
    assert before and after and before["metadata"]["resourceVersion"] == after["metadata"]["resourceVersion"]


def test_07b_no_wait_applies_all_three_without_waiting(
    cluster: SandboxCluster, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = raywizard(
        cluster,
        capsys,
        "apply",
        "--preset",
        "argocd-guide",
        "--yes",
        "--no-wait",
        "--set",
        "workerGroups.standard-worker.maxReplicas=190",
    )
    assert code == 0
    assert err.count("(not waiting)") == 3 and "waiting for Application" not in err
    assert "raycluster configured" in err


def test_07c_confirmation_on_a_terminal(cluster: SandboxCluster, conn: Connection) -> None:
    import os
    import sys

    pexpect = pytest.importorskip("pexpect")
    before = resources.get_custom(conn, APPLICATIONS, "argocd", "raycluster")
    env = {**os.environ, "KUBECONFIG": str(cluster.kubeconfig_path), "NO_COLOR": "1"}
    args = [
        "-m",
        "raywizard",
        "apply",
        "--preset",
        "argocd-guide",
        "--set",
        "workerGroups.standard-worker.maxReplicas=66",
    ]
    child = pexpect.spawn(sys.executable, args, env=env, timeout=30, encoding="utf-8", dimensions=(40, 200))
    child.expect(r"apply these changes to context raywizard-sandbox \(http://127\.0\.0\.1:\d+\)\? \[y/N\]")
    child.sendline("n")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130 and "nothing was changed" in (child.before or "")
    after = resources.get_custom(conn, APPLICATIONS, "argocd", "raycluster")
    assert before and after
    assert (
        after["spec"]["source"]["helm"]["valuesObject"]["worker"]["maxReplicas"]
        == (before["spec"]["source"]["helm"]["valuesObject"]["worker"]["maxReplicas"])
    )


def test_07d_the_question_goes_to_the_terminal_not_into_a_pipe(
    cluster: SandboxCluster, tmp_path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`raywizard apply | tee log` must show the [y/N] question (stderr), and stdout holds no prompt; with
    stdin not a terminal and no --yes it fails at once."""
    import os
    import shlex
    import sys

    pexpect = pytest.importorskip("pexpect")
    out = tmp_path / "stdout.txt"
    env = {**os.environ, "KUBECONFIG": str(cluster.kubeconfig_path), "NO_COLOR": "1"}
    command = (
        f"{shlex.quote(sys.executable)} -m raywizard apply --preset argocd-guide "
        f"--set workerGroups.standard-worker.maxReplicas=67 | cat > {shlex.quote(str(out))}"
    )
    child = pexpect.spawn("/bin/sh", ["-c", command], env=env, timeout=30, encoding="utf-8", dimensions=(40, 200))
    child.expect(r"apply these changes to context raywizard-sandbox .*\[y/N\]")
    child.sendline("n")
    child.expect(pexpect.EOF)
    child.close()
    assert "[y/N]" not in out.read_text()
    # No terminal on stdin, no --yes: refuse at once (the pipe is closed, nothing waits).
    code, _, err = raywizard(
        cluster, capsys, "apply", "--preset", "argocd-guide", "--set", "workerGroups.standard-worker.maxReplicas=68"
    )
    assert code == 2 and "stdin is not a terminal" in err and "--yes" in err


def test_08_stalled_step_names_the_blocker(conn: Connection) -> None:
    spec = load_preset("argocd-guide")
    huge = WorkerGroup(
        name="huge",
        replicas=1,
        min_replicas=1,
        max_replicas=1,
        resources=Resources(requests={"cpu": "500", "memory": "1G"}, limits={"cpu": "500", "memory": "1G"}),
    )
    spec.worker_groups.append(huge)
    plan = plan_apply(conn, spec)
    progress: list[StepProgress] = []
    with pytest.raises(ClusterError) as caught:
        execute_apply(conn, plan, timeout=6, on_progress=progress.append, stall_after=2, poll_interval=0.2)
    blockers = [p.blocker for p in progress if p.blocker]
    assert any("Pending: 0/3 nodes are available" in b and "Insufficient cpu" in b for b in blockers), blockers
    assert any(p.phase == "stalled" for p in progress)
    assert progress[-1].phase == "failed" and progress[-1].step == "raycluster"
    assert "did not finish within 6 s" in caught.value.message and "Insufficient cpu" in caught.value.message
    # Back to the guide: the same apply converges again (idempotent, re-run after a failure).
    execute_apply(conn, plan_apply(conn, load_preset("argocd-guide")), timeout=120)
