#!/bin/sh
# Build slubq with AddressSanitizer and UndefinedBehaviorSanitizer in
# ${SLUBQ_ASAN_BUILD:-build-asan} and run tests under them (default: every
# test, as scripts/test.sh; --suite NAME for some). Ends with "N passed,
# N failed".
#   scripts/test-sanitize.sh [--suite NAME]... [--no-huge]
#
# - Stock tools (testpmd, dpdk-test, OVS, l2fwd) are not instrumented: the
#   integration tests preload the sanitizer runtimes for them (meson's test
#   setup gives the tests SLUBQ_SANITIZER_PRELOAD, see meson.build).
# - -Db_lundef=false: shared objects built with ASan leave its symbols to
#   the runtime (meson's default --no-undefined would refuse to link them).
# - -fno-sanitize-recover: any UBSan finding aborts the test, so it fails.
# - DPDK itself is not instrumented: its hugepage memory (our slabs) is not
#   checked by ASan, the library's own heap and stack use are.
# - The EAL keeps allocations until exit (lcore threads, config): leaks in
#   DPDK's libraries are suppressed, leaks in slubq and the tests are not.
set -e
cd "$(dirname "$0")/.."
SUITES=""
while [ $# -gt 0 ]; do
	case "$1" in
	--suite) SUITES="$SUITES --suite $2"; shift 2 ;;
	--all) shift ;; # the default now; kept for old command lines
	--no-huge) export SLUBQ_TEST_NO_HUGE=1; shift ;;
	*) echo "usage: $0 [--suite NAME]... [--no-huge]" >&2; exit 2 ;;
	esac
done
BUILD=${SLUBQ_ASAN_BUILD:-build-asan}
sh scripts/deps.sh
sh scripts/hugepages.sh
if [ ! -f "$BUILD/build.ninja" ]; then
	meson setup "$BUILD" -Dbuildtype=debugoptimized -Db_sanitize=address,undefined -Db_lundef=false \
		-Dcpp_args=-fno-sanitize-recover=undefined -Dc_args=-fno-sanitize-recover=undefined \
		-Dbenchmarks=false >/dev/null
fi
ninja -C "$BUILD" >/dev/null || ninja -C "$BUILD"
supp="$(cd "$BUILD" && pwd)/lsan.supp"
printf 'leak:librte_\nleak:rte_eal_init\n' > "$supp"
export ASAN_OPTIONS="abort_on_error=1:detect_leaks=1:${ASAN_OPTIONS:-}"
export LSAN_OPTIONS="suppressions=$supp:print_suppressions=0:${LSAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"
set +e
meson test -C "$BUILD" --print-errorlogs $SUITES
rc=$?
set -e
sum=0
python3 scripts/summarize_tests.py "$BUILD/meson-logs/testlog.json" || sum=$?
[ $rc -eq 0 ] && [ $sum -eq 0 ]
