#!/bin/sh
# Debian's dpdk-test runs mbuf_autotest (two lcores: the refcount test
# frees on one lcore what the other allocated) with every mbuf pool on
# slubq, loaded with -d.
. "$(dirname "$0")/common.sh"
need_tool dpdk-test
eal_mem 512
log=$(mktemp)
trap 'rm -f "$log"; [ -n "$SLUBQ_PREFIX" ] && rm -rf "/var/run/dpdk/$SLUBQ_PREFIX"' EXIT
set -x
timeout 120 env $STOCK_ENV dpdk-test -l 0-1 --no-pci $EAL_MEM $SLUBQ_PLUGIN -- mbuf_autotest >"$log" 2>&1
rc=$?
set +x
grep -E "SLUBQ: mempool|Test OK|Test Failed|PANIC|test_refcnt" "$log"
[ $rc -eq 0 ] || { tail -30 "$log"; fail "dpdk-test exited with $rc"; }
grep -q "SLUBQ: mempool test_pktmbuf_pool:" "$log" || fail "the mbuf pools did not use slubq"
grep -q "SLUBQ: mempool refcnt_pool:" "$log" || fail "test_refcnt_mbuf did not run on slubq"
grep -q "^Test OK" "$log" || fail "no 'Test OK'"
echo "PASS: dpdk-test mbuf_autotest on slubq"
