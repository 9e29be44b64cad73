/* SPDX-License-Identifier: BSD-3-Clause */
// A cache on the fixed source, populated with exactly n objects from one
// rte_malloc buffer (spread over the cache's sockets, or all on logical
// socket `socket`). For tests.
#pragma once

#include <cstdint>
#include <rte_malloc.h>
#include "slubq.h"

namespace slubq_test {

// Defaults, on the fixed source, with this name and object size.
inline slubq_cache_params fixed_params(const char *name, std::uint32_t obj_size)
{
	slubq_cache_params p;
	slubq_cache_params_init(&p);
	p.name = name;
	p.obj_size = obj_size;
	p.source = SLUBQ_SOURCE_FIXED;
	return p;
}

// NULL (nothing left behind) on failure; else *buf is the memory to
// rte_free after the cache is destroyed.
inline slubq_cache *make_fixed(const slubq_cache_params &p, std::uint32_t n, void **buf, int socket = -1)
{
	size_t min_chunk, align;
	ssize_t mem = slubq_cache_calc_mem_size(&p, n, 0, &min_chunk, &align);
	slubq_cache *c = mem > 0 ? slubq_cache_create(&p) : nullptr;
	*buf = c != nullptr ? rte_malloc(nullptr, size_t(mem), align) : nullptr;
	if (*buf == nullptr ||
	    slubq_cache_populate(c, *buf, RTE_BAD_IOVA, size_t(mem), socket, n, nullptr, nullptr) != int(n)) {
		if (c != nullptr)
			slubq_cache_destroy(c);
		rte_free(*buf);
		return nullptr;
	}
	return c;
}

} // namespace slubq_test
