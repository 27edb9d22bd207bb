"""The fault matrix, through the CLI as a user meets it: a clear one-line error with a fix (exit 2), never a
traceback, and recovery once the fault clears."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from raywizard.cli import main as cli
from raywizard.documents.presets import load_preset
from raywizard.kube.apply import StepProgress, execute_apply, plan_apply
from raywizard.kube.connection import load_connection
from raywizard.sandbox.cluster import SandboxCluster
from tests.cluster.cli_helpers import SERVER_NOISE


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxCluster]:
    sandbox = SandboxCluster(speed=20.0).start()
    sandbox.write_kubeconfig(tmp_path_factory.mktemp("faults") / "kubeconfig")
    yield sandbox
    sandbox.stop()


@pytest.fixture(autouse=True)
def clean(cluster: SandboxCluster) -> Iterator[None]:
    cluster.faults.clear()
    cluster.permissions.reset()
    yield
    cluster.faults.clear()
    cluster.permissions.reset()


def run(capsys: pytest.CaptureFixture[str], kubeconfig: Path | str, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = cli.main([*args, "--kubeconfig", str(kubeconfig)])
    out, err = capsys.readouterr()
    err = SERVER_NOISE.sub("", err)  # the in-process sandbox server logs reset keep-alive connections
    assert "Traceback" not in out + err
    return code, out, err


def kubeconfig_for(path: Path, server: str, token: str) -> Path:
    path.write_text(f"""apiVersion: v1
