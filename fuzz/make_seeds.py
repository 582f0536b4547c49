#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
# Writes the seed corpora of the decoder (fuzz/corpus/decoder/: every type,
# the wire examples of argdata(5), nesting, descriptors, a few defects), of
# the stream reader (fuzz/corpus/stream/: a 3-byte header, see
# fuzz_stream.c, then framed messages) and of the ELF resolver
# (fuzz/corpus/elf/: small ELF files, broken ones, loader caches). The
# files are committed; rerun this only to change the seeds.
import os
import platform
import struct
import subprocess
import sys
import tempfile


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
    # The harness's own first crash: a walk must keep a map's value
    # while the key, a container, is walked.
    'map-container-key': amap((seq(seq(integer(5, 1)), amap()), seq(fd(1))),
                              (amap((seq(), b'')), s('v'))),
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


# The ELF resolver's seeds (fuzz/corpus/elf/, see fuzz_elf.c): files joined
# by the separator, the program first; paths with "/v/" name the files of
# the harness's made-up filesystem (by their last byte), "/u/" a new copy
# of one at every open, the last file is /etc/ld.so.cache when there are
# several.
EM_X86_64, EM_AARCH64 = 62, 183
ET_EXEC, ET_DYN = 2, 3
PT_LOAD, PT_DYNAMIC, PT_INTERP = 1, 2, 3
DT_NULL, DT_NEEDED, DT_STRTAB, DT_STRSZ = 0, 1, 5, 10
DT_RPATH, DT_RUNPATH = 15, 29
SEP = b'@@next@@'


def elf(machine=EM_X86_64, etype=ET_DYN, interp=None, needed=(), rpath=None,
        runpath=None, base=0, dyn_extra=(), dynamic=True, pad=0):
    """A minimal 64-bit little-endian ELF file: one PT_LOAD over the whole
    file at vaddr base, PT_DYNAMIC, PT_INTERP when interp is given."""
    strtab = b'\0'
    offsets = {}

    def add(text):
        nonlocal strtab
        if text not in offsets:
            offsets[text] = len(strtab)
            strtab += text.encode() + b'\0'
        return offsets[text]

    dyn = [(DT_NEEDED, add(n)) for n in needed]
    if rpath is not None:
        dyn.append((DT_RPATH, add(rpath)))
    if runpath is not None:
        dyn.append((DT_RUNPATH, add(runpath)))
    dyn += list(dyn_extra)
    nph = 1 + (1 if dynamic else 0) + (1 if interp is not None else 0)
    dynoff = 64 + 56 * nph + pad
    ndyn = len(dyn) + 3
    stroff = dynoff + 16 * ndyn
    dyn += [(DT_STRTAB, base + stroff), (DT_STRSZ, len(strtab)),
            (DT_NULL, 0)]
    interpoff = stroff + len(strtab)
    interp_bytes = interp.encode() + b'\0' if interp is not None else b''
    end = interpoff + len(interp_bytes)
    eh = (b'\x7fELF\x02\x01\x01' + bytes(9) +
          struct.pack('<HHIQQQIHHHHHH', etype, machine, 1, base, 64, 0, 0,
                      64, 56, nph, 64, 0, 0))
    ph = struct.pack('<IIQQQQQQ', PT_LOAD, 5, 0, base, base, end, end,
                     0x1000)
    if dynamic:
        ph += struct.pack('<IIQQQQQQ', PT_DYNAMIC, 6, dynoff, base + dynoff,
                          base + dynoff, 16 * ndyn, 16 * ndyn, 8)
    if interp is not None:
        ph += struct.pack('<IIQQQQQQ', PT_INTERP, 4, interpoff,
                          base + interpoff, base + interpoff,
                          len(interp_bytes), len(interp_bytes), 1)
    body = b''.join(struct.pack('<qQ', t, v) for t, v in dyn)
    out = eh + ph + bytes(pad) + body + strtab + interp_bytes
    assert len(out) == end
    return out


def patch(data, off, fmt, *values):
    b = bytearray(data)
    struct.pack_into(fmt, b, off, *values)
    return bytes(b)


def ldcache(entries, flags=0x0303, old=False):
    """/etc/ld.so.cache, new format: (name, path) entries; with old, the
    old-format table in front."""
    n = len(entries)
    strings = b''
    table = b''
    start = 48 + 24 * n
    for name, path in entries:
        key = start + len(strings)
        strings += name.encode() + b'\0'
        value = start + len(strings)
        strings += path.encode() + b'\0'
        table += struct.pack('<iIIIQ', flags, key, value, 0, 0)
    new = (b'glibc-ld.so.cache1.1' + struct.pack('<II', n, len(strings)) +
           bytes(4) + struct.pack('<IIII', 0, 0, 0, 0) + table + strings)
    assert new[48:48 + 24 * n] == table
    if not old:
        return new
    head = b'ld.so-1.7.0\0' + struct.pack('<I', 1) + struct.pack(
        '<iII', 1, 0, 0)
    head += bytes(-len(head) % 8)
    return head + new


