"""The HTTP face of the sandbox API server: routing, auth, content types, watches and logs over the Store.

stdlib ``ThreadingHTTPServer``, HTTP/1.1 keep-alive, TCP_NODELAY (without it Nagle + delayed ACK cost 44
ms per
request), one thread per connection (so one per watch). Every open connection is tracked so that
``stop()`` really
cuts them: a client then sees the server go away, as it would with a real one.
"""

from __future__ import annotations

import contextlib
import json
import select
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from raywizard.sandbox import discovery, tables
from raywizard.sandbox.registry import ResourceInfo
from raywizard.sandbox.status import (
    ApiError,
    bad_request,
    forbidden,
    internal_error,
    not_found,
    unauthorized,
    unknown_resource,
    unsupported_media_type,
)
from raywizard.sandbox.watching import Watch, dumps

if TYPE_CHECKING:
    from raywizard.sandbox.cluster import SandboxCluster

PATCH_TYPES = {
    "application/json-patch+json": "json",
    "application/merge-patch+json": "merge",
    "application/strategic-merge-patch+json": "strategic",
    "application/apply-patch+yaml": "apply",
}
#: kinds whose DELETE answers with the object; the others answer a Status (as their OpenAPI says)
DELETE_RETURNS_OBJECT = {"pods", "services"}
WATCH_DEFAULT_TIMEOUT = 1800.0
BOOKMARK_INTERVAL = 1.0


class Route:
    __slots__ = ("info", "name", "namespace", "subresource", "version")

    def __init__(
        self,
        info: ResourceInfo,
        version: str,
        namespace: str | None,
        name: str | None,
        subresource: str | None,
    ) -> None:
        self.info = info
        self.version = version
        self.namespace = namespace
        self.name = name
        self.subresource = subresource


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], api: ApiServer) -> None:
        self.api = api
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        self.api.track(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        self.api.untrack(request)
        super().shutdown_request(request)


class ApiServer:
    """Serves one SandboxCluster's store on 127.0.0.1; restartable on the same port."""

    def __init__(self, cluster: SandboxCluster, host: str = "127.0.0.1", port: int = 0) -> None:
        self.cluster = cluster
        self.host = host
        self.port = port
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None
        self._connections: set[Any] = set()
        self._conn_lock = threading.Lock()
        self.stopping = threading.Event()

    def start(self) -> None:
        self.stopping.clear()
        self._httpd = _Server((self.host, self.port), self)
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.1},
            name=f"sandbox-apiserver-{self.port}",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        self.stopping.set()
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        httpd.shutdown()
        httpd.server_close()
        with self._conn_lock:
            connections = list(self._connections)
            self._connections.clear()
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=2)

    def track(self, conn: Any) -> None:
        with self._conn_lock:
            self._connections.add(conn)

    def untrack(self, conn: Any) -> None:
        with self._conn_lock:
            self._connections.discard(conn)


def _parse_body(raw: bytes, content_type: str) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError as exc:
        if "yaml" in content_type:
            import yaml  # lazily: PyYAML ships with the kubernetes client

            try:
                return yaml.safe_load(raw)
            except yaml.YAMLError as yexc:
                raise bad_request(f"error decoding YAML: {yexc}") from None
        raise bad_request(f"couldn't get version/kind; json parse error: {exc}") from None


