"""Fixtures for tests against the embedded sandbox cluster (real `kubernetes` client and `kubectl` over HTTP).

- ``sandbox`` (session-scoped): one SandboxCluster for the session (simulated controllers on, speed 20) with a
  kubeconfig at ``sandbox.kubeconfig_path``. Faults and permission denials are cleared around every test.
- ``kube_api``: a fresh ``kubernetes.client.ApiClient`` from that kubeconfig, per test.
- ``bare_sandbox`` / ``bare_api``: the same without controllers, so that nothing but the test writes (the API
  server's own tests use these: resourceVersions and events are then deterministic).
- ``kubectl``: runs the real kubectl against a sandbox (skips when kubectl is absent); kubectl never sends a
  token over plain http, so the fixture lets anonymous requests in for the duration of the test.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from raywizard.sandbox.cluster import SandboxCluster

_STARTED: list[SandboxCluster] = []


def _start(tmp_path_factory: pytest.TempPathFactory, name: str, **kwargs: Any) -> SandboxCluster:
    cluster = SandboxCluster(**kwargs).start()
    cluster.write_kubeconfig(tmp_path_factory.mktemp(name) / "kubeconfig")
    _STARTED.append(cluster)
    return cluster


def _reset(cluster: SandboxCluster) -> None:
    cluster.faults.clear()
    cluster.permissions.reset()
    cluster.allow_anonymous = False


@pytest.fixture(autouse=True)
def _clean_sandboxes() -> Iterator[None]:
    """Faults, denials and anonymous access never leak from one test into the next."""
    for cluster in _STARTED:
        _reset(cluster)
    yield
    for cluster in _STARTED:
        _reset(cluster)


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxCluster]:
    cluster = _start(tmp_path_factory, "sandbox", speed=20.0)
    yield cluster
    cluster.stop()
    _STARTED.remove(cluster)


@pytest.fixture(scope="session")
def sandbox_session(sandbox: SandboxCluster) -> SandboxCluster:
    """An alias of ``sandbox`` (tests/tui/conftest.py imports both names)."""
    return sandbox


@pytest.fixture(scope="session")
def bare_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxCluster]:
    cluster = _start(tmp_path_factory, "bare-sandbox", controllers=False)
    yield cluster
    cluster.stop()
    _STARTED.remove(cluster)


def _client(cluster: SandboxCluster) -> Any:
    from kubernetes import config

    assert cluster.kubeconfig_path is not None
    return config.new_client_from_config(str(cluster.kubeconfig_path))


@pytest.fixture
def kube_api(sandbox: SandboxCluster) -> Iterator[Any]:
    client = _client(sandbox)
    yield client
    client.close()


@pytest.fixture
def bare_api(bare_sandbox: SandboxCluster) -> Iterator[Any]:
    client = _client(bare_sandbox)
    yield client
    client.close()


KUBECTL = shutil.which("kubectl")


@pytest.fixture
def kubectl(bare_sandbox: SandboxCluster) -> Callable[..., subprocess.CompletedProcess[str]]:
    """kubectl(*args, input=None, check=True) against the bare sandbox."""
    if KUBECTL is None:
        pytest.skip("kubectl is not on PATH")
    bare_sandbox.allow_anonymous = True
    assert bare_sandbox.kubeconfig_path is not None
    env = {
        **os.environ,
        "KUBECONFIG": str(bare_sandbox.kubeconfig_path),
        "KUBECACHEDIR": str(Path(bare_sandbox.kubeconfig_path).parent / "cache"),
    }

    def run(*args: str, input: str | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run([KUBECTL, *args], input=input, capture_output=True, text=True, env=env, timeout=60)
        if check and result.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} failed ({result.returncode}):\n{result.stderr}")
        return result

    return run