def phdrs_at_end(data):
    # A copy of the program headers after the end, beyond the first read.
    nph = struct.unpack_from('<H', data, 56)[0]
    return patch(data, 32, '<Q', len(data)) + data[64:64 + 56 * nph]


def tiny_program():
    # A stripped, tiny real program, its PT_INTERP made to lead to file 1;
    # None when no C compiler is there or this is not x86-64.
    if platform.machine() != 'x86_64':
        return None
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, 't.c')
        exe = os.path.join(tmp, 't')
        with open(src, 'w') as f:
            f.write('int main(void) { return 0; }\n')
        try:
            subprocess.run(['cc', '-Os', '-s', '-Wl,-z,noseparate-code',
                            '-Wl,--build-id=none', '-o', exe, src],
                           check=True)
        except (OSError, subprocess.CalledProcessError):
            return None
        with open(exe, 'rb') as f:
            data = f.read()
    old = b'/lib64/ld-linux-x86-64.so.2\0'
    new = b'/v/ld.so.1'
    assert data.count(old) == 1
    return data.replace(old, new + bytes(len(old) - len(new)))


def join(*parts):
    return SEP.join(parts)


# Names end in the digit of the file they lead to.
LD = '/v/ld.so.1'
prog = elf(etype=ET_EXEC, base=0x400000, interp=LD,
           needed=['libc.so.2', 'libm.so.2'], runpath='/v')
