#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""argdata-dump(1) shows the JSON forms as the tool writes them.

Usage: man_forms.py MANDOC ARGDATA_DUMP PAGE

The page is rendered with mandoc; its list of JSON forms must show each
form as written (no macro names such as "Ns" or "Ar" leaking into the text,
no quotes dropped), and the forms the tool prints for a binary value, the
page's timestamp, a NaN, a descriptor and one flagged as not received must
appear in it as the tool prints them (with the page's placeholders for
the number and the base64 text).
"""

import os
import re
import socket
import struct
import subprocess
import sys

MANDOC, TOOL, PAGE = sys.argv[1:4]
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL", what)
    else:
        print("ok  ", what)


def tool(args, data):
    return subprocess.run([TOOL] + args, input=data, capture_output=True,
                          check=True).stdout


def main():
    page = subprocess.run([MANDOC, "-Tascii", PAGE], capture_output=True,
                          check=True).stdout.decode()
    # Undo overstriking (bold, underline) and join the text into one line.
    page = re.sub(".\b", "", page)
    text = " ".join(page.split())
    for leak in (" Ns ", " Ar ", " Li ", "\\(dq"):
        check(leak not in text, "no %r in the rendered page" % leak)

    data = tool(["-e"], b"- !!binary AAEC\n"
                b"- !!timestamp 2023-11-14T22:13:20.123456789Z\n"
                b"- .nan\n- !fd 5\n")
    forms = [line.strip().rstrip(",")
             for line in tool(["-j"], data).decode().splitlines()[1:-1]]
    forms = [f.replace('"AAEC"', '"base64"').replace(": 5}", ": N}")
             for f in forms]
    # A descriptor that did not come with its message: sent on a socket
    # with none.
    a, b = socket.socketpair()
    value = bytes([0x03, 0, 0, 0, 5])
    a.sendall(struct.pack(">Q", len(value)) + value)
    a.close()
    p = subprocess.run([TOOL, "-s", "-j"], stdin=b, capture_output=True)
    b.close()
    forms.append(p.stdout.decode().strip())
    check(len(forms) == 5, "the tool printed %r" % forms)
    for form in forms:
        check(form in text, "the page shows %s" % form)
    print("%d failures" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
