#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Real programs under cloudabi-run, end to end: lighttpd serving a granted
read-only directory through socket activation, fetched over 127.0.0.1;
sh -c running granted programs (ls, wc) over a granted directory; python3
running a script from a granted directory with a file as its standard
input, and as a #! script. Each checks the program's descriptor table and
environment against its configuration, and each denial beside a control
(unconfined, or without the grant) in which the same attempt works.

usage: test_programs.py CLOUDABI_RUN
"""

import ast
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import textwrap
import unittest
import urllib.error
import urllib.request

RUN = None
TIMEOUT = 30
# The process's own /proc entry: a symbolic link, followed when asked.
PROC = "{path: /proc/self, follow: true}"
PYTHON = "/usr/bin/python3"
PYLIB = None  # the standard library of PYTHON, which may not be ours


def sandbox_works():
    """Whether this kernel can confine: cloudabi-run refuses otherwise."""
    r = subprocess.run([RUN, "/bin/true", "-"], input=b"!plain\n",
                       capture_output=True, timeout=TIMEOUT)
    return r.returncode == 0, r.stderr.decode()


class Case(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="argdata-programs.")
        # A descriptor of the test's own, inheritable: it must not leak.
        self.canary = os.open(self.dir, os.O_RDONLY | os.O_DIRECTORY)
        os.set_inheritable(self.canary, True)

    def tearDown(self):
        os.close(self.canary)
        shutil.rmtree(self.dir)

    def path(self, *names):
        return os.path.join(self.dir, *names)

    def write(self, name, text, mode=0o644):
        with open(self.path(name), "w") as f:
            f.write(text)
        os.chmod(self.path(name), mode)
        return self.path(name)

    def run_cli(self, program, config, opts=(), args=(), stdin=None):
        cfg = self.write("config.yaml", textwrap.dedent(config))
        argv = [RUN, *opts, program, cfg]
        if args:
            argv += ["--", *args]
        return subprocess.run(argv, capture_output=True, timeout=TIMEOUT,
                              stdin=stdin, pass_fds=(self.canary,))


def fd_table(ls_output):
    """{number: target} from the lines of ls -l /proc/PID/fd."""
    table = {}
    for line in ls_output.splitlines():
        if " -> " in line:
            left, target = line.split(" -> ", 1)
            table[int(left.split()[-1])] = target
    return table


class TestSh(Case):
    """sh -c with exec grants for ls, wc and cat, a read grant for a
    directory and /proc/self (the process's own /proc entry, which the
    program, started in cloudabi-run's place, keeps)."""

    SCRIPT = ('ls "$1" | wc -l; echo ---; ls -l /proc/$$/fd; echo ---; '
              'cat /proc/$$/environ; echo; echo ---; ls /etc')

    def config(self, read=True, exec_=("ls", "wc", "cat")):
        return f"""\
            !plain
            args: [-c, '{self.SCRIPT}', sh, {self.path("d")}]
            stdout: !fd stdout
            stderr: !fd stderr
            env: {{PATH: /usr/bin, LANG: C.UTF-8}}
            read: [{self.path("d") + ", " if read else ""}{PROC}]
            exec: [{", ".join("/usr/bin/" + e for e in exec_)}]
            """

    def setUp(self):
        super().setUp()
        os.mkdir(self.path("d"))
        for name in ("a", "b", "c"):
            self.write(os.path.join("d", name), name)

    def test_granted(self):
        r = self.run_cli("sh", self.config())
        out = r.stdout.decode()
        count, fds, env, etc = out.split("---\n")
        self.assertEqual(count, "3\n")
        # Exactly what the configuration says: /dev/null for standard
        # input, the test's pipes for output and error, nothing else.
        table = fd_table(fds)
        self.assertEqual(sorted(table), [0, 1, 2])
        self.assertEqual(table[0], "/dev/null")
        self.assertTrue(table[1].startswith("pipe:["))
        self.assertTrue(table[2].startswith("pipe:["))
        self.assertNotEqual(table[1], table[2])
        self.assertEqual(env, "PATH=/usr/bin\0LANG=C.UTF-8\0\n")
        # Outside the grants: ls may run, but not read /etc.
        self.assertEqual(etc, "")
        self.assertIn(b"ls: cannot open directory '/etc': Permission denied",
                      r.stderr)
        self.assertEqual(r.returncode, 2)

    def test_unconfined_control(self):
        r = self.run_cli("sh", self.config(), opts=["--no-sandbox"])
        etc = r.stdout.decode().split("---\n")[3]
        self.assertIn("passwd", etc.split())
        self.assertEqual(r.returncode, 0)

    def test_without_grants(self):
        # No read grant for the directory: ls cannot list it.
        r = self.run_cli("sh", self.config(read=False))
        self.assertTrue(r.stdout.startswith(b"0\n---\n"))
        self.assertIn(b"Permission denied", r.stderr)
        # No exec grant for wc: the shell cannot start it.
        r = self.run_cli("sh", self.config(exec_=("ls", "cat")))
        self.assertTrue(r.stdout.startswith(b"---\n"))
        self.assertIn(b"wc: Permission denied", r.stderr)
        # The control: the same configuration, unconfined, starts wc.
        r = self.run_cli("sh", self.config(exec_=("ls", "cat")),
                         opts=["--no-sandbox"])
        self.assertTrue(r.stdout.startswith(b"3\n---\n"))


    def test_granted_script(self):
        # An exec grant of a #! script grants its interpreter too: the
        # kernel starts the interpreter when the shell runs the script.
        helper = self.write("helper.sh", "#!/bin/sh\necho helper \"$@\"\n",
                            0o755)
        config = f"""\
            !plain
            args: [-c, '{helper} x']
            stdout: !fd stdout
            stderr: !fd stderr
            {{}}
            """
        r = self.run_cli("sh", config.format("exec: [" + helper + "]"))
        self.assertEqual((r.returncode, r.stdout, r.stderr),
                         (0, b"helper x\n", b""))
        # The controls: not granted, it cannot run; unconfined, it runs.
        r = self.run_cli("sh", config.format(""))
        self.assertEqual(r.returncode, 126)
        self.assertIn(b"Permission denied", r.stderr)
        r = self.run_cli("sh", config.format(""), opts=["--no-sandbox"])
        self.assertEqual((r.returncode, r.stdout), (0, b"helper x\n"))


PY_SCRIPT = """\
import os, sys
data = sys.stdin.read()
me = "/proc/%d/fd" % os.getpid()
fds = {}
for name in os.listdir(me):
    try:
        fds[int(name)] = os.readlink(os.path.join(me, name))
    except FileNotFoundError:   # the listing's own, closed since
        pass
try:
    open(sys.argv[1]).read()
    outside = "read"
except PermissionError:
    outside = "denied"
print(repr((data, sys.argv[1:], sorted(fds.items()), dict(os.environ),
            outside)))
"""


class TestPython(Case):
    """python3 with read grants for its library, the script's directory
    and /proc/self; its standard input a !file."""

    def setUp(self):
        super().setUp()
        os.mkdir(self.path("app"))
        self.script = self.write(os.path.join("app", "show.py"), PY_SCRIPT)
        self.input = self.write("input.txt", "the input\n")
        self.outside = self.write("outside.txt", "secret\n")

    def config(self, grant_lib=True):
        lib = PYLIB + ", " if grant_lib else ""
        return f"""\
            !plain
            args: [{self.script}, {self.outside}]
            stdin: !file {{path: {self.input}}}
            stdout: !fd stdout
            stderr: !fd stderr
            env: {{LANG: C.UTF-8}}
            read: [{lib}{self.path("app")}, {PROC}]
            """

    def check(self, r, outside):
        self.assertEqual(r.stderr.decode(), "")
        self.assertEqual(r.returncode, 0)
        data, args, fds, env, seen = ast.literal_eval(r.stdout.decode())
        self.assertEqual(data, "the input\n")
        self.assertEqual(args, [self.outside])
        self.assertEqual([n for n, _ in fds], [0, 1, 2])
        self.assertEqual(fds[0][1], self.input)
        self.assertTrue(fds[1][1].startswith("pipe:["))
        self.assertTrue(fds[2][1].startswith("pipe:["))
        self.assertEqual(env, {"LANG": "C.UTF-8"})
        self.assertEqual(seen, outside)

    def test_script_from_granted_dir(self):
        self.check(self.run_cli(PYTHON, self.config()), "denied")

    def test_unconfined_control(self):
        self.check(self.run_cli(PYTHON, self.config(),
                                opts=["--no-sandbox"]), "read")

    def test_without_library_grant(self):
        r = self.run_cli(PYTHON, self.config(grant_lib=False))
        self.assertNotEqual(r.returncode, 0)
        self.assertIn(b"No module named 'encodings'", r.stderr)

    def test_hashbang_script(self):
        # The script as the program: cloudabi-run starts its interpreter
        # with it, and grants reading the script only.
        os.chmod(self.script, 0o755)
        with open(self.script, "r+") as f:
            text = f.read()
            f.seek(0)
            f.write("#!" + PYTHON + "\n" + text)
        config = self.config().replace(self.script + ", ", "").replace(
            self.path("app") + ", ", "")
        self.check(self.run_cli(self.script, config), "denied")


class TestHashbang(Case):
    """#! lines that cannot be followed: one line saying how to start the
    interpreter, status 126, never "Exec format error"."""

    def test_refusals(self):
        cases = {
            "#!/usr/bin/env -S python3 -u\n":
                "its #! line runs env -S python3 -u, which cannot be "
                "followed; start its interpreter instead: cloudabi-run "
                "INTERPRETER [config.yaml] -- ",
            "#!python3\n":
                "its interpreter python3 is not an absolute path; start "
                "its interpreter instead: cloudabi-run python3 "
                "[config.yaml] -- ",
            "#!/nonexistent/sh -e\n":
                "its interpreter /nonexistent/sh: No such file or "
                "directory; start its interpreter instead: cloudabi-run "
                "/nonexistent/sh [config.yaml] -- -e ",
            "#!" + "x" * 300 + "\n":
                "its #! line is longer than 255 bytes or does not end; "
                "start its interpreter instead: cloudabi-run INTERPRETER "
                "[config.yaml] -- ",
            "#!  \n":
                "its #! line names no interpreter; start its interpreter "
                "instead: cloudabi-run INTERPRETER [config.yaml] -- ",
        }
        inner = self.write("inner", "#!/bin/sh\n", 0o755)
        cases["#!" + inner + "\n"] = (
            "its interpreter " + inner + " is itself a #! script; start "
            "its interpreter instead: cloudabi-run " + inner +
            " [config.yaml] -- ")
        for line, why in cases.items():
            script = self.write("script", line + "echo ran\n", 0o755)
            r = self.run_cli(script, "!plain\n")
            self.assertEqual(r.stdout, b"")
            self.assertEqual(r.stderr.decode(),
                             "cloudabi-run: " + script + ": a #! script: " +
                             why + script + "\n")
            self.assertEqual(r.returncode, 126)

    def test_env_name_from_path(self):
        script = self.write("script", "#!/usr/bin/env sh\necho \"$0\" \"$@\"\n",
                            0o755)
        config = "!plain\nstdout: !fd stdout\n"
        r = self.run_cli(script, config, args=["x"])
        self.assertEqual((r.returncode, r.stdout, r.stderr),
                         (0, (script + " x\n").encode(), b""))
        # The interpreter found in $PATH, with the script as argv[1] and
        # a grant to read it, as the dry run shows.
        r = self.run_cli(script, config, opts=["--dry-run"], args=["x"])
        self.assertIn(b"\nARGV\n0  sh\n1  " + script.encode() + b"\n2  x\n",
                      r.stdout)
        self.assertIn(b"\nGRANTS\nread   " + script.encode() +
                      b"  the program, a #! script\n", r.stdout)


LIGHTTPD_CONF = """\
server.document-root = "{root}/www"
server.systemd-socket-activation = "enable"
server.port = 80
server.errorlog = "{root}/log/error.log"
index-file.names = ("index.html")
mimetype.assign = (".html" => "text/html")
"""


class TestLighttpd(Case):
    """lighttpd from Debian, serving a read-only directory on a socket it
    receives by socket activation (LISTEN_FDS), writing its log into the
    one writable directory."""

    def setUp(self):
        super().setUp()
        if shutil.which("lighttpd", path="/usr/sbin:/usr/bin") is None:
            self.skipTest("lighttpd not installed (./quickstart installs "
                          "it)")
        os.mkdir(self.path("www"))
        os.mkdir(self.path("log"))
        self.write("www/index.html", "<p>granted</p>\n")
        self.write("secret.html", "<p>secret</p>\n")
        # Inside the document root, leading outside the grants.
        os.symlink(self.path("secret.html"), self.path("www", "outside.html"))
        self.write("lighttpd.conf", LIGHTTPD_CONF.format(root=self.dir))
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]

    def tearDown(self):
        self.sock.close()
        super().tearDown()

    def start(self, opts=()):
        fd = self.sock.fileno()
        os.set_inheritable(fd, True)
        cfg = self.write("config.yaml", textwrap.dedent(f"""\
            !plain
            args: [-D, -f, {self.path("lighttpd.conf")}]
            stderr: !fd stderr
            fds: {{http: !fd {fd}}}
            read: [{self.path("lighttpd.conf")}, {self.path("www")}, \
/usr/lib/lighttpd]
            write: [{self.path("log")}, /dev/null]
            """))
        return subprocess.Popen(
            [RUN, *opts, "/usr/sbin/lighttpd", cfg],
            stderr=subprocess.PIPE, pass_fds=(fd, self.canary))

    def fetch(self, name):
        url = "http://127.0.0.1:%d/%s" % (self.port, name)
        try:
            with urllib.request.urlopen(url, timeout=TIMEOUT) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, b""

    def stop(self, proc):
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=TIMEOUT)
        return err

    def test_serves_granted_directory(self):
        proc = self.start()
        try:
            # The socket listens already: the fetch waits for lighttpd.
            self.assertEqual(self.fetch("index.html"),
                             (200, b"<p>granted</p>\n"))
            # A symbolic link inside leading outside: denied.
            self.assertEqual(self.fetch("outside.html")[0], 403)
            # What the program got: the socket at 3 and systemd's
            # variables, exactly; nothing of the test's.
            with open("/proc/%d/environ" % proc.pid, "rb") as f:
                env = f.read()
            self.assertEqual(env, b"LISTEN_FDS=1\0LISTEN_FDNAMES=http\0"
                             b"LISTEN_PID=%d\0" % proc.pid)
            fds = {int(n): os.readlink("/proc/%d/fd/%s" % (proc.pid, n))
                   for n in os.listdir("/proc/%d/fd" % proc.pid)}
            sock = "socket:[%d]" % os.fstat(self.sock.fileno()).st_ino
            self.assertEqual(fds[3], sock)
            self.assertEqual(fds[0], "/dev/null")
            self.assertNotIn(self.dir, fds.values())
            self.assertEqual([n for n, t in fds.items() if t == sock], [3])
        finally:
            err = self.stop(proc)
        self.assertEqual(err, b"")
        with open(self.path("log", "error.log")) as f:
            self.assertIn("server started", f.read())

    def test_unconfined_control(self):
        proc = self.start(opts=["--no-sandbox"])
        try:
            self.assertEqual(self.fetch("index.html")[0], 200)
            self.assertEqual(self.fetch("outside.html"),
                             (200, b"<p>secret</p>\n"))
        finally:
            self.stop(proc)

    def test_write_outside_denied(self):
        # Its log outside the writable directory: lighttpd cannot create
        # it, says so and stops.
        outside = self.path("error.log")
        self.write("lighttpd.conf", LIGHTTPD_CONF.format(root=self.dir)
                   .replace(self.path("log", "error.log"), outside))
        proc = self.start()
        _, err = proc.communicate(timeout=TIMEOUT)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn(b"Permission denied", err)
        self.assertFalse(os.path.exists(outside))
        # The control: unconfined, the same configuration starts.
        proc = self.start(opts=["--no-sandbox"])
        try:
            self.assertEqual(self.fetch("index.html")[0], 200)
        finally:
            self.stop(proc)
        self.assertTrue(os.path.exists(outside))


def main():
    global RUN, PYLIB
    RUN = os.path.abspath(sys.argv.pop(1))
    PYLIB = subprocess.run(
        [PYTHON, "-c", "import sysconfig; print(sysconfig.get_path('stdlib'))"],
        capture_output=True, check=True, timeout=TIMEOUT).stdout.decode().strip()
    ok, why = sandbox_works()
    if not ok:
        if os.environ.get("ARGDATA_TEST_REQUIRE_SANDBOX"):
            print("the sandbox cannot confine here: " + why)
            sys.exit(1)
        print("not run: " + why)
        sys.exit(77)
    unittest.main(verbosity=2)


if __name__ == "__main__":
    main()
