/* SPDX-License-Identifier: BSD-3-Clause */
// Layer 6: the cache descriptor. One memzone per cache holds it; nodes are
// allocated on their own sockets; lcore queue control blocks are inline
// (one cache line per lcore id, so any process's lcore finds its own), and
// their pointer arrays are allocated when an lcore first uses the cache.
#pragma once

#include <cstdint>
#include <rte_lcore.h>
#include "slubq.h"
#include "common/compiler.hpp"
#include "topology/topology.hpp"
#include "slab/slab.hpp"
#include "source/source.hpp"
#include "source/spans.hpp"
#include "node/node.hpp"
#include "queue/lcore_queue.hpp"

namespace slubq {

constexpr std::uint32_t cache_magic = 0x5100bcac;

enum fast_flags : std::uint32_t {
	// Frees must check each object's home socket (more than one node).
	FAST_CHECK_REMOTE = 1u << 0,
};

// Remote objects freed by one lcore, an array per home socket, owner only
// (no lock: the reclaim protocol covers them with the lcore's queue). An
// array that reaches the alien size goes home whole, as a magazine the
// home's lcores refill from (cache/cache_alien.cpp). Arrays are allocated
// on their home socket at first use, as big as the lcore's queue array, so
// that a home lcore can take one in exchange for its own.
struct alignas(cache_line) lcore_alien {
	obj_stack home[SLUBQ_MAX_SOCKETS]; // index: home socket (own index unused)
};

struct tunables {
	std::uint32_t queue_size;
	std::uint32_t batch;
	std::uint32_t shared_size;
	std::uint32_t alien_size;
	std::uint64_t mem_limit;
};

// Fault injection and debug state (see debug/). Zero when unused.
struct debug_state {
	std::uint32_t flags;          // SLUBQ_F_DEBUG bits in effect
	std::uint32_t fail_every;     // fail every Nth allocation call (0 = off)
	std::uint64_t fail_calls;     // allocation calls seen (atomic)
	std::uint64_t fail_seed;      // xorshift state for probabilistic faults (atomic)
	std::uint32_t fail_ppm;       // failure probability, parts per million (0 = off)
	std::uint32_t red_zone;       // bytes of red zone on each side
	std::uint64_t errors;         // problems found (atomic)
	std::uint64_t injected;       // faults injected (atomic)
	// Poisoned bytes of each object: [poison_off, poison_off + poison_len).
	// The whole object, unless the objects are rte_mbufs (only their data
	// buffer: the header must survive free -> alloc).
	std::uint32_t poison_off;
	std::uint32_t poison_len;
	std::uint32_t mbuf;           // objects are rte_mbufs: frees check their invariants
	std::uint32_t pad;
};

} // namespace slubq

struct alignas(slubq::cache_line) slubq_cache {
	// --- line read by every fast path ---
	std::uint32_t fast_flags;
	std::uint32_t magic;
	std::uintptr_t slab_mask;
	std::uint64_t pad_hot[6];

	// --- slow paths ---
	char name[SLUBQ_NAMESIZE];
	std::uint32_t id;
	std::uint32_t flags;         // SLUBQ_F_*
	std::uint32_t refcnt;        // registry names pointing here (merging)
	std::uint32_t nr_sockets;
	std::uint32_t align;
	std::uint32_t obj_size_req;  // obj_size as requested
	slubq::geometry geo;
	slubq::source_state src;
	slubq::topology topo;        // snapshot taken at creation
	slubq::plock tune_lock;      // after the registry lock (order: common/plock.hpp)
	std::uint32_t tune_gen;      // bumped on every tunable change or drain request
	std::uint32_t drain_gen;     // bumped by shrink: lcores empty their queues
	std::uint32_t pad_tune;
	slubq::tunables tune;
	slubq::debug_state dbg;
	const rte_memzone *mz;       // memzone holding this descriptor
	slubq::node *nodes[SLUBQ_MAX_SOCKETS];
	slubq::lcore_stats stats[RTE_MAX_LCORE];
	slubq::lcore_queue queues[RTE_MAX_LCORE];
	slubq::lcore_alien aliens[RTE_MAX_LCORE];
	slubq::span_table spans;     // where this cache's slabs are (source/spans.hpp)
};
static_assert(std::is_standard_layout_v<slubq_cache>);
static_assert(offsetof(slubq_cache, name) == slubq::cache_line, "hot fields alone in the first line");

