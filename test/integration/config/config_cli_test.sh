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

# A stock application's pool (size --app): every queue full. Two sockets
# of two lcores, 2 ports x 2 queues of 512 rx / 256 tx descriptors, a rule
# with queue 100, shared 300, alien 50, mempool cache 10:
#   rx 2048 + tx 1024 + queues 4 x (100 + 15) + bursts 4 x 32
#   + shared 2 x 300 + alien 2 x 1 x 50 = 4360; + 20 % = 5232
cat >"$TMP/stock.yaml" <<'YAML'
topology:
  map: {0: [0, 1], 1: [2, 3]}
sizing:
  ports: [{socket: 0}, {socket: 1}]
  rx_queues: 2
  tx_queues: 2
  rx_desc: 512
  tx_desc: 256
mempools:
  - {match: "mb_pool_*", queue_size: 100, shared_size: 300, alien_size: 50}
YAML
expect 0 "size --app testpmd" -- "$EXE" size "$TMP/stock.yaml" --app testpmd --mbcache 10
has "$TMP/out" "  need                4360" "size --app testpmd: need"
has "$TMP/out" "-- --total-num-mbufs=5232 --mbcache=10 --rxq=2 --txq=2 --rxd=512 --txd=256 --burst=32" \
	"size --app testpmd: its arguments"
has "$TMP/out" "rule mempools[0] (line 10): match 'mb_pool_*'" "size --app testpmd: the rule"
# Without a rule: the driver's largest default queue (1024 with cache 0),
# shared 2048: 3072 + 4 x 1024 + 128 + 2 x 2048 + 2 x 256 = 11904 -> 14285.
expect 0 "size --app generic" -- "$EXE" size "$TMP/stock.yaml" --app generic --pool other
has "$TMP/out" "no mempools: rule matches 'other'" "size --app generic: no rule"
has "$TMP/out" "rte_pktmbuf_pool_create(\"other\", 14285, 0," "size --app generic: count"
expect 2 "size --app generic needs --pool" -- "$EXE" size "$TMP/stock.yaml" --app generic
expect 2 "size --app of an unknown application" -- "$EXE" size "$TMP/stock.yaml" --app ovs
# l2fwd sizes its pool itself (8192 for two ports): the example fits, a
# shared queue of 4096 does not, whatever the queue (4160 + 2 x (512 + 384)
# + 4096 = 10048).
expect 0 "size --app l2fwd" -- "$EXE" size "$DIR/stock-l2fwd.yaml" --app l2fwd
has "$TMP/out" "enough: 8192 >= need 6976" "size --app l2fwd: the example fits"
sed 's/    batch: 384 .*/    batch: 384\n    shared_size: 4096/' "$DIR/stock-l2fwd.yaml" >"$TMP/l2big.yaml"
expect 0 "size --app l2fwd, too big" -- "$EXE" size "$TMP/l2big.yaml" --app l2fwd
has "$TMP/out" "runs dry: need 10048 > 8192 even without lcore queues" "size --app l2fwd: runs dry"
sed 's/    batch: 384 .*/    batch: 100/; s/    queue_size: 512 .*/    queue_size: 1500/' "$DIR/stock-l2fwd.yaml" >"$TMP/l2q.yaml"
expect 0 "size --app l2fwd, queue too big" -- "$EXE" size "$TMP/l2q.yaml" --app l2fwd
# 4160 + 2 x (q + 384) + 2q (shared auto) <= 8192 -> q <= 816
has "$TMP/out" "set queue_size: 816 (or less) in the rule for mbuf_pool" "size --app l2fwd: the queue that fits"

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
