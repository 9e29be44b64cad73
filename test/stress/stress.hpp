/* SPDX-License-Identifier: BSD-3-Clause */
// slubq-stress: lcores allocate objects, stamp each with a unique ID, pass
// them to each other through rings, check and free them, while the main
// lcore resizes queues and shrinks the cache. Shared pieces of the worker
// (stress_worker.cpp) and the controller (stress_main.cpp).
#pragma once

#include <atomic>
#include <cstdint>
#include <rte_lcore.h>
#include <rte_ring.h>
#include "slubq.hpp"

namespace stress {

// What every object carries while the test holds it (objects are >= 32 bytes).
struct stamp {
	std::uint64_t state; // alive / dead, swapped atomically: two holders of one object are caught
	std::uint64_t id;    // unique per allocation: (lcore << 48) | sequence
	std::uint64_t check; // a function of id: a torn or foreign write is caught
};
constexpr std::uint64_t alive = 0xa11fe00da11fe00dull;
constexpr std::uint64_t dead = 0xdeadbeefdeadbeefull;
inline std::uint64_t check_of(std::uint64_t id) { return (id * 0x9e3779b97f4a7c15ull) ^ 0x5bd1e9955bd1e995ull; }

// A ring element: the object and the ID its sender stamped.
struct message {
	void *obj;
	std::uint64_t id;
};

// Per-worker counters (written by their worker only; read at the end).
struct alignas(64) worker_stats {
	std::uint64_t allocated;   // objects allocated
	std::uint64_t freed;       // objects checked and freed
	std::uint64_t id_sum_alloc; // sum of IDs stamped (mod 2^64)
	std::uint64_t id_sum_free;  // sum of IDs freed
	std::uint64_t sent;        // objects passed to another lcore's ring
	std::uint64_t alloc_fail;  // -ENOBUFS (fault injection)
	std::uint64_t duplicated;  // an object alive twice, or holding another's ID
	std::atomic<std::uint64_t> progress; // bumped every loop (watchdog)
	std::atomic<bool> finished;
};

struct shared_state {
	slubq_cache *cache;
	// Each worker's inbox: multi-producer in RTS mode (a producer preempted
	// mid-enqueue does not stall the others, unlike the default MP mode:
	// lcores here outnumber CPUs), single consumer.
	rte_ring *ring[RTE_MAX_LCORE];
	unsigned workers[RTE_MAX_LCORE];
	unsigned nr_workers;
	bool park;                     // --reclaim: workers stop and start using the cache
	std::atomic<bool> stop;        // stop allocating
	std::atomic<unsigned> done;    // workers that stopped allocating
	worker_stats stats[RTE_MAX_LCORE];
};

// The worker loop (rte_eal_remote_launch); arg is the shared_state.
int worker_main(void *arg);

} // namespace stress
