#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""cloudabi-run checks a configuration against the table a program
publishes (PROGRAM_SCHEMA in program.h), before it starts anything.

Usage: schema_check.py CLOUDABI_RUN TYPED_SERVER HELLO ARGDATA_DUMP

examples/typed_server publishes its table. Every configuration here gives
it a log file to create and a unix socket to bind in a fresh directory:
  - a fitting one starts it: it greets one connection and exits 0;
  - misfitting ones are refused with exit status 65 and one line
    config.yaml:LINE:COLUMN: and what the program expected; nothing is
    left behind (the log file created and the socket file bound are
    removed again, the server never wrote its log);
  - --check does only the check: 0 and silent for a fitting one, creating
    nothing; the same line and 65 for a misfit;
  - --dry-run prints the table under PROGRAM EXPECTS.
examples/hello publishes none: it starts with keys of any name, as
before, and its dry run has no PROGRAM EXPECTS. argdata-dump --schema
prints typed_server's table and says hello has none (exit 1).
Unconfined (--no-sandbox), so that it runs under the sanitizers and on
kernels without Landlock as well.
"""

import os
import socket
import subprocess
import sys
import tempfile

RUN, SERVER, HELLO, DUMP = (os.path.abspath(a) for a in sys.argv[1:5])
failures = 0


def fail(msg):
    global failures
    failures += 1
    print('FAIL: ' + msg, file=sys.stderr)


def config(tmp, body):
    path = os.path.join(tmp, 'config.yaml')
    with open(path, 'w') as f:
        f.write('%TAG ! tag:nuxi.nl,2015:cloudabi/\n---\n' +
                body.format(tmp=tmp))
    return path


FITTING = '''log: !file {{path: {tmp}/log, access: write, create: true}}
listen: !socket {{bind: {tmp}/sock}}
greeting: "hi\\n"
connections: 1
'''

# (configuration, the error line after "config.yaml:")
MISFITS = [
    ('log: !file {{path: {tmp}/log, access: write, create: true}}\n'
     'listen: !file {{path: {tmp}/other, access: write, create: true}}\n',
     '4:9: listen: this program expects a listening stream socket, '
     'found !file'),
    (FITTING + 'colour: blue\n',
     '7:1: colour: this program expects no such key (its keys: log, '
     'listen, greeting, connections)'),
    (FITTING.replace('connections: 1', 'connections: -1'),
     '6:14: connections: this program expects an integer from 0 to '
     '4294967295, found -1'),
    (FITTING.replace('"hi\\n"', '12'),
     '5:11: greeting: this program expects a string, found 12'),
    ('log: !file {{path: {tmp}/log, access: write, create: true}}\n',
     '3:1: listen: missing: this program expects a listening stream '
     'socket'),
    (FITTING.replace('bind: {tmp}/sock', 'bind: {tmp}/sock, type: dgram'),
     '4:9: listen: this program expects a listening stream socket, found '
     '!socket that is not a listening stream socket'),
    (FITTING.replace('access: write', 'access: read'),
     '3:6: log: this program expects a descriptor open for writing, found '
     '!file that is not open for writing'),
    ('- {{log: !fd stderr}}\n',
     '3:1: this program expects a map of keys, found a sequence'),
]


def run(args, **kw):
    return subprocess.run([RUN, '--no-sandbox'] + args, capture_output=True,
                          text=True, timeout=30, **kw)


def left(tmp):
    return sorted(n for n in os.listdir(tmp) if n != 'config.yaml')


def test_fitting():
    with tempfile.TemporaryDirectory() as tmp:
        cfg = config(tmp, FITTING)
        r = run(['--check', SERVER, cfg])
        if r.returncode != 0 or r.stdout or r.stderr or left(tmp):
            fail(f'--check of a fitting configuration: {r}, {left(tmp)}')
        r = run(['--dry-run', SERVER, cfg])
        want = ('\nPROGRAM EXPECTS\n'
                '  log          a descriptor open for writing\n'
                '  listen       a listening stream socket, required\n'
                '  greeting     a string\n'
                '  connections  an integer from 0 to 4294967295\n')
        if r.returncode != 0 or not r.stdout.endswith(want):
            fail(f'--dry-run does not end with the table: {r}')
        p = subprocess.Popen([RUN, '--no-sandbox', SERVER, cfg])
        # The socket file exists once cloudabi-run has bound it; the
        # connection waits in the backlog until the server accepts it.
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        for _ in range(3000):
            try:
                s.connect(os.path.join(tmp, 'sock'))
                break
            except (FileNotFoundError, ConnectionRefusedError):
                if p.poll() is not None:
                    break
                os.sched_yield()
        got = s.recv(64) if s.fileno() >= 0 else b''
        s.close()
        status = p.wait(timeout=30)
        if got != b'hi\n' or status != 0:
            fail(f'fitting start: got {got!r}, status {status}')


def test_misfits():
    for body, line in MISFITS:
        for check in ([], ['--check']):
            with tempfile.TemporaryDirectory() as tmp:
                cfg = config(tmp, body)
                r = run(check + [SERVER, cfg])
                want = f'{cfg}:{line}\n'
                if r.returncode != 65 or r.stderr != want or r.stdout:
                    fail(f'{check} {body!r}: status {r.returncode}, '
                         f'stderr {r.stderr!r}, not {want!r}')
                if left(tmp):
                    fail(f'{check} {body!r}: left {left(tmp)}')


def test_no_table():
    with tempfile.TemporaryDirectory() as tmp:
        cfg = config(tmp, 'fds: [!fd stdout]\ncolour: blue\n')
        r = run([HELLO, cfg])
        if r.returncode != 0 or 'Hello' not in r.stdout:
            fail(f'hello without a table did not start: {r}')
        r = run(['--dry-run', HELLO, cfg])
        if r.returncode != 0 or 'PROGRAM EXPECTS' in r.stdout:
            fail(f'hello dry run: {r}')
        r = run(['--check', HELLO, cfg])
        if r.returncode != 0 or r.stdout or r.stderr:
            fail(f'hello --check: {r}')


def test_dump():
    r = subprocess.run([DUMP, '--schema', SERVER], capture_output=True,
                       text=True, timeout=30)
    if r.returncode != 0 or not r.stdout.startswith(
            'PROGRAM EXPECTS\n  log          a descriptor open for '
            'writing\n'):
        fail(f'argdata-dump --schema typed_server: {r}')
    r = subprocess.run([DUMP, '--schema', HELLO], capture_output=True,
                       text=True, timeout=30)
    if r.returncode != 1 or 'publishes no table' not in r.stderr:
        fail(f'argdata-dump --schema hello: {r}')


test_fitting()
test_misfits()
test_no_table()
test_dump()
sys.exit(1 if failures else 0)
