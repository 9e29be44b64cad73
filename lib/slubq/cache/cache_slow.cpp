/* SPDX-License-Identifier: BSD-3-Clause */
// Slow paths: refill and flush of lcore queues, the locked path for threads
// without a queue, remote fallback, and the pickup of run-time tunables.
#include <algorithm>
#include <cstring>
#include <rte_malloc.h>
#include "cache/cache.hpp"
#include "cache/cache_debug.hpp"
#include "cache/cache_locked.hpp"
#include "cache/cache_source.hpp"
#include "common/log.hpp"
#include "slubq_defaults.h"

namespace slubq {

namespace {

unsigned lcore_of(const slubq_cache *c, const lcore_queue *q)
{
	return unsigned(q - c->queues);
}

bool is_elastic(const slubq_cache *c) { return c->src.kind == SLUBQ_SOURCE_ELASTIC; }

// Give objects back to their home nodes (failed all-or-nothing allocations):
// into their slabs, as if never taken. They were never handed out, so a
// debug cache's records still say "never allocated"; in the shared queue
// they would be free objects with that record, which verify reports.
void give_back(slubq_cache *c, void *const *objs, std::uint32_t n)
{
	std::uint32_t i = 0;
	while (i < n) {
		unsigned home = slab_of(c->geo, objs[i])->socket;
		std::uint32_t j = i + 1;
		while (j < n && slab_of(c->geo, objs[j])->socket == home)
			j++;
		node *nd = c->nodes[home];
		node_lock(nodes_of(c), nd);
		node_put_slabs(nodes_of(c), nd, objs + i, j - i);
		node_unlock(nd);
		i = j;
	}
}

// Objects from the node of `socket` (and objects of it stuck in remote alien
// queues, and new slabs when elastic). for_queue: see node_take.
// publish: the count of the queue that `out` belongs to, raised under the
// node lock, so objects never leave the node without being in the queue.
std::uint32_t take_local(slubq_cache *c, unsigned socket, void **out, std::uint32_t want, std::uint32_t need,
			 bool for_queue, std::uint32_t *publish = nullptr)
{
	node *nd = c->nodes[socket];
	std::uint32_t got = 0;
	bool drained = false;
	for (;;) {
		node_lock(nodes_of(c), nd);
		std::uint32_t k = node_take(nodes_of(c), nd, out + got, want - got, for_queue);
		got += k;
		if (publish != nullptr) {
			crash_order();
			*publish += k;
		}
		node_unlock(nd);
		if (got >= need)
			return got;
		if (!drained) {
			drained = true;
			if (alien_drain_to(nodes_of(c), socket) != 0)
				continue;
		}
		if (is_elastic(c) && elastic_grow(c, nd) == 0)
			continue;
		return got;
	}
}

// The local node is dry: objects of other sockets, straight to the caller.
std::uint32_t take_remote(slubq_cache *c, unsigned socket, void **out, std::uint32_t want)
{
	std::uint32_t got = 0;
	for (unsigned s = 0; s < c->nr_sockets && got < want; s++) {
		if (s == socket)
			continue;
		node *nd = c->nodes[s];
		alien_drain_to(nodes_of(c), s);
		node_lock(nodes_of(c), nd);
		std::uint32_t k = node_take(nodes_of(c), nd, out + got, want - got, false);
		nd->stats.remote_given += k;
		node_unlock(nd);
		got += k;
	}
	return got;
}

// Objects per home socket, sent in batches (free paths of multi-socket caches).
struct home_batches {
	static constexpr std::uint32_t cap = 32;
	void *objs[SLUBQ_MAX_SOCKETS][cap];
	std::uint32_t count[SLUBQ_MAX_SOCKETS] = {};
};

// Send remote objects freed on `from` towards `home`: into the alien queue,
// or (no alien queues) straight home. Returns objects that reached home.
std::uint32_t send_remote(slubq_cache *c, unsigned from, unsigned home, void *const *objs, std::uint32_t k)
{
	if (c->flags & SLUBQ_F_NO_ALIEN) {
		node *dest = c->nodes[home];
		node_lock(nodes_of(c), dest);
		node_put(nodes_of(c), dest, objs, k);
		node_unlock(dest);
		return k;
	}
	return alien_put(nodes_of(c), from, home, objs, k);
}

void count_remote(const slubq_cache *c, lcore_stats &st, std::uint32_t sent_home, std::uint32_t k)
{
	if (c->flags & SLUBQ_F_NO_ALIEN)
		return;
	st.alien_sent += k;
	if (sent_home)
		st.alien_flushes++;
}

// Flush the k oldest objects of q to its node (owner only).
void flush_oldest(slubq_cache *c, lcore_queue *q, std::uint32_t k)
{
	if (k == 0)
		return;
	queue_to_node(c, q, k);
	c->stats[lcore_of(c, q)].flushes++;
}

// Flush by exchange: the full queue array goes to the node's depot, an
// empty one of at least the queue's size comes back. False when the node
// has no room (then the caller copies).
bool flush_exchange(slubq_cache *c, lcore_queue *q)
{
	node *nd = c->nodes[q->socket];
	magazine e;
	// The array goes to other lcores as it is: what the fast path queued
	// without looking is checked first — only when the depot looks like it
	// has room (a lock-free glance), since a refused exchange keeps most of
	// the queue, which would then be checked again at the next flush.
	if (load_relaxed(nd->dep.nr_full) >= depot_slots ||
	    node_queued(nd) + q->count > load_relaxed(nd->shared.size))
		return false;
	queue_drop_bad(c, q);
	node_lock(nodes_of(c), nd);
	bool ok = depot_reserve(nd, q->count, q->limit, e);
	if (ok)
		hand_full_to_depot(nd, q->objs, q->count, q->capacity, e);
	node_unlock(nd);
	if (ok)
		c->stats[lcore_of(c, q)].flushes++;
	return ok;
}

// Refill by exchange: n objects for the caller, the first q->count (< n) of
// them from the queue, the rest from a full magazine of the node's depot
// that becomes the queue; the emptied array goes to the depot. False when
// the depot has no full magazine that fits (then the caller copies).
bool refill_exchange(slubq_cache *c, lcore_queue *q, void **objs, std::uint32_t n)
{
	node *nd = c->nodes[q->socket];
	depot &d = nd->dep;
	if (load_relaxed(d.nr_full) == 0)
		return false;
	node_lock(nodes_of(c), nd);
	const std::uint32_t cnt = q->count;
	bool ok = d.nr_full > 0 && d.nr_empty < depot_slots && d.full[d.nr_full - 1].count >= n - cnt &&
		  d.full[d.nr_full - 1].capacity >= q->limit;
	if (ok) {
		// Our leftovers go to the caller before the array is given away.
		queue_pop(q, objs, cnt);
		magazine f = d.full[d.nr_full - 1];
		magazine old{q->objs, 0, q->capacity};
		// Unlisted from the depot, then the queue's (see magazine_move:
		// never in two places), then our old array listed empty.
		move_begin(nd, f, &q->objs);
		d.nr_full--;
		d.objs -= f.count;
		crash_order();
		q->objs = f.objs;
		crash_order();
		q->count = f.count;
		q->capacity = f.capacity;
		move_end(nd);
		d.empty[d.nr_empty++] = old; // room checked above
		d.exchanges++;
	}
	node_unlock(nd);
	if (ok)
		queue_pop(q, objs + cnt, n - cnt);
	return ok;
}

// Local objects into the owner's queue, flushing the oldest when full.
void queue_take(slubq_cache *c, lcore_queue *q, void *const *objs, std::uint32_t m)
{
	if (q->count + m <= q->limit) {
		queue_push(q, objs, m);
		return;
	}
	if (m <= q->limit && flush_exchange(c, q)) {
		queue_push(q, objs, m);
		return;
	}
	if (m > q->limit) {
		// Bigger than the queue itself: straight to the node.
		node *nd = c->nodes[q->socket];
		node_lock(nodes_of(c), nd);
		node_put(nodes_of(c), nd, objs, m);
		node_unlock(nd);
		c->stats[lcore_of(c, q)].flushes++;
		return;
	}
	std::uint32_t k = std::max(q->batch, q->count + m - q->limit);
	flush_oldest(c, q, std::min(k, q->count));
	queue_push(q, objs, m);
}

// The socket whose objects an lcore of `socket` keeps in its queue: its
// own, unless the cache is fixed and has no memory there (a pool
// populated on the NIC's socket, workers on both). Such an lcore adopts
// the socket with memory nearest to it (the same real socket first, else
// the one holding most objects) and behaves as one of its lcores: it
// refills its queue from that node in batches, and its frees of that
// socket's objects stay in its queue instead of going home one alien
// batch at a time (no ping-pong). Decided once, at the queue's first use.
unsigned serving_socket(const slubq_cache *c, unsigned socket)
{
	if (c->src.kind != SLUBQ_SOURCE_FIXED || load_relaxed(c->nodes[socket]->nr_objs) != 0)
		return socket;
	unsigned best = socket;
	std::uint64_t best_objs = 0;
	for (unsigned s = 0; s < c->nr_sockets; s++) {
		std::uint64_t n = load_relaxed(c->nodes[s]->nr_objs);
		if (n == 0)
			continue;
		if (c->topo.real_socket[s] == c->topo.real_socket[socket])
			return s;
		if (n > best_objs) {
			best = s;
			best_objs = n;
		}
	}
	return best;
}

// First use of a cache by an lcore: allocate its pointer array.
bool queue_activate(slubq_cache *c, lcore_queue *q)
{
	if (q->active)
		return true;
	if (debug_active(c))
		return false; // debug and fault injection run on the locked path
	unsigned lc = lcore_of(c, q);
	std::uint32_t gen = load_acquire(c->tune_gen);
	std::uint32_t limit = load_relaxed(c->tune.queue_size);
	if (limit == 0)
		return false;
	std::uint32_t cap = slubq_stack_slots(limit);
	unsigned socket = serving_socket(c, c->topo.lcore_socket[lc]);
	auto **objs = static_cast<void **>(rte_malloc_socket("slubq_queue", cap * sizeof(void *), cache_line,
							     c->nodes[socket]->real_socket));
	if (objs == nullptr)
		objs = static_cast<void **>(rte_malloc("slubq_queue", cap * sizeof(void *), cache_line));
	if (objs == nullptr)
		return false;
	q->objs = objs;
	q->count = 0;
	q->capacity = cap;
	q->limit = limit;
	q->batch = std::clamp<std::uint32_t>(load_relaxed(c->tune.batch), 1, limit);
	q->socket = std::uint16_t(socket);
	q->seen_gen = gen;
	q->seen_drain = load_relaxed(c->drain_gen);
	q->active = 1;
	store_relaxed(q->size, limit);
	// A tuner may have published something between our read and now.
	queue_pickup(c, q);
	return true;
}

// Entering a slow path: activate the queue on first use, and apply what a
// tuner or shrink published. They zero the gate to send us here; only
// then is there anything to pick up (the pickup ends in a full fence).
void queue_prepare(slubq_cache *c, lcore_queue *q)
{
	if (queue_activate(c, q) && load_relaxed(q->size) == 0)
		queue_pickup(c, q);
}

} // namespace

void queue_to_node(slubq_cache *c, lcore_queue *q, std::uint32_t k)
{
	node *nd = c->nodes[q->socket];
	void *piece[256];
	while (k > 0) {
		const std::uint32_t m = std::min<std::uint32_t>(k, 256);
		std::memcpy(piece, q->objs, m * sizeof(void *));
		std::memmove(q->objs, q->objs + m, (q->count - m) * sizeof(void *));
		q->count -= m;
		k -= m;
		crash_order();
		node_lock(nodes_of(c), nd);
		node_put(nodes_of(c), nd, piece, m);
		node_unlock(nd);
	}
}

void report_bad_object(slubq_cache *c, const void *obj, const char *what, const char *why)
{
	__atomic_add_fetch(&c->dbg.errors, 1, __ATOMIC_RELAXED);
	debug_report(c, obj, what, why);
}

void queue_drop_bad(slubq_cache *c, lcore_queue *q)
{
	object_checker check = checker_of(c);
	void **const objs = q->objs;
	std::uint32_t n = q->count;
	// A whole queue array handed on as a magazine: first a branch-free pass
	// (vectorised) that every pointer lies in the range of the first one,
	// the common case (one chunk, or the elastic source's current one).
	// Pointers in our memory are not checked for slot starts here: that
	// check costs ~2 ns per object on a flush-heavy pipeline; they are when
	// they reach their slab (node_put). docs/debugging.md says so.
	if (n != 0 && check.problem(objs[0]) == nullptr) {
		const std::uintptr_t lo = check.known[0].lo, len = check.known[0].hi - lo;
		std::uintptr_t out = 0;
		for (std::uint32_t i = 0; i < n; i++)
			out |= std::uintptr_t(reinterpret_cast<std::uintptr_t>(objs[i]) - lo >= len);
		if (SLUBQ_LIKELY(out == 0))
			return;
	}
	for (std::uint32_t i = 0; i < n;) {
		void *obj = objs[i];
		const char *why = check.problem(obj);
		if (SLUBQ_LIKELY(why == nullptr)) {
			i++;
			continue;
		}
		report_bad_object(c, obj, "free", why);
		// The last object takes its place: the count first, so that a
		// process dying in between loses that object, never lists it twice.
		void *moved = objs[--n];
		q->count = n;
		crash_order();
		objs[i] = moved; // checked next round (unless it was the bad one itself)
	}
}

void queue_pickup(slubq_cache *c, lcore_queue *q)
{
	for (;;) {
		std::uint32_t gen = load_acquire(c->tune_gen);
		if (gen != q->seen_gen) {
			std::uint32_t limit = load_relaxed(c->tune.queue_size);
			if (debug_active(c))
				limit = 0; // fault injection switched on: drain, then the locked path
			std::uint32_t batch = load_relaxed(c->tune.batch);
			if (limit > q->capacity) {
				auto **objs = static_cast<void **>(rte_malloc_socket(
					"slubq_queue", limit * sizeof(void *), cache_line,
					c->nodes[q->socket]->real_socket));
				if (objs != nullptr) {
					std::memcpy(objs, q->objs, q->count * sizeof(void *));
					void **old = q->objs;
					q->objs = objs; // before the capacity: never a capacity past the array
					crash_order();
					q->capacity = limit;
					rte_free(old);
				} else {
					SLUBQ_LOG(WARNING, "cache %s: no memory for a queue of %u, keeping %u",
						  c->name, limit, q->capacity);
					limit = q->capacity;
				}
			}
			std::uint32_t drain = load_relaxed(c->drain_gen);
			if (drain != q->seen_drain || limit == 0) {
				flush_oldest(c, q, q->count);
				alien_buffers_home(c, lcore_of(c, q));
				q->seen_drain = drain;
			}
			if (q->count > limit)
				flush_oldest(c, q, q->count - limit);
			alien_buffers_retune(c, lcore_of(c, q));
			q->limit = limit;
			q->batch = std::clamp<std::uint32_t>(batch, 1, std::max<std::uint32_t>(limit, 1));
			q->seen_gen = gen;
		}
		store_relaxed(q->size, q->limit);
		// Pairs with request_pickup(): either we see its generation now, or
		// its store of 0 into size lands after ours and sends us back here.
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (load_relaxed(c->tune_gen) == gen)
			return;
	}
}

void request_pickup(slubq_cache *c)
{
	__atomic_add_fetch(&c->tune_gen, 1, __ATOMIC_SEQ_CST);
	for (unsigned lc = 0; lc < RTE_MAX_LCORE; lc++)
		if (load_relaxed(c->queues[lc].active))
			store_relaxed(c->queues[lc].size, std::uint32_t(0));
}

int alloc_locked(slubq_cache *c, unsigned socket, void **objs, std::uint32_t n)
{
	auto take = [&](void **out, std::uint32_t want) {
		std::uint32_t k = take_local(c, socket, out, want, want, false);
		return k < want ? k + take_remote(c, socket, out + k, want - k) : k;
	};
	std::uint32_t got = take(objs, n);
	// Short: objects parked in queues of lcores not using them come back.
	if (got < n && reclaim_queues(c) > 0)
		got += take(objs + got, n - got);
	node *nd = c->nodes[socket];
	node_lock(nodes_of(c), nd);
	nd->stats.locked_ops++;
	node_unlock(nd);
	if (got == n)
		return 0;
	give_back(c, objs, got);
	return fail(ENOBUFS);
}

void free_locked(slubq_cache *c, unsigned socket, void *const *objs, std::uint32_t n)
{
	home_batches hb;
	node *nd = c->nodes[socket];
	object_checker check = checker_of(c);
	for (std::uint32_t i = 0; i < n; i++) {
		void *obj = objs[i];
		if (const char *why = check.problem(obj); SLUBQ_UNLIKELY(why != nullptr)) {
			report_bad_object(c, obj, "free", why);
			continue;
		}
		unsigned home = slab_of(c->geo, obj)->socket;
		hb.objs[home][hb.count[home]++] = obj;
		if (hb.count[home] == home_batches::cap) {
			if (home == socket) {
				node_lock(nodes_of(c), nd);
				node_put(nodes_of(c), nd, hb.objs[home], hb.count[home]);
				node_unlock(nd);
			} else {
				send_remote(c, socket, home, hb.objs[home], hb.count[home]);
			}
			hb.count[home] = 0;
		}
	}
	node_lock(nodes_of(c), nd);
	nd->stats.locked_ops++;
	node_put(nodes_of(c), nd, hb.objs[socket], hb.count[socket]);
	node_unlock(nd);
	for (unsigned h = 0; h < c->nr_sockets; h++)
		if (h != socket && hb.count[h])
			send_remote(c, socket, h, hb.objs[h], hb.count[h]);
}

namespace {

// The queue path of alloc_slow (queue active): 0, or -ENOBUFS with nothing
// taken.
int alloc_via_queue(slubq_cache *c, lcore_queue *q, void **objs, std::uint32_t n, lcore_stats &st)
{
	std::uint32_t cnt = q->count;
	if (n > q->limit) {
		// Bigger than the queue: the node serves what the queue lacks.
		if (alloc_locked(c, q->socket, objs + cnt, n - cnt) < 0)
			return -ENOBUFS;
		queue_pop(q, objs, cnt);
		return 0;
	}
	if (n > cnt && refill_exchange(c, q, objs, n)) {
		st.refills++;
		return 0;
	}
	if (n > cnt) {
		std::uint32_t need = n - cnt;
		std::uint32_t want = std::min(q->limit - cnt, need + q->batch);
		take_local(c, q->socket, q->objs + cnt, want, need, true, &q->count);
		st.refills++;
		if (q->count < n) {
			// The local node is dry: remote objects go to the caller, never
			// into the queue (a local queue only hands out local objects).
			std::uint32_t k = q->count;
			std::uint32_t r = take_remote(c, q->socket, objs, n - k);
			if (r < n - k) {
				give_back(c, objs, r);
				return -ENOBUFS;
			}
			queue_pop(q, objs + r, k);
			st.remote_allocs += r;
			return 0;
		}
	}
	queue_pop(q, objs, n);
	return 0;
}

} // namespace

int alloc_slow(slubq_cache *c, lcore_queue *q, void **objs, std::uint32_t n)
{
	if (n == 0)
		return 0;
	if (q == nullptr) // not an EAL lcore: the locked path (with debug checks, if any)
		return locked_path_alloc(c, LCORE_ID_ANY, objs, n, __builtin_return_address(0));
	queue_wait_unclaimed(q);
	unsigned lc = lcore_of(c, q);
	lcore_stats &st = c->stats[lc];
	queue_prepare(c, q);
	int rc;
	if (SLUBQ_UNLIKELY(!q->active || q->limit == 0)) {
		// No queue (disabled, debug checks, fault injection): locked path.
		rc = locked_path_alloc(c, lc, objs, n, __builtin_return_address(0));
	} else {
		rc = alloc_via_queue(c, q, objs, n, st);
		// Short: objects waiting in our own alien buffers go home, and
		// objects parked in queues of lcores not using them come back.
		if (rc == -ENOBUFS && alien_buffers_home(c, lc) + reclaim_queues(c) > 0)
			rc = alloc_via_queue(c, q, objs, n, st);
	}
	if (rc == 0) {
		st.alloc_slow += n;
		return 0;
	}
	st.alloc_fail++;
	return fail(-rc);
}

void free_slow(slubq_cache *c, lcore_queue *q, void *const *objs, std::uint32_t n)
{
	if (n == 0)
		return;
	if (q == nullptr) {
		locked_path_free(c, LCORE_ID_ANY, objs, n, __builtin_return_address(0));
		return;
	}
	queue_wait_unclaimed(q);
	unsigned lc = lcore_of(c, q);
	lcore_stats &st = c->stats[lc];
	st.free_slow += n;
	queue_prepare(c, q);
	if (SLUBQ_UNLIKELY(!q->active || q->limit == 0)) {
		locked_path_free(c, lc, objs, n, __builtin_return_address(0));
		return;
	}
	if (!(c->fast_flags & FAST_CHECK_REMOTE)) {
		queue_take(c, q, objs, n);
		return;
	}
	// Several sockets: local objects into the queue, remote ones into this
	// lcore's alien buffer for their home (cache/cache_alien.cpp), or
	// towards home in batches when there is none.
	home_batches hb;
	const unsigned self = q->socket;
	std::uint32_t buffered = 0;
	lcore_alien &aliens = c->aliens[lc];
	object_checker check = checker_of(c);
	for (std::uint32_t i = 0; i < n; i++) {
		void *obj = objs[i];
		if (const char *why = check.problem(obj); SLUBQ_UNLIKELY(why != nullptr)) {
			report_bad_object(c, obj, "free", why);
			continue;
		}
		unsigned home = slab_of(c->geo, obj)->socket;
		if (home != self) {
			obj_stack *b = &aliens.home[home];
			if (SLUBQ_LIKELY(b->objs != nullptr) || (b = alien_buffer(c, q, lc, home)) != nullptr) {
				const std::uint32_t k = b->count;
				b->objs[k] = obj;
				crash_order(); // the slot before the count: never a stale pointer counted
				b->count = k + 1;
				if (k + 1 >= b->size)
					alien_buffer_send(c, lc, home);
				buffered++;
				continue;
			}
		}
		hb.objs[home][hb.count[home]++] = obj;
		if (hb.count[home] == home_batches::cap) {
			if (home == self) {
				queue_take(c, q, hb.objs[home], hb.count[home]);
			} else {
				count_remote(c, st, send_remote(c, self, home, hb.objs[home], hb.count[home]),
					     hb.count[home]);
			}
			hb.count[home] = 0;
		}
	}
	st.alien_sent += buffered;
	for (unsigned h = 0; h < c->nr_sockets; h++) {
		if (hb.count[h] == 0)
			continue;
		if (h == self)
			queue_take(c, q, hb.objs[h], hb.count[h]);
		else
			count_remote(c, st, send_remote(c, self, h, hb.objs[h], hb.count[h]), hb.count[h]);
	}
}

} // namespace slubq
