/* SPDX-License-Identifier: BSD-3-Clause */
// Layer 7: named caches, created and destroyed under one lock, in a memzone
// every process of the DPDK application can see. Its lock is the outermost
// (lock order: common/plock.hpp).
#pragma once

#include <cstdint>
#include "common/plock.hpp"
#include "slubq.h"
#include "topology/topology.hpp"

struct slubq_cache;

namespace slubq {

constexpr std::uint32_t registry_magic = 0x5eb0a11c;
constexpr const char *registry_mz_name = "slubq_registry";

struct registry_entry {
	char name[SLUBQ_NAMESIZE];
	slubq_cache *cache;
	std::uint32_t used;
	std::uint32_t alias;     // a merged name: cache belongs to another entry
	std::uint32_t anonymous; // created without a name: other anonymous caches may merge into it
	std::uint32_t pinned;    // owned by the library (size classes): destroy refuses it
};

struct pool_config_entry {
	char name[SLUBQ_NAMESIZE];
	std::uint32_t used;
	slubq_pool_config cfg;
};

struct registry {
	std::uint32_t magic;
	plock lock;
	topology topo;          // applies to caches created from now on
	std::uint32_t next_id;
	std::uint32_t pad;
	registry_entry entries[SLUBQ_MAX_CACHES];
	pool_config_entry pool_configs[SLUBQ_MAX_POOL_CONFIGS];
};

// The registry of this DPDK application (created on first use). NULL when
// the EAL is not up or no memory; rte_errno says why.
registry *registry_get();
// The cache named `name`, held: the registry lock stays taken until
// registry_unhold(), so that nobody destroys the cache while the caller
// reads it (telemetry). The lock is a plock: a holder that dies does not
// hang the others. While holding, take no registry lock (no lookup,
// create, destroy, walk). NULL (-ENOENT, nothing held) when there is none.
slubq_cache *registry_hold(const char *name);
void registry_unhold();
// registry_reclaim (memory pressure) is declared by its caller: cache/cache_source.hpp.

} // namespace slubq
