/* SPDX-License-Identifier: BSD-3-Clause */
// Layer 6: a cache's memory sources at work: chunks cut into slabs and
// given to its nodes (cache/cache_fixed.cpp, cache/cache_elastic.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include "slubq.h"
#include "node/node.hpp"

namespace slubq {

// Elastic: add one chunk of slabs to node nd (takes and drops nd's lock).
int elastic_grow(slubq_cache *c, node *nd);
// Elastic: free the chunks of nd whose slabs are all empty. Returns bytes.
std::uint64_t elastic_release(slubq_cache *c, node *nd);
// Elastic: free every chunk of nd (cache destruction).
void elastic_release_all(slubq_cache *c, node *nd);
// Fixed: cut [vaddr, vaddr+len) into aligned slabs for the given logical socket(s).
int fixed_populate(slubq_cache *c, void *vaddr, rte_iova_t iova, std::size_t len, int socket,
		   unsigned max_objs, slubq_obj_cb_t *cb, void *opaque);

// Memory pressure: free the empty elastic chunks of every cache but
// `except`. Returns the bytes given back. Declared here, where a growing
// cache calls it, and implemented by the registry (registry/registry.cpp),
// which knows the other caches.
std::uint64_t registry_reclaim(const slubq_cache *except);

} // namespace slubq
