#!/bin/sh
# The comparison runner: install what is missing, reserve hugepages when
# possible, build, run slubq-bench (every case, slubq against stock DPDK
# pools, in one process), then draw the plots and the summary tables.
#   scripts/bench.sh [--quick] [--out DIR] [-- slubq-bench options]
# Writes DIR/bench.json, DIR/bench.txt (the console output), DIR/*.png and
# DIR/summary.md; DIR defaults to docs/perf, and only then is the numbers
# section of docs/performance.md regenerated too. --quick: under a minute;
# the full run (best of 3 repetitions) under ten on 2 cores. Options after
# -- go to slubq-bench (e.g. --filter 'local1/.*' --repetitions 5).
# Environment: SLUBQ_BUILD (build dir), SLUBQ_BENCH_EAL (EAL options instead
# of slubq-bench's default: lcores 0-1, hugepages or --no-huge).
set -e
QUICK=""
OUT=""
while [ $# -gt 0 ]; do
	case "$1" in
	--quick) QUICK=--quick; shift ;;
	--out) [ -n "$2" ] || { echo "usage: $0 [--quick] [--out DIR] [-- slubq-bench options]" >&2; exit 2; }
		OUT=$2; shift 2 ;;
	--) shift; break ;;
	*) echo "usage: $0 [--quick] [--out DIR] [-- slubq-bench options]" >&2; exit 2 ;;
	esac
done
# --out is relative to where the caller stands; the default to the repository.
case "$OUT" in
'') OUT=docs/perf ;;
/*) ;;
*) OUT="$PWD/$OUT" ;;
esac
cd "$(dirname "$0")/.."
SLUBQ_EXTRA_PKGS="${SLUBQ_EXTRA_PKGS:+$SLUBQ_EXTRA_PKGS }python3-matplotlib" sh scripts/deps.sh
sh scripts/hugepages.sh
sh scripts/build.sh
BUILD=${SLUBQ_BUILD:-build}
BENCH="$BUILD/apps/slubq-bench/slubq-bench"
if [ ! -x "$BENCH" ]; then
	echo "slubq: $BENCH not built (is -Dbenchmarks=false set? meson configure $BUILD -Dbenchmarks=true)" >&2
	exit 1
fi
# Debian's python3 has matplotlib; another python3 first in PATH may not.
PY=""
for p in python3 /usr/bin/python3; do
	if "$p" -c 'import matplotlib' 2>/dev/null; then PY=$p; break; fi
done
if [ -z "$PY" ]; then
	echo "slubq: no python3 with matplotlib (Debian: apt-get install python3-matplotlib)" >&2
	exit 1
fi
mkdir -p "$OUT"
rm -f "$OUT/bench.json" # a failed run must not leave an older run to plot
rc_file="$OUT/.bench.rc"
# slubq-bench's console reporter colours its lines whatever
# --benchmark_color says: keep the escapes out of bench.txt.
esc=$(printf '\033')
# The EAL options, if any, must come first and end with "--".
set +e
{
	# shellcheck disable=SC2086
	if [ -n "$SLUBQ_BENCH_EAL" ]; then
		"$BENCH" $SLUBQ_BENCH_EAL -- $QUICK --benchmark_color=false --json "$OUT/bench.json" "$@"
	else
		"$BENCH" $QUICK --benchmark_color=false --json "$OUT/bench.json" "$@"
	fi
	echo $? > "$rc_file"
} 2>&1 | sed -u "s/${esc}\[[0-9;]*m//g" | tee "$OUT/bench.txt"
set -e
rc=$(cat "$rc_file")
rm -f "$rc_file"
if [ "$rc" -ne 0 ]; then
	echo "slubq: slubq-bench failed (exit $rc); see $OUT/bench.txt" >&2
	exit "$rc"
fi
DOC=""
[ "$(cd "$OUT" && pwd -P)" = "$(cd docs/perf 2>/dev/null && pwd -P)" ] && DOC="--update-doc docs/performance.md"
# shellcheck disable=SC2086
"$PY" scripts/bench_plot.py "$OUT/bench.json" "$OUT" $DOC
