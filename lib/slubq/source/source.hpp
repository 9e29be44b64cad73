/* SPDX-License-Identifier: BSD-3-Clause */
// Layer 2: where slab memory comes from, as the records a cache keeps of it
// (the cache layer cuts it into slabs for its nodes: cache/cache_fixed.cpp,
// cache/cache_elastic.cpp; its ranges are in source/spans.hpp).
//  - fixed: chunks handed in (rte_mempool populate); never grows, never
//    gives back.
//  - elastic: memzones ("chunks") reserved per socket on demand, cut into
//    size-aligned slabs; a chunk whose slabs are all empty is freed on
//    shrink or under memory pressure. No timers, no background threads.
#pragma once

#include <cstdint>
#include <rte_memzone.h>
#include "slubq.h"

namespace slubq {

struct chunk {
	chunk *next;
	chunk *prev;
	const rte_memzone *mz;     // lives in the EAL's shared config
	std::uint32_t nr_slabs;
	std::uint32_t empty_slabs; // slabs of this chunk on the node's empty list
	std::uint64_t bytes;
};

struct source_state {
	std::uint32_t kind;        // slubq_source_kind
	std::uint32_t mz_flags;    // RTE_MEMZONE_* for elastic chunks
	std::uint64_t chunk_bytes; // elastic: bytes per memzone (multiple of the slab size)
	std::uint64_t limit;       // elastic: most bytes (0 = none)
	std::uint64_t reserved;    // elastic: bytes held now (atomic)
	std::uint64_t seq;         // memzone name sequence (atomic)
	std::int32_t home_socket;  // fixed: real socket of the memory (SOCKET_ID_ANY = any)
	std::uint32_t pad;
};

} // namespace slubq