namespace slubq {

// Slab geometry for these parameters (debug layout included). spread: the
// logical sockets a fixed source's slabs are dealt to (fixed_spread); a
// pool of expected_objs objects is cut into at least that many slabs.
int cache_geometry(geometry &g, const slubq_cache_params *p, unsigned spread = 1);
// Logical sockets of topology t that a fixed source on real socket
// socket_id deals its slabs to (all of them for SOCKET_ID_ANY), at least 1.
unsigned fixed_spread(const topology &t, int socket_id);

// --- slow paths (cache/cache_slow.cpp) ---
int alloc_slow(slubq_cache *c, lcore_queue *q, void **objs, std::uint32_t n);
void free_slow(slubq_cache *c, lcore_queue *q, void *const *objs, std::uint32_t n);
// Without an lcore queue: straight to the node of `socket`, under its lock.
int alloc_locked(slubq_cache *c, unsigned socket, void **objs, std::uint32_t n);
void free_locked(slubq_cache *c, unsigned socket, void *const *objs, std::uint32_t n);
// Apply published tunables / drain requests to the caller's own queue.
void queue_pickup(slubq_cache *c, lcore_queue *q);
// Move the k oldest objects of q to its node, in pieces that leave the
// queue before the node sees them (crash_order()). Owner, or a reclaimer
// holding the claim.
void queue_to_node(slubq_cache *c, lcore_queue *q, std::uint32_t k);
// Report and drop what is not an object of c among q's objects, before
// its array leaves the queue whole (owner only).
void queue_drop_bad(slubq_cache *c, lcore_queue *q);

// Why a pointer is not an object of c (NULL, outside c's memory — another
// cache's object is —, not the start of a slot: interior, a slab header,
// past a short slab's last slot), or nullptr when it is one; for pointers
// the fast path queued without looking, when they leave the queue
// (cache/cache_slow.cpp). The memory ranges recorded for c
// (source/spans.hpp) say where its slabs are, so a pointer is checked by
// arithmetic: in a range (the last few ranges found are remembered), then
// the start of a slot (a multiply by the stride's reciprocal). Nothing at
// the pointer is read — that may be unmapped, and a slab header the
// freeing lcore's cache does not hold costs more than the check. Only the
// last slab of a range may be short (a chunk's tail): its slot count is
// read once per range. When the table has overflowed, the slab header is
// checked instead.
inline constexpr const char *why_not_slot = "pointer is not the start of an object (interior or misaligned)";

struct object_checker {
	struct range {
		std::uintptr_t lo, hi;  // a recorded range
		std::uintptr_t tail;    // its last slab
		std::uint32_t tail_slots; // UINT32_MAX: not read yet
	};
	static constexpr unsigned ways = 4;
	const slubq_cache *c;
	const geometry g;       // a copy: kept in registers over a run
	// known[0]: the range used last (empty at first); known[1..nknown):
	// others seen. Not zero-filled as a whole: a 128-byte fill right before
	// the first reads of it stalled them (store forwarding), per call.
	range known[ways];
	unsigned nknown = 1;
	unsigned next = 1;

	explicit object_checker(const slubq_cache *cache) : c(cache), g(cache->geo)
	{
		known[0].lo = known[0].hi = 0;
	}
	// Inline: a pointer into the range used last (a flush holds runs of one chunk).
	SLUBQ_FAST const char *problem(const void *obj)
	{
		const std::uintptr_t s = reinterpret_cast<std::uintptr_t>(obj) & g.slab_mask;
		range &k = known[0];
		if (SLUBQ_LIKELY(s - k.lo < k.hi - k.lo)) {
			const std::uint32_t slots = s == k.tail ? tail_slots(known[0]) : g.objs_per_slab;
			return SLUBQ_LIKELY(slot_index(g, s, slots, obj) != UINT32_MAX) ? nullptr : why_not_slot;
		}
		return problem_slow(obj);
	}
	const char *problem_slow(const void *obj);
	// The short slab's slot count, read from its header the first time a
	// pointer falls in it (a header no lcore touches: a cache miss that
	// most checks need not pay).
	static std::uint32_t tail_slots(range &k)
	{
		if (SLUBQ_UNLIKELY(k.tail_slots == UINT32_MAX))
			k.tail_slots = reinterpret_cast<const slab *>(k.tail)->nr_objs;
		return k.tail_slots;
	}
};

// Empty the lcore queues of every lcore, of any process, that is not inside
// an operation on this cache (cache/cache_reclaim.cpp). Returns objects
// moved to their nodes.
std::uint64_t reclaim_queues(slubq_cache *c);
// Owner side: while a reclaimer holds q, wait outside it (busy = 0).
void queue_wait_unclaimed(lcore_queue *q);
// Ask every lcore queue to pick up tunables at its next slow path.
void request_pickup(slubq_cache *c);

// --- per-lcore alien buffers (cache/cache_alien.cpp; owner, or a reclaimer
// holding the lcore's claim) ---
// lcore lc's buffer for `home`, allocated on first use; nullptr when the
// cache sends remote frees straight home (SLUBQ_F_NO_ALIEN) or no memory.
obj_stack *alien_buffer(slubq_cache *c, const lcore_queue *q, unsigned lc, unsigned home);
// Send lcore lc's buffer for `home` home (one home node lock; O(1) when the
// home's depot takes it as a magazine). Returns objects sent.
std::uint32_t alien_buffer_send(slubq_cache *c, unsigned lc, unsigned home);
// Apply the published alien size to lcore lc's buffers: those at or over
// it go home.
void alien_buffers_retune(slubq_cache *c, unsigned lc);
// Every buffer of lcore lc home. Returns objects sent.
std::uint32_t alien_buffers_home(slubq_cache *c, unsigned lc);
// Objects in lcore lc's buffers (lock-free snapshot).
std::uint64_t alien_buffered(const slubq_cache *c, unsigned lc);
// Free the arrays (cache destruction).
void alien_buffers_free(slubq_cache *c);

// Report a problem found in the object path (counted in dbg.errors).
void report_bad_object(slubq_cache *c, const void *obj, const char *what, const char *why);

} // namespace slubq
