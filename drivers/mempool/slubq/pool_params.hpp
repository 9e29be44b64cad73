/* SPDX-License-Identifier: BSD-3-Clause */
// What the slubq mempool driver derives from an rte_mempool: the slot
// layout, the page rule and the tunables of the cache that holds its
// objects. alloc and calc_mem_size both go through here so that they agree
// on the geometry.
#pragma once

#include <cstddef>
#include <cstdint>
#include <rte_mempool.h>
#include "slubq.h"

namespace slubq_driver {

struct pool_params {
	char cache_name[SLUBQ_NAMESIZE]; // "mp:<pool name>"
	slubq_cache_params p;            // p.name points at cache_name
	// An lcore queue that does the rte_mempool cache's job (cache_size 0),
	// or one that sits behind it (for logs).
	bool queue_is_the_cache;
	// Where the tunables came from (recorded for /slubq/info), and the
	// fault injection of a SLUBQ_CONFIG rule.
	slubq_pool_origin origin;
	bool faults;
	std::uint32_t fault_every_n, fault_ppm;
	std::uint64_t fault_seed;
	// A pktmbuf pool: each element's data buffer, the part poisoning may
	// cover (mbuf_data_len 0: not an mbuf pool, or its buffers are external).
	std::uint32_t mbuf_data_off, mbuf_data_len;
};

// The data buffer of mp's elements when mp is a pktmbuf pool whose buffers
// lie in its elements (rte_pktmbuf_pool_create): [sizeof(rte_mbuf) +
// priv_size, + data_room_size). False for other pools.
bool mbuf_data_of(const rte_mempool *mp, std::uint32_t &off, std::uint32_t &len);

// Objects of mp must not cross pages of pg_sz bytes. 0 when IOVA is
// contiguous wherever VA is (IOVA as VA) or the pool does not need
// IOVA-contiguous objects: then chunks are never split at page boundaries.
std::uint64_t page_rule(const rte_mempool *mp, std::size_t pg_sz);

// Parameters of mp's cache. Tunables, last one wins: defaults from the
// pool's size, cache size and lcore count; mp->pool_config; the named
// configuration (slubq_pool_config_set, the YAML loader); the first rule of
// the deployment file SLUBQ_CONFIG that matches the pool's name; the
// environment variable SLUBQ_MEMPOOL_CONFIG. Poisoning (SLUBQ_F_POISON)
// stays only on mbuf pools, narrowed to their data buffers: the elements
// of other pools keep what their obj_init wrote while free. 0, or a negative errno
// (logged: -EINVAL for a bad override or file, -ENOENT when the
// configuration library cannot be loaded).
int pool_params_of(const rte_mempool *mp, std::uint64_t page_size, pool_params &out);

// What calc_mem_size adds for chunks aligned only to pages of 2^pg_shift
// bytes, not to the slab (rte_mempool_populate_anon() maps anonymous
// memory, aligned to its 4 KiB pages, and ignores the alignment asked
// for): a slab less a page. 0 when pages are at least a slab, as with
// hugepages (slabs of at most 2 MiB). Without hugepages populate_default
// asks with the same 4 KiB pages, so its pools keep this room unused, and
// pool_params_of picks the slab size counting it.
std::uint64_t head_slack(std::uint64_t slab_size, std::uint32_t pg_shift);

} // namespace slubq_driver
