#!/bin/sh
# slubq-fwd on two net_null ports: io and pipeline modes, on slubq pools and
# on stock ring_mp_mc pools (testpmd's default mempool cache of 250), in the
# same script run, interleaved, each measurement repeated. Prints the median
# TX Mpps per mode and driver as a markdown table (for docs/fwd.md).
#   test/bench/fwd_compare.sh [seconds per run (5)] [repeats (3)]
# Environment: SLUBQ_BUILD (build dir, default build), FWD_EXTRA (more app args).
# Not part of the test suite: it measures, it does not judge.
set -e
cd "$(dirname "$0")/../.."
SECS=${1:-5}
REPEATS=${2:-3}
BUILD=${SLUBQ_BUILD:-build}
FWD="$BUILD/apps/slubq-fwd/slubq-fwd"
[ -x "$FWD" ] || { echo "build first: $FWD missing" >&2; exit 1; }

if grep -q " hugetlbfs " /proc/mounts && [ "$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)" -ge 256 ]; then
	MEM="--in-memory"
else
	MEM="--no-huge -m 1024"
fi
# io: main + 1 forwarding lcore. pipeline: main + rx lcore + worker lcore,
# on their own CPUs when the machine has 3, else sharing 2.
if [ "$(nproc)" -ge 3 ]; then PIPE_LCORES="-l 0-2"; else PIPE_LCORES="--lcores=(0-2)@(0-1)"; fi

# run MODE LABEL APP-ARGS...: prints the TX Mpps of one run
run() {
	mode=$1; shift
	if [ "$mode" = pipeline ]; then lc=$PIPE_LCORES; else lc="-l 0-1"; fi
	# shellcheck disable=SC2086
	out=$("$FWD" $lc --no-pci $MEM --file-prefix "fwd-bench-$$" --log-level=lib.eal:warning \
		--vdev net_null0 --vdev net_null1 -- --config config/default.yaml --forward-mode="$mode" \
		--duration "$SECS" $FWD_EXTRA "$@" 2>&1) || { echo "$out" >&2; echo "run failed" >&2; exit 1; }
	echo "$out" | grep -q 'Leak check: 0 objects leaked' || { echo "$out" >&2; echo "leak" >&2; exit 1; }
	echo "$out" | sed -n 's/.*Throughput (.*): RX \([0-9.]*\) Mpps, TX \([0-9.]*\) Mpps.*/\2/p' | tail -1
}

median() { tr ' ' '\n' | grep . | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

CONFIGS="slubq|--pool-ops=slubq ring_mp_mc|--pool-ops=ring_mp_mc slubq+mbcache250|--pool-ops=slubq|--mbcache=250"
echo "slubq-fwd, 2 x net_null, ${SECS} s per run, median of $REPEATS, $(nproc) CPUs, $(date -u +%F)" >&2
printf '| mode | driver | TX Mpps (median) | runs |\n|---|---|---|---|\n'
for mode in io pipeline; do
	results=""
	for r in $(seq "$REPEATS"); do
		for c in $CONFIGS; do
			label=${c%%|*}
			args=$(echo "${c#*|}" | tr '|' ' ')
			# shellcheck disable=SC2086
			v=$(run "$mode" $args)
			results="$results
$label $v"
			echo "  $mode $label run $r: $v Mpps" >&2
		done
	done
	for c in $CONFIGS; do
		label=${c%%|*}
		vals=$(echo "$results" | awk -v l="$label" '$1 == l {printf "%s ", $2}')
		printf '| %s | %s | %s | %s|\n' "$mode" "$label" "$(echo "$vals" | median)" "$vals"
	done
done
rm -rf "/var/run/dpdk/fwd-bench-$$"
