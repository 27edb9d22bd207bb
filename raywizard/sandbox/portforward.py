"""``pods/{name}/portforward`` over WebSocket, both ways a real API server speaks it (docs/port-forward.md):

- the channel protocols (``v4.channel.k8s.io``, ``v4.base64.channel.k8s.io``, ``portforward.k8s.io`` and none):
  one connection per forwarded TCP connection, ``?ports=`` lists the pod ports, port i owns data channel 2i and
  error channel 2i+1, and the first message on each channel is the port number as two little-endian bytes.
  The kubernetes Python client's ``portforward`` speaks this.
- ``SPDY/3.1+portforward.k8s.io``: SPDY/3.1 carried in binary WebSocket messages, which kubectl (1.31 and
  later) tries first. The client opens an error stream and a data stream per TCP connection (headers
  ``streamType``, ``port``, ``requestID``); the server answers each with SYN_REPLY, pipes the data stream to
  the pod port and writes failures on the error stream before closing it.
"""

from __future__ import annotations

import base64
import contextlib
import select
import socket
import struct
import threading
from typing import Any

from raywizard.sandbox import podports, spdy
from raywizard.sandbox.status import ApiError
from raywizard.sandbox.websocket import (
    OP_BINARY,
    OP_TEXT,
    WebSocket,
    WebSocketClosed,
    accept_key,
    choose_protocol,
    is_upgrade,
    offered_protocols,
)

SPDY_TUNNEL = "SPDY/3.1+portforward.k8s.io"
BASE64_CHANNELS = "v4.base64.channel.k8s.io"
CHANNEL_PROTOCOLS = ("v4.channel.k8s.io", BASE64_CHANNELS, "portforward.k8s.io")
SUPPORTED = (SPDY_TUNNEL, *CHANNEL_PROTOCOLS)
CHUNK = 32 * 1024


def _bad_request(message: str) -> ApiError:
    return ApiError(400, "BadRequest", message, {})


class RawSpdyTransport:
    """SPDY straight on the upgraded TCP connection (``Upgrade: SPDY/3.1``), the fallback kubectl uses when the
    WebSocket upgrade is refused and the only way before 1.31. Same interface as WebSocket."""

    def __init__(self, handler: Any) -> None:
        self.rfile = handler.rfile
        self.wfile = handler.wfile
        self.closed = False
        self._lock = threading.Lock()

    def recv(self) -> tuple[int, bytes]:
        data = self.rfile.read1(CHUNK)
        if not data:
            raise WebSocketClosed("connection closed")
        return OP_BINARY, data

    def send(self, payload: bytes, opcode: int = OP_BINARY) -> None:
        with self._lock:
            try:
                self.wfile.write(payload)
                self.wfile.flush()
            except ValueError as closed:  # the HTTP handler closed its file: the client has gone
                raise WebSocketClosed("connection closed") from closed

    def close(self) -> None:
        self.closed = True


def _is_spdy_upgrade(headers: Any) -> bool:
    return "upgrade" in (headers.get("Connection") or "").lower() and (
        (headers.get("Upgrade") or "").lower() == "spdy/3.1"
    )


def _check_pod(cluster: Any, namespace: str, name: str) -> dict[str, Any]:
    pod = cluster.store.get("pods", namespace, name)
    if pod is None:
        raise ApiError(404, "NotFound", f'pods "{name}" not found', {"name": name, "kind": "pods"})
    if not (pod.get("spec") or {}).get("nodeName"):
        raise _bad_request(f"pod {name} does not have a host assigned")
    if (pod.get("status") or {}).get("phase") != "Running":
        raise _bad_request(f"unable to upgrade connection: pod {name} is not running")
    return dict(pod)


