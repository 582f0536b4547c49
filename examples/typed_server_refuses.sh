#!/bin/sh
# Checks that typed_server refuses a configuration with a misspelt key and
# one with a file where its listening socket belongs, naming the key, with
# exit status 78 (EX_CONFIG): its whole configuration is read with one
# argdata_read_map(3) call. Unconfined (--no-sandbox), so that it runs on
# kernels without Landlock as well.
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
	if [ "$status" -ne 78 ]; then
		echo "exit status $status, not 78, for: $1" >&2
		cat "$tmp/err" >&2
		exit 1
	fi
	if ! grep -qxF "typed_server: $2" "$tmp/err"; then
		echo "expected \"typed_server: $2\", got:" >&2
		cat "$tmp/err" >&2
		exit 1
	fi
}

expect 'log: !fd stderr
lisen: !socket {bind: "127.0.0.1:0"}' 'lisen: unknown key'
expect 'log: !fd stderr
listen: !file {path: /dev/null}' \
    'listen: expected a listening stream socket, found a character device'
expect 'log: !fd stderr
listen: !socket {bind: "127.0.0.1:0"}
connections: -1' 'connections: -1 is out of range for a 32-bit unsigned integer'
