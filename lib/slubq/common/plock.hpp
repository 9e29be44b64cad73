/* SPDX-License-Identifier: BSD-3-Clause */
// Layer 0: a spinlock in shared memory that knows its holder: the lock word
// is the holder's process id. A waiter that spins for long checks whether
// that process still lives; when it is gone (exited or killed while holding
// the lock) the waiter takes the lock over and is told so, so the layer
// that owns the lock can repair what it guarded. Nobody spins forever on a
// dead process. Threads of one process exclude each other as with any
// spinlock.
//
// Lock order: every slubq lock, outermost first. A thread holding one may
// take only locks below it; SLUBQ_ASSERT(plock_held(...)) checks the
// "held" side in debug and sanitizer builds.
//   1. registry lock        registry/registry.hpp: create, destroy,
//                           lookup-hold (telemetry), reclaim across caches
//   2. cache tune lock      cache/cache.hpp (slubq_cache::tune_lock):
//                           tunables, fault injection, debug switches
//   3. lcore queue claim    queue/lcore_queue.hpp: a reclaimer's; taken
//                           with CAS, never waited for while holding 4-5
//   4. alien queue lock     node/node.hpp (alien_queue::lock)
//   5. node lock            node/node.hpp (node::lock); never two at once
//   -  span table lock      source/spans.hpp: a leaf, never nested with the
//                           others' 4-5 (taken before a chunk is listed and
//                           after it is unlisted)
// Under a node lock the EAL's rte_malloc lock may be taken (magazine and
// stack arrays); memzones are reserved and freed outside node locks.
#pragma once

#include <cstdint>
#include "common/assert.hpp"
#include "common/compiler.hpp"
#include "common/process.hpp"

namespace slubq {

struct plock {
	std::uint32_t holder; // 0: free; else the holding process's id
};
static_assert(sizeof(plock) == 4);

inline void plock_init(plock &l) { store_relaxed(l.holder, std::uint32_t(0)); }

// Contended acquire (common/plock.cpp). True when the lock was taken over
// from a dead process.
bool plock_acquire_slow(plock &l);

// Acquire l. Returns true when it was taken over from a process that died
// holding it: what it guards may be half-changed and needs repair.
SLUBQ_FAST bool plock_acquire(plock &l)
{
	std::uint32_t expect = 0;
	if (SLUBQ_LIKELY(__atomic_compare_exchange_n(&l.holder, &expect, process_token, false, __ATOMIC_ACQUIRE,
						     __ATOMIC_RELAXED)))
		return false;
	return plock_acquire_slow(l);
}

// True when this process holds l (for SLUBQ_ASSERT: which of the
// process's threads holds it, the lock word cannot tell).
SLUBQ_FAST bool plock_held(const plock &l) { return load_relaxed(l.holder) == process_token; }

SLUBQ_FAST bool plock_try(plock &l)
{
	std::uint32_t expect = 0;
	return __atomic_compare_exchange_n(&l.holder, &expect, process_token, false, __ATOMIC_ACQUIRE,
					   __ATOMIC_RELAXED);
}

SLUBQ_FAST void plock_release(plock &l)
{
	SLUBQ_ASSERT(plock_held(l));
	__atomic_store_n(&l.holder, 0u, __ATOMIC_RELEASE);
}

} // namespace slubq