def serve(handler: Any, namespace: str, name: str, query: dict[str, list[str]]) -> None:
    """Answer an upgrade request for pods/portforward on ``handler`` (the API server's request handler)."""
    cluster = handler.api.cluster
    if _is_spdy_upgrade(handler.headers):
        versions = [v.strip() for v in ",".join(handler.headers.get_all("X-Stream-Protocol-Version") or []).split(",")]
        if "portforward.k8s.io" not in versions:
            raise _bad_request("unable to upgrade: no supported stream protocol version (want portforward.k8s.io)")
        pod = _check_pod(cluster, namespace, name)
        handler.send_response(101, "Switching Protocols")
        handler.send_header("Connection", "Upgrade")
        handler.send_header("Upgrade", "SPDY/3.1")
        handler.send_header("X-Stream-Protocol-Version", "portforward.k8s.io")
        handler.end_headers()
        handler.wfile.flush()
        handler.close_connection = True
        with contextlib.suppress(WebSocketClosed, OSError, ValueError, spdy.ProtocolError):
            SpdyPortForward(cluster, pod, RawSpdyTransport(handler)).run()
        return
    if not is_upgrade(handler.headers):
        raise _bad_request("Upgrade request required")
    protocol = choose_protocol(offered_protocols(handler.headers), SUPPORTED)
    if protocol is None:
        raise _bad_request("unable to upgrade: unable to negotiate a supported WebSocket subprotocol")
    pod = _check_pod(cluster, namespace, name)
    ports: list[int] = []
    if protocol != SPDY_TUNNEL:
        for value in query.get("ports") or []:
            for item in value.split(","):
                if not item.strip().isdigit() or not 0 < int(item) < 65536:
                    raise _bad_request(f"unable to parse port {item!r}")
                ports.append(int(item))
        if not ports:
            raise _bad_request('query parameter "port" is required')
    handler.send_response(101, "Switching Protocols")
    handler.send_header("Upgrade", "websocket")
    handler.send_header("Connection", "Upgrade")
    handler.send_header("Sec-WebSocket-Accept", accept_key(handler.headers.get("Sec-WebSocket-Key", "")))
    if protocol:
        handler.send_header("Sec-WebSocket-Protocol", protocol)
    handler.end_headers()
    handler.wfile.flush()
    handler.close_connection = True
    ws = WebSocket(handler.rfile, handler.wfile)
    try:
        if protocol == SPDY_TUNNEL:
            SpdyPortForward(cluster, pod, ws).run()
        else:
            _channels(cluster, pod, ws, ports, base64_frames=protocol == BASE64_CHANNELS)
    except (WebSocketClosed, OSError, ValueError, spdy.ProtocolError):
        pass
    finally:
        ws.close()


