#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Compares the symbols a shared library exports with the declarations
marked ARGDATA_API in the public headers: each side must have exactly the
names of the other.

usage: symbols.py NM LIBRARY HEADER...
"""
import re
import subprocess
import sys


def exported(nm, library):
    out = subprocess.run([nm, '-D', '--defined-only', library],
                         capture_output=True, text=True, check=True).stdout
    names = set()
    for line in out.splitlines():
        fields = line.split()
        # Version nodes (ARGDATA_0) are absolute symbols, not functions.
        if len(fields) < 3 or fields[1] == 'A':
            continue
        names.add(fields[2].split('@')[0])
    return names


def declared(headers):
    names = set()
    for header in headers:
        with open(header) as f:
            text = f.read()
        # The name is the last identifier before "(" or ";"; lines starting
        # with # (the definition of ARGDATA_API itself) do not count.
        for m in re.finditer(r'^[ \t]*ARGDATA_API\b([^;(]*)', text, re.M):
            names.add(re.findall(r'[A-Za-z_]\w*', m.group(1))[-1])
    return names


def main(argv):
    nm, library, rest = argv[1], argv[2], argv[3:]
    lib, decl = exported(nm, library), declared(rest)
    if not decl:
        print('no ARGDATA_API declaration found in', ' '.join(rest))
        return 1
    status = 0
    for name in sorted(lib - decl):
        print('exported but not declared:', name)
        status = 1
    for name in sorted(decl - lib):
        print('declared but not exported:', name)
        status = 1
    print(f'{len(lib)} exported, {len(decl)} declared')
    return status


if __name__ == '__main__':
    sys.exit(main(sys.argv))
