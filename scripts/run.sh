#!/bin/sh
# The README's main-job command: install, build, and run the forwarder on
# two net_null ports for about ten seconds, printing statistics. Uses
# hugepages when it can reserve them, else --no-huge.
#   scripts/run.sh [seconds] [-- extra slubq-fwd arguments]
set -e
cd "$(dirname "$0")/.."
SECONDS_TO_RUN=${1:-10}
[ $# -gt 0 ] && shift
[ "$1" = "--" ] && shift
sh scripts/deps.sh
sh scripts/hugepages.sh
sh scripts/build.sh
BUILD=${SLUBQ_BUILD:-build}
if grep -q " hugetlbfs " /proc/mounts && [ "$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)" -ge 256 ]; then
	MEM="--in-memory"
else
	MEM="--no-huge -m 1024 --file-prefix slubq-run-$$"
fi
if [ -x "$BUILD/apps/slubq-fwd/slubq-fwd" ]; then
	exec "$BUILD/apps/slubq-fwd/slubq-fwd" -l 0-1 --no-pci $MEM --log-level=lib.eal:warning \
		--vdev net_null0 --vdev net_null1 -- \
		--config config/default.yaml --forward-mode=io --stats-period 2 --duration "$SECONDS_TO_RUN" "$@"
fi
# Until the forwarder is built: the engine demo (pipeline across two simulated sockets).
exec "$BUILD/apps/slubq-demo/slubq-demo" "--lcores=(0-2)@(0-1)" --no-pci $MEM --log-level=lib.eal:warning \
	-- --seconds "$SECONDS_TO_RUN" --sockets 2 "$@"
