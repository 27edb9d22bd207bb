"""Lowering maxReplicas/minReplicas below the workers a group runs: what KubeRay and the autoscaler do."""

from __future__ import annotations

from typing import Any

from raywizard.model.scale_limits import limit_changes, limits_exceeded, running_workers


def _rc(autoscaling: bool, **group: Any) -> dict[str, Any]:
    worker = {"groupName": "cpu", "replicas": 9, "minReplicas": 1, "maxReplicas": 10, **group}
    return {
        "metadata": {"name": "rc"},
        "spec": {"enableInTreeAutoscaling": autoscaling, "workerGroupSpecs": [worker]},
    }


def _pods(count: int, group: str = "cpu", **extra: Any) -> list[dict[str, Any]]:
    labels = {"ray.io/cluster": "rc", "ray.io/node-type": "worker", "ray.io/group": group}
    return [
        {"metadata": {"name": f"w{i}", "labels": labels, **extra}, "status": {"phase": "Running"}} for i in range(count)
    ]


def test_running_workers_skips_deleting_pods_heads_and_other_clusters() -> None:
    pods = _pods(3) + _pods(2, deletionTimestamp="now")
    pods.append({"metadata": {"labels": {"ray.io/cluster": "rc", "ray.io/node-type": "head"}}})
    pods.append({"metadata": {"labels": {"ray.io/cluster": "other", "ray.io/node-type": "worker"}}})
    assert running_workers("rc", pods) == {"cpu": 3}


def test_lowering_max_with_autoscaling_leaves_it_to_the_autoscaler() -> None:
    (note,) = limit_changes(_rc(True, maxReplicas=5), _rc(True), _pods(9))
    assert (note.group, note.field, note.limit, note.running, note.surplus) == ("cpu", "maxReplicas", 5, 9, 4)
    assert note.line().startswith("cpu: maxReplicas 5 is below the 9 running workers: KubeRay deletes none")
    assert "ENABLE_RANDOM_POD_DELETE=true" in note.line() and "removes the 4 extra at its next update" in note.line()


def test_lowering_max_without_autoscaling_deletes_pods_in_list_order() -> None:
    (note,) = limit_changes(_rc(False, maxReplicas=5), _rc(False), _pods(9))
    assert "KubeRay deletes 4 of its pods at once, in list order" in note.line()


def test_no_note_when_the_limit_is_unchanged_or_still_above_the_workers() -> None:
    assert limit_changes(_rc(True, maxReplicas=5), _rc(True, maxReplicas=5), _pods(9)) == []
    assert limit_changes(_rc(True, maxReplicas=9), _rc(True), _pods(9)) == []
    assert limit_changes(_rc(True, maxReplicas=5), None, _pods(9)) == []


def test_lowering_min_with_autoscaling_waits_for_idle_workers() -> None:
    live = _rc(True, minReplicas=9)
    live["spec"]["autoscalerOptions"] = {"idleTimeoutSeconds": 30}
    desired = _rc(True, minReplicas=2)
    desired["spec"]["autoscalerOptions"] = {"idleTimeoutSeconds": 30}
    (note,) = limit_changes(desired, live, _pods(9))
    assert note.field == "minReplicas" and "nothing is deleted now" in note.line()
    assert "idle for idleTimeoutSeconds (30s)" in note.line()


def test_lowering_min_without_autoscaling_deletes_down_to_replicas() -> None:
    (note,) = limit_changes(_rc(False, minReplicas=2, replicas=3), _rc(False, minReplicas=9, replicas=3), _pods(9))
    assert note.surplus == 6 and "KubeRay deletes 6 of its pods" in note.line()
    assert limit_changes(_rc(False, minReplicas=2, replicas=9), _rc(False, minReplicas=9, replicas=9), _pods(9)) == []


def test_live_state_above_max_explains_the_extra_workers() -> None:
    (note,) = limits_exceeded(_rc(True, maxReplicas=5), _pods(9))
    assert note.why_more().startswith("4 above maxReplicas 5: KubeRay leaves them to the Ray autoscaler")
    assert limits_exceeded(_rc(True, maxReplicas=10), _pods(9)) == []
    assert limits_exceeded(_rc(True, minReplicas=2), _pods(9)) == []
