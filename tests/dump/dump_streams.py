#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""argdata-dump on streams, sockets and damaged data.

Usage: dump_streams.py ARGDATA_DUMP RANDOM_TREES [CLOUDABI_RUN]

- Thousands of damaged messages (random trees with bytes flipped, cut,
  inserted, or plain random bytes) in one --stream input: in every format
  the tool exits 0 or 1, never crashes, reports each defect as
  "NAME: message N: offset M: reason", prints every valid message, and
  its YAML for them reads back with PyYAML.
- Random trees printed with --json read back to the same values, and
  printed as YAML, loaded back by --encode (cloudabi-run's loader).
- Started by cloudabi-run, the tool shows its own start-up data.
- Random files without framing: exit 0 or 1, never a crash.
- Messages with descriptors over a socketpair (standard input) and over a
  unix socket named on the command line; the descriptors a message brings
  are closed once it is printed; descriptor numbers beyond those a message
  brought are flagged in every format and reported.
"""

import base64
import json
import math
import os
import random
import re
import select
import socket
import struct
import subprocess
import sys
import tempfile
import threading

from argdata_py import decode, read_messages

TOOL, TREES = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
RUN = os.path.abspath(sys.argv[3]) if len(sys.argv) > 3 else None
# Options for cloudabi-run: --no-sandbox in sanitized builds, whose
# run-time cannot start inside the sandbox (it reads /proc), and on a
# kernel that cannot confine (cloudabi-run's dry run says "refused:"),
# unless ARGDATA_TEST_REQUIRE_SANDBOX asks for the sandbox, as CI does.
RUN_OPTIONS = sys.argv[4:]
if (RUN and '--no-sandbox' not in RUN_OPTIONS
        and 'ARGDATA_TEST_REQUIRE_SANDBOX' not in os.environ):
    dry = subprocess.run([RUN, '--dry-run', RUN, '-'], input=b'~\n',
                         capture_output=True).stdout
    if b'\nrefused: ' in dry:
        print('this kernel cannot confine: cloudabi-run gets --no-sandbox')
        RUN_OPTIONS = ['--no-sandbox'] + RUN_OPTIONS
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL", what)


def frame(data):
    return struct.pack(">Q", len(data)) + data


def messages(blob):
    pos = 0
    while pos < len(blob):
        (n,) = struct.unpack(">Q", blob[pos:pos + 8])
        yield blob[pos + 8:pos + 8 + n]
        pos += 8 + n


def damage(rng, data):
    kind = rng.randrange(5)
    data = bytearray(data)
    if kind == 0 and data:
        for _ in range(rng.randrange(1, 4)):
            data[rng.randrange(len(data))] = rng.randrange(256)
    elif kind == 1 and data:
        del data[rng.randrange(len(data)):]
    elif kind == 2:
        data.insert(rng.randrange(len(data) + 1), rng.randrange(256))
    elif kind == 3:
        data = bytearray(rng.randrange(256)
                         for _ in range(rng.randrange(40)))
    return bytes(data)


def run(args, stdin=None, input_bytes=None):
    return subprocess.run(["argdata-dump"] + args, executable=TOOL,
                          stdin=stdin, input=input_bytes,
                          capture_output=True)


def damaged_stream(tmp):
    rng = random.Random(5)
    binary = os.path.join(tmp, "trees.bin")
    subprocess.run([TREES, "7", "400", binary, os.devnull], check=True)
    with open(binary, "rb") as f:
        originals = list(messages(f.read()))
    stream = []
    for m in originals:
        stream.append(m)
        for _ in range(6):
            stream.append(damage(rng, m))
    path = os.path.join(tmp, "damaged.stream")
    with open(path, "wb") as f:
        f.write(b"".join(frame(m) for m in stream))

    line = re.compile(r"^damaged\.stream: message (\d+): offset (\d+): "
                      r"[a-zA-Z0-9 -]+$")
    invalid = None
    for fmt in ("-y", "-j", "-x"):
        p = subprocess.run(["argdata-dump", "-s", fmt, "damaged.stream"],
                           executable=TOOL, cwd=tmp, capture_output=True)
        check(p.returncode == 1, "%s: exit status %d" % (fmt, p.returncode))
        errors = p.stderr.decode().splitlines()
        check(all(line.match(e) for e in errors),
              "%s: error lines %r" % (fmt, [e for e in errors
                                            if not line.match(e)][:3]))
        numbers = [int(line.match(e).group(1)) for e in errors
                   if line.match(e)]
        if invalid is None:
            invalid = numbers
        check(numbers == invalid, "%s: the same defects in every format"
              % fmt)
        out = p.stdout.decode("utf-8")
        if fmt == "-y":
            docs = out.split("\n...\n")[:-1]
            check(len(docs) + len(errors) == len(stream),
                  "-y: %d documents and %d errors for %d messages"
                  % (len(docs), len(errors), len(stream)))
            try:
                import yaml
            except ImportError:
                yaml = None
            if yaml is not None:
                class Loader(yaml.SafeLoader):
                    pass
                Loader.add_constructor(
                    "tag:nuxi.nl,2015:cloudabi/fd",
                    lambda ld, n: ("fd", ld.construct_scalar(n)))
                # Timestamps beyond struct timespec print as !!invalid.
                Loader.add_constructor(
                    "tag:yaml.org,2002:invalid",
                    lambda ld, n: ("invalid",))
                # Years outside 1-9999 are beyond PyYAML's timestamps.
                Loader.add_constructor(
                    "tag:yaml.org,2002:timestamp",
                    lambda ld, n: ld.construct_scalar(n))
                Loader.add_constructor(
                    "tag:yaml.org,2002:map",
                    lambda ld, n: [(ld.construct_object(k, deep=True),
                                    ld.construct_object(v, deep=True))
                                   for k, v in n.value])
                for d in docs:
                    yaml.load(d + "\n...\n", Loader=Loader)
        if fmt == "-x":
            check(out.count("# message ") == len(stream),
                  "-x: a header for every message")
    check(invalid and len(invalid) < len(stream),
          "some messages valid, some not")
    print("%d damaged messages, %d invalid" % (len(stream), len(invalid)))


def expected_json(v):
    """What --json must print for a decoded value, as json.loads reads it
    with object_pairs_hook=lambda p: ("obj", p)."""
    if isinstance(v, float):
        if math.isnan(v):
            return ("obj", [("$float", "nan")])
        if math.isinf(v):
            return ("obj", [("$float", "inf" if v > 0 else "-inf")])
        return v
    if isinstance(v, bytes):
        return ("obj", [("$binary", base64.b64encode(v).decode())])
    if isinstance(v, list):
        return [expected_json(x) for x in v]
    if isinstance(v, tuple) and v[0] == "fd":
        return ("obj", [("$fd", v[1])])
    if isinstance(v, tuple) and v[0] == "ts":
        return "timestamp"
    if isinstance(v, tuple) and v[0] == "map":
        if all(isinstance(k, str) and not k.startswith("$") for k, _ in v[1]):
            return ("obj", [(k, expected_json(x)) for k, x in v[1]])
        return ("obj", [("$map", [[expected_json(k), expected_json(x)]
                                  for k, x in v[1]])])
    return v


def same_json(a, b, path="$"):
    if b == "timestamp":
        ok = (isinstance(a, tuple) and len(a[1]) == 1 and
              a[1][0][0] in ("$timestamp", "$invalid"))
        check(ok, "%s: %r is not a timestamp" % (path, a))
        return ok
    if isinstance(a, float) and isinstance(b, float):
        ok = a == b and math.copysign(1, a) == math.copysign(1, b)
    elif type(a) is not type(b):
        ok = False
    elif isinstance(a, (list, tuple)):
        ok = len(a) == len(b) and all(
            same_json(x, y, "%s[%d]" % (path, i))
            for i, (x, y) in enumerate(zip(a, b)))
        return ok
    else:
        ok = a == b
    check(ok, "%s: %r != %r" % (path, a, b))
    return ok


def json_round_trip(tmp):
    """--json of random trees reads back (json module) as the same values."""
    binary = os.path.join(tmp, "valid.bin")
    subprocess.run([TREES, "11", "500", binary, os.devnull], check=True)
    with open(binary, "rb") as f:
        expected = [decode(m) for m in read_messages(f.read())]
    p = subprocess.run(["argdata-dump", "-s", "-j", binary],
                       executable=TOOL, capture_output=True)
    check(p.returncode == 0, "json: exit status %d" % p.returncode)
    text, pos, docs = p.stdout.decode("utf-8"), 0, []
    decoder = json.JSONDecoder(object_pairs_hook=lambda p: ("obj", p))
    while pos < len(text):
        value, end = decoder.raw_decode(text, pos)
        docs.append(value)
        pos = end
        while pos < len(text) and text[pos] == "\n":
            pos += 1
    check(len(docs) == len(expected), "json: %d documents" % len(docs))
    for i, (got, want) in enumerate(zip(docs, expected)):
        if not same_json(got, expected_json(want), "tree %d" % i):
            break


def same_value(a, b):
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or (
            a == b and math.copysign(1, a) == math.copysign(1, b))
    if type(a) is not type(b):
        return False
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same_value(x, y)
                                        for x, y in zip(a, b))
    return a == b


def loader_round_trip(tmp):
    """YAML printed for random trees, loaded by cloudabi-run's loader
    (argdata-dump --encode), gives the same trees back."""
    binary = os.path.join(tmp, "small.bin")
    text = os.path.join(tmp, "small.yaml")
    subprocess.run([TREES, "13", "300", binary, text, "small-ints"],
                   check=True)
    with open(binary, "rb") as f:
        originals = list(read_messages(f.read()))
    with open(text, "rb") as f:
        docs = f.read().split(b"\n...\n")[:-1]
    check(len(docs) == len(originals), "loader: %d documents" % len(docs))
    for i, (doc, original) in enumerate(zip(docs, originals)):
        p = run(["-e"], input_bytes=doc + b"\n...\n")
        ok = p.returncode == 0 and same_value(decode(p.stdout),
                                              decode(original))
        check(ok, "loader: tree %d: %d %r\n%s" % (
            i, p.returncode, p.stderr, doc.decode()[:2000]))
        if not ok:
            break


def random_files():
    rng = random.Random(9)
    for i in range(60):
        data = bytes(rng.randrange(256) for _ in range(rng.randrange(64)))
        if i % 2:
            data = bytes([rng.choice([6, 7])]) + data
        for fmt in ("-y", "-j", "-x"):
            p = run([fmt], input_bytes=data)
            check(p.returncode in (0, 1),
                  "random %r %s: exit status %d" % (data, fmt,
                                                    p.returncode))


# [fd 0, fd 1]: the descriptors sent with the message.
TWO_FDS = bytes([0x07, 0x85, 0x03, 0, 0, 0, 0, 0x85, 0x03, 0, 0, 0, 1])


def send_with_fds(sock):
    r, w = os.pipe()
    null = os.open(os.devnull, os.O_RDONLY)
    socket.send_fds(sock, [frame(TWO_FDS)], [r, null])
    sock.sendall(frame(b"\x05\x2a"))
    for fd in (r, w, null):
        os.close(fd)


def socketpair_stdin():
    for fmt, want in (("-y", "- !fd 0\n- !fd 1\n"),
                      ("-x", "# message 1: 13 bytes, 2 descriptors\n")):
        a, b = socket.socketpair()
        proc = subprocess.Popen(["argdata-dump", "-s", fmt],
                                executable=TOOL, stdin=b,
                                stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        b.close()
        send_with_fds(a)
        a.close()
        out, err = proc.communicate(timeout=30)
        check(proc.returncode == 0 and err == b"",
              "socketpair %s: %d %r" % (fmt, proc.returncode, err))
        check(want in out.decode(), "socketpair %s: %r" % (fmt, out))
        check(("42" if fmt == "-y" else "int 42") in out.decode(),
              "socketpair %s: second message" % fmt)


def unreceived_fds():
    """Descriptor numbers beyond those that came with a message are flagged
    in every format, and reported; a message that brought all it refers to
    is not. From a file, where nothing can come, numbers are not flagged
    (the golden config.stream shows that)."""
    # [fd 0, fd 1, fd 2, fd 2] with one descriptor; fd 0 with none; then
    # TWO_FDS with its two.
    short = bytes([0x07] + [0x85, 0x03, 0, 0, 0, 0] +
                  [0x85, 0x03, 0, 0, 0, 1] + [0x85, 0x03, 0, 0, 0, 2] +
                  [0x85, 0x03, 0, 0, 0, 2])
    cases = {
        "-y": ["# not received: fd 1, fd 2 (1 descriptor came with it)\n"
               "%TAG ! tag:nuxi.nl,2015:cloudabi/\n---\n- !fd 0\n",
               "# not received: fd 0 (0 descriptors came with it)\n"
               "%TAG ! tag:nuxi.nl,2015:cloudabi/\n--- !fd 0\n"],
        "-j": ['[\n  {"$fd": 0},\n  {"$fd": 1, "$received": false},\n'
               '  {"$fd": 2, "$received": false},\n'
               '  {"$fd": 2, "$received": false}\n]\n'
               '{"$fd": 0, "$received": false}\n'],
        "-x": ["  03 00 00 00 00             fd 0\n",
               "  03 00 00 00 02             fd 2 (not received)\n",
               "# message 2: 5 bytes, 0 descriptors\n"
               "00000000  03 00 00 00 00           fd 0 (not received)\n"],
    }
    for fmt, wants in cases.items():
        a, b = socket.socketpair()
        proc = subprocess.Popen(["argdata-dump", "-s", fmt],
                                executable=TOOL, stdin=b,
                                stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        b.close()
        null = os.open(os.devnull, os.O_RDONLY)
        socket.send_fds(a, [frame(short)], [null])
        a.sendall(frame(bytes([0x03, 0, 0, 0, 0])))
        send_with_fds(a)
        os.close(null)
        a.close()
        out, err = proc.communicate(timeout=30)
        out = out.decode()
        check(proc.returncode == 1, "unreceived %s: status %d"
              % (fmt, proc.returncode))
        check(err.decode() ==
              "<stdin>: message 1: refers to descriptors that did not come "
              "with it: fd 1, fd 2 (1 did)\n"
              "<stdin>: message 2: refers to descriptors that did not come "
              "with it: fd 0 (0 did)\n",
              "unreceived %s: stderr %r" % (fmt, err))
        for want in wants:
            check(want in out, "unreceived %s: %r in %r" % (fmt, want, out))
        # The third message brought both of its descriptors.
        flag = {"-y": "# not received", "-j": '"$received": false',
                "-x": "(not received)"}[fmt]
        check(out.count(flag) == (2 if fmt == "-y" else 4),
              "unreceived %s: only the first two messages flagged: %r"
              % (fmt, out))


def received_fds_closed():
    """The tool closes the descriptors of a message once it is printed.

    The write end of a pipe travels in a message; while the tool waits for
    the next message, the read end must see end-of-file, which it does only
    when no copy of the write end is left open anywhere.
    """
    a, b = socket.socketpair()
    proc = subprocess.Popen(["argdata-dump", "-s"], executable=TOOL,
                            stdin=b, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    b.close()
    r, w = os.pipe()
    socket.send_fds(a, [frame(bytes([0x03, 0, 0, 0, 0]))], [w])
    os.close(w)
    ready, _, _ = select.select([r], [], [], 30)
    check(ready and os.read(r, 1) == b"",
          "the descriptor of a printed message is closed")
    check(proc.poll() is None, "the tool was still waiting meanwhile")
    os.close(r)
    a.close()
    out, err = proc.communicate(timeout=30)
    check(proc.returncode == 0 and b"--- !fd 0\n" in out,
          "received_fds_closed: %d %r %r" % (proc.returncode, out, err))


def unix_socket_path(tmp):
    path = os.path.join(tmp, "sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(1)

    def serve():
        conn, _ = server.accept()
        send_with_fds(conn)
        conn.close()

    t = threading.Thread(target=serve)
    t.start()
    p = subprocess.run(["argdata-dump", "--stream", path],
                       executable=TOOL, capture_output=True, timeout=30)
    t.join()
    server.close()
    check(p.returncode == 0 and b"- !fd 1\n" in p.stdout,
          "unix socket: %d %r %r" % (p.returncode, p.stdout, p.stderr))


def startup_data(tmp):
    """Started by cloudabi-run, the tool shows its own start-up data."""
    config = os.path.join(tmp, "self.yaml")
    with open(config, "w") as f:
        f.write("- !fd stdin\n- !fd stdout\n- !fd stderr\n"
                "- {a: 1, b: [x, y]}\n")
    p = subprocess.run([RUN] + RUN_OPTIONS + [TOOL, config],
                       stdin=subprocess.DEVNULL,
                       capture_output=True, timeout=30)
    want = (b"---\n- !fd 0\n- !fd 1\n- !fd 2\n- a: 1\n  b:\n    - x\n"
            b"    - \"y\"\n...\n")
    check(p.returncode == 0 and p.stdout.endswith(want),
          "start-up data: %d %r %r" % (p.returncode, p.stdout, p.stderr))


def main():
    with tempfile.TemporaryDirectory() as tmp:
        damaged_stream(tmp)
        json_round_trip(tmp)
        loader_round_trip(tmp)
        if RUN is not None:
            startup_data(tmp)
        unix_socket_path(tmp)
    random_files()
    socketpair_stdin()
    unreceived_fds()
    received_fds_closed()
    print("%d failures" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
