/* SPDX-License-Identifier: BSD-3-Clause */
// Helpers of the configuration tests: load a YAML text, name an example.
#pragma once

#include <string>
#include <vector>
#include "config/config.hpp"
#include "slubq_config.h"

namespace config_test {

// Every problem of a load, one formatted line each (empty when it loads).
inline std::vector<std::string> errors_of(const std::string &yaml, const std::string &file = "t.yaml")
{
	slubq::config::config c;
	std::vector<std::string> errors;
	slubq::config::load_string(yaml, file, c, errors);
	return errors;
}

// The single problem of a load ("" when there is none, all of them joined
// when there are several, so a failure shows them).
inline std::string error_of(const std::string &yaml)
{
	auto e = errors_of(yaml);
	std::string all;
	for (const auto &x : e)
		all += (all.empty() ? "" : " | ") + x;
	return all;
}

inline std::string example(const std::string &name)
{
	return std::string(SLUBQ_CONFIG_DIR) + "/" + name;
}

inline const std::vector<std::string> &examples()
{
	static const std::vector<std::string> v = {"default.yaml", "fwd-single-socket.yaml",
						   "pipeline-two-socket.yaml", "dma-heavy.yaml",
						   "stock-testpmd.yaml",   "stock-l2fwd.yaml",
						   "stock-ovs.yaml"};
	return v;
}

} // namespace config_test
