# Sourced by the driver's stock-tool tests. Exit codes: 0 pass, 1 fail,
# 77 skipped (meson). LD_LIBRARY_PATH holds the plugin's build directory
# (meson test sets it), so `-d librte_mempool_slubq.so` finds it: DPDK
# refuses plugin paths under world-writable directories such as /tmp.

fail() { echo "FAIL: $*"; exit 1; }

need_tool() {
	command -v "$1" >/dev/null 2>&1 || fail "$1 not found (Debian package 'dpdk'; scripts/deps.sh installs it)"
}

# EAL_MEM: hugepages with --in-memory when $1 MiB of them are free (and
# SLUBQ_TEST_NO_HUGE is unset), else --no-huge -m $1 with a file prefix of
# our own whose runtime directory is removed on exit.
eal_mem() {
	free_pages=$(awk '/^HugePages_Free:/ {print $2}' /proc/meminfo)
	page_kb=$(awk '/^Hugepagesize:/ {print $2}' /proc/meminfo)
	if [ -z "$SLUBQ_TEST_NO_HUGE" ] && grep -q " hugetlbfs " /proc/mounts &&
	   [ $(( ${free_pages:-0} * ${page_kb:-0} / 1024 )) -ge "$1" ]; then
		EAL_MEM="--in-memory"
	else
		SLUBQ_PREFIX="slubq-drv-$$"
		EAL_MEM="--no-huge -m $1 --file-prefix $SLUBQ_PREFIX"
		trap 'rm -rf "/var/run/dpdk/$SLUBQ_PREFIX"' EXIT
	fi
	echo "memory: $EAL_MEM"
}

# The plugin by bare name, and the EAL options that select it.
SLUBQ_PLUGIN="-d librte_mempool_slubq.so --mbuf-pool-ops-name slubq --log-level=lib.slubq:debug"

# check_full_bursts LOG: testpmd's final statistics (--record-burst-stats)
# show packets on both ports, every RX burst full (net_null returns an
# empty burst exactly when rte_pktmbuf_alloc_bulk fails) and no TX drop.
check_full_bursts() {
	# Final per-port blocks: "RX-packets: N ..." then "RX-bursts : B [...]".
	awk '
/Forward statistics for port/ { port = 1 }
port && /RX-packets:/ { pkts = $2 }
port && /RX-bursts :/ { bursts = $3; n++
	if (pkts == 0) { print "no packets forwarded"; bad = 1 }
	if (pkts != 32 * bursts) { printf "%d packets in %d bursts: some bursts came back short (mbuf allocation failed)\n", pkts, bursts; bad = 1 }
	port = 0 }
/TX-dropped: [1-9]/ { print "TX drops: " $0; bad = 1 }
END { if (n != 2) { print "expected burst stats of 2 ports, found " n; bad = 1 }; exit bad }
' "$1"
}

# STOCK_ENV: what a stock (uninstrumented) tool needs in front of its
# command line, `timeout N env $STOCK_ENV tool ...`: the sanitizer runtimes
# preloaded when the plugin is built with sanitizers (meson's test setup
# sets SLUBQ_SANITIZER_PRELOAD), else nothing.
STOCK_ENV=${SLUBQ_SANITIZER_PRELOAD:+LD_PRELOAD=$SLUBQ_SANITIZER_PRELOAD${LD_PRELOAD:+:$LD_PRELOAD}}
