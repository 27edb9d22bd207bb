"""The dashboard's compact pod records: every view reads the same from a record as from the whole pod, the
record is a fraction of its size, and an update that changes nothing shown yields an equal record."""

from __future__ import annotations

import copy
import json
import sys
from typing import Any

from raywizard.kube import views
from raywizard.kube.pod_record import compact_pod
from raywizard.kube.state import ClusterState
from tests.tui.dashboard_data import NOW, filled_state


def whole_pods() -> list[dict[str, Any]]:
    return [dict(pod) for pod in filled_state(workers=6).snapshot().pods.values()]


def deep_size(obj: Any) -> int:
    if isinstance(obj, dict):
        return sys.getsizeof(obj) + sum(deep_size(k) + deep_size(v) for k, v in obj.items())
    if isinstance(obj, list):
        return sys.getsizeof(obj) + sum(deep_size(v) for v in obj)
    return sys.getsizeof(obj)


def test_views_read_the_same_from_a_record() -> None:
    for pod in whole_pods():
        record = compact_pod(pod)
        assert views.pod_row(record, NOW) == views.pod_row(pod, NOW)
        assert views.pod_status(record) == views.pod_status(pod)
        assert compact_pod(record) == record  # idempotent


def test_group_counts_and_names_from_records() -> None:
    full = filled_state(workers=6)
    compact = ClusterState(pod_record=compact_pod)
    snap = full.snapshot()
    for kind in ("applications", "rayclusters", "pods"):
        compact.replace_all(kind, [dict(o) for o in getattr(snap, kind).values()])
    assert views.worker_group_rows(compact.snapshot()) == views.worker_group_rows(snap)


def test_a_record_is_small_and_keeps_the_containers() -> None:
    pod = whole_pods()[0]
    heavy = copy.deepcopy(pod)
    heavy["metadata"]["managedFields"] = [{"manager": "kubelet", "fieldsV1": {f"f:{i}": {} for i in range(200)}}]
    heavy["spec"]["containers"][0]["env"] = [{"name": f"VAR_{i}", "value": "x" * 40} for i in range(50)]
    heavy["spec"]["initContainers"] = [{"name": "wait-gcs", "image": "busybox"}]
    heavy["metadata"]["annotations"] = {"kubectl.kubernetes.io/default-container": "ray-head", "big": "y" * 4000}
    record = compact_pod(json.loads(json.dumps(heavy)))
    assert deep_size(record) * 10 < deep_size(heavy)
    assert [c["name"] for c in record["spec"]["containers"]] == [c["name"] for c in heavy["spec"]["containers"]]
    assert record["spec"]["initContainers"] == [{"name": "wait-gcs"}]
    assert record["metadata"]["annotations"] == {"kubectl.kubernetes.io/default-container": "ray-head"}


def test_an_update_that_changes_nothing_shown_is_skipped() -> None:
    state = ClusterState(pod_record=compact_pod)
    pod = whole_pods()[0]
    state.apply_event("pods", "ADDED", pod)
    version = state.version
    touched = copy.deepcopy(pod)
    touched["metadata"]["resourceVersion"] = "999"
    touched["metadata"]["managedFields"] = [{"manager": "kubelet"}]
    for condition in touched["status"].get("conditions") or []:
        condition["lastProbeTime"] = "2026-11-25T21:00:00Z"
    state.apply_event("pods", "MODIFIED", touched)
    assert state.version == version
    touched["status"]["phase"] = "Failed"
    state.apply_event("pods", "MODIFIED", touched)
    assert state.version == version + 1