kind: Config
current-context: test
clusters: [{{name: c, cluster: {{server: "{server}"}}}}]
contexts: [{{name: test, context: {{cluster: c, user: u}}}}]
users: [{{name: u, user: {{token: "{token}"}}}}]
""")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_api_down_at_start(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = kubeconfig_for(tmp_path / "kc", f"http://127.0.0.1:{free_port()}", "t")
    for command in (["status"], ["diff", "--preset", "argocd-guide"], ["apply", "--preset", "minimal", "--yes"]):
        code, _, err = run(capsys, config, *command)
        assert code == 2
        assert "cannot reach the API server at http://127.0.0.1:" in err and "connection refused" in err
    code, out, _ = run(capsys, config, "preflight")
    assert code == 1 and "FAIL API server" in out and "fix:" in out


def test_401_names_the_credentials_not_the_token(
    cluster: SandboxCluster, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = kubeconfig_for(tmp_path / "kc", cluster.url, "wrong-secret-token")
    code, out, err = run(capsys, config, "status")
    assert code == 2 and "rejected the credentials (401 Unauthorized)" in err
    assert "wrong-secret-token" not in out + err


def test_403_on_patch_then_recovery(cluster: SandboxCluster, capsys: pytest.CaptureFixture[str]) -> None:
    cluster.faults.forbid("patch", "applications")
    code, _, err = run(capsys, cluster.kubeconfig_path, "apply", "--preset", "argocd-guide", "--yes")
    assert code == 2 and "forbidden (403)" in err and "raywizard preflight" in err
    cluster.faults.clear()
    code, _, err = run(
        capsys, cluster.kubeconfig_path, "apply", "--preset", "argocd-guide", "--yes", "--timeout", "120"
    )
    assert code == 0 and "[raycluster] done" in err


def test_rbac_denial_is_a_failed_preflight_check(cluster: SandboxCluster, capsys: pytest.CaptureFixture[str]) -> None:
    cluster.permissions.deny("patch", "applications.argoproj.io")
    code, out, _ = run(capsys, cluster.kubeconfig_path, "preflight", "--preset", "argocd-guide")
    assert code == 1
    assert "FAIL permissions: not allowed: patch applications.argoproj.io in argocd" in out


def test_500s_while_waiting_are_retried(cluster: SandboxCluster) -> None:
    conn = load_connection(str(cluster.kubeconfig_path))
    spec = load_preset("argocd-guide")
    spec.worker_groups[0].max_replicas = 150
    plan = plan_apply(conn, spec)
    progress: list[StepProgress] = []

    def on_progress(step: StepProgress) -> None:
        progress.append(step)
        if (step.step, step.phase) == ("raycluster", "applying"):  # faults while waiting, after the write
            # more 500s in a row than one request's retries absorb: the wait loop itself keeps going
            cluster.faults.fail_next("get", "applications", 500, count=9)
            cluster.faults.fail_next("list", "pods", 503, count=2)

    result = execute_apply(conn, plan, timeout=120, on_progress=on_progress, poll_interval=0.1)
    conn.close()
    assert result.steps[-1].outcome == "configured"
    assert any(p.blocker and "API error, retrying" in p.blocker for p in progress)


def test_500_on_a_one_shot_command_is_a_clear_error(
    cluster: SandboxCluster, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from raywizard.kube import error_translation as errors

    monkeypatch.setattr(errors, "RETRY_BASE_DELAY", 0.01)  # keep the give-up case quick
    monkeypatch.setattr(errors, "RETRY_MAX_DELAY", 0.02)
    cluster.faults.fail_next("list", "applications", 500)  # one 500 is retried
    code, _, err = run(capsys, cluster.kubeconfig_path, "status", "-o", "json")
    assert code == 0, err
    cluster.faults.set_error_rate("list", 1.0)  # a server that keeps failing: a clear error after a few tries
    code, _, err = run(capsys, cluster.kubeconfig_path, "status")
    assert code == 2 and "answered 500" in err and "retry in a moment" in err
    cluster.faults.clear()
    code, _, _ = run(capsys, cluster.kubeconfig_path, "status", "-o", "json")
    assert code == 0


def test_apply_converges_through_30_percent_transient_errors(cluster: SandboxCluster) -> None:
    """500s on patch and get, and 429s on list, are retried with back-off instead of ending the apply."""
    conn = load_connection(str(cluster.kubeconfig_path))
    try:
        spec = load_preset("argocd-guide")
        spec.worker_groups[0].max_replicas = 170
        cluster.faults.set_error_rate("patch", 0.3)
        cluster.faults.set_error_rate("get", 0.3)
        cluster.faults.throttle_rate["list"] = 0.3
        plan = plan_apply(conn, spec)
        result = execute_apply(conn, plan, timeout=120, poll_interval=0.1)
    finally:
        conn.close()
    assert [s.outcome for s in result.steps][-1] in ("configured", "created")
    injected = [r for r in cluster.requests.all() if r.status in (429, 500)]
    assert injected, "the fault injector should have failed some requests"


def test_slow_server_times_out_clearly_then_recovers(
    cluster: SandboxCluster, capsys: pytest.CaptureFixture[str]
) -> None:
    cluster.faults.set_latency(5.0)
    code, _, err = run(capsys, cluster.kubeconfig_path, "status", "--request-timeout", "0.5")
    assert code == 2 and "did not answer in time" in err and "--request-timeout" in err
    cluster.faults.clear()
    code, _, _ = run(capsys, cluster.kubeconfig_path, "status", "-o", "yaml")
    assert code == 0


def test_409_conflict_on_sync_resource_version(cluster: SandboxCluster, capsys: pytest.CaptureFixture[str]) -> None:
    cluster.faults.fail_next("patch", "applications", 409)
    code, _, err = run(capsys, cluster.kubeconfig_path, "refresh", "raycluster")
    assert code == 2 and "conflict (409)" in err and "--force" in err
    code, _, err = run(capsys, cluster.kubeconfig_path, "refresh", "raycluster")
    assert code == 0 and "refresh requested" in err


def test_cli_odds_and_ends(cluster: SandboxCluster, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """sync/refresh take --yes like apply/delete; a file that is not a kubeconfig is one line; no nested
    parentheses in the connection-refused fix."""
    code, _, err = run(capsys, cluster.kubeconfig_path, "refresh", "raycluster", "--yes")
    assert code == 0 and "refresh requested" in err
    not_kubeconfig = tmp_path / "notes.txt"
    not_kubeconfig.write_text("a: b\n---\nc: d\n")
    code, _, err = run(capsys, not_kubeconfig, "status")
    assert code == 2 and "not a kubeconfig" in err and len(err.strip().splitlines()) == 1, err
    dead = kubeconfig_for(tmp_path / "dead", f"http://127.0.0.1:{free_port()}", "t")
    code, _, err = run(capsys, dead, "status")
    assert code == 2 and "connection refused" in err and "))" not in err, err


def test_apply_without_argo_cd_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Apply without Argo CD says Argo CD is missing, not a bare 404 from the preview."""
    bare = SandboxCluster(argocd=False, controllers=False).start()
    try:
        bare.write_kubeconfig(tmp_path / "kubeconfig")
        code, _, err = run(capsys, bare.kubeconfig_path, "apply", "--preset", "argocd-guide", "--yes")
    finally:
        bare.stop()
    assert code == 2 and "Argo CD" in err and "install Argo CD" in err, err
