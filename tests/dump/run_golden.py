#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""argdata-dump against the golden files in golden/.

Usage: run_golden.py ARGDATA_DUMP GOLDEN_DIR [--update]

Every case runs the tool in GOLDEN_DIR (so that file names in messages are
short) and compares its standard output, standard error and exit status
with what is expected. --update rewrites the expected output files from
the tool's output, for review with git diff.
"""

import os
import re
import subprocess
import sys

TOOL, GOLDEN = os.path.abspath(sys.argv[1]), sys.argv[2]
UPDATE = "--update" in sys.argv[3:]

# (arguments, standard input file or None, expected stdout file, "re:"
#  and a regular expression, or None,
#  expected status, expected stderr: a string, a prefix ending in "...",
#  or None for empty)
CASES = [
    (["-e", "config.yaml"], None, "config.bin", 0, None),
    (["--encode", "--stream", "-"], "config.yaml", "config.stream", 0, None),
    (["config.bin"], None, "config.out.yaml", 0, None),
    (["--yaml", "-"], "config.bin", "config.out.yaml", 0, None),
    (["-j", "config.bin"], None, "config.out.json", 0, None),
    (["-x", "config.bin"], None, "config.out.hex", 0, None),
    (["-s", "config.stream"], None, "config.stream.out.yaml", 0, None),
    (["-s", "-x", "config.stream"], None, "config.stream.out.hex", 0,
     None),
    (["-e", "scalar.yaml"], None, "scalar.bin", 0, None),
    (["scalar.bin"], None, "scalar.out.yaml", 0, None),
    (["-j", "scalar.bin"], None, "scalar.out.json", 0, None),
    (["empty.bin"], None, "empty.out.yaml", 0, None),
    (["-j", "empty.bin"], None, "empty.out.json", 0, None),
    # Defects: the offset and the reason, and the hex view up to them.
    (["bad_utf8.bin"], None, None, 1,
     "bad_utf8.bin: offset 6: string is not valid UTF-8\n"),
    (["-x", "bad_utf8.bin"], None, "bad_utf8.out.hex", 1,
     "bad_utf8.bin: offset 6: string is not valid UTF-8\n"),
    (["-j", "past_end.bin"], None, None, 1,
     "past_end.bin: offset 4: subfield runs past the end of its "
     "container\n"),
    (["-x", "past_end.bin"], None, "past_end.out.hex", 1,
     "past_end.bin: offset 4: subfield runs past the end of its "
     "container\n"),
    (["odd_map.bin"], None, None, 1,
     "odd_map.bin: offset 10: map ends with a key that has no value\n"),
    (["-x", "odd_map.bin"], None, "odd_map.out.hex", 1,
     "odd_map.bin: offset 10: map ends with a key that has no value\n"),
    (["no_prefix.bin"], None, None, 1,
     "no_prefix.bin: offset 1: truncated subfield length\n"),
    (["leading_zero.bin"], None, None, 1,
     "leading_zero.bin: offset 1: subfield length has a leading zero "
     "byte\n"),
    (["long_bool.bin"], None, None, 1,
     "long_bool.bin: offset 1: bool payload is neither empty nor 01\n"),
    (["no_nul.bin"], None, None, 1,
     "no_nul.bin: offset 3: string does not end in a NUL byte\n"),
    (["-"], "unknown_tag.bin", None, 1,
     "<stdin>: offset 0: unknown tag\n"),
    (["-x", "unknown_tag.bin"], None, "unknown_tag.out.hex", 1,
     "unknown_tag.bin: offset 0: unknown tag\n"),
    # A stream whose second message is cut short.
    (["-s", "truncated.stream"], None, "truncated.stream.out.yaml", 1,
     "truncated.stream: message 2: truncated, or its descriptors were "
     "lost\n"),
    # Encoding: resources are refused, bad YAML is reported.
    (["-e", "refused.yaml"], None, None, 1,
     "refused.yaml:1:7: !file opens a resource: argdata-dump --encode "
     "only writes descriptor numbers (!fd N)\n"),
    (["-e", "badyaml.yaml"], None, None, 1, "badyaml.yaml:..."),
    # Usage and system errors.
    (["no-such-file"], None, None, 2,
     "argdata-dump: no-such-file: No such file or directory\n"),
    (["-q"], None, None, 2, "argdata-dump: invalid option -- 'q'\n..."),
    (["-e", "-j", "config.yaml"], None, None, 2, "usage: ..."),
    (["a", "b"], None, None, 2, "usage: ..."),
    (["--help"], None, "help.out", 0, None),
    (["-V"], None, "re:argdata-dump \\(argdata\\) [0-9]+\\.[0-9]+\\.[0-9]+\n",
     0, None),
    (["--version"], None,
     "re:argdata-dump \\(argdata\\) [0-9]+\\.[0-9]+\\.[0-9]+\n", 0, None),
    # Input that is not what was asked for, and what it looks like; the
    # defect is reported all the same. Hints come only where they fit:
    # the defects above have none.
    (["config.yaml"], None, None, 1,
     "config.yaml: offset 0: unknown tag (this looks like YAML; -e encodes "
     "YAML)\n"),
    (["-x", "-"], "badyaml.yaml", None, 1,
     "<stdin>: offset 0: unknown tag (this looks like YAML; -e encodes "
     "YAML)\n"),
    (["config.stream"], None, None, 1,
     "config.stream: offset 0: unknown tag (this looks like a stream of "
     "framed messages; -s reads it)\n"),
    (["-j", "truncated.stream"], None, None, 1,
     "truncated.stream: offset 0: unknown tag\n"),
    (["-s", "config.bin"], None, None, 1,
     "config.bin: message 1: its length is too large (this looks like "
     "plain argdata, not a stream; read it without -s)\n"),
    (["-s", "-"], "short.bin", None, 1,
     "<stdin>: message 1: truncated (this looks like plain argdata, not a "
     "stream; read it without -s)\n"),
    (["-s", "unknown_tag.bin"], None, None, 1,
     "unknown_tag.bin: message 1: truncated, or its descriptors were "
     "lost\n"),
]


def main():
    failures = 0
    for args, stdin, out, status, err in CASES:
        with open(os.path.join(GOLDEN, stdin), "rb") if stdin else \
                open(os.devnull, "rb") as f:
            p = subprocess.run(["argdata-dump"] + args, executable=TOOL,
                               stdin=f, cwd=GOLDEN,
                               capture_output=True)
        what = "argdata-dump " + " ".join(args)
        problems = []
        if p.returncode != status:
            problems.append("exit status %d, expected %d"
                            % (p.returncode, status))
        got_err = p.stderr.decode("utf-8", "replace")
        if err is None and got_err:
            problems.append("unexpected stderr: %r" % got_err)
        elif err is not None and err.endswith("...") and \
                not got_err.startswith(err[:-3]):
            problems.append("stderr %r, expected %r" % (got_err, err))
        elif err is not None and not err.endswith("...") and \
                got_err != err:
            problems.append("stderr %r, expected %r" % (got_err, err))
        if out is not None and out.startswith("re:"):
            if not re.fullmatch(out[3:], p.stdout.decode("utf-8",
                                                         "replace")):
                problems.append("stdout %r does not match %r"
                                % (p.stdout, out[3:]))
        elif out is not None:
            path = os.path.join(GOLDEN, out)
            if UPDATE and p.returncode == status:
                with open(path, "wb") as f:
                    f.write(p.stdout)
            try:
                with open(path, "rb") as f:
                    expected = f.read()
            except FileNotFoundError:
                expected = None
            if p.stdout != expected:
                problems.append("stdout differs from %s:\n%s" %
                                (out, p.stdout.decode("utf-8", "replace")))
        elif p.stdout and status != 1:
            problems.append("unexpected stdout")
        if problems:
            failures += 1
            print("FAIL %s\n  %s" % (what, "\n  ".join(problems)))
        else:
            print("ok   %s" % what)
    print("%d of %d cases failed" % (failures, len(CASES)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
