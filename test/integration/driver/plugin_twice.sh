#!/bin/sh
# Stock DPDK applications load every .so of DPDK's plugin directory, and
# users add -d librte_mempool_slubq.so on top. Two copies of the plugin
# (here: one from a plugin directory, one by name from LD_LIBRARY_PATH) must
# register "slubq" once and keep working.
. "$(dirname "$0")/common.sh"
need_tool dpdk-test
[ -n "$SLUBQ_DRIVER_SO" ] || fail "SLUBQ_DRIVER_SO not set (run through meson test)"
dir="$(realpath "$(dirname "$SLUBQ_DRIVER_SO")")/plugin-dir-copy"
# DPDK refuses -d DIR below a world-writable directory (a clone in /tmp).
d=$(dirname "$dir")
while [ "$d" != / ]; do
	if [ -n "$(find "$d" -maxdepth 0 -perm -0002)" ]; then
		echo "SKIP: $d is world-writable: DPDK refuses plugin directories below it"
		exit 77
	fi
	d=$(dirname "$d")
done
eal_mem 512
mkdir -p "$dir" && cp "$SLUBQ_DRIVER_SO" "$dir/librte_mempool_slubq.so" || fail "cannot copy the plugin"
log=$(mktemp)
trap 'rm -f "$log"; rm -rf "$dir"; [ -n "$SLUBQ_PREFIX" ] && rm -rf "/var/run/dpdk/$SLUBQ_PREFIX"' EXIT
set -x
timeout 120 env $STOCK_ENV dpdk-test -l 0-1 --no-pci $EAL_MEM -d "$dir" $SLUBQ_PLUGIN -- mbuf_autotest >"$log" 2>&1
rc=$?
set +x
grep -E "mempool ops 'slubq'|Test OK" "$log"
[ $rc -eq 0 ] || { tail -30 "$log"; fail "dpdk-test exited with $rc"; }
[ "$(grep -c "mempool ops 'slubq' registered at index" "$log")" -eq 1 ] || fail "slubq not registered exactly once"
grep -q "already registered by another copy" "$log" || fail "the second copy was not loaded"
grep -q "^Test OK" "$log" || fail "no 'Test OK'"
echo "PASS: two copies of the plugin, one registration"
