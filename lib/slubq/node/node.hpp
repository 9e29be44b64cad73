/* SPDX-License-Identifier: BSD-3-Clause */
// Layer 4: one node per socket per cache. Everything in it is protected by
// its lock, except the alien queues, each of which has its own lock.
// Lock order (all locks: common/plock.hpp): alien queue lock, then a node
// lock; never two node locks.
// Locks are plocks (common/plock.hpp): a process that dies holding one
// never hangs the others; the next taker repairs what it guarded
// (node_repair, stack_repair). Readers of counts take no lock.
#pragma once

#include <cstdint>
#include "common/compiler.hpp"
#include "common/plock.hpp"
#include "slab/slab.hpp"
#include "source/source.hpp"
#include "source/spans.hpp"

struct slubq_cache;

namespace slubq {

struct node;

// Reports an object a node refuses (bad pointer, not an object of the
// owner, routed to the wrong node, double free); the owner counts it.
using bad_object_fn = void (*)(slubq_cache *owner, const void *obj, const char *what, const char *why);

// A cache's nodes and what node operations need to know of the cache,
// given by the layer above for each call (cache/cache.hpp: nodes_of) and
// never stored: the cache is only a handle here (slubq.h's opaque type),
// which slabs record as their owner, and report is a process-local
// function of the layer above.
struct node_set {
	slubq_cache *owner;
	const char *name;         // for log lines
	const geometry &geo;
	const span_table &spans;
	node *const *nodes;       // index: logical socket
	unsigned nr_sockets;
	bad_object_fn report;
};

struct slab_list {
	slab *head;
	slab *tail;
	std::uint64_t count;
};

// A bounded stack of object pointers, protected by its owner's lock.
struct obj_stack {
	void **objs;
	std::uint32_t count;
	std::uint32_t size;      // tunable bound, <= capacity
	std::uint32_t capacity;
	std::uint32_t pad;
};

// Objects freed on this node's socket that belong to socket `home`.
struct alignas(cache_line) alien_queue {
	plock lock;
	std::uint32_t pad;
	obj_stack q;
	std::uint64_t flushes;   // batches sent home
};

// A whole lcore queue array, handed between an lcore and its node in O(1)
// (Bonwick's magazines; Linux's sheaves and barns): a flush gives the node
// the full array and takes an empty one, a refill gives the empty array
// and takes a full one. No pointer is copied and the node lock is held for
// a few stores, so a freeing and an allocating lcore barely meet.
struct magazine {
	void **objs;
	std::uint32_t count;
	std::uint32_t capacity;
};

constexpr unsigned depot_slots = 8;

// Magazines of a node (its lock). Full ones hold free objects of this node;
// together with the shared queue they stay within the shared size.
struct depot {
	magazine full[depot_slots];
	magazine empty[depot_slots];
	std::uint32_t nr_full;
	std::uint32_t nr_empty;
	std::uint64_t objs;      // objects in full magazines
	std::uint64_t exchanges; // arrays handed over
};

// A magazine on its way between the depot and a holder (an lcore queue's or
// an alien queue's `objs` field), recorded under the node lock for the
// few stores of the move. The holder lets go of an array before the depot
// lists it, and takes one after the depot unlists it, so the array is never
// in two places; a process that dies in between leaves the record, and
// node_repair gives the magazine back to the depot unless the holder has it.
struct magazine_move {
	magazine m;
	void ***holder; // nullptr: no move under way
};

struct node_stats {
	std::uint64_t alien_received; // objects that came home from alien queues
	std::uint64_t slabs_grown;
	std::uint64_t slabs_freed;
	std::uint64_t locked_ops;     // calls made without an lcore queue
	std::uint64_t remote_given;   // objects handed to other sockets' lcores
	std::uint64_t repairs;        // locks taken over from dead processes
	std::uint64_t reclaimed;      // objects taken back from parked lcore queues
	std::uint64_t lock_acquisitions; // node_lock calls (written under the lock)
};

struct alignas(cache_line) node {
	plock lock;
	std::uint16_t socket;        // logical
	std::uint16_t pad;
	std::int32_t real_socket;    // where its memory comes from
	std::uint32_t pad2;
	slab_list partial, full, empty;
	std::uint64_t nr_objs;       // slots in its slabs
	std::uint64_t free_objs;     // sum of nr_free over its slabs
	std::uint64_t mem_bytes;     // bytes of its slabs (elastic: its chunks)
	obj_stack shared;
	depot dep;                   // full and empty lcore queue arrays
	magazine_move moving;        // see magazine_move
	chunk *chunks;               // elastic chunks of this node
	node_stats stats;
	alien_queue alien[SLUBQ_MAX_SOCKETS]; // index: home socket (own index unused)
};
static_assert(std::is_standard_layout_v<node>);

// --- locks ---
// Rebuild what a process that died holding nd's lock may have left
// half-changed: slab lists and counts from the bitmaps; shared queue and
// magazines bounded and rid of objects that are free in their slabs or
// listed twice. Objects the dead process was moving are lost, never
// duplicated (docs/design.md, "A dead process").
void node_repair(const node_set &ns, node *nd);
// A stack whose holder died: its count bounded by its array.
void stack_repair(obj_stack &st);

SLUBQ_FAST void node_lock(const node_set &ns, node *nd)
{
	if (SLUBQ_UNLIKELY(plock_acquire(nd->lock)))
		node_repair(ns, nd);
	nd->stats.lock_acquisitions++;
}
SLUBQ_FAST void node_unlock(node *nd) { plock_release(nd->lock); }
SLUBQ_FAST void alien_lock(alien_queue &a)
{
	if (SLUBQ_UNLIKELY(plock_acquire(a.lock)))
		stack_repair(a.q);
}
SLUBQ_FAST void alien_unlock(alien_queue &a) { plock_release(a.lock); }

// --- slab lists (node lock held) ---
void list_add(node *nd, slab *s, slab_list_id to, bool front);
void list_del(node *nd, slab *s);
// Put s on the list its counts call for.
void list_fix(node *nd, slab *s);

// --- object movement (node lock held) ---
// Take up to want objects: the hottest from the shared queue, the rest from
// slabs in address order. for_queue: laid out for an lcore queue (pop order
// = shared hottest first, then slab objects in ascending address order).
std::uint32_t node_take(const node_set &ns, node *nd, void **out, std::uint32_t want, bool for_queue);
// Give k objects of this node back: the newest into the shared queue while
// it has room, the rest into their slabs' bitmaps (checked: owner, slot,
// double free; bad pointers are reported and dropped).
void node_put(const node_set &ns, node *nd, void *const *objs, std::uint32_t k);
// Only into slabs (shrink, verify repairs, debug frees).
void node_put_slabs(const node_set &ns, node *nd, void *const *objs, std::uint32_t k);

// --- alien queues ---
// Objects freed on socket `from` that belong to `home` (home != from).
// Returns the objects that went home (the queue was full), else 0.
std::uint32_t alien_put(const node_set &ns, unsigned from, unsigned home, void *const *objs, std::uint32_t k);
// Send alien queue (from -> home) home now. Returns objects sent.
std::uint32_t alien_flush(const node_set &ns, unsigned from, unsigned home);
// Send the objects of stack q (an alien queue or an lcore's alien buffer,
// held by the caller) home to dest, whose lock the caller holds: the whole
// array as a full magazine when the depot has room (an empty array of at
// least min_capacity comes back), else copied into the node.
void alien_send_home(const node_set &ns, node *dest, obj_stack &q, std::uint32_t min_capacity);
// Send every alien queue that holds objects of `home` home.
std::uint32_t alien_drain_to(const node_set &ns, unsigned home);

// --- magazines (node lock held) ---
// Objects the node holds in queues: shared queue + full magazines. Relaxed
// loads (plain on x86): exact under the lock, a snapshot for lock-free readers.
SLUBQ_FAST std::uint64_t node_queued(const node *nd)
{
	return load_relaxed(nd->shared.count) + load_relaxed(nd->dep.objs);
}
// Copy up to want objects out of full magazines (emptied ones become empty).
std::uint32_t depot_take(node *nd, void **out, std::uint32_t want);
// Room in the depot for a full magazine of `count` objects, and an empty
// array of at least min_capacity in e (from the depot, else newly
// allocated). False when the depot is full, the shared size has no room
// for them, or there is no memory.
bool depot_reserve(node *nd, std::uint32_t count, std::uint32_t min_capacity, magazine &e);
// List full magazine m (room reserved).
void depot_put_full(node *nd, magazine m);
// Record / end a magazine move (see magazine_move).
SLUBQ_FAST void move_begin(node *nd, magazine m, void ***holder)
{
	SLUBQ_ASSERT(plock_held(nd->lock) && nd->moving.holder == nullptr);
	nd->moving.m = m;
	crash_order();
	nd->moving.holder = holder;
	crash_order();
}
SLUBQ_FAST void move_end(node *nd)
{
	crash_order();
	nd->moving.holder = nullptr;
}
// A full array handed to the depot by its holder (an lcore or alien queue,
// whose objs/count/capacity fields are given): the holder takes the empty
// array e, lets go of the full one first, the depot lists it after.
SLUBQ_FAST void hand_full_to_depot(node *nd, void **&objs, std::uint32_t &count, std::uint32_t &capacity,
				   magazine e)
{
	magazine full{objs, count, capacity};
	move_begin(nd, full, &objs);
	count = 0;
	crash_order();
	objs = e.objs;
	crash_order();
	capacity = e.capacity;
	depot_put_full(nd, full);
	move_end(nd);
}
// Every object of the full magazines into its slab (shrink).
void depot_to_slabs(const node_set &ns, node *nd);
// Call fn(objs, count) for every full magazine.
template <typename F>
void depot_for_each(const node *nd, F fn)
{
	for (std::uint32_t i = 0; i < nd->dep.nr_full && i < depot_slots; i++)
		fn(nd->dep.full[i].objs, nd->dep.full[i].count);
}

// Initialise / tear down a node's queues (arrays in hugepage memory), for a
// cache of nr_sockets nodes with these queue sizes.
int node_init(node *nd, unsigned socket, int real_socket, unsigned nr_sockets, std::uint32_t shared_size,
	      std::uint32_t queue_size, std::uint32_t alien_size);
void node_fini(node *nd, unsigned nr_sockets);
// Resize a locked stack's bound; objects over the bound are returned in *excess.
int stack_reserve(obj_stack &st, std::uint32_t size, int real_socket, void ***old_objs);

} // namespace slubq
