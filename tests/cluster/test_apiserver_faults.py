"""Fault injection: latency, error rates, 403/429/503, forced failures, server down, the --faults spec."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
import urllib3
from kubernetes import client
from kubernetes.client.exceptions import ApiException

from raywizard.sandbox.cluster import SandboxCluster
from raywizard.sandbox.faults import FaultInjector, parse_duration
from tests.waiting import wait_for


def test_spec_parsing() -> None:
    faults = FaultInjector(
        "latency=0.2,error_rate.patch=0.3,drop_watches=10s,forbid=patch:applications,"
        "expire_watches,throttle_rate=0.1,latency.list=200ms"
    )
    assert faults.latency == {"*": 0.2, "list": 0.2}
    assert faults.error_rate == {"patch": 0.3}
    assert faults.throttle_rate == {"*": 0.1}
    assert faults.drop_watches_after == 10.0 and faults.expire_watches_after == 5.0
    assert faults.forbidden == {("patch", "applications")}
    assert parse_duration("1m") == 60
    for bad in ("nonsense=1", "error_rate=2", "forbid=patch", "latency=fast"):
        with pytest.raises(ValueError):
            FaultInjector(bad)


def test_fail_next_and_error_rate(bare_sandbox: SandboxCluster, bare_api: Any) -> None:
    v1 = client.CoreV1Api(bare_api)
    bare_sandbox.faults.fail_next("list", "configmaps", 500)
    with pytest.raises(ApiException) as info:
        v1.list_namespaced_config_map("default")
    body = json.loads(info.value.body)
    assert info.value.status == 500 and body["reason"] == "InternalError"
    assert body["message"].startswith("Internal error occurred:")
    v1.list_namespaced_config_map("default")  # only the next one failed
    bare_sandbox.faults.set_error_rate("get", 1.0)
    with pytest.raises(ApiException) as info:
        v1.read_namespace("default")
    assert info.value.status == 500
    v1.list_namespace()  # other verbs unaffected


@pytest.mark.parametrize(
    ("code", "reason"), [(429, "TooManyRequests"), (503, "ServiceUnavailable"), (403, "Forbidden")]
)
def test_injected_status_codes(bare_sandbox: SandboxCluster, bare_api: Any, code: int, reason: str) -> None:
    # retries off, so that urllib3 does not hide the 429/503
    bare_api.rest_client.pool_manager.connection_pool_kw["retries"] = urllib3.Retry(0, status=0, redirect=0)
    bare_sandbox.faults.fail_next("get", "namespaces", code)
    with pytest.raises(ApiException) as info:
        client.CoreV1Api(bare_api).read_namespace("default", _request_timeout=5)
    assert info.value.status == code
    assert json.loads(info.value.body)["reason"] == reason
    if code == 429:
        assert info.value.headers["Retry-After"] == "1"


def test_forbid_a_verb_on_a_resource(bare_sandbox: SandboxCluster, bare_api: Any) -> None:
    bare_sandbox.faults.forbid("patch", "applications")
    custom = client.CustomObjectsApi(bare_api)
    with pytest.raises(ApiException) as info:
        custom.patch_namespaced_custom_object("argoproj.io", "v1alpha1", "argocd", "applications", "a", {})
    assert info.value.status == 403
    custom.list_namespaced_custom_object("argoproj.io", "v1alpha1", "argocd", "applications")


def test_latency(bare_sandbox: SandboxCluster, bare_api: Any) -> None:
    bare_sandbox.faults.set_latency(0.3, "list")
    started = time.monotonic()
    client.CoreV1Api(bare_api).list_namespace()
    assert time.monotonic() - started >= 0.3


def test_server_down_then_back_on_the_same_port(tmp_path: Any) -> None:
    from kubernetes import config

    cluster = SandboxCluster(controllers=False).start()
    try:
        api = config.new_client_from_config(str(cluster.write_kubeconfig(tmp_path / "kc")))
        api.rest_client.pool_manager.connection_pool_kw["retries"] = False
        v1 = client.CoreV1Api(api)
        v1.list_namespace()
        cluster._server.stop()  # what restart() does first
        with pytest.raises(urllib3.exceptions.HTTPError):
            v1.list_namespace(_request_timeout=2)
        cluster.restart(keep_state=True)
        assert v1.list_namespace().items
        api.close()
    finally:
        cluster.stop()


def test_wrong_token_is_401_even_with_anonymous(bare_sandbox: SandboxCluster, bare_api: Any) -> None:
    bare_sandbox.allow_anonymous = True
    bare_api.configuration.refresh_api_key_hook = None  # the kubeconfig loader would restore the token
    bare_api.configuration.api_key["BearerToken"] = "Bearer wrong"
    with pytest.raises(ApiException) as info:
        client.CoreV1Api(bare_api).list_namespace()
    assert info.value.status == 401


def test_expire_open_watches_and_timed_expiry(tmp_path: Any) -> None:
    import threading

    from kubernetes import config

    cluster = SandboxCluster(controllers=False, faults="expire_watches=300ms,forbid=delete:configmaps").start()
    try:
        api = config.new_client_from_config(str(cluster.write_kubeconfig(tmp_path / "kc")))
        v1 = client.CoreV1Api(api)
        response = v1.list_namespaced_config_map("default", watch=True, timeout_seconds=10, _preload_content=False)
        lines = [json.loads(line) for line in response.read().splitlines() if line.strip()]
        assert lines[-1]["type"] == "ERROR" and lines[-1]["object"]["code"] == 410
        with pytest.raises(ApiException) as info:
            v1.delete_namespaced_config_map("x", "default")
        assert info.value.status == 403
        cluster.faults.clear()
        got: list[dict[str, Any]] = []

        def read() -> None:
            stream = v1.list_namespaced_config_map(
                "default", watch=True, resource_version="0", timeout_seconds=10, _preload_content=False
            )
            got.extend(json.loads(line) for line in stream.read().splitlines() if line.strip())

        reader = threading.Thread(target=read)
        reader.start()
        wait_for(lambda: cluster.store._watches, what="the watch open on the server")
        cluster.faults.expire_watches()
        reader.join(5)
        assert got and got[-1]["type"] == "ERROR" and got[-1]["object"]["reason"] == "Expired"
        api.close()
    finally:
        cluster.stop()