# ---------------------------------------------------------------------------------------------- channels
def _channels(cluster: Any, pod: dict[str, Any], ws: WebSocket, ports: list[int], *, base64_frames: bool) -> None:
    def send(channel: int, payload: bytes) -> None:
        if base64_frames:
            ws.send(str(channel).encode() + base64.b64encode(payload), OP_TEXT)
        else:
            ws.send(bytes((channel,)) + payload, OP_BINARY)

    sockets: dict[int, socket.socket] = {}
    for index, port in enumerate(ports):
        send(2 * index, struct.pack("<H", port))
        send(2 * index + 1, struct.pack("<H", port))
    for index, port in enumerate(ports):
        try:
            sockets[index] = podports.connect(cluster, pod, port)
        except podports.PortRefused as refused:
            send(2 * index + 1, str(refused).encode())
    if not sockets:
        return

    def from_client() -> None:
        try:
            while True:
                opcode, message = ws.recv()
                if base64_frames and opcode == OP_TEXT and message:
                    channel, payload = int(chr(message[0])), base64.b64decode(message[1:])
                elif message:
                    channel, payload = message[0], message[1:]
                else:
                    continue
                sock = sockets.get(channel // 2) if channel % 2 == 0 else None
                if sock is not None and payload:
                    sock.sendall(payload)
        except (WebSocketClosed, OSError, ValueError):
            pass
        finally:
            for sock in sockets.values():
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    reader = threading.Thread(target=from_client, name="sandbox-portforward-in", daemon=True)
    reader.start()
    open_sockets = dict(sockets)
    try:
        while open_sockets:
            readable, _, _ = select.select(list(open_sockets.values()), [], [], 1.0)
            for sock in readable:
                index = next(i for i, s in open_sockets.items() if s is sock)
                try:
                    data = sock.recv(CHUNK)
                except OSError:
                    data = b""
                if data:
                    send(2 * index, data)
                else:
                    del open_sockets[index]
            if ws.closed:
                break
    finally:
        for sock in sockets.values():
            with contextlib.suppress(OSError):
                sock.close()


# ---------------------------------------------------------------------------------------------- SPDY
class SpdyPortForward:
    """One kubectl port-forward session: SPDY frames in WebSocket messages."""

    def __init__(self, cluster: Any, pod: dict[str, Any], ws: WebSocket | RawSpdyTransport) -> None:
        self.cluster = cluster
        self.pod = pod
        self.ws = ws
        self.codec = spdy.HeaderCodec()
        self.reader = spdy.FrameReader(self.codec)
        self._send_lock = threading.Lock()
        self.error_streams: dict[str, int] = {}  # requestID -> stream id
        self.pending_errors: dict[str, str] = {}
        self.data_sockets: dict[int, socket.socket] = {}
        self.data_request: dict[int, str] = {}

    def _send(self, frame: bytes) -> None:
        with self._send_lock:
            self.ws.send(frame, OP_BINARY)

    def _reply(self, stream_id: int) -> None:
        with self._send_lock:
            self.ws.send(spdy.syn_reply(self.codec, stream_id, {}), OP_BINARY)

    def run(self) -> None:
        try:
            while True:
                _opcode, message = self.ws.recv()
                for frame in self.reader.feed(message):
                    self._handle(frame)
        finally:
            for sock in list(self.data_sockets.values()):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def _handle(self, frame: spdy.Frame) -> None:
        if not frame.control:
            sock = self.data_sockets.get(frame.stream_id)
            if sock is None:
                return
            with contextlib.suppress(OSError):
                if frame.payload:
                    sock.sendall(frame.payload)
                    self._send(spdy.window_update(frame.stream_id, len(frame.payload)))
                if frame.fin:
                    sock.shutdown(socket.SHUT_WR)
            return
        if frame.type == spdy.SYN_STREAM:
            self._open(frame)
        elif frame.type == spdy.PING:
            self._send(spdy.ping(frame.payload))
        elif frame.type == spdy.RST_STREAM:
            sock = self.data_sockets.pop(frame.stream_id, None)
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
        elif frame.type == spdy.GOAWAY:
            raise WebSocketClosed("GOAWAY")

    def _open(self, frame: spdy.Frame) -> None:
        headers, stream_id = frame.headers, frame.stream_id
        kind, request_id = headers.get("streamtype", ""), headers.get("requestid", "")
        self._reply(stream_id)
        if kind == "error":
            self.error_streams[request_id] = stream_id
            if request_id in self.pending_errors:
                self._fail(request_id, self.pending_errors.pop(request_id))
            return
        if kind != "data":
            self._send(spdy.rst_stream(stream_id, spdy.RST_PROTOCOL_ERROR))
            return
        try:
            port = int(headers.get("port", ""))
            sock = podports.connect(self.cluster, self.pod, port)
        except ValueError:
            self._fail(request_id, f"invalid port header {headers.get('port', '')!r}")
            self._send(spdy.data(stream_id, b"", fin=True))
            return
        except podports.PortRefused as refused:
            self._fail(request_id, str(refused))
            self._send(spdy.data(stream_id, b"", fin=True))
            return
        self.data_sockets[stream_id] = sock
        self.data_request[stream_id] = request_id
        pump = threading.Thread(target=self._pump, args=(stream_id, sock), name="sandbox-spdy-out", daemon=True)
        pump.start()

    def _fail(self, request_id: str, message: str) -> None:
        error_stream = self.error_streams.get(request_id)
        if error_stream is None:
            self.pending_errors[request_id] = message
            return
        self._send(spdy.data(error_stream, message.encode()))
        self._send(spdy.data(error_stream, b"", fin=True))

    def _pump(self, stream_id: int, sock: socket.socket) -> None:
        """Pod -> client for one data stream; closes it (and its error stream) when the pod side ends."""
        try:
            while True:
                data = sock.recv(CHUNK)
                if not data:
                    break
                self._send(spdy.data(stream_id, data))
        except (OSError, WebSocketClosed):
            pass
        with contextlib.suppress(OSError, WebSocketClosed):
            self._send(spdy.data(stream_id, b"", fin=True))
            error_stream = self.error_streams.get(self.data_request.get(stream_id, ""))
            if error_stream is not None:
                self._send(spdy.data(error_stream, b"", fin=True))
        self.data_sockets.pop(stream_id, None)
        with contextlib.suppress(OSError):
            sock.close()