def _truthy(value: str | None) -> bool:
    return value is not None and value.lower() in ("1", "true", "yes")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server_version = "raywizard-sandbox"
    sys_version = ""
    server: _Server

    # quiet
    def log_message(self, format: str, *args: Any) -> None:
        pass

    @property
    def api(self) -> ApiServer:
        return self.server.api

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_PATCH(self) -> None:
        self._handle("PATCH")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    # ------------------------------------------------------------------ responses
    def _send(
        self,
        code: int,
        body: bytes,
        content_type: str = "application/json",
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache, private")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def _send_json(self, code: int, obj: Any) -> None:
        self._send(code, dumps(obj))

    def _send_error(self, err: ApiError) -> None:
        self._send(err.code, dumps(err.status_body()), headers=err.headers)

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            return self.rfile.read(length)
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        return b""

    # ------------------------------------------------------------------ dispatch
    def _handle(self, method: str) -> None:
        body = b""
        try:
            body = self._read_body()
            url = urlsplit(self.path)
            query = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
            parts = [p for p in url.path.split("/") if p]
            if parts[:1] in (["healthz"], ["livez"], ["readyz"]):
                self._send(200, b"ok", "text/plain; charset=utf-8")
                return
            if self.api.stopping.is_set():
                self.close_connection = True
                return
            cluster = self.api.cluster
            auth = self.headers.get("Authorization")
            if auth != f"Bearer {cluster.token}" and not (auth is None and cluster.allow_anonymous):
                raise unauthorized()
            if method == "GET" and self._discovery(parts):
                return
            route = self._route(parts)
            self._dispatch(method, route, query, body)
        except ApiError as err:
            self._send_error(err)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception as exc:  # a bug here must answer 500, not kill the connection silently
            self._send_error(internal_error(f"{type(exc).__name__}: {exc}"))

    def _discovery(self, parts: list[str]) -> bool:
        registry = self.api.cluster.store.registry
        doc: Any = None
        if parts == ["version"]:
            doc = discovery.VERSION_INFO
        elif parts == ["api"]:
            doc = discovery.api_versions(f"{self.api.host}:{self.api.port}")
        elif parts == ["apis"]:
            doc = discovery.api_group_list(registry)
        elif len(parts) == 2 and parts[0] == "api":
            doc = discovery.resource_list(registry, "", parts[1])
            if doc is None:
                raise unknown_resource()
        elif len(parts) == 2 and parts[0] == "apis":
            doc = discovery.api_group(registry, parts[1])
            if doc is None:
                raise unknown_resource()
        elif len(parts) == 3 and parts[0] == "apis":
            doc = discovery.resource_list(registry, parts[1], parts[2])
            if doc is None:
                raise unknown_resource()
        elif parts[:1] == ["openapi"]:
            raise unknown_resource()
        else:
            return False
        self._send_json(200, doc)
        return True

    def _route(self, parts: list[str]) -> Route:
        if len(parts) >= 3 and parts[0] == "api":
            group, version, rest = "", parts[1], parts[2:]
        elif len(parts) >= 4 and parts[0] == "apis":
            group, version, rest = parts[1], parts[2], parts[3:]
        else:
            raise unknown_resource()
        namespace = None
        if rest[0] == "namespaces" and len(rest) >= 3 and rest[2] not in ("status", "finalize"):
            namespace, rest = rest[1], rest[2:]
        if len(rest) > 3:
            raise unknown_resource()
        info = self.api.cluster.store.registry.lookup(group, version, rest[0])
        if info is None:
            raise unknown_resource()
        if namespace is not None and not info.namespaced:
            raise unknown_resource()
        name = rest[1] if len(rest) >= 2 else None
        subresource = rest[2] if len(rest) == 3 else None
        if subresource == "finalize" and info.key == "namespaces":
            subresource = None
        if subresource is not None:
            allowed = (subresource == "status" and info.status_for(version)) or (subresource == "log" and info.has_log)
            if not allowed:
                raise unknown_resource()
        return Route(info, version, namespace, name, subresource)

    def _verb(self, method: str, route: Route, query: dict[str, str]) -> str:
        if method == "GET":
            if route.name:
                return "get"
            return "watch" if _truthy(query.get("watch")) else "list"
        if method == "POST":
            return "create"
        if method == "PUT":
            return "update"
        if method == "PATCH":
            return "patch"
        return "delete" if route.name else "deletecollection"

    def _dispatch(self, method: str, route: Route, query: dict[str, str], body: bytes) -> None:
        info = route.info
        verb = self._verb(method, route, query)
        if verb not in info.verbs:
            raise ApiError(
                405, "MethodNotAllowed", "the server does not allow this method on the requested resource", {}
            )
        if route.name and method == "POST":
            raise ApiError(
                405, "MethodNotAllowed", "the server does not allow this method on the requested resource", {}
            )
        if not route.name and method in ("PUT", "PATCH"):
            raise ApiError(
                405, "MethodNotAllowed", "the server does not allow this method on the requested resource", {}
            )
        cluster = self.api.cluster
        cluster.faults.before(verb, info.group, info.plural, route.name, route.namespace, route.subresource)
        perms = cluster.permissions
        if perms.enforce and not perms.allowed(verb, info.group, info.plural, route.namespace):
            raise forbidden(perms.user, verb, info.group, info.plural, route.name, route.namespace, route.subresource)
        dry_run = False
        if "dryRun" in query:
            if query["dryRun"] != "All":
                raise ApiError(422, "Invalid", f'Invalid value: "{query["dryRun"]}": supported values: "All"', {})
            dry_run = True
        handler = getattr(self, f"_{verb}")
        handler(route, query, body, dry_run)

    def _field_manager(self, query: dict[str, str]) -> str:
        manager = query.get("fieldManager")
        if manager:
            return manager
        agent = self.headers.get("User-Agent", "unknown")
        return agent.split("/", 1)[0] or "unknown"

    def _out(self, route: Route, raw: bytes) -> bytes:
        """The object as the requested version (custom resources are stored in their storage version)."""
        if route.info.builtin or route.version == route.info.version:
            return raw
        obj = json.loads(raw)
        obj["apiVersion"] = route.info.api_version(route.version)
        return dumps(obj)

    def _send_object(self, code: int, route: Route, obj: dict[str, Any]) -> None:
        if not route.info.builtin and route.version != route.info.version:
            obj["apiVersion"] = route.info.api_version(route.version)
        self._send(code, dumps(obj))

    # ------------------------------------------------------------------ verbs
    def _get(self, route: Route, query: dict[str, str], body: bytes, dry_run: bool) -> None:
        store = self.api.cluster.store
        assert route.name is not None
        if route.subresource == "log":
            from raywizard.sandbox.logstream import serve_log

            serve_log(self, route, query)
            return
        raw = store.get_raw(route.info.key, route.namespace, route.name)
        if raw is None:
            raise not_found(route.info.group, route.info.plural, route.name)
        raw = self._out(route, raw)
        if tables.wants_table(self.headers.get("Accept", "")):
            self._send_json(
                200,
                tables.table(
                    route.info,
                    [json.loads(raw)],
                    None,
                    single=True,
                    include_object=query.get("includeObject", "PartialObjectMetadata"),
                ),
            )
            return
        self._send(200, raw)

    def _list(self, route: Route, query: dict[str, str], body: bytes, dry_run: bool) -> None:
        store = self.api.cluster.store
        limit = int(query["limit"]) if query.get("limit", "").isdigit() else None
        rv, raws, token, remaining = store.list_raw(
            route.info.key,
            route.namespace,
            query.get("labelSelector"),
            query.get("fieldSelector"),
            limit,
            query.get("continue"),
        )
        if not route.info.builtin and route.version != route.info.version:
            raws = [self._out(route, r) for r in raws]
        if tables.wants_table(self.headers.get("Accept", "")):
            items = [json.loads(r) for r in raws]
            include = query.get("includeObject", "PartialObjectMetadata")
            self._send_json(200, tables.table(route.info, items, str(rv), continue_token=token, include_object=include))
            return
        meta: dict[str, Any] = {"resourceVersion": str(rv)}
        if token:
            meta["continue"] = token
            if remaining is not None:
                meta["remainingItemCount"] = remaining
        head = {
            "kind": route.info.list_kind,
            "apiVersion": route.info.api_version(route.version),
            "metadata": meta,
        }
        self._send(200, dumps(head)[:-1] + b',"items":[' + b",".join(raws) + b"]}")

    def _create(self, route: Route, query: dict[str, str], body: bytes, dry_run: bool) -> None:
        obj = _parse_body(body, self.headers.get("Content-Type", ""))
        if not isinstance(obj, dict):
            raise bad_request("the body of the request must be a JSON object")
        result = self.api.cluster.store.create(
            route.info.key,
            obj,
            namespace=route.namespace,
            dry_run=dry_run,
            field_manager=self._field_manager(query),
            version=route.version,
        )
        self._send_object(201, route, result)

    def _update(self, route: Route, query: dict[str, str], body: bytes, dry_run: bool) -> None:
        obj = _parse_body(body, self.headers.get("Content-Type", ""))
        if not isinstance(obj, dict):
            raise bad_request("the body of the request must be a JSON object")
        result = self.api.cluster.store.update(
            route.info.key,
            obj,
            subresource=route.subresource,
            dry_run=dry_run,
            field_manager=self._field_manager(query),
            namespace=route.namespace,
            name=route.name,
            version=route.version,
        )
        self._send_object(200, route, result)

    def _patch(self, route: Route, query: dict[str, str], body: bytes, dry_run: bool) -> None:
        content_type = self.headers.get("Content-Type", "").split(";")[0].strip()
        patch_type = PATCH_TYPES.get(content_type)
        accepted = [t for t in PATCH_TYPES if route.info.builtin or PATCH_TYPES[t] != "strategic"]
        if patch_type is None or content_type not in accepted:
            raise unsupported_media_type(content_type, accepted)
        patch = _parse_body(body, content_type)
        if patch is None:
            raise bad_request("the body of the request must not be empty")
        force = _truthy(query.get("force"))
        if "force" in query and patch_type != "apply":
            raise ApiError(
                422,
                "Invalid",
                'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch',
                {},
            )
        manager = query.get("fieldManager") if patch_type == "apply" else self._field_manager(query)
        assert route.name is not None
        result, created = self.api.cluster.store.patch_ex(
            route.info.key,
            route.namespace,
            route.name,
            patch,
            patch_type,
            field_manager=manager,
            force=force,
            subresource=route.subresource,
            dry_run=dry_run,
            version=route.version,
        )
        self._send_object(201 if created else 200, route, result)

    def _delete(self, route: Route, query: dict[str, str], body: bytes, dry_run: bool) -> None:
        options = _parse_body(body, "application/json") or {}
        if isinstance(options, dict) and "All" in (options.get("dryRun") or []):
            dry_run = True
        assert route.name is not None
        result = self.api.cluster.store.delete(
            route.info.key,
            route.namespace,
            route.name,
            dry_run=dry_run,
            propagation_policy=query.get("propagationPolicy") or (options or {}).get("propagationPolicy"),
            preconditions=(options or {}).get("preconditions"),
        )
        assert result is not None
        meta = result.get("metadata") or {}
        if route.info.key in DELETE_RETURNS_OBJECT or meta.get("deletionTimestamp"):
            self._send_object(200, route, result)
            return
        details: dict[str, Any] = {
            "name": meta.get("name", route.name),
            "kind": route.info.plural,
            "uid": meta.get("uid", ""),
        }
        if route.info.group:
            details = {
                "name": details["name"],
                "group": route.info.group,
                "kind": route.info.plural,
                "uid": details["uid"],
            }
        self._send_json(
            200,
            {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "details": details},
        )

    def _deletecollection(self, route: Route, query: dict[str, str], body: bytes, dry_run: bool) -> None:
        store = self.api.cluster.store
        items = store.delete_collection(
            route.info.key,
            route.namespace,
            query.get("labelSelector"),
            query.get("fieldSelector"),
            dry_run=dry_run,
        )
        self._send_json(
            200,
            {
                "kind": route.info.list_kind,
                "apiVersion": route.info.api_version(route.version),
                "metadata": {"resourceVersion": str(store.resource_version)},
                "items": items,
            },
        )

    # ------------------------------------------------------------------ watch
    def _write_chunk(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))

    def _watch(self, route: Route, query: dict[str, str], body: bytes, dry_run: bool) -> None:
        cluster = self.api.cluster
        store, faults = cluster.store, cluster.faults
        info = route.info
        rv = query.get("resourceVersion")
        timeout = float(query["timeoutSeconds"]) if query.get("timeoutSeconds") else WATCH_DEFAULT_TIMEOUT
        bookmarks = _truthy(query.get("allowWatchBookmarks"))
        error: ApiError | None = None
        watch: Watch | None = None
        if rv and rv != "0" and faults.take_expire_next():
            error = ApiError(410, "Expired", f"too old resource version: {rv} ({store.resource_version})")
        else:
            try:
                watch = store.watch(
                    info.key, route.namespace, query.get("labelSelector"), query.get("fieldSelector"), rv
                )
            except ApiError as exc:
                if exc.code != 410:
                    raise
                error = exc
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Cache-Control", "no-cache, private")
        self.end_headers()
        convert = not info.builtin and route.version != info.version
        as_table = tables.wants_table(self.headers.get("Accept", ""))
        include = query.get("includeObject", "PartialObjectMetadata")
        start = time.monotonic()
        deadline = start + timeout
        drop_at = start + faults.drop_watches_after if faults.drop_watches_after else None
        expire_at = start + faults.expire_watches_after if faults.expire_watches_after else None
        generation = faults.drop_generation
        next_bookmark = start + BOOKMARK_INTERVAL
        try:
            if error is not None:
                self._write_chunk(dumps({"type": "ERROR", "object": error.status_body()}) + b"\n")
                self._end_chunks()
                return
            assert watch is not None
            while True:
                now = time.monotonic()
                if self.api.stopping.is_set() or watch.closed:
                    self._cut()
                    return
                if faults.drop_generation != generation or (drop_at is not None and now >= drop_at):
                    self._cut()
                    return
                if watch.expired or (expire_at is not None and now >= expire_at):
                    err = ApiError(
                        410,
                        "Expired",
                        f"too old resource version: {rv or watch.last_rv} ({store.resource_version})",
                    )
                    self._write_chunk(dumps({"type": "ERROR", "object": err.status_body()}) + b"\n")
                    self._end_chunks()
                    return
                if now >= deadline:
                    self._end_chunks()
                    return
                wait = min(0.25, deadline - now)
                items = watch.drain(wait)
                if items:
                    if as_table:
                        lines = [self._table_line(route, t, e.raw, include) for t, e in items]
                    elif convert:
                        lines = [self._converted_line(route, t, e.raw) for t, e in items]
                    else:
                        lines = [e.line(t) for t, e in items]
                    self._write_chunk(b"".join(lines))
                elif self._client_gone():
                    return
                if bookmarks and time.monotonic() >= next_bookmark:
                    next_bookmark = time.monotonic() + BOOKMARK_INTERVAL
                    idle_rv = store.watch_rv_if_idle(watch)
                    if idle_rv is not None:
                        mark = {
                            "type": "BOOKMARK",
                            "object": {
                                "kind": info.kind,
                                "apiVersion": info.api_version(route.version),
                                "metadata": {
                                    "resourceVersion": str(idle_rv),
                                    "annotations": {"k8s.io/initial-events-end": "true"},
                                },
                            },
                        }
                        self._write_chunk(dumps(mark) + b"\n")
        except (BrokenPipeError, ConnectionResetError, OSError):
            self.close_connection = True
        finally:
            if watch is not None:
                store.stop_watch(watch)

    def _table_line(self, route: Route, type_: str, raw: bytes, include: str) -> bytes:
        """`kubectl get -w` watches Tables: one single-row Table per event."""
        obj = json.loads(self._out(route, raw))
        return dumps({"type": type_, "object": tables.table(route.info, [obj], None, include_object=include)}) + b"\n"

    def _converted_line(self, route: Route, type_: str, raw: bytes) -> bytes:
        obj = json.loads(raw)
        obj["apiVersion"] = route.info.api_version(route.version)
        return dumps({"type": type_, "object": obj}) + b"\n"

    def _client_gone(self) -> bool:
        """Whether the client closed its end (so an idle watch thread does not linger until its timeout)."""
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            return bool(readable) and self.connection.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True

    def _end_chunks(self) -> None:
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _cut(self) -> None:
        """Drop the connection without the final chunk, like a dying server or proxy."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)
