#!/bin/sh
# Build the libFuzzer target of the configuration loader with clang++,
# against the static libslubq of an existing build directory.
#   sh test/fuzz/build_libfuzzer.sh BUILD_DIR
set -e
cd "$(dirname "$0")/../.."
B=${1:?usage: build_libfuzzer.sh BUILD_DIR}
ninja -C "$B" lib/slubq/libslubq.a >/dev/null
# shellcheck disable=SC2046
clang++ -std=c++20 -O1 -g -fsanitize=fuzzer,address -include rte_config.h \
	-Ilib/slubq $(pkg-config --cflags libdpdk) \
	test/fuzz/config_fuzz_target.cpp -o "$B/slubq-config-libfuzzer" \
	-Wl,--whole-archive "$B/lib/slubq/libslubq.a" -Wl,--no-whole-archive \
	$(pkg-config --libs libdpdk yaml-cpp hwloc) -lpthread
echo "$B/slubq-config-libfuzzer"
