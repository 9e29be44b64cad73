/* SPDX-License-Identifier: BSD-3-Clause */
// libFuzzer target for the YAML configuration loader: the property of
// config_fuzz_check.hpp on arbitrary bytes. Not part of the test suite
// (the project builds with g++); build and run it with clang:
//   sh test/fuzz/build_libfuzzer.sh BUILD_DIR
//   BUILD_DIR/slubq-config-libfuzzer -max_total_time=60 -dict=... corpus/ config/
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include "config_fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
	std::string text(reinterpret_cast<const char *>(data), size);
	std::string broken = config_fuzz::check(text, "fuzz.yaml");
	if (!broken.empty()) {
		std::fprintf(stderr, "property broken: %s\n", broken.c_str());
		std::abort();
	}
	return 0;
}
