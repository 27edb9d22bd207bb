"""Which cluster we talk to: kubeconfig + context -> an ``ApiClient``, and what a user sees before writes.

Credentials stay inside the client configuration: nothing here logs or returns tokens, certificates or
passwords (``ContextInfo`` carries the user *name* of a context only).
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from raywizard.model.errors import InputError

DEFAULT_REQUEST_TIMEOUT = 15.0


@dataclass
class Connection:
    api_client: Any  # kubernetes.client.ApiClient
    context_name: str
    server_url: str
    namespace: str | None = None  # the context's default namespace, when it sets one
    request_timeout: float = DEFAULT_REQUEST_TIMEOUT
    kubeconfig: str | None = None  # what load_connection read (None: KUBECONFIG / ~/.kube/config)

    def reload_credentials(self) -> bool:
        """Re-read this context from the kubeconfig into the client's configuration, in place (every API object
        built on ``api_client`` sees it). True when the credentials or the server address changed."""
        changed = reload_client_credentials(self.api_client, self.kubeconfig, self.context_name)
        self.server_url = str(self.api_client.configuration.host)
        return changed

    def banner(self) -> str:
        """What every write prints first."""
        from raywizard.model.textsafe import literal

        return f"context {literal(self.context_name)} ({literal(self.server_url)})"

    def close(self) -> None:
        # Closing a pool that never opened must not hide the real outcome.
        with contextlib.suppress(Exception):
            self.api_client.close()
        # ApiClient.close() ends only its thread pool: its keep-alive connections would stay open (and the server
        # would keep serving each) until the client is garbage-collected.
        with contextlib.suppress(Exception):
            self.api_client.rest_client.pool_manager.clear()


# ApiClient -> (kubeconfig, context) it was loaded from, for code that is handed only the ApiClient (the
# dashboard's ClusterWatcher). Weak keys, values without a reference back: a dropped client takes its entry along.
_SOURCES: weakref.WeakKeyDictionary[Any, tuple[str | None, str]] = weakref.WeakKeyDictionary()
_RELOAD_LOCK = threading.Lock()


def credential_reloader(api_client: Any) -> Callable[[], bool] | None:
    """How to re-read the kubeconfig behind ``api_client``, if ``load_connection`` made it."""
    try:
        source = _SOURCES.get(api_client)
    except TypeError:  # not weak-referenceable: not one of ours
        return None
    if source is None:
        return None
    kubeconfig, context = source
    return lambda: reload_client_credentials(api_client, kubeconfig, context)


class _PluginErrors(logging.Handler):
    """Collects what the kubernetes client logs while it loads credentials. A failing exec credential plugin
    is only ``logging.error``-ed there (and the client goes on without credentials); with no logging set up,
    Python would print it raw as ``ERROR:root:exec: ...``."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if "kubernetes" in record.pathname:
            self.messages.append(record.getMessage())


@contextlib.contextmanager
def _credential_errors(kubeconfig: str | None, context: str) -> Any:
    """Turn what the client logs while loading ``context`` into an error naming the context and its plugin."""
    collector = _PluginErrors()
    root = logging.getLogger()
    root.addHandler(collector)
    try:
        yield
    finally:
        root.removeHandler(collector)
    if collector.messages:
        from raywizard.model.textsafe import literal

        plugin = _exec_command(kubeconfig, context)
        what = f"its credential plugin {plugin!r}" if plugin else "its credentials"
        detail = literal("; ".join(m.strip() for m in collector.messages), single_line=True)
        raise InputError(
            f"context {context!r}: {what} failed: {detail}",
            "log in again with the tool that plugin belongs to (its message says how), then retry; "
            f"kubectl --context {context} get namespaces shows the same",
        )


def _guard_refresh(configuration: Any, kubeconfig: str | None, context: str) -> None:
    """The client calls ``refresh_api_key_hook`` before requests once an exec plugin's token has expired, which
    runs the plugin again: a failure then is the same clear error, not a raw log line and a request without
    credentials."""
    hook = configuration.refresh_api_key_hook
    if hook is None or getattr(hook, "_raywizard_guarded", False):
        return

    def guarded(client_configuration: Any) -> None:
        with _credential_errors(kubeconfig, context):
            hook(client_configuration)

    guarded._raywizard_guarded = True  # type: ignore[attr-defined]
    configuration.refresh_api_key_hook = guarded


