"""What a request handler offers the verb, watch and log modules: the route it resolved and the response calls.

``http.py`` implements these on its ``BaseHTTPRequestHandler``; ``verbs``, ``watchstream`` and ``logstream`` are
written against the protocols here, so they never import the server module that imports them.
"""

from __future__ import annotations

import threading
from email.message import Message
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from raywizard.sandbox.faults import FaultInjector
    from raywizard.sandbox.permissions import PermissionSet
    from raywizard.sandbox.podlogs import LogProvider
    from raywizard.sandbox.registry import ResourceInfo
    from raywizard.sandbox.requestlog import RequestLog
    from raywizard.sandbox.store import Clock, Store


class Route:
    """A resolved API path: the resource, the version asked for, and the namespace/name/subresource if given."""

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


class ServedCluster(Protocol):
    """The parts of a sandbox cluster the API server serves."""

    store: Store
    clock: Clock
    faults: FaultInjector
    permissions: PermissionSet
    log_provider: LogProvider
    requests: RequestLog
    token: str
    allow_anonymous: bool


class Server(Protocol):
    cluster: ServedCluster
    host: str
    port: int
    stopping: threading.Event


class Exchange(Protocol):
    """One HTTP request being answered."""

    headers: Message
    close_connection: bool

    @property
    def api(self) -> Server: ...

    def send_response(self, code: int, message: str | None = None) -> None: ...

    def send_header(self, keyword: str, value: str) -> None: ...

    def end_headers(self) -> None: ...

    def _send(self, code: int, body: bytes, content_type: str = ..., headers: dict[str, str] | None = None) -> None: ...

    def _send_json(self, code: int, obj: Any) -> None: ...

    def _send_object(self, code: int, route: Route, obj: dict[str, Any]) -> None: ...

    def _out(self, route: Route, raw: bytes) -> bytes: ...

    def _field_manager(self, query: dict[str, str]) -> str: ...

    def _write_chunk(self, data: bytes) -> None: ...

    def _end_chunks(self) -> None: ...

    def _client_gone(self) -> bool: ...

    def _cut(self) -> None: ...
