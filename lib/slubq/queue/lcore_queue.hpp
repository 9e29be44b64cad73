/* SPDX-License-Identifier: BSD-3-Clause */
// Layer 5: one queue per lcore per cache, a LIFO array of object pointers.
// Its control block, struct lcore_queue, is in the public slubq_fast.hpp
// (the inline fast path reads it).
//
// Invariants:
//  - only the owning lcore writes count, objs, limit, batch, the counters,
//    except a reclaimer holding `claim` while the owner is outside (below);
//  - objs[0..count) are free objects of the owner's socket, oldest first;
//  - `size` is the fast-path gate: count + n <= size lets a free stay on
//    the fast path. Anyone may store 0 into it (relaxed) to push the owner
//    onto its slow path, where it applies the published tunables and
//    restores size = limit. It is 0 while the queue is unused, disabled,
//    or the cache runs its debug checks, so every call takes the slow path;
//  - size <= limit <= capacity at all times, so the fast path never writes
//    past the array even while a tuner changes things.
//
// Reclaim (docs/design.md, "Nothing is stranded"): another thread, of any
// process, may empty a queue whose owner is not inside an operation on it.
//  - owner: stores its process id into `busy` on entry (plain store), reads
//    `claim` (plain load), works, stores 0 into `busy` (release store). No
//    atomic read-modify-write, no fence. claim != 0: slow path, which waits
//    outside (busy = 0) until the claim is gone;
//  - reclaimer: takes `claim` (CAS), then a barrier on every thread of
//    every process (membarrier), then reads `busy`: 0, or a process that is
//    gone, means the owner is outside and will see the claim on its next
//    entry; anything else means the owner is inside: leave it alone.
//    Between the two, the queue is the reclaimer's.
#pragma once

#include <cstdint>
#include "common/assert.hpp"
#include "common/compiler.hpp"
#include "slubq_fast.hpp"

namespace slubq {

// Slow-path counters of one lcore (written by the owner only).
struct alignas(cache_line) lcore_stats {
	std::uint64_t alloc_slow;
	std::uint64_t free_slow;
	std::uint64_t refills;
	std::uint64_t flushes;
	std::uint64_t alien_sent;
	std::uint64_t alien_flushes;
	std::uint64_t remote_allocs;
	std::uint64_t alloc_fail;
};
static_assert(sizeof(lcore_stats) == cache_line);

// Pop n objects, hottest first (caller checked n <= count).
SLUBQ_FAST void queue_pop(lcore_queue *q, void **objs, std::uint32_t n)
{
	SLUBQ_ASSERT(n <= q->count);
	void **src = q->objs + q->count;
	for (std::uint32_t i = 0; i < n; i++)
		objs[i] = *--src;
	q->count -= n;
}

// Push n objects (caller checked room).
SLUBQ_FAST void queue_push(lcore_queue *q, void *const *objs, std::uint32_t n)
{
	SLUBQ_ASSERT(q->count + n <= q->capacity);
	void **dst = q->objs + q->count;
	for (std::uint32_t i = 0; i < n; i++)
		dst[i] = objs[i];
	q->count += n;
}

} // namespace slubq
