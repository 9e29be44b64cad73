/* SPDX-License-Identifier: BSD-3-Clause */
// slubq C++ API: the C API of slubq.h plus the inline fast path.
#pragma once

#include "slubq.h"
#include "slubq_fast.hpp"

namespace slubq {

// Allocate n objects (all or none: -ENOBUFS). Inline lcore-queue fast path.
SLUBQ_FAST int alloc(slubq_cache *c, void **objs, unsigned n) { return alloc_bulk(c, objs, n); }
// Free n objects. Inline lcore-queue fast path.
SLUBQ_FAST void free(slubq_cache *c, void *const *objs, unsigned n) { free_bulk(c, objs, n); }

SLUBQ_FAST void *alloc_one(slubq_cache *c)
{
	void *o;
	return alloc_bulk(c, &o, 1) == 0 ? o : nullptr;
}
SLUBQ_FAST void free_one(slubq_cache *c, void *o) { free_bulk(c, &o, 1); }

} // namespace slubq
