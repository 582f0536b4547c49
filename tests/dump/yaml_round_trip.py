#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Checks that argdata_print_yaml's output reads back to the same values.

Usage: yaml_round_trip.py RANDOM_TREES [SEED COUNT]

Runs the random_trees program, then decodes its binary output with a small
argdata decoder written here and compares every tree with what PyYAML's
safe loader reads from the YAML: same types, same values, floats bit for
bit (NaN as NaN), timestamps to the nanosecond, descriptors by number.
PyYAML reads YAML 1.1, so this also shows that the output means the same
to 1.1 readers. Exits 77 (skipped) when PyYAML is missing.
"""

import math
import os
import re
import subprocess
import sys
import tempfile

try:
    import yaml
except ImportError:
    print("PyYAML is missing: skipped")
    sys.exit(77)


from argdata_py import decode, read_messages


# ---- YAML, read into the same representation ----

class Loader(yaml.SafeLoader):
    pass


def construct_map(loader, node):
    return ("map", [(loader.construct_object(k, deep=True),
                     loader.construct_object(v, deep=True))
                    for k, v in node.value])


def construct_seq(loader, node):
    return [loader.construct_object(n, deep=True) for n in node.value]


def construct_fd(loader, node):
    return ("fd", int(loader.construct_scalar(node)))


TIMESTAMP = re.compile(r"^([-+]?\d{4,})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)"
                       r"\.(\d{9})Z$")


def days_from_civil(y, m, d):
    y -= m <= 2
    era = (y if y >= 0 else y - 399) // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def construct_timestamp(loader, node):
    text = loader.construct_scalar(node)
    m = TIMESTAMP.match(text)
    if not m:
        raise ValueError("timestamp %r not in the documented form" % text)
    y, mo, d, h, mi, s, ns = (int(g) for g in m.groups())
    secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s
    return ("ts", secs, ns)


Loader.add_constructor("tag:yaml.org,2002:map", construct_map)
Loader.add_constructor("tag:yaml.org,2002:seq", construct_seq)
Loader.add_constructor("tag:yaml.org,2002:timestamp", construct_timestamp)
Loader.add_constructor("tag:nuxi.nl,2015:cloudabi/fd", construct_fd)


def same(a, b, path="$"):
    """Raises AssertionError naming the first difference."""
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) and math.isnan(b):
            return
        if a == b and math.copysign(1, a) == math.copysign(1, b):
            return
        raise AssertionError("%s: %r != %r" % (path, a, b))
    if type(a) is not type(b):
        raise AssertionError("%s: %r (%s) != %r (%s)"
                             % (path, a, type(a).__name__, b,
                                type(b).__name__))
    if isinstance(a, (list, tuple)):
        if len(a) != len(b):
            raise AssertionError("%s: length %d != %d"
                                 % (path, len(a), len(b)))
        for i, (x, y) in enumerate(zip(a, b)):
            same(x, y, "%s[%d]" % (path, i))
        return
    if a != b:
        raise AssertionError("%s: %r != %r" % (path, a, b))


def main():
    generator = sys.argv[1]
    seed = sys.argv[2] if len(sys.argv) > 2 else "1"
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 2000
    sys.setrecursionlimit(20000)
    with tempfile.TemporaryDirectory() as tmp:
        binary = os.path.join(tmp, "trees.bin")
        text = os.path.join(tmp, "trees.yaml")
        subprocess.run([generator, seed, str(count), binary, text],
                       check=True)
        with open(binary, "rb") as f:
            expected = [decode(m) for m in read_messages(f.read())]
        with open(text, "rb") as f:
            raw = f.read()
    documents = raw.decode("utf-8").split("\n...\n")
    assert documents[-1] == "", "output ends with a document end marker"
    documents = documents[:-1]
    assert len(documents) == len(expected) == count, \
        (len(documents), len(expected), count)
    for i, (doc, want) in enumerate(zip(documents, expected)):
        try:
            got = yaml.load(doc + "\n...\n", Loader=Loader)
            same(got, want)
        except Exception as e:
            print("tree %d: %s\n%s" % (i, e, doc[:4000]))
            return 1
    # The whole output is also one valid multi-document stream.
    assert len(list(yaml.load_all(raw, Loader=Loader))) == count
    print("%d trees read back identically" % count)
    return 0


if __name__ == "__main__":
    sys.exit(main())
