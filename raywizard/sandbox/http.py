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
import sys
import threading
import weakref
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from raywizard.sandbox import discovery, verbs
from raywizard.sandbox.exchange import Route, ServedCluster
from raywizard.sandbox.requestlog import RequestRecord
from raywizard.sandbox.status import (
    ApiError,
    forbidden,
    internal_error,
    method_not_allowed,
    unauthorized,
    unknown_resource,
)
from raywizard.sandbox.watching import dumps

REQUEST_THREAD_PREFIX = "sandbox-api "


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], api: ApiServer) -> None:
        self.api = api
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        self.api.track(request)
        # One thread per connection, as ThreadingMixIn does, named for the server that owns it: it lives as
        # long as the client keeps the connection, and ends when the client closes it or the server stops.
        host, port = client_address[0], client_address[1]
        thread = threading.Thread(target=self.process_request_thread, args=(request, client_address),
                                  name=f"{REQUEST_THREAD_PREFIX}{host}:{port}", daemon=True)
        self.api.request_threads.add(thread)
        thread.start()

    def shutdown_request(self, request: Any) -> None:
        self.api.untrack(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client closing an idle keep-alive connection (or the server stopping under a watch) is normal. The
        # stdlib prints a traceback to stderr for it, which in `raywizard demo` would draw over the Textual screen.
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError | OSError | ValueError):
            return
        super().handle_error(request, client_address)


