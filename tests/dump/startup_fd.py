#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""ARGDATA_FD read the same way by argdata-main and argdata-dump.

Usage: startup_fd.py ARGDATA_DUMP HELLO

HELLO is examples/hello, a program linked with argdata-main. Both get the
same environment for every value of ARGDATA_FD: values that are not plain
decimal digits within INT_MAX (a sign, a space, "0x", too large) make both
refuse in one line naming the value (argdata-main with status 66,
argdata-dump with 2), and so does a number that names no start-up data;
digits naming a memfd holding the data, leading zeros included, make both
read it. Also: argdata-dump flags, in the start-up data, descriptor
numbers at or above ARGDATA_FD's, which the process never received.
"""

import os
import subprocess
import sys

DUMP, HELLO = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL", what)
    else:
        print("ok  ", what)


def fd_value(n):
    return bytes([0x03]) + n.to_bytes(4, "big")


def terminal_map(n):
    """{terminal: !fd n}: hello writes "Hello, world" to it."""
    key = b"\x08terminal\x00"
    value = fd_value(n)
    return (b"\x06" + bytes([0x80 | len(key)]) + key +
            bytes([0x80 | len(value)]) + value)


def memfd(data):
    fd = os.memfd_create("startup", 0)
    os.write(fd, data)
    os.lseek(fd, 0, os.SEEK_SET)
    return fd


def run(prog, value, fd=None):
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LD_LIBRARY_PATH"):
        if k in os.environ:
            env[k] = os.environ[k]
    env["ARGDATA_FD"] = value
    return subprocess.run([prog], env=env, stdin=subprocess.DEVNULL,
                          capture_output=True,
                          pass_fds=() if fd is None else (fd,), timeout=30)


def refused():
    closed = os.open(os.devnull, os.O_RDONLY)
    os.close(closed)
    for value in ("", "+3", "-3", " 3", "3 ", "0x3", "3a", "2147483648",
                  "99999999999999999999", str(closed)):
        main = run(HELLO, value)
        err = main.stderr.decode("utf-8", "replace")
        check(main.returncode == 66 and err.count("\n") == 1 and
              ("ARGDATA_FD=%s does not name the start-up argdata" % value)
              in err,
              "argdata-main refuses ARGDATA_FD=%r: %d %r"
              % (value, main.returncode, err))
        dump = run(DUMP, value)
        err = dump.stderr.decode("utf-8", "replace")
        check(dump.returncode == 2 and dump.stdout == b"" and
              err == ("argdata-dump: ARGDATA_FD=%s does not name the "
                      "start-up argdata\n" % value),
              "argdata-dump refuses ARGDATA_FD=%r: %d %r"
              % (value, dump.returncode, err))


def accepted():
    for zeros in ("", "0", "000"):
        fd = memfd(terminal_map(1))
        try:
            value = zeros + str(fd)
            main = run(HELLO, value, fd)
            check(main.returncode == 0 and main.stdout == b"Hello, world\n",
                  "argdata-main reads ARGDATA_FD=%s: %d %r %r"
                  % (value, main.returncode, main.stdout, main.stderr))
            dump = run(DUMP, value, fd)
            check(dump.returncode == 0 and
                  dump.stdout.endswith(b"---\nterminal: !fd 1\n...\n") and
                  b"not received" not in dump.stdout,
                  "argdata-dump reads ARGDATA_FD=%s: %d %r %r"
                  % (value, dump.returncode, dump.stdout, dump.stderr))
        finally:
            os.close(fd)


def unreceived():
    """Start-up data whose descriptor numbers reach ARGDATA_FD's or beyond:
    the process holds only the descriptors below it."""
    fd = memfd(b"")
    data = (b"\x07\x85" + fd_value(0) + b"\x85" + fd_value(fd) +
            b"\x85" + fd_value(fd + 5))
    os.write(fd, data)
    os.lseek(fd, 0, os.SEEK_SET)
    try:
        dump = run(DUMP, str(fd), fd)
        out = dump.stdout.decode()
        want = ("# not received: fd %d, fd %d (%d descriptors came with it)\n"
                "%%TAG ! tag:nuxi.nl,2015:cloudabi/\n---\n- !fd 0\n"
                % (fd, fd + 5, fd))
        check(dump.returncode == 1 and out.startswith(want),
              "start-up data: unreceived descriptors flagged: %d %r"
              % (dump.returncode, out))
        check(dump.stderr.decode() ==
              "<start-up data>: refers to descriptors that did not come "
              "with it: fd %d, fd %d (%d did)\n" % (fd, fd + 5, fd),
              "start-up data: reported %r" % dump.stderr)
    finally:
        os.close(fd)


def main():
    refused()
    accepted()
    unreceived()
    print("%d failures" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