loader = elf(dynamic=False)
elfs = {
    'no-phdrs': elf(dynamic=False)[:64],
    'exec-interp-only': join(elf(etype=ET_EXEC, interp=LD, dynamic=False),
                             loader),
    'dynamic-empty': elf(),
    'program-lib': join(prog, loader, elf(needed=['libc.so.2'])),
    'rpath-origin': join(
        elf(interp=LD, needed=['liba.so1', 'libb.so2'],
            rpath='$ORIGIN/v:${ORIGIN}/../v:/d/x:$LIB/v:$PLATFORM:rel'),
        elf(needed=['libb.so2'], rpath='$ORIGIN'),
        elf(needed=['liba.so1'], runpath='$ORIGIN/sub')),
    'runpath-list': join(
        elf(needed=['libx.so1', 'liby.so2', 'libz.so'],
            runpath='/nowhere::rel/dir:/v/a:/v/b:/d/'),
        elf(), elf(needed=['libx.so1'])),
    'needed-paths': join(
        elf(needed=['/v/lib1', './rel.so', 'sub/x.so', '/d/lib', '/v/lib1']),
        elf(rpath='/v')),
    'chain-cache': join(
        elf(interp='/v/ld.so.3', needed=['lib.so.1'], runpath='/v'),
        elf(needed=['lib.so.2'], rpath='/nowhere'),
        elf(needed=['libc.so.6', 'libmissing.so']),
        loader,
        ldcache([('libc.so.6', '/nowhere/libc.so.6'),
                 ('libc.so.6', '/v/libc.so.3'), ('lib.so.2', '/v/lib2')])),
    'cache-old-format': join(
        elf(needed=['libc.so.6']),
        elf(),
        ldcache([('libc.so.6', '/v/c1')], old=True)),
    'cache-aarch64-flags': join(
        elf(needed=['libc.so.6']),
        ldcache([('libc.so.6', '/v/c0')], flags=0x0a03)),
    'cycle': join(elf(needed=['liba.so1'], runpath='/v'),
                   elf(needed=['libb.so0', 'liba.so1'], runpath='/v')),
    'loader-dir': elf(interp='/d/ld.so', needed=['libc.so.6']),
    'loader-missing': elf(interp='/lib64/ld-linux-x86-64.so.2'),
    'loader-foreign': join(elf(interp='/v/ld1'),
                            elf(machine=EM_AARCH64)),
    'emfile': elf(needed=['libc.so.6'], runpath='/m'),
    'add-fails': join(elf(needed=['libx.so1'], runpath='/v/fail'), elf()),
    'cache-add-fails': join(elf(needed=['libc.so.6']), elf(),
                            ldcache([('libc.so.6', '/v/fail1')])),
    'foreign-library': join(
        elf(needed=['libx.so1'], runpath='/v/a:/v/b'),
        elf(machine=EM_AARCH64)),
    'broken-library': join(
        elf(needed=['libx.so1'], runpath='/v/a:/v/b'),
        elf(needed=['liby.so'])[:100]),
    'probes-e2big': elf(needed=['l%d' % i for i in range(12)],
                        runpath=':'.join(['/n'] * 400)),
    'phdrs-past-head': phdrs_at_end(elf(needed=['libc.so.6'], pad=4200)),
    # More names than the resolver's first table of names holds.
    'many-names': join(elf(needed=['n%d1' % i for i in range(40)],
                           runpath='/v'), elf()),
    # /u/ gives a new copy at every open: many objects for few bytes, past
    # the limit on objects, and past the one on DT_NEEDED entries.
    'objects-e2big': join(elf(needed=['%d1' % i for i in range(300)],
                              runpath='/u'), elf()),
    'needed-e2big': join(elf(needed=['a1', 'b1', 'c1', 'd1'], runpath='/u'),
                         elf(needed=['x'] * 300)),
    # Paths past PATH_MAX: a long search-path entry with a long name, and
    # $ORIGIN of a library found there.
    'long-paths': join(
        elf(needed=['z' * 1200 + '1', 'l1'], runpath='/v/' + 'x' * 3000),
        elf(needed=['m2'], runpath='$ORIGIN/' + 'y' * 1500 + ':$ORIGIN'),
        elf()),
    'name-too-long': elf(needed=['n' * 4200]),
    # Hostile headers: each breaks one bound.
    'ehdr-truncated': prog[:40],
    'class32': patch(prog, 4, '<B', 1),
    'big-endian': patch(prog, 5, '<B', 2),
    'type-rel': patch(prog, 16, '<H', 1),
    'phoff-huge': patch(prog, 32, '<Q', 1 << 62),
    'phnum-huge': patch(prog, 56, '<H', 0xffff),
    'phentsize-bad': patch(prog, 54, '<H', 32),
    'phdrs-truncated': prog[:64 + 56 + 20],
    'dynamic-out-of-range': patch(prog, 64 + 56 + 8, '<Q', len(prog) - 8),
    'dynamic-filesz-huge': patch(prog, 64 + 56 + 32, '<Q', (1 << 64) - 1),
    'interp-out-of-range': patch(prog, 64 + 112 + 32, '<Q', 1 << 40),
    'interp-unterminated': prog[:-1],
    'needed-offset-huge': patch(prog, 64 + 168 + 8, '<Q', 1 << 40),
    'needed-empty-name': patch(prog, 64 + 168 + 8, '<Q', 0),
    'strtab-unmapped': patch(prog, 64 + 168 + 16 * 3 + 8, '<Q', 0x10),
    'strsz-huge': patch(prog, 64 + 168 + 16 * 4 + 8, '<Q', (1 << 64) - 1),
    'no-strsz': patch(prog, 64 + 168 + 16 * 4, '<q', 24),
    'strtab-short': patch(elf(needed=['libc.so.6']),
                                 64 + 112 + 16 * 2 + 8, '<Q', 5),
    'load-overflow': patch(prog, 64 + 16, '<Q', (1 << 64) - 0x1000),
    'no-load-two-dynamic': patch(
        patch(prog, 64 + 56 * 0, '<I', PT_DYNAMIC), 64, '<I', PT_DYNAMIC),
    # The other machine the resolver accepts, checked when built there.
    'aarch64-program-lib': join(
        elf(machine=EM_AARCH64, interp='/v/ld-linux-aarch64.so.1',
            needed=['libc.so.6'], runpath='$ORIGIN/v:/v'),
        elf(machine=EM_AARCH64, needed=['libm.so.6'])),
    'aarch64-cache': join(
        elf(machine=EM_AARCH64, needed=['libc.so.6']),
        ldcache([('libc.so.6', '/v/c0')], flags=0x0a03)),
    'aarch64-hostile': patch(elf(machine=EM_AARCH64, needed=['libc.so.6']),
                             64 + 56 + 8, '<Q', 1 << 40),
}
tiny = tiny_program()
if tiny is not None:
    elfs['real-tiny-x86_64'] = join(tiny, loader)

here = os.path.dirname(os.path.abspath(sys.argv[0]))
for corpus, files in (('decoder', seeds), ('stream', streams),
                      ('elf', elfs)):
    out = os.path.join(here, 'corpus', corpus)
    os.makedirs(out, exist_ok=True)
    for name, data in files.items():
        with open(os.path.join(out, name), 'wb') as f:
            f.write(data)
