"""SPDY/3.1 framing of the sandbox's port-forward: the header dictionary and a frame round trip."""

from __future__ import annotations

import struct
import zlib

from raywizard.sandbox import spdy


def test_header_dictionary_has_the_id_kubectl_announces() -> None:
    # kubectl's first header block starts 78 F9 E3 C6 A7 C2: zlib with a preset dictionary whose Adler-32 is this
    assert zlib.adler32(spdy.HEADER_DICTIONARY) == 0xE3C6A7C2


def test_syn_stream_headers_and_data_frames_survive_a_byte_by_byte_feed() -> None:
    client, server = spdy.HeaderCodec(), spdy.HeaderCodec()
    block = client.encode({"streamType": "data", "port": "8265", "requestID": "0"})
    syn = struct.pack("!HHI", 0x8003, spdy.SYN_STREAM, 10 + len(block)) + struct.pack("!IIH", 3, 0, 0) + block
    wire = syn + spdy.data(3, b"GET / HTTP/1.1\r\n\r\n", fin=True)
    reader = spdy.FrameReader(server)
    frames = [frame for byte in wire for frame in reader.feed(bytes([byte]))]
    assert [(f.control, f.type, f.stream_id) for f in frames] == [(True, spdy.SYN_STREAM, 3), (False, 0, 3)]
    assert frames[0].headers == {"streamtype": "data", "port": "8265", "requestid": "0"}
    assert frames[1].payload == b"GET / HTTP/1.1\r\n\r\n" and frames[1].fin
    reply = spdy.FrameReader(client).feed(spdy.syn_reply(server, 3, {}))
    assert reply[0].type == spdy.SYN_REPLY and reply[0].headers == {}
