#!/bin/sh
# The README's test command: install what is missing, reserve hugepages
# when possible, build, run every test, and end with "N passed, N failed".
#   scripts/test.sh [--suite NAME]... [--no-huge] [-- meson test args]
set -e
cd "$(dirname "$0")/.."
SUITES=""
while [ $# -gt 0 ]; do
	case "$1" in
	--suite) SUITES="$SUITES --suite $2"; shift 2 ;;
	--no-huge) export SLUBQ_TEST_NO_HUGE=1; shift ;;
	--) shift; break ;;
	*) break ;;
	esac
done
sh scripts/deps.sh
sh scripts/hugepages.sh
sh scripts/build.sh
BUILD=${SLUBQ_BUILD:-build}
set +e
meson test -C "$BUILD" --print-errorlogs $SUITES "$@"
rc=$?
set -e
sum=0
python3 scripts/summarize_tests.py "$BUILD/meson-logs/testlog.json" || sum=$?
[ $rc -eq 0 ] && [ $sum -eq 0 ]
