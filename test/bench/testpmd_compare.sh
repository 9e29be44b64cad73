#!/bin/sh
# Stock dpdk-testpmd, io forwarding between two net_null ports, with its mbuf
# pool on DPDK's default driver (ring_mp_mc) and on slubq, with testpmd's
# default mempool cache (250) and with --mbcache=0, in one run, interleaved,
# each measurement repeated. Prints a markdown table (for docs/driver.md):
#  - Mpps: RX packets per second summed over both ports (every received
#    packet is forwarded), the mean of the periodic statistics after the
#    first two seconds, median over the repeats. Wall-clock: it drops when
#    other processes take the CPU.
#  - cycles/packet: user-mode CPU cycles of testpmd (perf stat cycles:u) of a
#    long run minus those of a 2 s run, divided by the packets forwarded in
#    between: start-up cancels out, and time spent descheduled does not
#    count, so it holds up on a busy machine. Needs perf (else "-").
#   test/bench/testpmd_compare.sh [seconds per run (8)] [repeats (3)]
# Environment: SLUBQ_BUILD (build dir, default build); TESTPMD_VARIANTS to
# replace the variants: space-separated LABEL|OPS|MBCACHE|SLUBQ_MEMPOOL_CONFIG
# (MBCACHE "default" = testpmd's 250; the last field may be empty).
# Not part of the test suite: it measures, it does not judge.
set -e
cd "$(dirname "$0")/../.."
SECS=${1:-8}
REPEATS=${2:-3}
SHORT=2
# dpdk-testpmd and perf (cycles/packet) from Debian; quiet when present.
SLUBQ_EXTRA_PKGS="${SLUBQ_EXTRA_PKGS:+$SLUBQ_EXTRA_PKGS }linux-perf" sh scripts/deps.sh
BUILD=${SLUBQ_BUILD:-build}
PLUGIN_DIR="$(pwd)/$BUILD/drivers/mempool/slubq"
[ -f "$PLUGIN_DIR/librte_mempool_slubq.so" ] || { echo "build first: $PLUGIN_DIR/librte_mempool_slubq.so" >&2; exit 1; }
command -v dpdk-testpmd >/dev/null || { echo "dpdk-testpmd missing (Debian package dpdk)" >&2; exit 1; }
PERF=""
perf stat -x, -e cycles:u -o /dev/null -- true 2>/dev/null && PERF=perf

if grep -q " hugetlbfs " /proc/mounts && [ "$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)" -ge 256 ]; then
	MEM="--in-memory"
else
	MEM="--no-huge -m 1024 --file-prefix testpmd-bench-$$"
fi
VARIANTS=${TESTPMD_VARIANTS:-"ring_mp_mc|ring_mp_mc|default| slubq|slubq|default| slubq-mbcache0|slubq|0| ring_mp_mc-mbcache0|ring_mp_mc|0|"}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP" "/var/run/dpdk/testpmd-bench-$$"' EXIT

# run SECONDS OPS MBCACHE CONFIG: prints "mpps packets user_cycles" of one run
run() {
	cache=""
	[ "$3" = default ] || cache="--mbcache=$3"
	wrap=""
	[ -n "$PERF" ] && wrap="perf stat -x, -e cycles:u -o $TMP/perf --"
	# shellcheck disable=SC2086
	SLUBQ_MEMPOOL_CONFIG="$4" LD_LIBRARY_PATH="$PLUGIN_DIR" $wrap timeout --preserve-status -s INT -k 20 "$1" \
		dpdk-testpmd -l 0-1 --no-pci $MEM --log-level=lib.eal:warning --vdev net_null0 --vdev net_null1 \
		-d librte_mempool_slubq.so --mbuf-pool-ops-name "$2" -- \
		--forward-mode=io --burst=32 --total-num-mbufs=16384 $cache --stats-period 1 >"$TMP/out" 2>&1 ||
		{ tail -20 "$TMP/out" >&2; echo "run failed" >&2; exit 1; }
	grep -q "preferred mempool ops selected: $2" "$TMP/out" || { echo "pool is not on $2" >&2; exit 1; }
	mpps=$(awk '/Rx-pps:/ { s += $2; if (++k % 2 == 0) { if (k > 4) { sum += s; n++ }; s = 0 } }
		END { if (n) printf "%.2f", sum / n / 1e6; else print "nan" }' "$TMP/out")
	pkts=$(awk '/Accumulated forward statistics/ { a = 1 } a && /RX-packets:/ { print $2; exit }' "$TMP/out")
	cycles=0
	[ -n "$PERF" ] && cycles=$(awk -F, '$3 ~ /^cycles/ { print $1 }' "$TMP/perf")
	echo "$mpps $pkts $cycles"
}

median() { tr ' ' '\n' | grep . | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

echo "dpdk-testpmd io, 2 x net_null, ${SECS} s per run (and ${SHORT} s for cycles), median of $REPEATS," \
     "$(nproc) CPUs, $MEM, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%F)" >&2
results=""
for r in $(seq "$REPEATS"); do
	for v in $VARIANTS; do
		label=$(echo "$v" | cut -d'|' -f1)
		ops=$(echo "$v" | cut -d'|' -f2); mbc=$(echo "$v" | cut -d'|' -f3); cfg=$(echo "$v" | cut -d'|' -f4)
		set -- $(run "$SECS" "$ops" "$mbc" "$cfg")
		mpps=$1; lp=$2; lc=$3
		cpp="-"
		if [ -n "$PERF" ]; then
			set -- $(run "$SHORT" "$ops" "$mbc" "$cfg")
			cpp=$(awk -v a="$lc" -v b="$3" -v p="$lp" -v q="$2" 'BEGIN { printf "%.1f", (a - b) / (p - q) }')
		fi
		results="$results
$label $mpps $cpp"
		echo "  $label run $r: $mpps Mpps, $cpp cycles/packet" >&2
	done
done
printf '| pool | mempool cache | Mpps (median) | cycles/packet (median) | runs: Mpps | runs: cycles/packet |\n'
printf '|---|---|---|---|---|---|\n'
for v in $VARIANTS; do
	label=$(echo "$v" | cut -d'|' -f1)
	cache=$(echo "$v" | cut -d'|' -f3)
	[ "$cache" = default ] && cache="250 (default)"
	m=$(echo "$results" | awk -v l="$label" '$1 == l {printf "%s ", $2}')
	c=$(echo "$results" | awk -v l="$label" '$1 == l {printf "%s ", $3}')
	printf '| %s | %s | %s | %s | %s| %s|\n' "$label" "$cache" "$(echo "$m" | median)" "$(echo "$c" | median)" "$m" "$c"
done
