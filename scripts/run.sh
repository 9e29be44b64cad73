#!/bin/sh
# The README's main-job command: install, build, and run the forwarder
# slubq-fwd on two net_null ports for about ten seconds, printing statistics
# every 2 s and, on exit, the leak check. Uses hugepages when it can
# reserve them, else --no-huge.
#   scripts/run.sh [seconds] [-- extra slubq-fwd arguments]
# Environment: SLUBQ_BUILD (build dir), SLUBQ_LCORES (EAL lcores, default
# "-l 0-1"; pipeline mode needs 3, e.g. "--lcores=(0-2)@(0-1)").
#   e.g. SLUBQ_LCORES="--lcores=(0-2)@(0-1)" scripts/run.sh 5 -- --forward-mode=pipeline --sockets 2
set -e
cd "$(dirname "$0")/.."
SECONDS_TO_RUN=10
case "$1" in
''|*[!0-9.]*) ;;
*) SECONDS_TO_RUN=$1; shift ;;
esac
[ "$1" = "--" ] && shift
sh scripts/deps.sh
sh scripts/hugepages.sh
sh scripts/build.sh
BUILD=${SLUBQ_BUILD:-build}
PREFIX=""
if grep -q " hugetlbfs " /proc/mounts && [ "$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)" -ge 256 ]; then
	MEM="--in-memory"
else
	PREFIX="slubq-run-$$"
	MEM="--no-huge -m 1024 --file-prefix $PREFIX"
fi
set +e
# shellcheck disable=SC2086
"$BUILD/apps/slubq-fwd/slubq-fwd" ${SLUBQ_LCORES:--l 0-1} --no-pci $MEM --log-level=lib.eal:warning \
	--vdev net_null0 --vdev net_null1 -- \
	--config config/default.yaml --forward-mode=io --stats-period 2 --duration "$SECONDS_TO_RUN" "$@"
rc=$?
[ -n "$PREFIX" ] && rm -rf "/var/run/dpdk/$PREFIX"
exit $rc
