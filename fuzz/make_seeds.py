#!/usr/bin/env python3
# Writes the seed corpora of the decoder (fuzz/corpus/decoder/: every type,
# the wire examples of argdata(5), nesting, descriptors, a few defects) and
# of the stream reader (fuzz/corpus/stream/: a 3-byte header, see
# fuzz_stream.c, then framed messages). The files are committed; rerun this
# only to change the seeds.
import os
import struct
import sys


def vlen(n):
    # Big-endian base 128; the last byte has its high bit set.
    out = [0x80 | (n & 0x7F)]
    n >>= 7
    while n:
        out.insert(0, n & 0x7F)
        n >>= 7
    return bytes(out)


def sub(enc):
    return vlen(len(enc)) + enc


def integer(tag, v):
    if v == 0:
        return bytes([tag])
    n = 1
    while not -(1 << (8 * n - 1)) <= v < (1 << (8 * n - 1)):
        n += 1
    return bytes([tag]) + v.to_bytes(n, 'big', signed=True)


def s(text):
    return b'\x08' + text.encode() + b'\x00'


def seq(*items):
    return b'\x07' + b''.join(sub(i) for i in items)


def amap(*pairs):
    return b'\x06' + b''.join(sub(k) + sub(v) for k, v in pairs)


def fd(n):
    return b'\x03' + struct.pack('>I', n)


def flt(x):
    return b'\x04' + struct.pack('>d', x)


seeds = {
    'null': b'',
    'binary': b'\x01\x00\xffhello',
    'false': b'\x02',
    'true': b'\x02\x01',
    'fd': fd(3),
    'float': flt(0.1),
    'int-0': integer(5, 0),
    'int-255': integer(5, 255),
    'int-min': integer(5, -(1 << 63)),
    'int-huge': integer(5, 1 << 70),
    'str-123': s('123'),
    'str-utf8': s('h\u00e9llo \u2603 \U0001F600'),
    'timestamp': integer(9, 1234567890123456789),
    'timestamp-neg': integer(9, -1),
    'seq-example': bytes.fromhex('07 81 05 82 02 01 83 08 41 00'),
    'seq-empty': b'\x07',
    'map-empty': b'\x06',
    'map': amap((s('name'), s('svc')), (s('port'), integer(5, 8080)),
                (s('enabled'), b'\x02\x01'), (s('ratio'), flt(1.5)),
                (s('sock'), fd(3)), (integer(5, 1), b'')),
    'fds-dup': seq(fd(7), fd(3), fd(7), fd(1 << 31), amap((fd(3), fd(9)))),
    'long-length': seq(s('x' * 200)),
    # Defects: each must fail the validator and the walk alike.
    'bad-odd-map': b'\x06\x81\x02',
    'bad-truncated': bytes.fromhex('07 85 08 41'),
    'bad-overlong-length': bytes.fromhex('07 00 81 02'),
    'bad-utf8': b'\x08\xc3\x28\x00',
    'bad-no-nul': b'\x08AB',
    'bad-fd-size': b'\x03\x00\x01',
    'bad-float-size': b'\x04\x00',
    'bad-bool': b'\x02\x02',
    'bad-tag': b'\x0a\x00',
    'bad-nested': seq(seq(seq(b'\x0b'))),
}
deep = b''
for _ in range(500):
    deep = seq(deep)
seeds['deep-500'] = deep



def frame(data):
    return struct.pack('>Q', len(data)) + data


def stream_header(fds=0, chunked=False, max_fds=4, shift=16):
    flags = (1 | (fds - 1) << 1 if fds else 0) | (8 if chunked else 0)
    return bytes([flags, max_fds, shift])


streams = {
    'one': stream_header() + frame(seeds['map']),
    'two': stream_header() + frame(s('a')) + frame(seq(integer(5, 1))),
    'empty-message': stream_header() + frame(b''),
    'fds': stream_header(fds=3) + frame(seq(fd(0), fd(1), fd(2), fd(0))),
    'fds-chunked': stream_header(fds=2, chunked=True) +
    frame(amap((s('a'), fd(1)), (s('b'), fd(7)))),
    'too-many-fds': stream_header(fds=4, max_fds=1) + frame(fd(0)),
    'too-long': stream_header(shift=2) + frame(s('long string')) +
    frame(b''),
    'truncated': stream_header() + frame(s('abc'))[:-2],
    'truncated-header': stream_header() + b'\x00\x00\x00',
    'chunked': stream_header(chunked=True) + frame(seeds['deep-500']) +
    frame(seeds['fds-dup']),
    'corrupt': stream_header(fds=1) + frame(seeds['bad-odd-map']),
}

here = os.path.dirname(os.path.abspath(sys.argv[0]))
for corpus, files in (('decoder', seeds), ('stream', streams)):
    out = os.path.join(here, 'corpus', corpus)
    os.makedirs(out, exist_ok=True)
    for name, data in files.items():
        with open(os.path.join(out, name), 'wb') as f:
            f.write(data)
