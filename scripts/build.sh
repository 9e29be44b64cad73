#!/bin/sh
# Configure (once) and build slubq in ${SLUBQ_BUILD:-build}. Extra
# arguments go to `meson setup` (e.g. -Db_sanitize=address,undefined).
set -e
cd "$(dirname "$0")/.."
BUILD=${SLUBQ_BUILD:-build}
if [ ! -f "$BUILD/build.ninja" ]; then
	meson setup "$BUILD" "$@" >/dev/null
elif [ $# -gt 0 ]; then
	meson configure "$BUILD" "$@" >/dev/null
fi
ninja -C "$BUILD" >/dev/null || ninja -C "$BUILD"
