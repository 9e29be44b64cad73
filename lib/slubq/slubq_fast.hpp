/* SPDX-License-Identifier: BSD-3-Clause */
// The fast path: an lcore allocating from or freeing into its own queue,
// inline in the caller (slubq.hpp), and the part of the cache descriptor it
// reads. Installed: nothing here may need an engine header. The engine's
// struct slubq_cache (cache/cache.hpp) starts with cache_front and checks
// the layout against this file.
//
// Invariants (see queue/lcore_queue.hpp): the queue is touched by its owner
// only (or by a reclaimer while the owner is outside); no lock, no atomic
// read-modify-write, no fence, no division, no call. Two stores of `busy`
// and a load of `claim` (the reclaim protocol), one load of the gate `size`
// (a plain load: a tuner may have stored 0 into it to send us to the slow
// path), the pointer copies, one store of count, and the statistics, all
// in the queue's one cache line. Anything else — an
// empty or full queue, a thread that is not an EAL lcore, a cache in debug
// mode, a remote object — goes out of line to cache/cache_slow.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <rte_lcore.h>
#include "slubq.h"
#include "slubq_compiler.hpp"

namespace slubq {

// One lcore's queue of one cache: its control block, one cache line
// (queue/lcore_queue.hpp has its rules and the reclaim protocol).
struct alignas(cache_line) lcore_queue {
	// --- read and written by the fast path ---
	std::uint32_t count;      // objects in objs[]
	std::uint32_t size;       // fast-path gate
	void **objs;              // capacity slots, hugepage memory
	std::uint64_t alloc_fast; // statistics: objects
	std::uint64_t free_fast;
	// --- slow path only ---
	std::uint32_t limit;      // applied queue size
	std::uint32_t batch;      // applied batch
	std::uint32_t capacity;   // slots in objs
	std::uint32_t seen_gen;   // tunables generation applied
	std::uint32_t seen_drain; // drain requests handled
	std::uint16_t socket;     // logical socket of the owner
	std::uint8_t active;      // objs allocated and in use
	std::uint8_t pad;
	// --- reclaim protocol ---
	std::uint32_t busy;       // owner inside an operation: its process id; else 0
	std::uint32_t claim;      // a reclaimer's process id; else 0
};
static_assert(sizeof(lcore_queue) == cache_line, "the lcore control block is one cache line");
static_assert(std::is_trivially_copyable_v<lcore_queue>);

enum fast_flags : std::uint32_t {
	// Frees must check each object's home socket (more than one node).
	FAST_CHECK_REMOTE = 1u << 0,
};

// The front of every cache descriptor: the line read by every fast path,
// then the lcore queue control blocks (one cache line per lcore id, so any
// process's lcore finds its own at a fixed offset).
struct alignas(cache_line) cache_front {
	// --- line read by every fast path ---
	std::uint32_t fast_flags;
	std::uint32_t magic;
	std::uintptr_t slab_mask;  // object -> its slab header
	std::uint64_t pad_hot[6];
	lcore_queue queues[RTE_MAX_LCORE];
};
static_assert(offsetof(cache_front, queues) == cache_line, "hot fields alone in the first line");

// Where a slab header keeps the logical socket that owns it (a uint16_t),
// read by the remote check (cache/cache.hpp checks it).
constexpr std::size_t slab_socket_offset = 12;

// The leading fields of every slab header, read-only, for inline code that
// finds a slab from an object by its slab mask (slubq_malloc's free);
// cache/cache.hpp checks them against slab/slab.hpp.
struct slab_front {
	slubq_cache *owner;     // cache of the slab
	std::uint32_t nr_objs;
	std::uint16_t socket;   // logical socket of the owning node
	std::uint16_t pad0;
	std::uint64_t pad1[3];
	std::uint32_t magic;    // slab_front_magic in a live slab
};
constexpr std::uint32_t slab_front_magic = 0x51ab51ab;
static_assert(offsetof(slab_front, socket) == slab_socket_offset);

// The cache's topology snapshot, read-only, right after the cache_front
// (cache/cache.hpp checks it against topology/topology.hpp): which real
// socket serves the calling lcore, inline.
struct topology_view {
	std::uint32_t nr_sockets;
	std::uint32_t simulated;
	std::int32_t real_socket[SLUBQ_MAX_SOCKETS];  // memory of each logical socket
	std::uint8_t lcore_socket[RTE_MAX_LCORE];      // logical socket of each lcore id
};

// This process's id, stored into `busy` (common/process.hpp).
extern std::uint32_t process_token;

// --- slow paths (cache/cache_slow.cpp); q is nullptr off an lcore ---
int alloc_slow(slubq_cache *c, lcore_queue *q, void **objs, std::uint32_t n);
void free_slow(slubq_cache *c, lcore_queue *q, void *const *objs, std::uint32_t n);

// The descriptor is a cache_front first (cache/cache.hpp).
SLUBQ_FAST cache_front *front_of(slubq_cache *c) { return reinterpret_cast<cache_front *>(c); }
SLUBQ_FAST const cache_front *front_of(const slubq_cache *c) { return reinterpret_cast<const cache_front *>(c); }

SLUBQ_FAST const topology_view &topology_of(const slubq_cache *c)
{
	return *reinterpret_cast<const topology_view *>(front_of(c) + 1);
}

SLUBQ_FAST lcore_queue *queue_of(slubq_cache *c, unsigned lcore)
{
	return &front_of(c)->queues[lcore];
}

// True when every object lives on the queue's socket (multi-socket caches).
SLUBQ_FAST bool all_local(const slubq_cache *c, const lcore_queue *q, void *const *objs, std::uint32_t n)
{
	for (std::uint32_t i = 0; i < n; i++) {
		const std::uintptr_t s = reinterpret_cast<std::uintptr_t>(objs[i]) & front_of(c)->slab_mask;
		if (SLUBQ_UNLIKELY(*reinterpret_cast<const std::uint16_t *>(s + slab_socket_offset) != q->socket))
			return false;
	}
	return true;
}

// Owner side of the reclaim protocol (queue/lcore_queue.hpp): a plain store
// on entry, a release store (a plain store on x86) on exit, and the claim
// is read before anything else of the queue.
SLUBQ_FAST void queue_enter(lcore_queue *q)
{
	store_relaxed(q->busy, process_token);
	crash_order(); // the compiler keeps the loads below after this store
}
SLUBQ_FAST void queue_leave(lcore_queue *q) { store_release(q->busy, 0u); }

SLUBQ_FAST int alloc_bulk(slubq_cache *c, void **objs, std::uint32_t n)
{
	unsigned lcore = rte_lcore_id();
	if (SLUBQ_LIKELY(lcore < RTE_MAX_LCORE)) {
		lcore_queue *q = queue_of(c, lcore);
		queue_enter(q);
		if (SLUBQ_LIKELY(load_acquire(q->claim) == 0)) {
			std::uint32_t cnt = q->count;
			if (SLUBQ_LIKELY(n <= cnt && n != 0)) {
				void **src = q->objs + cnt;
				for (std::uint32_t i = 0; i < n; i++)
					objs[i] = *--src;
				q->count = cnt - n;
				SLUBQ_STAT_ADD(q->alloc_fast, n);
				queue_leave(q);
				return 0;
			}
		}
		int rc = alloc_slow(c, q, objs, n);
		queue_leave(q);
		return rc;
	}
	return alloc_slow(c, nullptr, objs, n);
}

SLUBQ_FAST void free_bulk(slubq_cache *c, void *const *objs, std::uint32_t n)
{
	unsigned lcore = rte_lcore_id();
	if (SLUBQ_LIKELY(lcore < RTE_MAX_LCORE)) {
		lcore_queue *q = queue_of(c, lcore);
		queue_enter(q);
		if (SLUBQ_LIKELY(load_acquire(q->claim) == 0)) {
			std::uint32_t cnt = q->count;
			if (SLUBQ_LIKELY(cnt + n <= load_relaxed(q->size) && n != 0) &&
			    (SLUBQ_LIKELY(!(front_of(c)->fast_flags & FAST_CHECK_REMOTE)) || all_local(c, q, objs, n))) {
				void **dst = q->objs + cnt;
				for (std::uint32_t i = 0; i < n; i++)
					dst[i] = objs[i];
				q->count = cnt + n;
				SLUBQ_STAT_ADD(q->free_fast, n);
				queue_leave(q);
				return;
			}
		}
		free_slow(c, q, objs, n);
		queue_leave(q);
		return;
	}
	free_slow(c, nullptr, objs, n);
}

} // namespace slubq
