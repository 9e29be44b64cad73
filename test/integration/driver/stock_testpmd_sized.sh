#!/bin/sh
# The arguments `slubq-config size FILE --app testpmd` prints run Debian's
# dpdk-testpmd under SLUBQ_CONFIG=FILE: its pool gets the printed count
# and the rule's queue, and io forwarding between two net_null ports
# keeps every RX burst full for a few seconds.
#   stock_testpmd_sized.sh SLUBQ_CONFIG_EXE FILE [SECONDS]
. "$(dirname "$0")/common.sh"
need_tool dpdk-testpmd
exe=$1; file=$2; secs=${3:-3}
out=$("$exe" size "$file" --app testpmd) || fail "slubq-config size --app testpmd failed"
echo "$out"
count=$(echo "$out" | awk '$1 == "count" { print $2 }')
args=$(echo "$out" | sed -n 's/^testpmd: .* -- //p')
queue=$(echo "$out" | sed -n "s/^  rule .*queue_size=\([0-9]*\).*/\1/p")
[ -n "$count" ] && [ -n "$args" ] && [ -n "$queue" ] || fail "no count, queue or arguments in the output"
eal_mem 256
log=$(mktemp)
trap 'rm -f "$log"; [ -n "$SLUBQ_PREFIX" ] && rm -rf "/var/run/dpdk/$SLUBQ_PREFIX"' EXIT
set -x
SLUBQ_CONFIG=$file timeout --preserve-status -s INT -k 20 "$secs" \
	env $STOCK_ENV dpdk-testpmd -l 0-1 --no-pci $EAL_MEM --vdev net_null0 --vdev net_null1 $SLUBQ_PLUGIN -- \
	--forward-mode=io $args --record-burst-stats --stats-period 1 >"$log" 2>&1
rc=$?
set +x
grep -E "SLUBQ: mempool|RX-packets|RX-bursts" "$log" | tail -8
[ $rc -eq 0 ] || { tail -30 "$log"; fail "dpdk-testpmd exited with $rc"; }
grep -q "SLUBQ: mempool mb_pool_0: $count objects .* lcore queue $queue " "$log" ||
	fail "mb_pool_0 does not have the $count mbufs and queue $queue that slubq-config printed"
check_full_bursts "$log" || fail "forwarding check"
echo "PASS: testpmd with the arguments of slubq-config size --app testpmd: $count mbufs, queue $queue, every RX burst full"
