"""Turn what the kubernetes client raises into a ``ClusterError`` a user can act on (message + fix).

Status bodies come from the server: their messages are passed through ``literal`` before they reach a
terminal.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from raywizard.model.errors import ClusterError
from raywizard.model.textsafe import literal

T = TypeVar("T")


def status_body(exc: Any) -> dict[str, Any]:
    body = getattr(exc, "body", None)
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    if not body:
        return {}
    try:
        parsed = json.loads(body)
    except (TypeError, ValueError):
        return {"message": str(body)[:500]}
    return parsed if isinstance(parsed, dict) else {}


def status_message(exc: Any) -> str:
    body = status_body(exc)
    return literal(body.get("message") or getattr(exc, "reason", "") or str(exc), single_line=True)


def is_api_exception(exc: BaseException, status: int | None = None) -> bool:
    from kubernetes.client.exceptions import ApiException

    return isinstance(exc, ApiException) and (status is None or exc.status == status)


def is_connection_error(exc: BaseException) -> bool:
    import urllib3.exceptions

    return isinstance(exc, urllib3.exceptions.HTTPError | ConnectionError | TimeoutError | OSError)


def to_cluster_error(exc: BaseException, action: str, server: str = "") -> ClusterError:
    """A ``ClusterError`` for ``exc`` raised while doing ``action`` ("apply Application argocd/x")."""
    import urllib3.exceptions
    from kubernetes.client.exceptions import ApiException

    where = f" at {literal(server)}" if server else ""
    if isinstance(exc, ClusterError):
        return exc
    if isinstance(exc, ApiException):
        code = exc.status or 0
        message = status_message(exc)
        if code == 401:
            return ClusterError(
                f"cannot {action}: the API server{where} rejected the credentials (401 Unauthorized)",
                "refresh the credentials of this context (e.g. log in again), or pick another with --context",
            )
        if code == 403:
            return ClusterError(
                f"cannot {action}: forbidden (403): {message}",
                "ask a cluster admin for this permission; `raywizard preflight` lists what is missing",
            )
        if code == 404:
            return ClusterError(
                f"cannot {action}: not found (404): {message}",
                "check names and namespaces; `raywizard preflight` checks Argo CD and the namespaces",
            )
        if code == 409:
            return ClusterError(
                f"cannot {action}: conflict (409): {message}",
                "someone else changed or owns these fields; re-run to see the current state, "
                "or pass --force to take ownership",
            )
        if code == 410:
            return ClusterError(f"cannot {action}: expired (410): {message}", "retry: the data was too old")
        if code == 422:
            return ClusterError(
                f"cannot {action}: rejected as invalid (422): {message}", "fix the input shown"
            )
        if code == 500 and _undeclared_field(message):
            return ClusterError(
                f"cannot {action}: the API server{where} refuses a field its schema does not declare: "
                f"{_undeclared_field(message)}",
                "remove or correct that field (a typo?); server-side apply cannot store fields the CRD lacks",
            )
        if code == 429 or code >= 500:
            return ClusterError(
                f"cannot {action}: the API server{where} answered {code} "
                f"{literal(exc.reason or '')}: {message}",
                "the server is overloaded or failing; retry in a moment",
            )
        if code == 0:
            return ClusterError(f"cannot {action}: {message}", "check the API server address and retry")
        return ClusterError(f"cannot {action}: {code} {message}", "see the message from the API server")
    if isinstance(exc, urllib3.exceptions.MaxRetryError) and exc.reason is not None:
        exc = exc.reason  # what went wrong on the last try
    if isinstance(exc, urllib3.exceptions.ReadTimeoutError | TimeoutError):
        return ClusterError(
            f"cannot {action}: the API server{where} did not answer in time",
            "the server is slow or unreachable; retry, or raise --request-timeout",
        )
    if isinstance(exc, urllib3.exceptions.HTTPError | ConnectionError | OSError):
        reason = getattr(exc, "reason", None) or exc
        text = literal(str(reason), single_line=True)
        if "Connection refused" in text or "NewConnectionError" in text:
            text = "connection refused"
        return ClusterError(
            f"cannot {action}: cannot reach the API server{where} ({text})",
            "check that the cluster is running and the context is right: raywizard contexts lists them, "
            "raywizard sandbox starts a local one",
        )
    return ClusterError(f"cannot {action}: {literal(str(exc), single_line=True)}")


@contextmanager
def api_errors(action: str, server: str = "") -> Iterator[None]:
    """``with api_errors("list pods", conn.server_url): ...`` re-raises client errors as ``ClusterError``."""
    try:
        yield
    except ClusterError:
        raise
    except Exception as exc:
        if is_api_exception(exc) or is_connection_error(exc):
            raise to_cluster_error(exc, action, server) from exc
        raise


def call(action: str, server: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    with api_errors(action, server):
        return fn(*args, **kwargs)


# Answers that say "try again": throttling and server-side failures. Server-side apply, merge patches, gets and
# lists are idempotent, so repeating them is safe; a delete that already happened comes back as 404 (callers
# treat that as "already gone").
TRANSIENT_STATUSES = frozenset({429, 500, 502, 503, 504})
RETRY_ATTEMPTS = 8
RETRY_BASE_DELAY = 0.2
RETRY_MAX_DELAY = 2.0


def _undeclared_field(message: str) -> str:
    """The field of structured-merge-diff's "failed to create typed patch object (...): .spec.x: field not
    declared in schema" (a server-side apply of a field the CRD does not declare: a 500 that is no use to
    retry), or ""."""
    marker = ": field not declared in schema"
    if marker not in message:
        return ""
    head = message.split(marker, 1)[0]
    return head.rsplit(": ", 1)[-1].lstrip(".")


def is_transient(exc: BaseException) -> bool:
    if not is_api_exception(exc) or getattr(exc, "status", 0) not in TRANSIENT_STATUSES:
        return False
    return not (getattr(exc, "status", 0) == 500 and _undeclared_field(status_message(exc)))


def _retry_after(exc: BaseException) -> float | None:
    headers = getattr(exc, "headers", None) or {}
    try:
        value = headers.get("Retry-After") if hasattr(headers, "get") else None
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _reload_credentials_of(fn: Callable[..., Any]) -> bool:
    """Re-read the kubeconfig behind the API object ``fn`` is a method of; True when the credentials changed."""
    from raywizard.kube.connection import credential_reloader

    api_client = getattr(getattr(fn, "__self__", None), "api_client", None)
    reload = credential_reloader(api_client) if api_client is not None else None
    return bool(reload and reload())


def with_retries(
    fn: Callable[..., T],
    *args: Any,
    attempts: int = RETRY_ATTEMPTS,
    sleep: Callable[[float], None] | None = None,
    **kwargs: Any,
) -> T:
    """``fn(*args, **kwargs)``, repeated with exponential back-off (0.2 s doubling up to 2 s, jittered, or the
    server's Retry-After up to 2 s) while it fails with 429/5xx; at most ``attempts`` tries (~9 s of waiting in
    all), then the last error is raised. A first 401 re-reads the kubeconfig and, if the credentials changed,
    asks again. Anything else is raised at once."""
    import random
    import time

    pause = sleep or time.sleep
    reloaded = False
    attempt = 0
    while attempt < attempts:
        attempt += 1
        try:
            return fn(*args, **kwargs)
        except Exception as exc:
            if not reloaded and is_api_exception(exc) and getattr(exc, "status", 0) == 401:
                # Once per call, as the watches do: a rotated token or a restarted server's new one is in the
                # kubeconfig by now; asked again with it, not counted as an attempt.
                reloaded = True
                if _reload_credentials_of(fn):
                    attempt -= 1
                    continue
            if attempt >= attempts or not is_transient(exc):
                raise
            delay = min(RETRY_MAX_DELAY, RETRY_BASE_DELAY * 2 ** (attempt - 1)) * random.uniform(0.5, 1.0)
            hinted = _retry_after(exc)
            if hinted is not None:
                delay = min(RETRY_MAX_DELAY, max(delay, hinted))
            pause(delay)
    raise AssertionError("unreachable")  # pragma: no cover
