#!/bin/sh
# Debian's dpdk-testpmd forwards (io) between two net_null ports for a few
# seconds with its mbuf pool on slubq, with the rte_mempool cache off
# (--mbcache=0: slubq's lcore queues cache) or at testpmd's default.
#   stock_testpmd_io.sh 0|default [SECONDS]
# No mbuf allocation may fail: net_null returns an empty burst exactly when
# rte_pktmbuf_alloc_bulk fails, so every recorded RX burst must hold 32.
. "$(dirname "$0")/common.sh"
need_tool dpdk-testpmd
case "$1" in
0) cache="--mbcache=0"; expect="doing the per-lcore caching" ;;
default) cache=""; expect="behind the rte_mempool cache" ;;
*) fail "usage: $0 0|default [SECONDS]" ;;
esac
secs=${2:-3}
eal_mem 256
log=$(mktemp)
trap 'rm -f "$log"; [ -n "$SLUBQ_PREFIX" ] && rm -rf "/var/run/dpdk/$SLUBQ_PREFIX"' EXIT
# SIGINT after $secs stops forwarding and prints the statistics; KILL
# 20 s later if it hangs.
set -x
timeout --preserve-status -s INT -k 20 "$secs" \
	env $STOCK_ENV dpdk-testpmd -l 0-1 --no-pci $EAL_MEM --vdev net_null0 --vdev net_null1 $SLUBQ_PLUGIN -- \
	--forward-mode=io --burst=32 --total-num-mbufs=16384 $cache --record-burst-stats --stats-period 1 >"$log" 2>&1
rc=$?
set +x
grep -E "mempool ops selected|SLUBQ: mempool|RX-packets|RX-bursts|TX-packets" "$log" | tail -12
[ $rc -eq 0 ] || { tail -30 "$log"; fail "dpdk-testpmd exited with $rc"; }
grep -q "preferred mempool ops selected: slubq" "$log" || fail "testpmd did not select slubq"
grep -q "SLUBQ: mempool mb_pool_0: .*$expect" "$log" || fail "mb_pool_0 is not a slubq pool $expect"
check_full_bursts "$log" || fail "forwarding check"
echo "PASS: testpmd io forwarding on slubq ($1 cache), every RX burst full"
