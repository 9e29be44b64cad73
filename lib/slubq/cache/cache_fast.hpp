/* SPDX-License-Identifier: BSD-3-Clause */
// The fast path: an lcore allocating from or freeing into its own queue.
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

#include <rte_lcore.h>
#include "cache/cache.hpp"

namespace slubq {

SLUBQ_FAST lcore_queue *queue_of(slubq_cache *c, unsigned lcore)
{
	return &c->queues[lcore];
}

// True when every object lives on the queue's socket (multi-socket caches).
SLUBQ_FAST bool all_local(const slubq_cache *c, const lcore_queue *q, void *const *objs, std::uint32_t n)
{
	for (std::uint32_t i = 0; i < n; i++) {
		auto *s = reinterpret_cast<const slab *>(reinterpret_cast<std::uintptr_t>(objs[i]) & c->slab_mask);
		if (SLUBQ_UNLIKELY(s->socket != q->socket))
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
			    (SLUBQ_LIKELY(!(c->fast_flags & FAST_CHECK_REMOTE)) || all_local(c, q, objs, n))) {
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
