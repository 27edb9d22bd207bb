"""Watch streams: chunked, one JSON event per line; initial ADDED or replay from a resourceVersion, 410 ERROR
events, BOOKMARKs, timeoutSeconds, Table events for `kubectl get -w`, and the watch faults (drop, expire)."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

from raywizard.sandbox import tables
from raywizard.sandbox.status import ApiError
from raywizard.sandbox.watching import Event, Watch, dumps

if TYPE_CHECKING:
    from raywizard.sandbox.exchange import Exchange, Route

WATCH_DEFAULT_TIMEOUT = 1800.0
# The watch cache sends a BOOKMARK about once a minute and 2 s before the watch's deadline
# (apiserver `pkg/storage/cacher/cache_watcher.go`, nextBookmarkTime); SandboxCluster.bookmark_interval
# replaces the minute (tests that need a quick rhythm set it to 1 s).
BOOKMARK_INTERVAL = 60.0
# The API server encodes and writes one event at a time, so a client never receives the initial ADDED events of
# thousands of objects as one chunk of tens of MB: events go out in chunks of about this size.
CHUNK_BYTES = 32 * 1024


def next_bookmark_time(now: float, deadline: float, interval: float) -> float | None:
    """When the next BOOKMARK is due, or None when the stream ends before one."""
    due = min(now + interval, deadline - 2.0)
    return due if due > now else None


def serve_watch(handler: Exchange, route: Route, query: dict[str, str]) -> None:
    cluster = handler.api.cluster
    store, faults = cluster.store, cluster.faults
    info = route.info
    rv = query.get("resourceVersion")
    send_initial = query.get("sendInitialEvents", "").lower() == "true"
    if send_initial:
        rv = None
    timeout = float(query["timeoutSeconds"]) if query.get("timeoutSeconds") else WATCH_DEFAULT_TIMEOUT
    bookmarks = query.get("allowWatchBookmarks", "").lower() in ("1", "true")
    error: ApiError | None = None
    watch: Watch | None = None
    if rv and rv != "0" and faults.take_expire_next():
        error = ApiError(410, "Expired", f"too old resource version: {rv} ({store.resource_version})")
    else:
        try:
            watch = store.watch(info.key, route.namespace, query.get("labelSelector"), query.get("fieldSelector"), rv)
        except ApiError as exc:
            if exc.code != 410:
                raise
            error = exc
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Transfer-Encoding", "chunked")
    handler.send_header("Cache-Control", "no-cache, private")
    handler.end_headers()
    convert = not info.builtin and route.version != info.version
    as_table = tables.wants_table(handler.headers.get("Accept", ""))
    include = query.get("includeObject", "PartialObjectMetadata")

    def line(type_: str, event: Event) -> bytes:
        if as_table:
            return _table_line(route, type_, event.raw, include)
        if convert:
            return _converted_line(route, type_, event.raw)
        return event.line(type_)

    def write_events(items: list[tuple[str, Event]]) -> None:
        pending: list[bytes] = []
        size = 0
        for type_, event in items:
            encoded = line(type_, event)
            pending.append(encoded)
            size += len(encoded)
            if size >= CHUNK_BYTES:
                handler._write_chunk(b"".join(pending))
                pending, size = [], 0
        if pending:
            handler._write_chunk(b"".join(pending))

    start = time.monotonic()
    deadline = start + timeout
    drop_at = start + faults.drop_watches_after if faults.drop_watches_after else None
    expire_at = start + faults.expire_watches_after if faults.expire_watches_after else None
    generation = faults.drop_generation
    interval = float(getattr(cluster, "bookmark_interval", BOOKMARK_INTERVAL) or BOOKMARK_INTERVAL)
    next_bookmark = next_bookmark_time(start, deadline, interval)
    try:
        if error is not None:
            handler._write_chunk(dumps({"type": "ERROR", "object": error.status_body()}) + b"\n")
            handler._end_chunks()
            return
        assert watch is not None
        if send_initial and bookmarks:
            # sendInitialEvents (the WatchList protocol): the initial ADDED events, then a BOOKMARK marking their end
            initial = watch.drain(0)
            if initial:
                write_events(initial)
            handler._write_chunk(_bookmark(route, watch.start_rv, initial_end=True))
        while True:
            now = time.monotonic()
            if handler.api.stopping.is_set() or watch.closed:
                handler._cut()
                return
            if faults.drop_generation != generation or (drop_at is not None and now >= drop_at):
                handler._cut()
                return
            if watch.expired or (expire_at is not None and now >= expire_at):
                err = ApiError(
                    410,
                    "Expired",
                    f"too old resource version: {rv or watch.last_rv} ({store.resource_version})",
                )
                handler._write_chunk(dumps({"type": "ERROR", "object": err.status_body()}) + b"\n")
                handler._end_chunks()
                return
            if now >= deadline:
                handler._end_chunks()
                return
            wait = min(0.25, deadline - now)
            if faults.frozen:  # a hung server writes nothing; the events wait in the watch's queue
                time.sleep(wait)
                continue
            items = watch.drain(wait)
            if items:
                write_events(items)
            elif handler._client_gone():
                return
            current = float(getattr(cluster, "bookmark_interval", interval))
            if current != interval:  # changed while the stream is open
                interval = current
                next_bookmark = next_bookmark_time(time.monotonic(), deadline, interval)
            if bookmarks and next_bookmark is not None and time.monotonic() >= next_bookmark:
                next_bookmark = next_bookmark_time(time.monotonic(), deadline, interval)
                idle_rv = store.watch_rv_if_idle(watch)
                if idle_rv is not None:
                    handler._write_chunk(_bookmark(route, idle_rv, initial_end=False))
    except (BrokenPipeError, ConnectionResetError, OSError):
        handler.close_connection = True
    finally:
        if watch is not None:
            store.stop_watch(watch)


def _table_line(route: Route, type_: str, raw: bytes, include: str) -> bytes:
    """`kubectl get -w` watches Tables: one single-row Table per event."""
    obj = json.loads(raw)
    obj["apiVersion"] = route.info.api_version(route.version)
    return dumps({"type": type_, "object": tables.table(route.info, [obj], None, include_object=include)}) + b"\n"


def _converted_line(route: Route, type_: str, raw: bytes) -> bytes:
    obj = json.loads(raw)
    obj["apiVersion"] = route.info.api_version(route.version)
    return dumps({"type": type_, "object": obj}) + b"\n"


def _bookmark(route: Route, resource_version: int, *, initial_end: bool) -> bytes:
    metadata: dict[str, Any] = {"resourceVersion": str(resource_version)}
    if initial_end:
        metadata["annotations"] = {"k8s.io/initial-events-end": "true"}
    mark = {
        "type": "BOOKMARK",
        "object": {"kind": route.info.kind, "apiVersion": route.info.api_version(route.version), "metadata": metadata},
    }
    return dumps(mark) + b"\n"
