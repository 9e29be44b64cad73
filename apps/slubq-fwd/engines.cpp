/* SPDX-License-Identifier: BSD-3-Clause */
#include "engines.hpp"

#include <cstring>

namespace fwd {

namespace {
const engine *const all_engines[] = {&engine_io,     &engine_mac,    &engine_macswap,
				     &engine_rxonly, &engine_txonly, &engine_pipeline};
}

const engine *find_engine(const char *name)
{
	for (const engine *e : all_engines)
		if (std::strcmp(e->name, name) == 0)
			return e;
	return nullptr;
}

std::string engine_names()
{
	std::string s;
	for (const engine *e : all_engines) {
		if (!s.empty())
			s += '|';
		s += e->name;
	}
	return s;
}

} // namespace fwd
