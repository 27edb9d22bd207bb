"""DiffReport: what Argo CD compares, what ignoreDifferences hides, and how it is shown."""

from __future__ import annotations

import copy
import json
from typing import Any

from raywizard.diff.report import REPLICAS_JQ, DiffReport, compare, diff_resource, strip_server_fields

RULES = [
    {
        "group": "ray.io",
        "kind": "RayCluster",
        "name": "raycluster-kuberay",
        "namespace": "ray-cluster",
        "jqPathExpressions": [REPLICAS_JQ],
    }
]


def raycluster(replicas: int = 1, max_replicas: int = 200) -> dict[str, Any]:
    return {
        "apiVersion": "ray.io/v1",
        "kind": "RayCluster",
        "metadata": {"name": "raycluster-kuberay", "namespace": "ray-cluster", "labels": {"app": "ray"}},
        "spec": {
            "workerGroupSpecs": [
                {
                    "groupName": "standard-worker",
                    "replicas": replicas,
                    "minReplicas": 1,
                    "maxReplicas": max_replicas,
                }
            ]
        },
    }


def live_of(desired: dict[str, Any], **spec_changes: object) -> dict[str, Any]:
    live = copy.deepcopy(desired)
    live["metadata"].update(
        {
            "resourceVersion": "42",
            "uid": "u-1",
            "generation": 3,
            "creationTimestamp": "2026-01-01T00:00:00Z",
            "managedFields": [{"manager": "argocd-controller"}],
            "annotations": {"argocd.argoproj.io/tracking-id": "raycluster:ray.io/RayCluster:ray-cluster/x"},
        }
    )
    live["status"] = {"state": "ready"}
    live["spec"]["workerGroupSpecs"][0]["scaleStrategy"] = {
        "workersToDelete": []
    }  # written by the autoscaler
    live["spec"]["workerGroupSpecs"][0].update(spec_changes)
    return live


def test_identical_after_server_noise_is_stripped():
    desired = raycluster()
    result = diff_resource(live_of(desired), desired, rules=RULES)
    assert not result.has_changes and result.entries == [] and result.ignored == []
    assert result.unified() == ""


def test_changed_max_replicas_is_exactly_one_change():
    desired = raycluster(max_replicas=50)
    result = diff_resource(live_of(raycluster()), desired, rules=RULES)
    assert [(e.path, e.change, e.live, e.desired) for e in result.entries] == [
        (".spec.workerGroupSpecs[0].maxReplicas", "changed", 200, 50)
    ]
    text = result.unified()
    assert "-    maxReplicas: 200" in text and "+    maxReplicas: 50" in text
    assert "\x1b[" not in text
    assert "\x1b[31m" in result.unified(color=True)


def test_autoscaler_replicas_are_ignored_not_changed():
    desired = raycluster(replicas=1)
    live = live_of(desired, replicas=5)
    result = diff_resource(live, desired, rules=RULES)
    assert not result.has_changes
    assert len(result.ignored) == 1
    entry = result.ignored[0]
    assert (entry.path, entry.live, entry.desired) == (".spec.workerGroupSpecs[0].replicas", 5, 1)
    assert "replicas 5 live / 1 desired — ignored, owned by the autoscaler" in entry.describe()


def test_without_rule_replicas_are_a_change():
    desired = raycluster(replicas=1)
    result = diff_resource(live_of(desired, replicas=5), desired, rules=[])
    assert [e.path for e in result.entries] == [".spec.workerGroupSpecs[0].replicas"]


def test_rule_for_another_name_does_not_apply():
    rules = [dict(RULES[0], name="other")]
    desired = raycluster()
    result = diff_resource(live_of(desired, replicas=4), desired, rules=rules)
    assert result.has_changes and result.ignored == []


def test_json_pointer_rules_work_like_jq():
    rules = [dict(RULES[0], jsonPointers=["/spec/workerGroupSpecs/0/replicas"])]
    del rules[0]["jqPathExpressions"]
    desired = raycluster()
    result = diff_resource(live_of(desired, replicas=7), desired, rules=rules)
    assert not result.has_changes and [e.path for e in result.ignored] == [
        ".spec.workerGroupSpecs[0].replicas"
    ]


def test_three_way_with_last_applied_reports_removed_fields():
    desired = raycluster()
    previous = raycluster()
    previous["spec"]["workerGroupSpecs"][0]["rayStartParams"] = {"num-cpus": "1"}
    live = live_of(previous)
    live["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"] = json.dumps(previous)
    result = diff_resource(live, desired, rules=RULES)
    assert [(e.path, e.change) for e in result.entries] == [
        (".spec.workerGroupSpecs[0].rayStartParams", "removed")
    ]


def test_added_and_removed_resources():
    desired = raycluster()
    added = diff_resource(None, desired)
    assert added.status == "added" and added.has_changes and "+kind: RayCluster" in added.unified()
    removed = diff_resource(live_of(desired), None)
    assert removed.status == "removed"


def test_two_way_keeps_live_only_fields():
    desired: dict[str, Any] = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": "a", "namespace": "argocd"},
        "spec": {"project": "default"},
    }
    live = copy.deepcopy(desired)
    live["spec"]["syncPolicy"] = {"automated": {}}
    live["operation"] = {"sync": {}}
    result = diff_resource(live, desired, three_way=False)
    assert [(e.path, e.change) for e in result.entries] == [(".spec.syncPolicy", "removed")]


def test_report_json_and_summary():
    desired = raycluster(max_replicas=50)
    report = DiffReport([diff_resource(live_of(raycluster(), replicas=5), desired, rules=RULES)])
    data = json.loads(report.to_json())
    resource = data["resources"][0]
    assert data["hasChanges"] is True
    assert [c["path"] for c in resource["changed"]] == [".spec.workerGroupSpecs[0].maxReplicas"]
    assert [c["path"] for c in resource["ignored"]] == [".spec.workerGroupSpecs[0].replicas"]
    assert resource["added"] == [] and resource["removed"] == []
    assert len(report.changed) == 1 and len(report.ignored) == 1
    assert any("ignored" in line for line in report.summary_lines())


def test_compare_paths_quote_odd_keys():
    entries = compare({"a": {"x.y": 1}}, {"a": {"x.y": 2}})
    assert entries[0].path == '.a["x.y"]'


def test_strip_server_fields_keeps_user_annotations():
    obj = {
        "metadata": {"name": "a", "annotations": {"mine": "1", "argocd.argoproj.io/refresh": "hard"}},
        "status": {},
        "operation": {},
    }
    assert strip_server_fields(obj) == {"metadata": {"name": "a", "annotations": {"mine": "1"}}}


def test_cluster_strings_in_the_diff_are_escaped():
    desired = raycluster()
    live = live_of(desired)
    live["metadata"]["labels"]["app"] = "\x1b[31mred[/bold]"
    text = diff_resource(live, desired).unified()
    assert "\x1b" not in text