class ApiServer:
    """Serves one SandboxCluster's store on 127.0.0.1; restartable on the same port."""

    def __init__(self, cluster: ServedCluster, host: str = "127.0.0.1", port: int = 0) -> None:
        self.cluster = cluster
        self.host = host
        self.port = port
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None
        self._connections: set[Any] = set()
        self._conn_lock = threading.Lock()
        self.stopping = threading.Event()
        self.request_threads: weakref.WeakSet[threading.Thread] = weakref.WeakSet()

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
        for thread in list(self.request_threads):  # each ends once its connection is shut down
            thread.join(timeout=2)

    def track(self, conn: Any) -> None:
        with self._conn_lock:
            self._connections.add(conn)

    def untrack(self, conn: Any) -> None:
        with self._conn_lock:
            self._connections.discard(conn)


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

    def do_HEAD(self) -> None:  # only the service proxy takes HEAD and OPTIONS
        self._handle("HEAD")

    def do_OPTIONS(self) -> None:
        self._handle("OPTIONS")

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
        from raywizard.sandbox.structural import current_field_validation

        for warning in current_field_validation()[1] or []:
            text = warning.replace("\\", "\\\\").replace('"', '\\"')
            self.send_header("Warning", f'299 - "{text}"')
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
    def send_response(self, code: int, message: str | None = None) -> None:
        self._status = code
        super().send_response(code, message)

    def end_headers(self) -> None:
        # Log before the headers leave: a client that has read its response must find its request in the log.
        self._record()
        super().end_headers()

    def _handle(self, method: str) -> None:
        self._status = 0
        self._recorded = False
        self._method = method
        self._route_seen: Route | None = None
        self._verb_seen = ""
        self._body = b""
        url = urlsplit(self.path)
        self._url_path = url.path
        self._query = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        try:
            self._serve(method, url.path, self._query)
        finally:
            self._record()  # requests that ended without a response (client gone, server stopping)

    def _record(self) -> None:
        if getattr(self, "_recorded", True):
            return
        self._recorded = True
        route = self._route_seen
        self.api.cluster.requests.add(
            RequestRecord(
                method=self._method,
                path=self._url_path,
                query=self._query,
                status=self._status,
                content_type=self.headers.get("Content-Type", ""),
                user_agent=self.headers.get("User-Agent", ""),
                verb=self._verb_seen,
                resource=route.info.key if route else "",
                namespace=route.namespace if route else None,
                name=route.name if route else None,
                subresource=route.subresource if route else None,
                body=self._body,
            )
        )

    def _serve(self, method: str, path: str, query: dict[str, str]) -> None:
        faults = self.api.cluster.faults
        if faults.frozen:
            faults.wait_thawed()
        try:
            body = self._body = self._read_body()
            parts = [p for p in path.split("/") if p]
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
            if self._service_proxy(method, parts, query, body):
                return
            if method in ("HEAD", "OPTIONS"):
                raise method_not_allowed("")
            if method in ("GET", "POST") and self._pod_portforward(parts):
                return
            route = self._route_seen = self._route(parts)
            self._dispatch(method, route, query, body)
        except ApiError as err:
            self._send_error(err)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception as exc:  # a bug here must answer 500, not kill the connection silently
            self._send_error(internal_error(f"{type(exc).__name__}: {exc}"))

    def _service_proxy(self, method: str, parts: list[str], query: dict[str, str], body: bytes) -> bool:
        """``services/{name}:{port}/proxy/...`` (``raywizard.sandbox.serviceproxy``)."""
        if len(parts) < 7 or parts[:3] != ["api", "v1", "namespaces"] or parts[4:7:2] != ["services", "proxy"]:
            return False
        from raywizard.sandbox.serviceproxy import VERB_OF_METHOD, serve

        namespace, name = parts[3], parts[5].split(":")[0]
        verb = self._verb_seen = VERB_OF_METHOD.get(method, "get")
        perms = self.api.cluster.permissions
        if perms.enforce and not perms.allowed(verb, "", "services", namespace, "proxy"):
            raise forbidden(perms.user, verb, "", "services", name, namespace, "proxy")
        rest = "/".join(parts[7:])
        if self.path.split("?", 1)[0].endswith("/") and rest:
            rest += "/"
        serve(self, method, namespace, parts[5], rest, urlsplit(self.path).query, body)
        return True

    def _pod_portforward(self, parts: list[str]) -> bool:
        """``pods/{name}/portforward`` upgraded to a WebSocket (``raywizard.sandbox.portforward``)."""
        if len(parts) != 7 or parts[:3] != ["api", "v1", "namespaces"] or parts[4::2] != ["pods", "portforward"]:
            return False
        from raywizard.sandbox.portforward import serve

        self._verb_seen = "create"
        perms = self.api.cluster.permissions
        if perms.enforce and not perms.allowed("create", "", "pods/portforward", parts[3]):
            raise forbidden(perms.user, "create", "", "pods", parts[5], parts[3], "portforward")
        serve(self, parts[3], parts[5], parse_qs(urlsplit(self.path).query))
        return True

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
            return "watch" if verbs.truthy(query.get("watch")) else "list"
        if method == "POST":
            return "create"
        if method == "PUT":
            return "update"
        if method == "PATCH":
            return "patch"
        return "delete" if route.name else "deletecollection"

    def _dispatch(self, method: str, route: Route, query: dict[str, str], body: bytes) -> None:
        info = route.info
        verb = self._verb_seen = self._verb(method, route, query)
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
        if perms.enforce and not perms.allowed(verb, info.group, info.plural, route.namespace, route.subresource):
            raise forbidden(perms.user, verb, info.group, info.plural, route.name, route.namespace, route.subresource)
        if verb in ("list", "watch", "deletecollection"):
            from raywizard.sandbox.listoptions import check_field_selector, check_list_options

            if verb == "deletecollection":
                check_field_selector(info.key, query.get("fieldSelector"))
            else:
                check_list_options(info.key, query, watch=verb == "watch")
        dry_run = False
        if "dryRun" in query:
            if query["dryRun"] != "All":
                raise ApiError(422, "Invalid", f'Invalid value: "{query["dryRun"]}": supported values: "All"', {})
            dry_run = True
        handler = getattr(self, f"_{verb}")
        from raywizard.sandbox.structural import request_scope

        with request_scope(query.get("fieldValidation") or "Warn", verb):
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

    # ------------------------------------------------------------------ verbs (in verbs.py)
    def _get(self, route: Route, query: dict[str, str], body: bytes, dry_run: bool) -> None:
        verbs.get(self, route, query, body, dry_run)

    def _list(self, route: Route, query: dict[str, str], body: bytes, dry_run: bool) -> None:
        verbs.list(self, route, query, body, dry_run)

    def _create(self, route: Route, query: dict[str, str], body: bytes, dry_run: bool) -> None:
        verbs.create(self, route, query, body, dry_run)

    def _update(self, route: Route, query: dict[str, str], body: bytes, dry_run: bool) -> None:
        verbs.update(self, route, query, body, dry_run)

    def _patch(self, route: Route, query: dict[str, str], body: bytes, dry_run: bool) -> None:
        verbs.patch(self, route, query, body, dry_run)

    def _delete(self, route: Route, query: dict[str, str], body: bytes, dry_run: bool) -> None:
        verbs.delete(self, route, query, body, dry_run)

    def _deletecollection(self, route: Route, query: dict[str, str], body: bytes, dry_run: bool) -> None:
        verbs.deletecollection(self, route, query, body, dry_run)

    # ------------------------------------------------------------------ watch
    def _write_chunk(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))

    def _watch(self, route: Route, query: dict[str, str], body: bytes, dry_run: bool) -> None:
        from raywizard.sandbox.watchstream import serve_watch

        serve_watch(self, route, query)

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
