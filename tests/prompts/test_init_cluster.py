"""`raywizard init --diff/--apply` and the after-save menu, against the embedded sandbox cluster."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pytest

from raywizard.cli.main import main
from raywizard.sandbox.cluster import SandboxCluster

pytestmark = pytest.mark.cluster


@pytest.fixture
def kubeconfig(tmp_path: Path) -> Iterator[Path]:
    with SandboxCluster(speed=20) as cluster:
        yield cluster.write_kubeconfig(tmp_path / "kubeconfig")


def test_save_then_apply_then_diff_an_edit(kubeconfig: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    out = tmp_path / "apps.yaml"
    common = ["--yes", "--kubeconfig", str(kubeconfig)]
    assert main(["init", "--preset", "argocd-guide", "--set", "image.tag=2.46.0", "-o", str(out), "--apply",
                 *common]) == 0
    applied = "applied: ray-operator-crds created, ray-operator created, raycluster created"
    assert applied in capsys.readouterr().err
    assert main(["init", "--from", str(out), "--set", "workerGroups.standard-worker.maxReplicas=7", "--diff",
                 *common]) == 0
    diff = capsys.readouterr().out
    assert ".spec.workerGroupSpecs[0].maxReplicas: 200 → 7" in diff
    assert "maxReplicas: 7" in out.read_text()


def test_after_save_menu_runs_the_diff(kubeconfig: Path, spawn_init, tmp_path: Path) -> None:
    out = tmp_path / "apps.yaml"
    child = spawn_init("--preset", "argocd-guide", "--set", "image.tag=2.46.0", "-o", str(out),
                       "--kubeconfig", str(kubeconfig))
    for gate in ("Change the versions", "Change the target", "Change the head"):
        child.expect_exact(gate)
        child.send("n\r")
    child.expect_exact("Worker groups:")
    child.send("\r")
    for gate in ("Change sync and drift", "Change the output"):
        child.expect_exact(gate)
        child.send("n\r")
    child.expect_exact("Write")
    child.send("y\r")
    child.expect_exact("Next:")
    child.send("j\r")  # Diff against the cluster
    child.expect_exact("diff against context raywizard-sandbox")
    child.expect_exact("argoproj.io/Application argocd/ray-operator-crds")  # not there yet: all added
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
