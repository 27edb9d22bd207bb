"""What raywizard says when the API server refuses an Application field its CRD does not declare (a typo):
server-side apply answers structured-merge-diff's 500, which is no use to retry."""

from __future__ import annotations

from pathlib import Path

import pytest

from raywizard.cli import main as cli
from raywizard.sandbox.cluster import SandboxCluster
from tests.conftest import FIXTURES


def test_a_typo_in_an_application_is_named_not_retried(
    sandbox: SandboxCluster, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (FIXTURES / "ray-argocd-all.yaml").read_text()
    typo = tmp_path / "apps.yaml"
    typo.write_text(text.replace('targetRevision: "1.4.1"\n', 'targetRevision: "1.4.1"\n    targetRevison: "1.4.1"\n'))
    sandbox.requests.clear()
    assert cli.main(["diff", "--from", str(typo), "--kubeconfig", str(sandbox.kubeconfig_path)]) == 2
    err = capsys.readouterr().err
    assert "refuses a field its schema does not declare: spec.source.targetRevison" in err
    assert "remove or correct that field" in err and "retry in a moment" not in err
    refused = [r for r in sandbox.requests.all() if r.status == 500]
    assert len(refused) == 1  # not retried
