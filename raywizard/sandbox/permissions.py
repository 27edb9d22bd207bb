"""The sandbox's idea of RBAC: allow everything except explicit denials.

Denials answer SelfSubjectAccessReviews (so preflight checks can be tested) and, while ``enforce`` is
true (the
default), also make matching HTTP requests fail with a real 403 Forbidden. In-process Store calls (the
simulated
controllers) are never checked.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass


@dataclass(frozen=True)
class Denial:
    verb: str  # "*" for all
    resource: str  # "pods", "pods/log", "applications" or "applications.argoproj.io"; "*" for all
    namespace: str | None  # None: every namespace and cluster scope


class PermissionSet:
    user = "raywizard-sandbox"

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._denials: list[Denial] = []
        self.enforce = True

    def deny(self, verb: str, resource: str, namespace: str | None = None) -> None:
        with self._lock:
            self._denials.append(Denial(verb, resource, namespace))

    def allow(self, verb: str, resource: str, namespace: str | None = None) -> None:
        """Remove a denial added with the same arguments."""
        with self._lock:
            self._denials = [d for d in self._denials if d != Denial(verb, resource, namespace)]

    def reset(self) -> None:
        with self._lock:
            self._denials.clear()
        self.enforce = True

    def denials(self) -> list[Denial]:
        with self._lock:
            return list(self._denials)

    def allowed(
        self, verb: str, group: str, plural: str, namespace: str | None, subresource: str | None = None
    ) -> bool:
        """As RBAC matches rules: a subresource is its own resource (`pods/log`), which a denial of `pods` does
        not cover; `*` covers everything."""
        resource = f"{plural}/{subresource}" if subresource else plural
        key = f"{plural}.{group}" + (f"/{subresource}" if subresource else "") if group else resource
        for d in self.denials():
            if d.verb not in ("*", verb):
                continue
            if d.resource not in ("*", resource, key):
                continue
            if d.namespace is not None and d.namespace != namespace:
                continue
            return False
        return True
