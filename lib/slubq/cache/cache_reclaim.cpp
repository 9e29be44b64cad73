/* SPDX-License-Identifier: BSD-3-Clause */
// Reclaim: objects parked in the lcore queues of lcores that are not using
// them (stopped, idle on other work, or of a process that exited or was
// killed) go back to their nodes, so that everything a pool counts as
// available can be got. The protocol is in queue/lcore_queue.hpp, the
// argument in docs/design.md ("Nothing is stranded").
#include <algorithm>
#include <cinttypes>
#include <sched.h>
#include <rte_pause.h>
#include "cache/cache.hpp"
#include "common/log.hpp"

namespace slubq {

namespace {

// Take q's claim: free, or held by a reclaimer that is gone.
bool claim_queue(lcore_queue *q)
{
	std::uint32_t h = 0;
	if (__atomic_compare_exchange_n(&q->claim, &h, process_token, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return true;
	return h != process_token && !process_alive(h) &&
	       __atomic_compare_exchange_n(&q->claim, &h, process_token, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

// Everything in q and its alien buffers (claimed, owner outside) into
// their nodes.
std::uint32_t queue_empty_into_node(slubq_cache *c, lcore_queue *q)
{
	q->count = std::min(q->count, q->capacity); // a dead owner may have left it past its array
	const std::uint32_t n = q->count;
	queue_to_node(c, q, n);
	const std::uint32_t a = alien_buffers_home(c, unsigned(q - c->queues));
	__atomic_add_fetch(&c->nodes[q->socket]->stats.reclaimed, n + a, __ATOMIC_RELAXED);
	return n + a;
}

} // namespace

std::uint64_t reclaim_queues(slubq_cache *c)
{
	lcore_queue *claimed[RTE_MAX_LCORE];
	unsigned n = 0;
	for (unsigned lc = 0; lc < RTE_MAX_LCORE; lc++) {
		lcore_queue *q = &c->queues[lc];
		if (load_acquire(q->active) && (load_relaxed(q->count) != 0 || alien_buffered(c, lc) != 0) &&
		    claim_queue(q))
			claimed[n++] = q;
	}
	if (n == 0)
		return 0;
	// Every owner either had stored `busy` before this point (we see it
	// below) or reads our claim after it (and waits in its slow path).
	const bool barrier = barrier_all_processes();
	std::uint64_t got = 0;
	for (unsigned i = 0; i < n; i++) {
		lcore_queue *q = claimed[i];
		const std::uint32_t b = load_acquire(q->busy);
		const bool outside = barrier ? (b == 0 || !process_alive(b)) : false;
		if (outside) {
			std::uint32_t k = queue_empty_into_node(c, q);
			got += k;
			if (b != 0) {
				SLUBQ_LOG(WARNING, "cache %s: process %u died inside an operation on lcore %u's queue; "
					  "%u objects taken back", c->name, b, unsigned(q - c->queues), k);
				store_relaxed(q->busy, 0u);
			}
		}
		store_release(q->claim, 0u);
	}
	if (got)
		SLUBQ_LOG(DEBUG, "cache %s: %" PRIu64 " objects reclaimed from parked lcore queues", c->name, got);
	return got;
}

void queue_wait_unclaimed(lcore_queue *q)
{
	while (SLUBQ_UNLIKELY(load_acquire(q->claim) != 0)) {
		store_release(q->busy, 0u); // let the reclaimer finish
		for (unsigned spins = 1;; spins++) {
			std::uint32_t h = load_acquire(q->claim);
			if (h == 0)
				break;
			if (spins % (1u << 14) == 0) {
				if (!process_alive(h))
					__atomic_compare_exchange_n(&q->claim, &h, 0u, false, __ATOMIC_ACQ_REL,
								    __ATOMIC_RELAXED);
				sched_yield(); // the reclaimer may share our CPU
			}
			rte_pause();
		}
		store_relaxed(q->busy, process_token);
		__atomic_thread_fence(__ATOMIC_SEQ_CST); // slow path: our own fence, as the protocol wants
	}
}

} // namespace slubq
