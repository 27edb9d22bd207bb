"""Sandbox fixtures for every tier (the embedded API server, reached with the real `kubernetes` client and `kubectl`).

- ``sandbox`` (session-scoped): one SandboxCluster for the session (simulated controllers on, speed 20) with a
  kubeconfig at ``sandbox.kubeconfig_path``. Faults and permission denials are cleared around every test.
- ``kube_api``: a fresh ``kubernetes.client.ApiClient`` from that kubeconfig, per test.
- ``bare_sandbox`` / ``bare_api``: the same without controllers, so that nothing but the test writes (the API
  server's own tests use these: resourceVersions and events are then deterministic).
- ``kubectl``: runs the real kubectl against a sandbox (skips when kubectl is absent); kubectl never sends a
  token over plain http, so the fixture lets anonymous requests in for the duration of the test.
- ``running_sandbox(...)``: a private SandboxCluster for one test or module, stopped (threads joined) on exit.

Every test that uses one of these fixtures is marked ``cluster`` (tests/conftest.py).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from raywizard.sandbox.cluster import SandboxCluster

#: the fixtures that give a test a sandbox; using one (directly or through another fixture) marks it ``cluster``
SANDBOX_FIXTURES = frozenset({"sandbox", "bare_sandbox", "kube_api", "bare_api", "kubectl"})

_STARTED: list[SandboxCluster] = []


@contextmanager
def running_sandbox(speed: float = 50.0, **kwargs: Any) -> Iterator[SandboxCluster]:
    cluster = SandboxCluster(speed=speed, **kwargs).start()
    try:
        yield cluster
    finally:
        cluster.stop()


def _start(tmp_path_factory: pytest.TempPathFactory, name: str, **kwargs: Any) -> SandboxCluster:
    cluster = SandboxCluster(**kwargs).start()
    cluster.write_kubeconfig(tmp_path_factory.mktemp(name) / "kubeconfig")
    _STARTED.append(cluster)
    return cluster


def _stop(cluster: SandboxCluster) -> None:
    _STARTED.remove(cluster)
    cluster.stop()


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
    _stop(cluster)


@pytest.fixture(scope="session")
def bare_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxCluster]:
    cluster = _start(tmp_path_factory, "bare-sandbox", controllers=False)
    yield cluster
    _stop(cluster)


def _client(cluster: SandboxCluster) -> Any:
    from kubernetes import config

    assert cluster.kubeconfig_path is not None
    return config.new_client_from_config(str(cluster.kubeconfig_path))


def _close(client: Any) -> None:
    # ApiClient.close() ends only its thread pool; its keep-alive connections would keep one server thread each
    # waiting for a next request until the client is collected.
    client.close()
    client.rest_client.pool_manager.clear()


@pytest.fixture
def kube_api(sandbox: SandboxCluster) -> Iterator[Any]:
    client = _client(sandbox)
    yield client
    _close(client)


@pytest.fixture
def bare_api(bare_sandbox: SandboxCluster) -> Iterator[Any]:
    client = _client(bare_sandbox)
    yield client
    _close(client)


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
