"""Getting the dashboard's connection back, and noticing quickly that it is gone.

- Reconnect: when the watches report ``error`` (the API server rejected the credentials, or never answered),
  the kubeconfig is re-read every ``RECONNECT_EVERY`` seconds. A restarted sandbox (or a refreshed cloud login)
  writes a new token there; when what the kubeconfig says differs from the connection in use, the watches are
  restarted on a new connection, into the same ``ClusterState`` (they relist, so nothing is lost).
- Probe: a watch that is blocked reading from a hung server still reports ``live`` until its read times
  out. While the watches say ``live``, a cheap ``GET /version`` every ``PROBE_EVERY`` seconds (``PROBE_TIMEOUT``
  to answer) tells the truth sooner: the indicator shows ``reconnecting`` while the probe fails.

No Textual here: the screen calls these from thread workers and shows the outcome.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

RECONNECT_EVERY = 3.0
PROBE_EVERY = 3.0
PROBE_TIMEOUT = 2.5


def credentials_fingerprint(connection: Any) -> tuple[str, ...]:
    """What identifies where and as whom a connection talks (server, token, client certificate, user)."""
    config = getattr(getattr(connection, "api_client", None), "configuration", None)
    if config is None:
        return (str(getattr(connection, "server_url", "")),)
    api_key = getattr(config, "api_key", None) or {}
    return (
        str(getattr(config, "host", "")),
        repr(sorted(api_key.items())) if isinstance(api_key, dict) else repr(api_key),
        str(getattr(config, "cert_file", "") or ""),
        str(getattr(config, "key_file", "") or ""),
        str(getattr(config, "username", "") or ""),
        str(getattr(config, "password", "") or ""),
    )


def reload_if_changed(current: Any, load: Callable[[], Any]) -> Any | None:
    """A new connection from ``load()`` when the kubeconfig now says something else than ``current``;
    ``None`` when it is the same (the new client is closed again). Errors from ``load`` propagate."""
    fresh = load()
    if credentials_fingerprint(fresh) != credentials_fingerprint(current):
        return fresh
    close = getattr(fresh, "close", None)
    if close is not None:
        close()
    return None


def probe(connection: Any, timeout: float = PROBE_TIMEOUT) -> str | None:
    """``None`` when the API server answers ``GET /version`` within ``timeout`` seconds, else why not."""
    api_client = getattr(connection, "api_client", None)
    if api_client is None:
        return None
    try:
        from kubernetes import client

        client.VersionApi(api_client).get_code(_request_timeout=timeout)
    except Exception as exc:
        status = getattr(exc, "status", None)
        if status in (401, 403):
            return None  # the server answers; the watches report the credentials problem themselves
        server = getattr(connection, "server_url", "") or "the API server"
        if "timed out" in str(exc).lower() or "timeout" in type(exc).__name__.lower():
            return f"the API server at {server} did not answer within {timeout:g}s"
        return f"cannot reach the API server at {server}"
    return None


def default_loader(app: Any, connection: Any) -> Callable[[], Any] | None:
    """How to re-read the kubeconfig when the screen was not given a way: the app's kubeconfig (the wizard
    keeps it) and the context in use."""
    context = getattr(connection, "context_name", None)
    if connection is None or not context:
        return None
    kubeconfig = getattr(app, "kubeconfig", None)
    timeout = getattr(connection, "request_timeout", None)

    def load() -> Any:
        from raywizard.kube.connection import load_connection

        if timeout is None:
            return load_connection(kubeconfig, context)
        return load_connection(kubeconfig, context, request_timeout=timeout)

    return load
