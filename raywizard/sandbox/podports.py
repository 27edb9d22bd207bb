"""What listens inside the sandbox's pods, for ``pods/portforward``.

A connection to a pod port is a socket pair: the port-forward side keeps one end, a daemon thread serves the
other as the pod's process would. The head pod of a RayCluster serves the Ray dashboard on 8265
(``rayhead.py``) and accepts connections on the GCS (6379) and Ray client (10001) ports without answering
(their gRPC protocols are out of the sandbox's scope); Ray Serve's 8000 is refused until an application runs,
as on a fresh cluster. Any other port refuses the connection, with the message a kubelet's runtime gives.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from typing import Any

RAY_DASHBOARD_PORT = 8265
SILENT_PORTS = (6379, 10001)


class PortRefused(Exception):
    pass


def _labels(pod: dict[str, Any]) -> dict[str, str]:
    return dict((pod.get("metadata") or {}).get("labels") or {})


def refused_message(pod: dict[str, Any], port: int) -> str:
    uid = (pod.get("metadata") or {}).get("uid", "")
    return (
        f"error forwarding port {port} to pod {uid}, uid : failed to execute portforward in network namespace: "
        f"failed to connect to localhost:{port} inside namespace, IPv4: dial tcp4 127.0.0.1:{port}: "
        "connect: connection refused IPv6 dial tcp6 [::1]:" + f"{port}: connect: connection refused "
    )


def _drain(sock: socket.socket) -> None:
    with contextlib.suppress(OSError), sock:
        while sock.recv(65536):
            pass


def _serve_dashboard(sock: socket.socket, context: Any) -> None:
    from raywizard.sandbox.rayhead import RayDashboardHandler

    with contextlib.suppress(OSError, ValueError), sock:
        RayDashboardHandler(sock, ("127.0.0.1", 0), context)


def connect(cluster: Any, pod: dict[str, Any], port: int) -> socket.socket:
    """A connected socket to ``port`` of ``pod``; raises PortRefused with the kubelet's message."""
    labels = _labels(pod)
    is_head = labels.get("ray.io/node-type") == "head" and bool(labels.get("ray.io/cluster"))
    if not is_head or port not in (RAY_DASHBOARD_PORT, *SILENT_PORTS):
        raise PortRefused(refused_message(pod, port))
    ours, theirs = socket.socketpair()
    if port == RAY_DASHBOARD_PORT:
        from raywizard.sandbox.rayhead import RayHeadContext

        target: Any = _serve_dashboard
        args: tuple[Any, ...] = (theirs, RayHeadContext(cluster, pod))
    else:
        target, args = _drain, (theirs,)
    threading.Thread(target=target, args=args, name=f"sandbox-pod-port-{port}", daemon=True).start()
    return ours
