"""A bounded log of the HTTP requests the sandbox served, for tests that assert on what a client sent.

    cluster.requests.clear()
    ...  # exercise the code under test
    patches = cluster.requests.find(method="PATCH", resource="applications")
    assert patches[0].query["fieldManager"] == "raywizard" and patches[0].status == 200

Recording is O(1) per request (a deque of the last ``MAX_RECORDS``); nothing ever scans it but a test.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field

MAX_RECORDS = 5_000


@dataclass(frozen=True)
class RequestRecord:
    method: str
    path: str
    query: dict[str, str]
    status: int
    content_type: str = ""
    user_agent: str = ""
    verb: str = ""  # Kubernetes verb (get, list, watch, create, update, patch, delete, deletecollection) if routed
    resource: str = ""  # resource key ("pods", "applications.argoproj.io") if routed
    namespace: str | None = None
    name: str | None = None
    subresource: str | None = None
    body: bytes = field(default=b"", repr=False)


class RequestLog:
    def __init__(self, maxlen: int = MAX_RECORDS) -> None:
        self._lock = threading.Lock()
        self._records: deque[RequestRecord] = deque(maxlen=maxlen)

    def add(self, record: RequestRecord) -> None:
        with self._lock:
            self._records.append(record)

    def all(self) -> list[RequestRecord]:
        with self._lock:
            return list(self._records)

    def clear(self) -> None:
        with self._lock:
            self._records.clear()

    def find(
        self,
        *,
        method: str | None = None,
        verb: str | None = None,
        resource: str | None = None,
        name: str | None = None,
        status: int | None = None,
    ) -> list[RequestRecord]:
        """Records matching every given criterion; `resource` matches the key or its plural."""
        out = []
        for r in self.all():
            if method is not None and r.method != method:
                continue
            if verb is not None and r.verb != verb:
                continue
            if resource is not None and resource not in (r.resource, r.resource.split(".", 1)[0]):
                continue
            if name is not None and r.name != name:
                continue
            if status is not None and r.status != status:
                continue
            out.append(r)
        return out

    def __len__(self) -> int:
        with self._lock:
            return len(self._records)
