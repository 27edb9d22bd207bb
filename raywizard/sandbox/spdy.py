"""SPDY/3.1 framing, as much as the kubelet's port-forward side of it needs (docs/port-forward.md).

A SPDY stream carries its headers in a name/value block compressed with zlib over one shared compression
context per direction, primed with the fixed dictionary of the SPDY/3 draft (section 2.6.10.1). Control frames
(high bit set) carry version 3, a type, flags and a 24-bit length; data frames carry a 31-bit stream id.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field

VERSION = 3
SYN_STREAM, SYN_REPLY, RST_STREAM, SETTINGS, PING, GOAWAY, HEADERS, WINDOW_UPDATE = 1, 2, 3, 4, 6, 7, 8, 9
FLAG_FIN = 0x01
RST_PROTOCOL_ERROR, RST_INVALID_STREAM, RST_REFUSED_STREAM, RST_CANCEL = 1, 2, 3, 5

# The header dictionary of the SPDY/3 draft: these words, each behind a 4-byte big-endian length, then the tail.
_DICTIONARY_WORDS = (
    "options head post put delete trace accept accept-charset accept-encoding accept-language accept-ranges age"
    " allow authorization cache-control connection content-base content-encoding content-language content-length"
    " content-location content-md5 content-range content-type date etag expect expires from host if-match"
    " if-modified-since if-none-match if-range if-unmodified-since last-modified location max-forwards pragma"
    " proxy-authenticate proxy-authorization range referer retry-after server te trailer transfer-encoding upgrade"
    " user-agent vary via warning www-authenticate method get status|200 OK|version HTTP/1.1 url public set-cookie"
    " keep-alive origin"
)
_DICTIONARY_TAIL = (
    "100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505"
    "203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized"
    "403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable"
    "Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT"
    "chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,"
    "text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0."
)


def _dictionary_words() -> list[str]:
    # "|" sets off the one entry with a space in it ("200 OK")
    before, status_line, after = _DICTIONARY_WORDS.split("|")
    return [*before.split(), status_line, *after.split()]


HEADER_DICTIONARY = b"".join(
    struct.pack("!I", len(word)) + word.encode("ascii") for word in _dictionary_words()
) + _DICTIONARY_TAIL.encode("ascii")


class ProtocolError(Exception):
    pass


@dataclass
class Frame:
    control: bool
    type: int  # control frame type; 0 for data
    flags: int
    stream_id: int = 0
    payload: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def fin(self) -> bool:
        return bool(self.flags & FLAG_FIN)


class HeaderCodec:
    """The two zlib contexts of one SPDY session (one per direction)."""

    def __init__(self) -> None:
        self._inflate = zlib.decompressobj(zdict=HEADER_DICTIONARY)
        self._deflate = zlib.compressobj(zdict=HEADER_DICTIONARY)

    def decode(self, block: bytes) -> dict[str, str]:
        try:
            raw = self._inflate.decompress(block)
        except zlib.error as exc:
            raise ProtocolError(f"header block: {exc}") from exc
        (count,) = struct.unpack_from("!I", raw, 0)
        offset, headers = 4, {}
        for _ in range(count):
            (length,) = struct.unpack_from("!I", raw, offset)
            name = raw[offset + 4 : offset + 4 + length].decode("latin-1").lower()
            offset += 4 + length
            (length,) = struct.unpack_from("!I", raw, offset)
            value = raw[offset + 4 : offset + 4 + length].decode("latin-1")
            offset += 4 + length
            headers[name] = value.split("\x00")[0]
        return headers

    def encode(self, headers: dict[str, str]) -> bytes:
        raw = struct.pack("!I", len(headers))
        for name, value in headers.items():
            raw += struct.pack("!I", len(name)) + name.lower().encode("latin-1")
            raw += struct.pack("!I", len(value)) + value.encode("latin-1")
        return self._deflate.compress(raw) + self._deflate.flush(zlib.Z_SYNC_FLUSH)


class FrameReader:
    """Cuts a byte stream (fed in any pieces) into frames."""

    def __init__(self, codec: HeaderCodec) -> None:
        self.codec = codec
        self._buffer = bytearray()

    def feed(self, data: bytes) -> list[Frame]:
        self._buffer += data
        frames = []
        while len(self._buffer) >= 8:
            (length,) = struct.unpack_from("!I", self._buffer, 4)
            length &= 0xFFFFFF
            if len(self._buffer) < 8 + length:
                break
            head, payload = bytes(self._buffer[:8]), bytes(self._buffer[8 : 8 + length])
            del self._buffer[: 8 + length]
            frames.append(self._frame(head, payload))
        return frames

    def _frame(self, head: bytes, payload: bytes) -> Frame:
        first, flags = struct.unpack_from("!I", head, 0)[0], head[4]
        if not first & 0x80000000:
            return Frame(False, 0, flags, first & 0x7FFFFFFF, payload)
        version, kind = (first >> 16) & 0x7FFF, first & 0xFFFF
        if version != VERSION:
            raise ProtocolError(f"SPDY version {version}")
        frame = Frame(True, kind, flags, payload=payload)
        if kind in (SYN_STREAM, SYN_REPLY, HEADERS, RST_STREAM, WINDOW_UPDATE) and len(payload) >= 4:
            frame.stream_id = struct.unpack_from("!I", payload, 0)[0] & 0x7FFFFFFF
        if kind == SYN_STREAM:
            frame.headers = self.codec.decode(payload[10:])
        elif kind in (SYN_REPLY, HEADERS):
            frame.headers = self.codec.decode(payload[4:])
        return frame


def _control(kind: int, flags: int, payload: bytes) -> bytes:
    return struct.pack("!HHI", 0x8000 | VERSION, kind, (flags << 24) | len(payload)) + payload


def syn_reply(codec: HeaderCodec, stream_id: int, headers: dict[str, str], fin: bool = False) -> bytes:
    return _control(SYN_REPLY, FLAG_FIN if fin else 0, struct.pack("!I", stream_id) + codec.encode(headers))


def data(stream_id: int, payload: bytes, fin: bool = False) -> bytes:
    return struct.pack("!II", stream_id & 0x7FFFFFFF, ((FLAG_FIN if fin else 0) << 24) | len(payload)) + payload


def rst_stream(stream_id: int, status: int) -> bytes:
    return _control(RST_STREAM, 0, struct.pack("!II", stream_id, status))


def ping(payload: bytes) -> bytes:
    return _control(PING, 0, payload[:4])


def window_update(stream_id: int, delta: int) -> bytes:
    return _control(WINDOW_UPDATE, 0, struct.pack("!II", stream_id, delta))


def goaway(last_stream_id: int) -> bytes:
    return _control(GOAWAY, 0, struct.pack("!II", last_stream_id, 0))
