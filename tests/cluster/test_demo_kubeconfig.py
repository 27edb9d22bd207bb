"""The demo prints a kubeconfig and a kubectl line that work as printed, with real kubectl and no token."""

from __future__ import annotations

import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from raywizard.cli.commands.demo import demo_banner, kubectl_line
from raywizard.sandbox.cluster import SandboxCluster

pytestmark = pytest.mark.kubectl


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_the_printed_kubectl_line_reaches_the_demo_cluster(tmp_path: Path) -> None:
    cluster = SandboxCluster(anonymous=True, controllers=False).start()
    try:
        kubeconfig = cluster.write_kubeconfig(tmp_path / "kube config")  # a space: the line must quote it
        banner = demo_banner(cluster.url, kubeconfig)
        assert str(kubeconfig) in banner and cluster.url in banner
        line = kubectl_line(kubeconfig)
        assert line in banner
        result = subprocess.run(shlex.split(line), capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        assert "NAMESPACE" in result.stdout or "No resources found" in result.stderr
    finally:
        cluster.stop()


def test_a_wrong_token_is_still_refused_by_the_demo_cluster(tmp_path: Path) -> None:
    import urllib.error
    import urllib.request

    cluster = SandboxCluster(anonymous=True, controllers=False).start()
    try:
        request = urllib.request.Request(f"{cluster.url}/api/v1/namespaces",
                                         headers={"Authorization": "Bearer not-the-token"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)
        assert refused.value.code == 401
        with urllib.request.urlopen(f"{cluster.url}/api/v1/namespaces", timeout=10) as anonymous:
            assert anonymous.status == 200
    finally:
        cluster.stop()
