/* SPDX-License-Identifier: BSD-3-Clause */
// The names slubq_cache_walk lists (caches and their aliases).
#pragma once

#include <set>
#include <string>
#include "slubq.h"

namespace slubq_test {

inline std::set<std::string> cache_names()
{
	std::set<std::string> names;
	slubq_cache_walk(
		[](slubq_cache *, const char *name, void *arg) {
			static_cast<std::set<std::string> *>(arg)->insert(name);
			return 0;
		},
		&names);
	return names;
}

} // namespace slubq_test
