#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""examples/webserver started by cloudabi-run with examples/webserver.yaml.

Usage: webserver.py CLOUDABI_RUN WEBSERVER WEBSERVER_YAML [--no-sandbox]

The configuration is the example's, with its port replaced by 0, so that
the kernel picks a free one; the server logs the address it listens on
before anything else, and the test reads that line from the log (its
standard error, a pipe) to learn the port: no guessing, no waiting. Two
requests are answered with the configured message and logged one line
each; the server holds exactly its two descriptors (the socket and the
log); SIGTERM stops it and nothing is left running.

Confined by cloudabi-run's sandbox, unless the build is sanitized (the
sanitizer's run-time reads /proc) or the kernel cannot confine it
(cloudabi-run's dry run says "refused:"), and CI's
ARGDATA_TEST_REQUIRE_SANDBOX turns the latter into a failure.
"""

import os
import re
import select
import signal
import socket
import subprocess
import sys
import tempfile
import time

RUN, SERVER, YAML = (os.path.abspath(a) for a in sys.argv[1:4])
OPTIONS = sys.argv[4:]
DEADLINE = 30
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL", what)
    else:
        print("ok  ", what)


def run_options():
    if "--no-sandbox" in OPTIONS:
        return OPTIONS
    dry = subprocess.run([RUN, "--dry-run", SERVER, YAML],
                         capture_output=True).stdout
    if b"\nrefused: " in dry:
        if "ARGDATA_TEST_REQUIRE_SANDBOX" in os.environ:
            check(False, "the sandbox is required but refused")
        print("this kernel cannot confine: cloudabi-run gets --no-sandbox")
        return ["--no-sandbox"] + OPTIONS
    return OPTIONS


def log_line(proc, buf):
    """The next line of the server's log, read until the deadline; None
    when the server exits or the deadline passes first."""
    end = time.monotonic() + DEADLINE
    while b"\n" not in buf[0]:
        left = end - time.monotonic()
        if left <= 0:
            return None
        ready, _, _ = select.select([proc.stderr], [], [], left)
        if not ready:
            return None
        chunk = os.read(proc.stderr.fileno(), 4096)
        if not chunk:
            return None
        buf[0] += chunk
    line, buf[0] = buf[0].split(b"\n", 1)
    return line.decode("utf-8", "replace")


def fetch(port, path):
    with socket.create_connection(("127.0.0.1", port), timeout=DEADLINE) as s:
        local_port = s.getsockname()[1]
        s.sendall(("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                   % path).encode())
        answer = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            answer += chunk
    return local_port, answer


def main():
    with open(YAML) as f:
        text = f.read()
    check("bind: 127.0.0.1:8080" in text,
          "the example binds 127.0.0.1:8080")
    message = re.search(r'^message: "(.*)"$', text, re.M).group(1)
    message = message.replace("\\n", "\n").encode()
    options = run_options()

    with tempfile.TemporaryDirectory() as tmp:
        config = os.path.join(tmp, "webserver.yaml")
        with open(config, "w") as f:
            f.write(text.replace("127.0.0.1:8080", "127.0.0.1:0"))
        proc = subprocess.Popen([RUN] + options + [SERVER, config],
                                stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE)
        buf = [b""]
        try:
            first = log_line(proc, buf)
            m = re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ listening on "
                             r"127\.0\.0\.1:(\d+)", first or "")
            check(m is not None, "first log line %r" % (first,))
            if m is None:
                proc.kill()
                rest = proc.communicate(timeout=DEADLINE)[1]
                print((buf[0] + rest).decode("utf-8", "replace"))
                return 1
            port = int(m.group(1))

            for path in ("/", "/second"):
                local_port, answer = fetch(port, path)
                head, _, body = answer.partition(b"\r\n\r\n")
                check(head.startswith(b"HTTP/1.1 200 OK\r\n"),
                      "GET %s: status line in %r" % (path, head))
                check(b"\r\nContent-Length: %d\r\n" % len(message)
                      in head + b"\r\n",
                      "GET %s: Content-Length %d" % (path, len(message)))
                check(body == message, "GET %s: body %r" % (path, body))
                line = log_line(proc, buf)
                want = (r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ 127\.0\.0\.1:%d: "
                        r"GET %s HTTP/1\.1" % (local_port, re.escape(path)))
                check(line is not None and re.fullmatch(want, line),
                      "GET %s: log line %r" % (path, line))

            # Exactly its two descriptors: the socket and the log.
            fds = sorted(int(n) for n in
                         os.listdir("/proc/%d/fd" % proc.pid))
            check(fds == [0, 1], "the server holds descriptors %r" % fds)
            check(os.readlink("/proc/%d/fd/0" % proc.pid)
                  .startswith("socket:"), "descriptor 0 is the socket")
            check(proc.poll() is None, "the server is still running")
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=DEADLINE)
            proc.stderr.close()
        check(proc.returncode == -signal.SIGTERM,
              "stopped by SIGTERM (status %d)" % proc.returncode)
    print("%d failures" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