def _exec_command(kubeconfig: str | None, context: str) -> str | None:
    """The exec credential plugin's command of ``context``'s user, if it has one (for messages only)."""
    import yaml

    config_file = kubeconfig or os.environ.get("KUBECONFIG") or "~/.kube/config"
    user_name = None
    for part in config_file.split(os.pathsep):
        try:
            raw = yaml.safe_load(Path(part).expanduser().read_text()) or {}
        except (OSError, yaml.YAMLError):
            continue
        for ctx in raw.get("contexts") or []:
            if isinstance(ctx, dict) and ctx.get("name") == context and user_name is None:
                user_name = (ctx.get("context") or {}).get("user")
        for user in raw.get("users") or []:
            if isinstance(user, dict) and user_name is not None and user.get("name") == user_name:
                command = ((user.get("user") or {}).get("exec") or {}).get("command")
                return str(command) if command else None
    return None


def reload_client_credentials(api_client: Any, kubeconfig: str | None, context: str) -> bool:
    """Load ``context`` from ``kubeconfig`` again into ``api_client.configuration`` (in place); True when the
    credentials or the server address changed.

    For a server restarted with a new token (``raywizard sandbox`` rewrites its kubeconfig) and for tokens
    rotated by a login tool. Changed client certificates get a new connection pool."""
    from kubernetes import client
    from kubernetes.client import rest
    from kubernetes.config.kube_config import load_kube_config

    fresh = client.Configuration()
    with _RELOAD_LOCK:
        with _credential_errors(kubeconfig, context):
            load_kube_config(
                config_file=_client_config_file(kubeconfig),
                context=context,
                client_configuration=fresh,
                persist_config=False,
            )
        _guard_refresh(fresh, kubeconfig, context)
        current = api_client.configuration
        auth = ("api_key", "api_key_prefix", "username", "password", "host")
        tls = ("cert_file", "key_file", "ssl_ca_cert", "verify_ssl")
        changed = [name for name in auth + tls if getattr(current, name, None) != getattr(fresh, name, None)]
        if not changed:
            return False
        for name in (*auth, *tls, "refresh_api_key_hook"):
            setattr(current, name, getattr(fresh, name, None))
        if any(name in tls for name in changed):
            api_client.rest_client = rest.RESTClientObject(current)
        return True


def _client_config_file(kubeconfig: str | None) -> str:
    """What the client should read: ``kubeconfig``, else KUBECONFIG as it is now (the client's own default is
    KUBECONFIG as it was when ``kubernetes`` was first imported), else ~/.kube/config."""
    return kubeconfig or os.environ.get("KUBECONFIG") or "~/.kube/config"


@dataclass(frozen=True)
class ContextInfo:
    name: str
    cluster: str
    server: str
    user: str
    namespace: str
    current: bool


def _config_files(kubeconfig: str | None) -> str | None:
    if kubeconfig:
        for part in kubeconfig.split(os.pathsep):
            if part and not Path(part).expanduser().exists():
                raise InputError(
                    f"kubeconfig {part} does not exist",
                    "pass --kubeconfig PATH, or start one: raywizard sandbox",
                )
        return kubeconfig
    env = os.environ.get("KUBECONFIG")
    paths = [p for p in (env.split(os.pathsep) if env else ["~/.kube/config"]) if p]
    if not any(Path(p).expanduser().exists() for p in paths):
        raise InputError(
            f"no kubeconfig found ({env or '~/.kube/config'})",
            "pass --kubeconfig PATH or set KUBECONFIG; to try raywizard without a cluster: raywizard demo",
        )
    return None  # the client resolves KUBECONFIG / the default path itself (and merges a KUBECONFIG list)


