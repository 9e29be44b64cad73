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
#include "slab/object_checker.hpp"
#include "queue/lcore_queue.hpp"
#include "slubq_fast.hpp"

namespace slubq {

constexpr std::uint32_t cache_magic = 0x5100bcac;

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

// The front (the fast path's line and the lcore queues, slubq_fast.hpp) is
// a base so that the engine names its fields as its own; the fast path
// finds it at offset 0 (a single non-virtual base, no vtable).
struct alignas(slubq::cache_line) slubq_cache : slubq::cache_front {
	// --- read by inline code as a topology_view (slubq_fast.hpp) ---
	slubq::topology topo;        // snapshot taken at creation
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
	slubq::plock tune_lock;      // after the registry lock (order: common/plock.hpp)
	std::uint32_t tune_gen;      // bumped on every tunable change or drain request
	std::uint32_t drain_gen;     // bumped by shrink: lcores empty their queues
	std::uint32_t pad_tune;
	slubq::tunables tune;
	slubq::debug_state dbg;
	const rte_memzone *mz;       // memzone holding this descriptor
	slubq::node *nodes[SLUBQ_MAX_SOCKETS];
	slubq::lcore_stats stats[RTE_MAX_LCORE];
	slubq::lcore_alien aliens[RTE_MAX_LCORE];
	slubq::span_table spans;     // where this cache's slabs are (source/spans.hpp)
};
static_assert(std::is_base_of_v<slubq::cache_front, slubq_cache> && !std::is_polymorphic_v<slubq_cache>,
	      "the fast path reads a cache_front at the descriptor's address");
static_assert(std::is_trivially_copyable_v<slubq_cache>, "plain data in hugepage memory");
static_assert(offsetof(slubq::slab, socket) == slubq::slab_socket_offset &&
	      std::is_same_v<decltype(slubq::slab::socket), std::uint16_t>, "the remote check's load");
static_assert(offsetof(slubq::slab, owner) == offsetof(slubq::slab_front, owner) &&
	      offsetof(slubq::slab, nr_objs) == offsetof(slubq::slab_front, nr_objs) &&
	      offsetof(slubq::slab, magic) == offsetof(slubq::slab_front, magic) &&
	      slubq::slab_magic == slubq::slab_front_magic, "the slab header as inline code reads it");
static_assert(sizeof(slubq::topology) == sizeof(slubq::topology_view) &&
	      offsetof(slubq::topology, real_socket) == offsetof(slubq::topology_view, real_socket) &&
	      offsetof(slubq::topology, lcore_socket) == offsetof(slubq::topology_view, lcore_socket),
	      "the topology as inline code reads it");
// slubq_cache is not standard-layout (a base with fields), so offsetof is
// only conditionally supported; GCC and Clang give the real offset.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winvalid-offsetof"
static_assert(offsetof(slubq_cache, topo) == sizeof(slubq::cache_front), "topology_of: right after the front");
#pragma GCC diagnostic pop

namespace slubq {

// Slab geometry for these parameters (debug layout included). spread: the
// logical sockets a fixed source's slabs are dealt to (fixed_spread); a
// pool of expected_objs objects is cut into at least that many slabs.
int cache_geometry(geometry &g, const slubq_cache_params *p, unsigned spread = 1);
// Logical sockets of topology t that a fixed source on real socket
// socket_id deals its slabs to (all of them for SOCKET_ID_ANY), at least 1.
unsigned fixed_spread(const topology &t, int socket_id);
// Bytes per memzone of an elastic cache with geometry g: chunk_size, else
// the default chunk (slubq_defaults.h) or one slab if larger, no more than
// mem_limit; a whole number of slabs. The sizing calculator counts with it.
std::uint64_t elastic_chunk_bytes(const slubq_cache_params *p, const geometry &g);

// --- slow paths (cache/cache_slow.cpp; alloc_slow and free_slow, which the
// inline fast path calls, are declared in slubq_fast.hpp) ---
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

// c's nodes as the node layer takes them (node/node.hpp).
inline node_set nodes_of(slubq_cache *c)
{
	return node_set{c, c->name, c->geo, c->spans, c->nodes, c->nr_sockets, report_bad_object};
}
// A checker of pointers freed into c (slab/object_checker.hpp).
inline object_checker checker_of(const slubq_cache *c) { return object_checker(c->geo, c->spans, c); }

} // namespace slubq
