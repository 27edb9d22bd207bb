"""GET pods/{name}/log: plain text, ``container``, ``tailLines``, ``follow``, ``timestamps``,
``limitBytes``."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from raywizard.sandbox.status import ApiError, bad_request, not_found

if TYPE_CHECKING:
    from raywizard.sandbox.exchange import Exchange, Route

FOLLOW_POLL = 0.5


def _container(pod: dict[str, Any], wanted: str | None) -> str:
    spec = pod.get("spec") or {}
    names = [c.get("name", "") for c in spec.get("containers") or []]
    init_names = [c.get("name", "") for c in spec.get("initContainers") or []]
    name = pod["metadata"]["name"]
    if wanted:
        if wanted not in names and wanted not in init_names:
            raise bad_request(f"container {wanted} is not valid for pod {name}")
        return wanted
    if len(names) == 1:
        return names[0]
    raise bad_request(
        f"a container name must be specified for pod {name}, choose one of: [{' '.join(names)}]"
        + (f" or one of the init containers: [{' '.join(init_names)}]" if init_names else "")
    )


def _check_started(pod: dict[str, Any], container: str) -> None:
    status = pod.get("status") or {}
    for cs in (status.get("containerStatuses") or []) + (status.get("initContainerStatuses") or []):
        if cs.get("name") == container:
            waiting = (cs.get("state") or {}).get("waiting")
            if waiting and not (cs.get("lastState") or {}).get("terminated"):
                raise bad_request(
                    f'container "{container}" in pod "{pod["metadata"]["name"]}" is waiting to '
                    f"start: {waiting.get('reason', 'ContainerCreating')}"
                )
            return
    if status.get("phase", "Pending") == "Pending":
        raise bad_request(
            f'container "{container}" in pod "{pod["metadata"]["name"]}" is waiting to start: ContainerCreating'
        )


def _check_previous(pod: dict[str, Any], container: str) -> None:
    """The kubelet's `validateContainerLogStatus` with previous=true: the container must have a last terminated
    state with a container id (it has restarted at least once)."""
    status = pod.get("status") or {}
    for cs in (status.get("containerStatuses") or []) + (status.get("initContainerStatuses") or []):
        if cs.get("name") == container:
            terminated = (cs.get("lastState") or {}).get("terminated") or {}
            if terminated.get("containerID"):
                return
    raise bad_request(
        f'previous terminated container "{container}" in pod "{pod["metadata"].get("name", "")}" not found'
    )


def serve_log(handler: Exchange, route: Route, query: dict[str, str]) -> None:
    cluster = handler.api.cluster
    store = cluster.store
    name = route.name or ""
    pod = store.get("pods", route.namespace, name)
    if pod is None:
        raise not_found("", "pods", name)
    container = _container(pod, query.get("container"))
    if query.get("previous", "").lower() in ("1", "true"):
        _check_previous(pod, container)
    else:
        _check_started(pod, container)
    provider = cluster.log_provider
    lines = list(provider(pod, container))
    tail = query.get("tailLines")
    if tail is not None:
        try:
            count = int(tail)
        except ValueError:
            raise bad_request(f"invalid tailLines {tail!r}") from None
        lines = lines[-count:] if count > 0 else []
    limit = int(query["limitBytes"]) if query.get("limitBytes", "").isdigit() else None
    follow = query.get("follow", "").lower() in ("1", "true")
    stamp = query.get("timestamps", "").lower() in ("1", "true")

    def render(batch: list[str]) -> bytes:
        if stamp:
            now = cluster.clock.timestamp()
            batch = [f"{now} {line}" for line in batch]
        return "".join(line + "\n" for line in batch).encode()

    if not follow:
        body = render(lines)
        if limit is not None:
            body = body[:limit]
        handler._send(200, body, "text/plain")
        return
    sent = len(provider(pod, container))
    handler.send_response(200)
    handler.send_header("Content-Type", "text/plain")
    handler.send_header("Transfer-Encoding", "chunked")
    handler.end_headers()
    try:
        if lines:
            handler._write_chunk(render(lines))
        while not handler.api.stopping.is_set():
            time.sleep(FOLLOW_POLL)
            if handler._client_gone():  # as for a watch: a silent container must not keep the thread
                break
            pod = store.get("pods", route.namespace, name)
            if pod is None:
                break
            current = list(cluster.log_provider(pod, container))
            if len(current) > sent:
                handler._write_chunk(render(current[sent:]))
                sent = len(current)
            if (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
                break
        handler._end_chunks()
    except (BrokenPipeError, ConnectionResetError, OSError):
        handler.close_connection = True


__all__ = ["ApiError", "serve_log"]