def _load_raw(kubeconfig: str | None) -> tuple[list[dict[str, Any]], dict[str, Any] | None, dict[str, Any]]:
    """Contexts, the current one and clusters, merged over a KUBECONFIG list as kubectl does (first wins)."""
    import yaml

    config_file = _config_files(kubeconfig) or os.environ.get("KUBECONFIG") or "~/.kube/config"
    contexts: dict[str, dict[str, Any]] = {}
    clusters: dict[str, dict[str, Any]] = {}
    current_name: str | None = None
    for part in config_file.split(os.pathsep):
        path = Path(part).expanduser()
        if not part or not path.exists():
            continue
        try:
            raw = yaml.safe_load(path.read_text()) or {}
            for ctx in raw.get("contexts") or []:
                contexts.setdefault(str(ctx["name"]), dict(ctx))
            for cluster in raw.get("clusters") or []:
                clusters.setdefault(str(cluster["name"]), dict(cluster.get("cluster") or {}))
            current_name = current_name or raw.get("current-context") or None
        except (OSError, yaml.YAMLError, KeyError, TypeError, AttributeError) as exc:
            # One line: a YAML parser error spans several lines quoting the file.
            problem = str(getattr(exc, "problem", None) or str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
            mark = getattr(exc, "problem_mark", None)
            where = f" (line {mark.line + 1})" if mark is not None else ""
            raise InputError(
                f"cannot read kubeconfig {part}: not a kubeconfig: {problem}{where}",
                "check the file with kubectl config view",
            ) from exc
    current = contexts.get(current_name) if current_name else None
    return list(contexts.values()), current, clusters


def list_contexts(kubeconfig: str | None = None) -> list[ContextInfo]:
    contexts, current, clusters = _load_raw(kubeconfig)
    result = []
    for ctx in contexts:
        body = ctx.get("context") or {}
        cluster = str(body.get("cluster", ""))
        result.append(
            ContextInfo(
                name=str(ctx.get("name", "")),
                cluster=cluster,
                server=str((clusters.get(cluster) or {}).get("server", "")),
                user=str(body.get("user", "")),
                namespace=str(body.get("namespace", "") or ""),
                current=current is not None and ctx.get("name") == current.get("name"),
            )
        )
    return result


def load_connection(
    kubeconfig: str | None = None,
    context: str | None = None,
    request_timeout: float = DEFAULT_REQUEST_TIMEOUT,
) -> Connection:
    """An API client for ``context`` (default: current) of ``kubeconfig`` (default: KUBECONFIG, ~/.kube)."""
    from kubernetes import client
    from kubernetes.config.config_exception import ConfigException
    from kubernetes.config.kube_config import load_kube_config

    contexts, current, _ = _load_raw(kubeconfig)
    names = [str(c.get("name")) for c in contexts]
    if context is not None and context not in names:
        raise InputError(
            f"context {context!r} is not in the kubeconfig",
            f"use one of: {', '.join(names) or '(none)'} (raywizard contexts lists them)",
        )
    if context is None and current is None:
        raise InputError("the kubeconfig has no current context", "pass --context NAME (raywizard contexts)")
    chosen = context or str(current.get("name") if current else "")
    configuration = client.Configuration()
    try:
        with _credential_errors(kubeconfig, chosen):
            load_kube_config(
                config_file=_client_config_file(kubeconfig),
                context=chosen,
                client_configuration=configuration,
                persist_config=False,
            )
    except ConfigException as exc:
        # The message names the missing piece (e.g. a cluster entry), never a secret value.
        raise InputError(
            f"cannot use context {chosen!r}: {exc}", "check it with kubectl config view --minify"
        ) from exc
    _guard_refresh(configuration, kubeconfig, chosen)
    # One quick retry at most: a dead server must fail in seconds, not after urllib3's default back-off.
    configuration.retries = 1
    # urllib3 logs each retry as a WARNING; with no logging configured Python would print it raw to stderr.
    logging.getLogger("urllib3.connectionpool").setLevel(logging.ERROR)
    ctx = next((c for c in contexts if c.get("name") == chosen), {}) or {}
    namespace = (ctx.get("context") or {}).get("namespace")
    connection = Connection(
        api_client=client.ApiClient(configuration),
        context_name=chosen,
        server_url=str(configuration.host),
        namespace=str(namespace) if namespace else None,
        request_timeout=request_timeout,
        kubeconfig=kubeconfig,
    )
    _SOURCES[connection.api_client] = (kubeconfig, chosen)
    return connection
