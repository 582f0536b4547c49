#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Checks that a configuration with a misspelt key, one with a file where
# typed_server's listening socket belongs and one with a negative count
# are refused, naming the key, before typed_server starts: it publishes
# the table it reads its configuration with (PROGRAM_SCHEMA), which
# cloudabi-run checks the configuration against, refusing with exit status
# 65 and config.yaml:LINE:COLUMN. (typed_server's own refusal, exit status
# 78 after its one argdata_read_map(3) call, is for programs started
# otherwise; the codec's tests cover the read.) Unconfined (--no-sandbox),
# so that it runs on kernels without Landlock as well.
#
# usage: typed_server_refuses.sh CLOUDABI_RUN TYPED_SERVER
set -u

run=$1 server=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# expect YAML MESSAGE: runs the server on the YAML, checks status and line.
expect()
{
	printf '%%TAG ! tag:nuxi.nl,2015:cloudabi/\n---\n%s\n' "$1" \
	    >"$tmp/config.yaml"
	"$run" --no-sandbox "$server" "$tmp/config.yaml" 2>"$tmp/err"
	status=$?
	if [ "$status" -ne 65 ]; then
		echo "exit status $status, not 65, for: $1" >&2
		cat "$tmp/err" >&2
		exit 1
	fi
	if ! grep -qxF "$tmp/config.yaml:$2" "$tmp/err"; then
		echo "expected \"$tmp/config.yaml:$2\", got:" >&2
		cat "$tmp/err" >&2
		exit 1
	fi
}

expect 'log: !fd stderr
lisen: !socket {bind: "127.0.0.1:0"}' \
    '4:1: lisen: this program expects no such key (its keys: log, listen, greeting, connections)'
expect 'log: !fd stderr
listen: !file {path: /dev/null}' \
    '4:9: listen: this program expects a listening stream socket, found !file'
expect 'log: !fd stderr
listen: !socket {bind: "127.0.0.1:0"}
connections: -1' \
    '5:14: connections: this program expects an integer from 0 to 4294967295, found -1'
