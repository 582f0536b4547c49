#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""The usage of cloudabi-run --help says what cloudabi-run(1)'s SYNOPSIS
says, word for word (spacing aside).

    synopsis.py MANDOC CLOUDABI-RUN PAGE
"""
import re
import subprocess
import sys


def words(text):
    return " ".join(text.split())


def main():
    mandoc, tool, page = sys.argv[1:4]
    man = subprocess.run([mandoc, "-Tascii", "-O", "width=500", page],
                         capture_output=True, text=True, check=True).stdout
    man = re.sub(".\b", "", man)
    synopsis = man.split("SYNOPSIS", 1)[1].split("DESCRIPTION", 1)[0]
    forms = [words(line) for line in synopsis.splitlines() if line.strip()]

    out = subprocess.run([tool, "--help"], capture_output=True, text=True,
                         check=True).stdout
    usage = out.split("\n\n", 1)[0].replace("usage:", "", 1)
    # A form starts at each "cloudabi-run"; continuation lines join it.
    got = [words("cloudabi-run" + f) for f in usage.split("cloudabi-run")[1:]]
    if got != forms:
        print("usage:    %r\nSYNOPSIS: %r" % (got, forms))
        return 1
    print("1 passed, 0 failed")
    return 0


sys.exit(main())
