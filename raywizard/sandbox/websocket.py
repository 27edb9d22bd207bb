"""The server side of RFC 6455 WebSocket, enough for the API server's streaming subresources.

The handshake answers ``Sec-WebSocket-Accept`` (base64 of SHA-1 over the client key and the RFC's fixed GUID)
and picks the first subprotocol the client offers that the endpoint speaks, like the API server's wsstream
package does. Frames: client frames are masked (and we refuse unmasked ones, as the RFC requires of a server),
server frames are not; fragmented messages are reassembled; pings are answered with pongs; a close frame is
echoed before the connection ends.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import struct
import threading
from typing import Any, BinaryIO

HANDSHAKE_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
OP_CONTINUATION, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA
MAX_MESSAGE = 16 * 1024 * 1024


class WebSocketClosed(Exception):
    """The peer closed the connection (or sent something a server must reject)."""


def accept_key(client_key: str) -> str:
    digest = hashlib.sha1((client_key.strip() + HANDSHAKE_GUID).encode("ascii")).digest()
    return base64.b64encode(digest).decode("ascii")


def is_upgrade(headers: Any) -> bool:
    connection = (headers.get("Connection") or "").lower()
    return "upgrade" in connection and (headers.get("Upgrade") or "").lower() == "websocket"


def offered_protocols(headers: Any) -> list[str]:
    offered: list[str] = []
    for value in headers.get_all("Sec-WebSocket-Protocol") or []:
        offered += [item.strip() for item in value.split(",") if item.strip()]
    return offered


def choose_protocol(offered: list[str], supported: tuple[str, ...]) -> str | None:
    """The first offered protocol the server supports; "" when the client offered none (legacy clients)."""
    if not offered:
        return ""
    for protocol in offered:
        if protocol in supported:
            return protocol
    return None


class WebSocket:
    """One upgraded connection: ``recv()`` gives (opcode, payload) of whole data messages, ``send`` writes."""

    def __init__(self, rfile: BinaryIO, wfile: BinaryIO) -> None:
        self.rfile = rfile
        self.wfile = wfile
        self.closed = False
        self._write_lock = threading.Lock()

    def _read_exact(self, count: int) -> bytes:
        data = self.rfile.read(count) if count else b""
        if len(data) != count:
            raise WebSocketClosed("connection ended mid-frame")
        return data

    def _read_frame(self) -> tuple[bool, int, bytes]:
        first, second = self._read_exact(2)
        fin, opcode = bool(first & 0x80), first & 0x0F
        if not second & 0x80:
            raise WebSocketClosed("client frame without a mask")
        length = second & 0x7F
        if length == 126:
            (length,) = struct.unpack("!H", self._read_exact(2))
        elif length == 127:
            (length,) = struct.unpack("!Q", self._read_exact(8))
        if length > MAX_MESSAGE:
            raise WebSocketClosed("frame too large")
        mask = self._read_exact(4)
        payload = bytearray(self._read_exact(length))
        for index in range(length):
            payload[index] ^= mask[index % 4]
        return fin, opcode, bytes(payload)

    def recv(self) -> tuple[int, bytes]:
        """The next text or binary message; raises WebSocketClosed when the peer closes."""
        message = bytearray()
        message_opcode = 0
        while True:
            fin, opcode, payload = self._read_frame()
            if opcode == OP_PING:
                self._send_frame(OP_PONG, payload)
                continue
            if opcode == OP_PONG:
                continue
            if opcode == OP_CLOSE:
                if not self.closed:
                    self._send_frame(OP_CLOSE, payload[:2])
                    self.closed = True
                raise WebSocketClosed("closed by the client")
            if opcode != OP_CONTINUATION:
                message_opcode = opcode
            message += payload
            if len(message) > MAX_MESSAGE:
                raise WebSocketClosed("message too large")
            if fin:
                return message_opcode, bytes(message)

    def _send_frame(self, opcode: int, payload: bytes) -> None:
        length = len(payload)
        if length < 126:
            header = struct.pack("!BB", 0x80 | opcode, length)
        elif length < 1 << 16:
            header = struct.pack("!BBH", 0x80 | opcode, 126, length)
        else:
            header = struct.pack("!BBQ", 0x80 | opcode, 127, length)
        with self._write_lock:
            self.wfile.write(header + payload)
            self.wfile.flush()

    def send(self, payload: bytes, opcode: int = OP_BINARY) -> None:
        if self.closed:
            raise WebSocketClosed("already closed")
        self._send_frame(opcode, payload)

    def close(self, code: int = 1000) -> None:
        if self.closed:
            return
        self.closed = True
        with contextlib.suppress(OSError):
            self._send_frame(OP_CLOSE, struct.pack("!H", code))
