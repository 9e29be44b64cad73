#!/bin/sh
# slubq-config end to end: exit codes (0 fine, 1 invalid input, 2 usage),
# messages with file:line:col, the sizing table, topology and dump.
#   config_cli_test.sh SLUBQ_CONFIG_EXE CONFIG_DIR
set -u
EXE=$1
DIR=$2
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fails=0

# expect RC DESCRIPTION -- COMMAND...: run, keep stdout/stderr in $TMP/out, $TMP/err
expect() {
	want=$1; what=$2; shift 3
	"$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	if [ "$rc" -ne "$want" ]; then
		echo "FAIL: $what: exit $rc, expected $want"; sed 's/^/  err: /' "$TMP/err" | head -5
		fails=$((fails + 1))
		return 1
	fi
	echo "ok: $what"
}
# has FILE TEXT DESCRIPTION: FILE contains the fixed string TEXT
has() {
	if ! grep -qF -- "$2" "$1"; then
		echo "FAIL: $3: no '$2' in:"; sed 's/^/  | /' "$1" | head -10
		fails=$((fails + 1))
	fi
}

for f in "$DIR"/*.yaml; do
	expect 0 "validate $(basename "$f")" -- "$EXE" validate "$f" && has "$TMP/out" "valid (" "validate $(basename "$f")"
done

# A misspelt key: exit 1, named with its line and column.
printf 'version: 1\ndefaults:\n  quue_size: 64\n' >"$TMP/typo.yaml"
expect 1 "misspelt key" -- "$EXE" validate "$TMP/typo.yaml"
has "$TMP/err" "$TMP/typo.yaml:3:3: defaults.quue_size: unknown key (did you mean 'queue_size'?)" "misspelt key"
printf 'caches: [a, b\n' >"$TMP/syntax.yaml"
expect 1 "YAML syntax error" -- "$EXE" size "$TMP/syntax.yaml"
has "$TMP/err" "YAML syntax: " "YAML syntax error"
expect 1 "missing file" -- "$EXE" dump "$TMP/nothing.yaml"
has "$TMP/err" "$TMP/nothing.yaml: cannot open: No such file or directory" "missing file"

# The sizing table: objects per pool and socket as computed in docs/config.md.
expect 0 "size fwd-single-socket" -- "$EXE" size "$DIR/fwd-single-socket.yaml"
has "$TMP/out" "hugepages" "size header"
row=$(awk '$1 == "pool" && $2 == "fwd_mbufs" && $3 == 0 { print $4 }' "$TMP/out")
[ "$row" = 10522 ] || { echo "FAIL: fwd_mbufs on socket 0: '$row' objects, expected 10522"; fails=$((fails + 1)); }
expect 0 "size pipeline-two-socket" -- "$EXE" size "$DIR/pipeline-two-socket.yaml"
for s in 0 1; do
	row=$(awk -v s=$s '$1 == "pool" && $2 == "pkt_s" s && $3 == s { print $4 }' "$TMP/out")
	[ "$row" = 18880 ] || { echo "FAIL: pkt_s$s: '$row' objects, expected 18880"; fails=$((fails + 1)); }
done
has "$TMP/out" "total socket 1: " "per-socket totals"

expect 0 "topology of this machine" -- "$EXE" topology
has "$TMP/out" "this machine (hwloc): " "topology of this machine"
expect 0 "topology of a map" -- "$EXE" topology "$DIR/dma-heavy.yaml"
has "$TMP/out" "  socket 1: lcores 3,4,5" "topology of a map"

expect 0 "dump" -- "$EXE" dump "$DIR/dma-heavy.yaml" && cp "$TMP/out" "$TMP/dump1.yaml"
expect 0 "dump of the dump" -- "$EXE" dump "$TMP/dump1.yaml"
cmp -s "$TMP/out" "$TMP/dump1.yaml" || { echo "FAIL: the dump of a dump differs"; fails=$((fails + 1)); }

expect 2 "no arguments" -- "$EXE"
expect 2 "unknown command" -- "$EXE" frobnicate "$DIR/default.yaml"
has "$TMP/err" "unknown command 'frobnicate'" "unknown command"
expect 2 "validate without FILE" -- "$EXE" validate
expect 2 "too many arguments" -- "$EXE" size "$DIR/default.yaml" extra
expect 0 "help" -- "$EXE" --help
has "$TMP/out" "usage: slubq-config" "help"

echo "$fails failure(s)"
[ "$fails" -eq 0 ]
