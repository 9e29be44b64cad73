/* SPDX-License-Identifier: BSD-3-Clause */
// Layer 6: cache creation and teardown, without names. The registry
// (registry/registry_api.cpp) names caches, merges anonymous ones and
// calls these under its lock; a cache knows nothing of the registry.
#pragma once

#include <cstdint>
#include "slubq.h"
#include "slab/slab.hpp"
#include "topology/topology.hpp"

namespace slubq {

// Parameters a cache can be made of (-EINVAL, logged, when not).
int cache_check_params(const slubq_cache_params *p);
// The slab geometry of p on topology t; -EINVAL (logged) when there is no
// layout or the slabs could never be served.
int cache_plan(const slubq_cache_params *p, const topology &t, geometry &g);
// May anonymous request p (geometry g, on topology t) share cache c?
bool cache_mergeable(const slubq_cache *c, const slubq_cache_params *p, const geometry &g, const topology &t);
// A new cache named `name` with id `id` on topology t; NULL (rte_errno) when no memory.
slubq_cache *cache_build(const slubq_cache_params *p, const geometry &g, const char *name, const topology &t,
			 std::uint32_t id);
// Free c (no name points at it any more). -EBUSY (logged) when objects were
// still in use; c is freed all the same.
int cache_teardown(slubq_cache *c);

} // namespace slubq
