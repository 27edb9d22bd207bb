"""`raywizard root`: the parent Application it renders, the children's waves and retry, and the argocd-cm health
check that makes the waves wait on a child Application's health."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from raywizard.cli import main as cli
from raywizard.documents.presets import load_preset
from raywizard.render.applications import render_applications
from raywizard.render.gitops import APPLICATION_HEALTH_KEY, APPLICATION_HEALTH_LUA, children_for_parent


def test_root_renders_an_automated_parent(capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["root", "--repo-url", "https://git.example.com/deploy.git", "--path", "clusters/ray/",
                     "--revision", "main", "-o", "-"])
    out, err = capsys.readouterr()
    assert code == 0
    parent = yaml.safe_load(out)
    assert parent["metadata"] == {"name": "ray-root", "namespace": "argocd"}
    assert parent["spec"]["source"] == {"repoURL": "https://git.example.com/deploy.git", "targetRevision": "main",
                                        "path": "clusters/ray"}
    assert parent["spec"]["destination"] == {"server": "https://kubernetes.default.svc", "namespace": "argocd"}
    assert parent["spec"]["syncPolicy"]["automated"] == {"prune": True, "selfHeal": True}
    assert parent["spec"]["syncPolicy"]["retry"]["limit"] == 5
    assert "--health-check" in err


def test_root_needs_a_repository_and_a_path(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["root", "--path", "ray"]) == 2
    assert "root needs --repo-url and --path" in capsys.readouterr().err


def test_children_get_waves_in_apply_order_and_a_retry() -> None:
    children = children_for_parent(render_applications(load_preset("argocd-guide")))
    waves = [c["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"] for c in children]
    assert waves == ["0", "1", "2"]
    assert all(c["spec"]["syncPolicy"]["retry"]["backoff"] == {"duration": "5s", "factor": 2, "maxDuration": "3m"}
               for c in children)


def _health(obj: dict[str, Any]) -> dict[str, str]:
    lupa = pytest.importorskip("lupa")
    lua = lupa.LuaRuntime(unpack_returned_tuples=True)
    lua.globals().obj = lua.table_from(obj, recursive=True)
    result = lua.execute(APPLICATION_HEALTH_LUA)
    return {"status": str(result["status"]), "message": str(result["message"] or "")}


def test_the_health_check_reports_the_child_applications_own_health(capsys: pytest.CaptureFixture[str]) -> None:
    assert _health({"status": {"health": {"status": "Degraded", "message": "crd missing"}}}) == {
        "status": "Degraded", "message": "crd missing"}
    assert _health({"status": {"health": {"status": "Healthy"}}})["status"] == "Healthy"
    assert _health({"metadata": {"name": "new"}})["status"] == "Progressing"
    assert cli.main(["root", "--health-check"]) == 0
    patch = yaml.safe_load(capsys.readouterr().out)
    assert patch["data"][APPLICATION_HEALTH_KEY] == APPLICATION_HEALTH_LUA
