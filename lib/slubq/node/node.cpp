/* SPDX-License-Identifier: BSD-3-Clause */
// Node: slab lists, shared queue and alien queues of one socket.
#include "node/node.hpp"

#include <algorithm>
#include <cstring>
#include <rte_malloc.h>
#include "slab/object_checker.hpp"
#include "common/log.hpp"
#include "slubq_defaults.h"

namespace slubq {

namespace {

slab_list &list_of(node *nd, std::uint8_t id)
{
	switch (id) {
	case LIST_PARTIAL: return nd->partial;
	case LIST_FULL: return nd->full;
	default: return nd->empty;
	}
}

// Elastic chunks count their empty slabs, so shrink knows which can go.
void track_empty(slab *s, bool entering)
{
	if (chunk *from = slab_from(s)) {
		if (entering)
			from->empty_slabs++;
		else
			from->empty_slabs--;
	}
}

} // namespace

void list_add(node *nd, slab *s, slab_list_id to, bool front)
{
	SLUBQ_ASSERT(plock_held(nd->lock) && slab_on_list(s) == LIST_NONE);
	slab_list &l = list_of(nd, to);
	if (front) {
		slab_prev(s) = nullptr;
		slab_next(s) = l.head;
		if (l.head) slab_prev(l.head) = s; else l.tail = s;
		l.head = s;
	} else {
		slab_next(s) = nullptr;
		slab_prev(s) = l.tail;
		if (l.tail) slab_next(l.tail) = s; else l.head = s;
		l.tail = s;
	}
	l.count++;
	slab_on_list(s) = to;
	if (to == LIST_EMPTY)
		track_empty(s, true);
}

void list_del(node *nd, slab *s)
{
	std::uint8_t &on = slab_on_list(s);
	if (on == LIST_NONE)
		return;
	SLUBQ_ASSERT(plock_held(nd->lock) && list_of(nd, on).count > 0);
	slab_list &l = list_of(nd, on);
	slab *&next = slab_next(s), *&prev = slab_prev(s);
	if (prev) slab_next(prev) = next; else l.head = next;
	if (next) slab_prev(next) = prev; else l.tail = prev;
	l.count--;
	if (on == LIST_EMPTY)
		track_empty(s, false);
	next = prev = nullptr;
	on = LIST_NONE;
}

void list_fix(node *nd, slab *s)
{
	const std::uint32_t nr_free = slab_nr_free(s);
	slab_list_id want = nr_free == 0 ? LIST_FULL : nr_free == s->nr_objs ? LIST_EMPTY : LIST_PARTIAL;
	if (slab_on_list(s) == want)
		return;
	list_del(nd, s);
	// A slab that just became partial goes to the front: it is the hottest.
	list_add(nd, s, want, want == LIST_PARTIAL);
}

namespace {

// Objects from slabs in address order: partial slabs first (keep empty ones
// whole so shrink can give them back), then empty ones.
std::uint32_t take_from_slabs(const node_set &ns, node *nd, void **out, std::uint32_t want)
{
	std::uint32_t got = 0;
	while (got < want) {
		SLUBQ_ASSERT(nd->free_objs <= nd->nr_objs);
		slab *s = nd->partial.head ? nd->partial.head : nd->empty.head;
		if (s == nullptr)
			break;
		std::uint32_t k = slab_take(ns.geo, s, out + got, want - got);
		got += k;
		SLUBQ_ASSERT(k <= nd->free_objs);
		nd->free_objs -= k;
		list_fix(nd, s);
	}
	return got;
}

} // namespace

namespace {

// A new empty array of cap (at least SLUBQ_MIN_STACK_SLOTS) pointers on real_socket; objs is
// nullptr when there is no memory.
magazine magazine_alloc(std::uint32_t cap, int real_socket)
{
	cap = slubq_stack_slots(cap);
	auto **objs = static_cast<void **>(
		rte_malloc_socket("slubq_magazine", cap * sizeof(void *), cache_line, real_socket));
	return magazine{objs, 0, objs != nullptr ? cap : 0};
}

// An emptied array back on the empty stack, or freed when that is full.
void depot_keep_empty(depot &d, magazine m)
{
	m.count = 0;
	if (d.nr_empty < depot_slots)
		d.empty[d.nr_empty++] = m;
	else
		rte_free(m.objs);
}

// Take an empty array of at least min_capacity; when the depot has none,
// allocate one (on the node's socket). False only when out of memory.
bool depot_take_empty(node *nd, std::uint32_t min_capacity, magazine &out)
{
	depot &d = nd->dep;
	for (std::uint32_t i = d.nr_empty; i-- > 0;)
		if (d.empty[i].capacity >= min_capacity) {
			out = d.empty[i];
			d.empty[i] = d.empty[--d.nr_empty];
			return true;
		}
	// None fits: a new one. Arrays are traded one for one afterwards and
	// freed when the empty stack overflows, so this stops once enough
	// circulate (at most depot_slots full + empty per node, plus the queues).
	out = magazine_alloc(min_capacity, nd->real_socket);
	return out.objs != nullptr;
}

} // namespace

bool depot_reserve(node *nd, std::uint32_t count, std::uint32_t min_capacity, magazine &e)
{
	SLUBQ_ASSERT(plock_held(nd->lock));
	return nd->dep.nr_full < depot_slots && node_queued(nd) + count <= nd->shared.size &&
	       depot_take_empty(nd, min_capacity, e);
}

void depot_put_full(node *nd, magazine m)
{
	depot &d = nd->dep;
	SLUBQ_ASSERT(plock_held(nd->lock) && d.nr_full < depot_slots);
	d.full[d.nr_full] = m;
	d.objs += m.count;
	crash_order();
	d.nr_full++;
	d.exchanges++;
}

std::uint32_t depot_take(node *nd, void **out, std::uint32_t want)
{
	depot &d = nd->dep;
	SLUBQ_ASSERT(plock_held(nd->lock));
	std::uint32_t got = 0;
	while (got < want && d.nr_full > 0) {
		magazine &m = d.full[d.nr_full - 1];
		std::uint32_t k = std::min(m.count, want - got);
		SLUBQ_ASSERT(k <= d.objs);
		std::memcpy(out + got, m.objs + m.count - k, k * sizeof(void *));
		m.count -= k;
		d.objs -= k;
		got += k;
		if (m.count == 0)
			depot_keep_empty(d, d.full[--d.nr_full]);
	}
	return got;
}

void depot_to_slabs(const node_set &ns, node *nd)
{
	depot &d = nd->dep;
	while (d.nr_full > 0) {
		magazine m = d.full[--d.nr_full];
		node_put_slabs(ns, nd, m.objs, m.count);
		depot_keep_empty(d, m);
	}
	d.objs = 0;
}

std::uint32_t node_take(const node_set &ns, node *nd, void **out, std::uint32_t want, bool for_queue)
{
	SLUBQ_ASSERT(plock_held(nd->lock) && nd->shared.count <= nd->shared.capacity);
	obj_stack &sh = nd->shared;
	std::uint32_t from_shared = std::min(sh.count, want);
	void **hot = sh.objs + sh.count - from_shared;
	if (for_queue) {
		// Queue order: slab objects reversed (so pops walk addresses upwards),
		// then magazine and shared ones on top (popped first: the hottest).
		std::uint32_t from_dep = std::uint32_t(std::min<std::uint64_t>(nd->dep.objs, want - from_shared));
		std::uint32_t got = take_from_slabs(ns, nd, out, want - from_shared - from_dep);
		std::reverse(out, out + got);
		got += depot_take(nd, out + got, from_dep);
		std::memcpy(out + got, hot, from_shared * sizeof(void *));
		sh.count -= from_shared;
		return got + from_shared;
	}
	for (std::uint32_t i = 0; i < from_shared; i++)
		out[i] = hot[from_shared - 1 - i];
	sh.count -= from_shared;
	std::uint32_t got = from_shared + depot_take(nd, out + from_shared, want - from_shared);
	return got + take_from_slabs(ns, nd, out + got, want - got);
}

void node_put_slabs(const node_set &ns, node *nd, void *const *objs, std::uint32_t k)
{
	SLUBQ_ASSERT(plock_held(nd->lock));
	const geometry &g = ns.geo;
	object_checker check(ns.geo, ns.spans, ns.owner);
	for (std::uint32_t i = 0; i < k; i++) {
		void *obj = objs[i];
		if (const char *why = check.problem(obj); SLUBQ_UNLIKELY(why != nullptr)) {
			ns.report(ns.owner, obj, "free", why);
			continue;
		}
		slab *s = slab_of(g, obj);
		// The header line is read here anyway (socket): its magic also
		// refuses a stale pointer into a chunk being given back (detached
		// under this lock, its range not yet removed).
		if (SLUBQ_UNLIKELY(s->magic != slab_magic || s->owner != ns.owner)) {
			ns.report(ns.owner, obj, "free", "not an object of this cache (its slab was given back)");
			continue;
		}
		if (SLUBQ_UNLIKELY(s->socket != nd->socket)) {
			ns.report(ns.owner, obj, "free", "object routed to the wrong node");
			continue;
		}
		std::uint32_t idx = slab_index(g, s, obj);
		if (SLUBQ_UNLIKELY(!slab_put(s, idx))) {
			ns.report(ns.owner, obj, "free", "double free (object already free in its slab)");
			continue;
		}
		nd->free_objs++;
		SLUBQ_ASSERT(nd->free_objs <= nd->nr_objs);
		const std::uint32_t nr_free = slab_nr_free(s);
		if (nr_free == 1 || nr_free == s->nr_objs)
			list_fix(nd, s);
	}
}

void node_put(const node_set &ns, node *nd, void *const *objs, std::uint32_t k)
{
	obj_stack &sh = nd->shared;
	SLUBQ_ASSERT(plock_held(nd->lock) && sh.size <= sh.capacity);
	// Magazines count against the shared size too.
	std::uint64_t queued = node_queued(nd);
	std::uint32_t room = sh.size > queued ? std::uint32_t(sh.size - queued) : 0;
	std::uint32_t to_shared = std::min(room, k);
	std::uint32_t to_slabs = k - to_shared;
	node_put_slabs(ns, nd, objs, to_slabs);
	// The newest objects (the end of the batch) are the hottest: keep them queued.
	// They skip the bitmap, so check them here (memory range, slab header,
	// slot start: cheap, and it catches foreign pointers without debug).
	object_checker check(ns.geo, ns.spans, ns.owner);
	for (std::uint32_t i = to_slabs; i < k; i++) {
		if (SLUBQ_UNLIKELY(check.problem(objs[i]) != nullptr ||
				   (ns.nr_sockets > 1 && slab_of(ns.geo, objs[i])->socket != nd->socket))) {
			node_put_slabs(ns, nd, objs + i, 1); // reports it
			continue;
		}
		SLUBQ_ASSERT(sh.count < sh.size);
		sh.objs[sh.count++] = objs[i];
	}
}

namespace {

// A full alien queue goes home whole: its array becomes a full magazine of
// the home node (whose lock the caller holds) and an empty array of at
// least min_capacity takes its place. The freeing lcore then never writes
// into lines the home node's allocating lcores read. False when the home
// node has no room.
bool alien_exchange(node *home, obj_stack &q, std::uint32_t min_capacity)
{
	magazine e;
	if (!depot_reserve(home, q.count, min_capacity, e))
		return false;
	hand_full_to_depot(home, q.objs, q.count, q.capacity, e);
	return true;
}

} // namespace

void alien_send_home(const node_set &ns, node *dest, obj_stack &q, std::uint32_t min_capacity)
{
	SLUBQ_ASSERT(plock_held(dest->lock) && q.count <= q.capacity);
	const std::uint32_t n = q.count;
	dest->stats.alien_received += n;
	if (alien_exchange(dest, q, min_capacity))
		return;
	// Copy path: the queue lets go of the objects before the node takes
	// them (a process dying in between loses them, never duplicates them).
	q.count = 0;
	crash_order();
	node_put(ns, dest, q.objs, n);
}

std::uint32_t alien_put(const node_set &ns, unsigned from, unsigned home, void *const *objs, std::uint32_t k)
{
	std::uint32_t sent = 0;
	node *local = ns.nodes[from];
	node *dest = ns.nodes[home];
	alien_queue &a = local->alien[home];
	alien_lock(a);
	if (a.q.count + k > a.q.size) {
		// Full: the whole queue goes home in one batch, under one lock.
		node_lock(ns, dest);
		sent += a.q.count;
		alien_send_home(ns, dest, a.q, a.q.size);
		if (k > a.q.size) {
			// Bigger than the alien queue itself (or queue size 0): straight home.
			node_put(ns, dest, objs, k);
			dest->stats.alien_received += k;
			sent += k;
			k = 0;
		}
		node_unlock(dest);
		a.flushes++;
	}
	SLUBQ_ASSERT(a.q.count + k <= a.q.size && a.q.size <= a.q.capacity);
	std::memcpy(a.q.objs + a.q.count, objs, k * sizeof(void *));
	a.q.count += k;
	alien_unlock(a);
	return sent;
}

std::uint32_t alien_flush(const node_set &ns, unsigned from, unsigned home)
{
	node *local = ns.nodes[from];
	node *dest = ns.nodes[home];
	alien_queue &a = local->alien[home];
	if (load_relaxed(a.q.count) == 0)
		return 0;
	alien_lock(a);
	std::uint32_t n = a.q.count;
	if (n) {
		node_lock(ns, dest);
		alien_send_home(ns, dest, a.q, a.q.size);
		node_unlock(dest);
		a.flushes++;
	}
	alien_unlock(a);
	return n;
}

std::uint32_t alien_drain_to(const node_set &ns, unsigned home)
{
	std::uint32_t n = 0;
	for (unsigned s = 0; s < ns.nr_sockets; s++)
		if (s != home)
			n += alien_flush(ns, s, home);
	return n;
}

int stack_reserve(obj_stack &st, std::uint32_t size, int real_socket, void ***old_objs)
{
	*old_objs = nullptr;
	if (size <= st.capacity)
		return 0;
	std::uint32_t cap = slubq_stack_slots(size);
	auto **fresh = static_cast<void **>(rte_zmalloc_socket("slubq_stack", cap * sizeof(void *),
							       cache_line, real_socket));
	if (fresh == nullptr)
		fresh = static_cast<void **>(rte_zmalloc("slubq_stack", cap * sizeof(void *), cache_line));
	if (fresh == nullptr)
		return fail(ENOMEM);
	if (st.count)
		std::memcpy(fresh, st.objs, st.count * sizeof(void *));
	*old_objs = st.objs;
	st.objs = fresh;
	st.capacity = cap;
	return 0;
}

int node_init(node *nd, unsigned socket, int real_socket, unsigned nr_sockets, std::uint32_t shared_size,
	      std::uint32_t queue_size, std::uint32_t alien_size)
{
	std::memset(static_cast<void *>(nd), 0, sizeof(*nd));
	plock_init(nd->lock);
	nd->socket = std::uint16_t(socket);
	nd->real_socket = real_socket;
	void **old;
	if (stack_reserve(nd->shared, shared_size, real_socket, &old) < 0)
		return -rte_errno;
	nd->shared.size = shared_size;
	// Two empty arrays per node start the magazine exchange (cache_slow.cpp);
	// after that, every exchange gives one array for another.
	if (queue_size != 0 && shared_size >= queue_size) {
		for (unsigned i = 0; i < 2; i++) {
			magazine m = magazine_alloc(queue_size, real_socket);
			if (m.objs == nullptr)
				break; // exchanges allocate when they need one
			nd->dep.empty[nd->dep.nr_empty++] = m;
		}
	}
	for (unsigned h = 0; h < nr_sockets; h++) {
		plock_init(nd->alien[h].lock);
		if (h == socket)
			continue;
		if (stack_reserve(nd->alien[h].q, alien_size, real_socket, &old) < 0)
			return -rte_errno;
		nd->alien[h].q.size = alien_size;
	}
	return 0;
}

void node_fini(node *nd, unsigned nr_sockets)
{
	rte_free(nd->shared.objs);
	nd->shared.objs = nullptr;
	for (std::uint32_t i = 0; i < nd->dep.nr_full; i++)
		rte_free(nd->dep.full[i].objs);
	for (std::uint32_t i = 0; i < nd->dep.nr_empty; i++)
		rte_free(nd->dep.empty[i].objs);
	nd->dep.nr_full = nd->dep.nr_empty = 0;
	nd->dep.objs = 0;
	for (unsigned h = 0; h < nr_sockets; h++) {
		rte_free(nd->alien[h].q.objs);
		nd->alien[h].q.objs = nullptr;
	}
}

} // namespace slubq
