#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
# Writes the seed corpus of the typed-extraction harness (fuzz/corpus/typed/):
# configurations that fuzz_typed.c's schema reads, each with one thing wrong
# or pushed to a limit. The files are committed; rerun this only to change
# the seeds. The encoding helpers are those of make_seeds.py, kept apart so
# that this runs without building the other corpora.
import os
import struct
import sys


def vlen(n):
    out = [0x80 | (n & 0x7F)]
    n >>= 7
    while n:
        out.insert(0, n & 0x7F)
        n >>= 7
    return bytes(out)


def sub(enc):
    return vlen(len(enc)) + enc


def integer(v, tag=5):
    if v == 0:
        return bytes([tag])
    n = 1
    while not -(1 << (8 * n - 1)) <= v < (1 << (8 * n - 1)):
        n += 1
    return bytes([tag]) + v.to_bytes(n, 'big', signed=True)


def s(text):
    return b'\x08' + (text.encode() if isinstance(text, str) else text) + b'\x00'


def seq(*items):
    return b'\x07' + b''.join(sub(i) for i in items)


def amap(*pairs):
    return b'\x06' + b''.join(sub(s(k) if isinstance(k, str) else k) + sub(v)
                              for k, v in pairs)


def fd(n):
    return b'\x03' + struct.pack('>I', n)


def flt(x):
    return b'\x04' + struct.pack('>d', x)


TRUE = b'\x02\x01'
FALSE = b'\x02'

worker = amap(('name', s('w')), ('port', integer(8080)),
              ('nice', integer(-3)), ('enabled', TRUE),
              ('weight', flt(0.5)), ('unknown', seq()))
full = [('listen', fd(0)), ('logs', seq(fd(1), fd(2), fd(1))),
        ('title', s('hello')), ('blob', b'\x01\x00\xff'),
        ('start', integer(1700000000123456789, 9)),
        ('ints', seq(integer(1), integer(-1), integer(2**31 - 1))),
        ('workers', seq(worker, worker)),
        ('extra', amap(('id', integer(2**64 - 1)),
                       ('a', amap(('value', integer(1)))),
                       ('b', amap(('value', integer(-2**63)))))),
        ('each', seq(integer(1), s('x'), b'')),
        ('small', integer(255)), ('big', integer(-2**63))]


def config(*replace, drop=(), add=()):
    pairs = [(k, dict(replace).get(k, v)) for k, v in full if k not in drop]
    return amap(*(pairs + list(add)))


seeds = {
    'full': config(),
    'minimal': amap(('big', integer(0))),
    'missing-big': config(drop=('big',)),
    'unknown-key': config(add=[('lisen', fd(0))]),
    'duplicate-key': config(add=[('title', s('again'))]),
    'key-not-str': amap((integer(1), integer(2)), ('big', integer(0))),
    'wrong-type': config(('title', integer(1))),
    'small-range': config(('small', integer(256))),
    'big-range': config(('big', integer(2**64))),
    'long-int': config(('big', b'\x05' + b'\xff' * 12)),
    'ints-too-many': config(('ints', seq(*[integer(i) for i in range(6)]))),
    'workers-too-many': config(('workers', seq(worker, worker, worker,
                                               worker))),
    'worker-missing-name': config(('workers', seq(amap(('port',
                                                        integer(1)))))),
    'worker-port-str': config(('workers', seq(worker, amap(
        ('name', s('x')), ('port', s('80')))))),
    'extra-too-many': config(('extra', amap(*[
        (k, amap(('value', integer(1)))) for k in 'abcde']))),
    'fd-unavailable': config(('listen', fd(7))),
    'fd-corrupt': config(('listen', b'\x03\x00\x00')),
    'bad-utf8': config(('title', b'\x08\xc3\x28\x00')),
    'nul-in-str': config(('title', b'\x08a\x00b\x00')),
    'str-no-nul': config(('title', b'\x08abc')),
    'bool-corrupt': config(('workers', seq(amap(('name', s('w')),
                                                ('enabled', b'\x02\x02'))))),
    'float-short': config(('workers', seq(amap(('name', s('w')),
                                               ('weight', b'\x04\x00'))))),
    'timestamp-range': config(('start', b'\x09\x7f' + b'\xff' * 16)),
    'each-refused': config(('each', seq(amap()))),
    'not-a-map': seq(integer(1)),
    'null': b'',
    'truncated': config()[:-3],
    'bad-length': b'\x06\x00\x85' + s('big')[:4],
    'deep-each': config(('each', seq(*[seq(seq(seq()))] * 3))),
    'dict': amap(('web', amap(('name', s('w')), ('port', integer(80)),
                              ('enabled', TRUE))),
                 ('db', amap(('name', s('d')), ('port', integer(5432)),
                             ('enabled', FALSE)))),
    'dict-out-of-order': amap(('web', amap(('port', integer(80)),
                                           ('name', s('w'))))),
    'dict-too-many': amap(*[(k, amap(('name', s(k)))) for k in 'abcde']),
}

out = os.path.join(os.path.dirname(os.path.abspath(sys.argv[0])), 'corpus',
                   'typed')
os.makedirs(out, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(out, name), 'wb') as f:
        f.write(data)
