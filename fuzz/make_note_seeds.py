#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
# Writes the seed corpus of the note reader (fuzz/corpus/note/): small
# 64-bit little-endian ELF files whose PT_NOTE segments hold the table a
# program publishes (PROGRAM_SCHEMA in program.h), well-formed and broken.
# The files are committed; rerun this only to change the seeds.
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, 'corpus', 'note')

INT, UINT, BOOL, FLOAT, STR, BINARY, FD, TIMESTAMP, MAP, ARRAY, EACH, \
    STRLEN = range(1, 13)
REQUIRED, LISTENING, DIRECTORY, REGULAR = 0x1, 0x100, 0x200, 0x400
READABLE, WRITABLE, SOCKET = 0x800, 0x1000, 0x2000


def key(name, type_, elem=0, size=0, flags=0, max_=0):
    return struct.pack('<32sBBBBIII', name, type_, elem, size, 0, flags,
                       max_, 0)


def note(desc, name=b'argdata\0', type_=1, align=4):
    # The descriptor and the next note start at multiples of align.
    def pad(b):
        return b + b'\0' * (-len(b) % align)
    return pad(pad(struct.pack('<III', len(name), len(desc), type_) + name)
               + desc)


def table(keys, version=1, flags=0):
    return struct.pack('<II', version, flags) + b''.join(keys)


def elf(segments, phentsize=56, data=1):
    # segments: (p_type, bytes, p_align); the data follows the headers.
    phoff = 64
    off = phoff + 56 * len(segments)
    phdrs, body = b'', b''
    for p_type, blob, align in segments:
        phdrs += struct.pack('<IIQQQQQQ', p_type, 4, off + len(body), 0, 0,
                             len(blob), len(blob), align)
        body += blob
    ident = b'\x7fELF' + bytes([2, data, 1]) + b'\0' * 9
    ehdr = ident + struct.pack('<HHIQQQIHHHHHH', 3, 62, 1, 0, phoff, 0, 0,
                               64, phentsize, len(segments), 64, 0, 0)
    return ehdr + phdrs + body


GOOD = table([
    key(b'log', FD, flags=WRITABLE),
    key(b'listen', FD, flags=REQUIRED | LISTENING),
    key(b'greeting', STR, size=8),
    key(b'connections', UINT, size=4),
    key(b'offset', INT, size=2),
    key(b'ports', ARRAY, UINT, 2, 0, 8),
    key(b'dirs', ARRAY, FD, 0, DIRECTORY | READABLE, 4),
    key(b'workers', ARRAY, MAP, 0, 0, 16),
    key(b'', ARRAY, MAP, 0, 0, 32),
    key(b'verbose', BOOL), key(b'ratio', FLOAT), key(b'blob', BINARY),
    key(b'when', TIMESTAMP), key(b'limits', MAP), key(b'each', EACH),
    key(b'x' * 32, STRLEN),
])
GNU = note(b'\4\0\0\0\0\0\0\0\3\0\0\0\2\0\0\0', name=b'GNU\0', type_=1)
PT_NOTE, PT_LOAD = 4, 1

SEEDS = {
    'good': elf([(PT_NOTE, GNU + note(GOOD), 4)]),
    'good-align8': elf([(PT_LOAD, b'', 8), (PT_NOTE, GNU, 8),
                        (PT_NOTE, note(GOOD, align=8), 8)]),
    'ignore-unknown': elf([(PT_NOTE, note(table([key(b'a', INT, size=8)],
                                                flags=1)), 4)]),
    'empty-table': elf([(PT_NOTE, note(table([])), 4)]),
    'no-table': elf([(PT_NOTE, GNU, 4)]),
    'no-phdrs': elf([]),
    'twice': elf([(PT_NOTE, note(GOOD) + note(GOOD), 4)]),
    'version-2': elf([(PT_NOTE, note(table([], version=2)), 4)]),
    'bad-type': elf([(PT_NOTE, note(table([key(b'a', 13)])), 4)]),
    'bad-int-size': elf([(PT_NOTE, note(table([key(b'a', INT, size=3)])),
                          4)]),
    'bad-elem': elf([(PT_NOTE, note(table([key(b'a', ARRAY, ARRAY)])), 4)]),
    'control-key': elf([(PT_NOTE, note(table([key(b'a\nb', STR)])), 4)]),
    'other-not-maps': elf([(PT_NOTE, note(table([key(b'', STR)])), 4)]),
    'desc-ragged': elf([(PT_NOTE, note(GOOD[:-5]), 4)]),
    'namesz-huge': elf([(PT_NOTE, struct.pack('<III', 0xffffffff, 0, 1) +
                         b'argdata\0', 4)]),
    'descsz-huge': elf([(PT_NOTE, struct.pack('<III', 8, 0xfffffff0, 1) +
                         b'argdata\0', 4)]),
    'big-endian': elf([(PT_NOTE, note(GOOD), 4)], data=2),
    'bad-phentsize': elf([(PT_NOTE, note(GOOD), 4)], phentsize=32),
    'not-elf': b'#!/bin/sh\necho hello\n',
}


def main():
    os.makedirs(OUT, exist_ok=True)
    good = SEEDS['good']
    # A file cut short inside its note, and one whose segment leaves it.
    SEEDS['truncated'] = good[:len(good) - 40]
    for name, blob in SEEDS.items():
        with open(os.path.join(OUT, name), 'wb') as f:
            f.write(blob)


if __name__ == '__main__':
    main()
