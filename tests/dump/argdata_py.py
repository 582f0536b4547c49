# SPDX-License-Identifier: BSD-2-Clause
"""A small argdata decoder, independent of the C library, for the tests.

decode(bytes) gives None, bool, int, float, str, bytes (binary), lists
(sequences), ("map", [(key, value), ...]), ("fd", number) and
("ts", seconds, nanoseconds). read_messages() splits a framed stream.
"""

import struct


def read_subfields(buf):
    pos = 0
    while pos < len(buf):
        n = 0
        while True:
            b = buf[pos]
            pos += 1
            n = n << 7 | (b & 0x7F)
            if b & 0x80:
                break
        yield buf[pos:pos + n]
        pos += n


def decode_int(payload):
    return int.from_bytes(payload, "big", signed=True) if payload else 0


def decode(buf):
    if not buf:
        return None
    tag, p = buf[0], buf[1:]
    if tag == 1:
        return bytes(p)
    if tag == 2:
        return len(p) == 1
    if tag == 3:
        return ("fd", struct.unpack(">I", p)[0])
    if tag == 4:
        return struct.unpack(">d", p)[0]
    if tag == 5:
        return decode_int(p)
    if tag == 6:
        fields = [decode(f) for f in read_subfields(p)]
        return ("map", list(zip(fields[0::2], fields[1::2])))
    if tag == 7:
        return [decode(f) for f in read_subfields(p)]
    if tag == 8:
        return p[:-1].decode("utf-8")
    if tag == 9:
        ns = decode_int(p)
        return ("ts", ns // 10**9, ns % 10**9)
    raise ValueError("unknown tag %d" % tag)


def read_messages(data):
    pos = 0
    while pos < len(data):
        (n,) = struct.unpack(">Q", data[pos:pos + 8])
        yield data[pos + 8:pos + 8 + n]
        pos += 8 + n
