"""Chart values taken from the user's documents, and edits made through the spec applied to them."""

from __future__ import annotations

from raywizard.documents.chart_values import apply_edit, values_of_application


def test_an_edit_changes_only_the_keys_it_changed() -> None:
    document = {"image": {"tag": 2.4}, "head": {"rayStartParams": {}, "autoscalerOptions": {"env": []}}}
    # What a lens renders: its own defaults (repository, pullPolicy), the empty map dropped.
    before = {"image": {"repository": "", "tag": "2.4", "pullPolicy": "IfNotPresent"}, "head": {}}
    after = {"image": {"repository": "", "tag": "2.49.0", "pullPolicy": "IfNotPresent"}, "head": {}}
    edited = apply_edit(document, before, after)
    assert edited == {"image": {"tag": "2.49.0"},
                      "head": {"rayStartParams": {}, "autoscalerOptions": {"env": []}}}
    assert document["image"] == {"tag": 2.4}  # the input is left alone


def test_an_edit_adds_and_removes_keys() -> None:
    document = {"worker": {"replicas": 1, "x-team": "a"}, "owner": "me"}
    before = {"worker": {"replicas": 1}}
    after = {"worker": {"maxReplicas": 4}, "additionalWorkerGroups": {"gpu": {"replicas": 0}}}
    assert apply_edit(document, before, after) == {
        "worker": {"maxReplicas": 4, "x-team": "a"},
        "owner": "me",
        "additionalWorkerGroups": {"gpu": {"replicas": 0}},
    }


def test_no_edit_returns_the_document_unchanged() -> None:
    document = {"tag": 0.1, "env": [], "n": None}
    assert apply_edit(document, {"a": 1}, {"a": 1}) == document


def test_values_of_an_application() -> None:
    def app(helm: dict) -> dict:
        return {"kind": "Application", "spec": {"source": {"chart": "ray-cluster", "helm": helm}}}

    assert values_of_application(app({"valuesObject": {"image": {"tag": "x"}}, "values": "a: 1"})) == {
        "image": {"tag": "x"}}
    assert values_of_application(app({"values": "image:\n  tag: y\n"})) == {"image": {"tag": "y"}}
    assert values_of_application(app({"releaseName": "r"})) is None
    multi = {"kind": "Application", "spec": {"sources": [
        {"repoURL": "https://git.example/x", "ref": "values"},
        {"chart": "ray-cluster", "helm": {"valuesObject": {"worker": {"replicas": 2}}}},
    ]}}
    assert values_of_application(multi) == {"worker": {"replicas": 2}}
