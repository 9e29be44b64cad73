/* SPDX-License-Identifier: BSD-3-Clause */
// verify: every invariant of a quiescent cache, with a readable report.
//  - each slab: magic, owner, socket == its node, nr_free == popcount,
//    no bit set past nr_objs, on the list its counts call for;
//  - each node: list lengths, object and free counts add up;
//  - each queued object (lcore, shared, alien queues, lcore alien buffers): an object of a slab
//    of this cache, allocated in its bitmap, held once, and in a queue of
//    the right socket (lcore/shared: local; alien[h], buffer[h]: homed at h).
#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <unordered_map>
#include <vector>
#include "cache/cache.hpp"
#include "common/log.hpp"
#include "cache/cache_debug.hpp"

using namespace slubq;

namespace {

struct report {
	char *buf;
	std::size_t len;
	std::size_t used = 0;
	int problems = 0;

	void add(const char *fmt, ...) __attribute__((format(printf, 2, 3)))
	{
		problems++;
		char line[256];
		va_list ap;
		va_start(ap, fmt);
		std::vsnprintf(line, sizeof(line), fmt, ap);
		va_end(ap);
		if (problems <= 20)
			SLUBQ_LOG(ERR, "verify: %s", line);
		if (buf != nullptr && used + 1 < len) {
			int k = std::snprintf(buf + used, len - used, "%s\n", line);
			if (k > 0)
				used = std::min(len - 1, used + std::size_t(k));
		}
	}
};

struct slab_seen {
	unsigned socket;
	std::vector<bool> queued; // object index held by some queue
};

const char *list_name(std::uint8_t l)
{
	switch (l) {
	case LIST_PARTIAL: return "partial";
	case LIST_FULL: return "full";
	case LIST_EMPTY: return "empty";
	default: return "none";
	}
}

void check_list(slubq_cache *c, node *nd, slab_list &l, slab_list_id id, report &r,
		std::unordered_map<const slab *, slab_seen> &slabs, std::uint64_t &objs, std::uint64_t &free_bits)
{
	std::uint64_t n = 0;
	const slab *prev = nullptr;
	for (slab *s = l.head; s != nullptr; prev = s, s = slab_next(s)) {
		if (++n > (std::uint64_t(1) << 40)) {
			r.add("node %u: %s list loops", nd->socket, list_name(id));
			break;
		}
		if (slab_prev(s) != prev)
			r.add("slab %p: broken back link on the %s list", static_cast<void *>(s), list_name(id));
		if (s->magic != slab_magic || s->owner != c) {
			r.add("slab %p on node %u %s list is not a slab of this cache", static_cast<void *>(s), nd->socket,
			      list_name(id));
			continue;
		}
		if (slabs.count(s)) {
			r.add("slab %p is on two lists", static_cast<void *>(s));
			continue;
		}
		slabs[s] = slab_seen{nd->socket, std::vector<bool>(s->nr_objs)};
		if (s->socket != nd->socket)
			r.add("slab %p has socket %u but is on node %u", static_cast<void *>(s), s->socket, nd->socket);
		if (slab_on_list(s) != id)
			r.add("slab %p is on the %s list but says %s", static_cast<void *>(s), list_name(id),
			      list_name(slab_on_list(s)));
		if (s->layout != c->geo.layout)
			r.add("slab %p has layout %u, its cache %u", static_cast<void *>(s), s->layout, c->geo.layout);
		const std::uint32_t nr_free = slab_nr_free(s);
		const std::uint64_t *bitmap = slab_bitmap(s);
		std::uint32_t pc = slab_count_free(c->geo, s);
		if (pc != nr_free)
			r.add("slab %p: nr_free %u but %u bits set", static_cast<void *>(s), nr_free, pc);
		for (std::uint32_t w = 0; w < c->geo.bitmap_words; w++) {
			std::uint32_t lo = w * 64;
			std::uint64_t valid = s->nr_objs >= lo + 64 ? ~0ull
					     : s->nr_objs > lo ? (1ull << (s->nr_objs - lo)) - 1 : 0;
			if (bitmap[w] & ~valid)
				r.add("slab %p: bits set past its %u objects", static_cast<void *>(s), s->nr_objs);
			if (w < slab_hint(s) && bitmap[w] != 0)
				r.add("slab %p: free bit below its scan hint", static_cast<void *>(s));
		}
		slab_list_id want = nr_free == 0 ? LIST_FULL : nr_free == s->nr_objs ? LIST_EMPTY : LIST_PARTIAL;
		if (want != id)
			r.add("slab %p (%u of %u free) belongs on the %s list, not %s", static_cast<void *>(s), nr_free,
			      s->nr_objs, list_name(want), list_name(id));
		objs += s->nr_objs;
		free_bits += nr_free;
	}
	if (n != l.count)
		r.add("node %u: %s list holds %" PRIu64 " slabs, count says %" PRIu64, nd->socket, list_name(id), n,
		      l.count);
	if (l.tail != prev)
		r.add("node %u: %s list tail is stale", nd->socket, list_name(id));
}

// One queued object: known slab, allocated in the bitmap, held once, right socket.
void check_queued(slubq_cache *c, void *obj, const char *where, unsigned want_socket, report &r,
		  std::unordered_map<const slab *, slab_seen> &slabs)
{
	const slab *s = slab_of(c->geo, obj);
	auto it = slabs.find(s);
	if (it == slabs.end()) {
		r.add("%s holds %p, not an object of this cache", where, obj);
		return;
	}
	std::uint32_t idx = slab_index(c->geo, s, obj);
	if (idx == UINT32_MAX) {
		r.add("%s holds %p, not the start of an object", where, obj);
		return;
	}
	if (slab_bit(s, idx))
		r.add("%s holds %p, which its slab's bitmap also says is free", where, obj);
	if (it->second.queued[idx])
		r.add("%s holds %p, already held by another queue (held twice)", where, obj);
	it->second.queued[idx] = true;
	if (it->second.socket != want_socket)
		r.add("%s holds %p of socket %u, expected socket %u", where, obj, it->second.socket, want_socket);
}

} // namespace

extern "C" int slubq_cache_verify(struct slubq_cache *c, char *buf, size_t len)
{
	if (buf != nullptr && len > 0)
		buf[0] = '\0';
	if (c == nullptr || c->magic != cache_magic)
		return fail(EINVAL);
	report r{buf, len};
	// Lock order: every alien queue, then every node (ascending).
	for (unsigned s = 0; s < c->nr_sockets; s++)
		for (unsigned h = 0; h < c->nr_sockets; h++)
			alien_lock(c->nodes[s]->alien[h]);
	for (unsigned s = 0; s < c->nr_sockets; s++)
		node_lock(nodes_of(c), c->nodes[s]);

	std::unordered_map<const slab *, slab_seen> slabs;
	for (unsigned s = 0; s < c->nr_sockets; s++) {
		node *nd = c->nodes[s];
		std::uint64_t objs = 0, free_bits = 0;
		check_list(c, nd, nd->partial, LIST_PARTIAL, r, slabs, objs, free_bits);
		check_list(c, nd, nd->full, LIST_FULL, r, slabs, objs, free_bits);
		check_list(c, nd, nd->empty, LIST_EMPTY, r, slabs, objs, free_bits);
		if (objs != nd->nr_objs)
			r.add("node %u: slabs hold %" PRIu64 " objects, count says %" PRIu64, s, objs, nd->nr_objs);
		if (free_bits != nd->free_objs)
			r.add("node %u: %" PRIu64 " free bits, count says %" PRIu64, s, free_bits, nd->free_objs);
		if (nd->shared.count > nd->shared.capacity)
			r.add("node %u: shared queue count %u over capacity %u", s, nd->shared.count, nd->shared.capacity);
		std::uint64_t in_mags = 0;
		bool mags_ok = nd->dep.nr_full <= depot_slots && nd->dep.nr_empty <= depot_slots;
		for (std::uint32_t i = 0; mags_ok && i < nd->dep.nr_full; i++) {
			mags_ok = nd->dep.full[i].count <= nd->dep.full[i].capacity;
			in_mags += nd->dep.full[i].count;
		}
		if (!mags_ok)
			r.add("node %u: magazine depot out of bounds", s);
		else if (in_mags != nd->dep.objs)
			r.add("node %u: magazines hold %" PRIu64 " objects, count says %" PRIu64, s, in_mags,
			      nd->dep.objs);
	}
	char where[64];
	for (unsigned s = 0; s < c->nr_sockets; s++) {
		node *nd = c->nodes[s];
		std::snprintf(where, sizeof(where), "node %u shared queue", s);
		for (std::uint32_t i = 0; i < nd->shared.count && i < nd->shared.capacity; i++)
			check_queued(c, nd->shared.objs[i], where, s, r, slabs);
		std::snprintf(where, sizeof(where), "node %u magazine", s);
		if (nd->dep.nr_full <= depot_slots)
			depot_for_each(nd, [&](void *const *objs, std::uint32_t count) {
				for (std::uint32_t i = 0; i < count; i++)
					check_queued(c, objs[i], where, s, r, slabs);
			});
		for (unsigned h = 0; h < c->nr_sockets; h++) {
			if (h == s)
				continue;
			const obj_stack &a = nd->alien[h].q;
			std::snprintf(where, sizeof(where), "node %u alien queue for socket %u", s, h);
			for (std::uint32_t i = 0; i < a.count && i < a.capacity; i++)
				check_queued(c, a.objs[i], where, h, r, slabs);
		}
	}
	for (unsigned lc = 0; lc < RTE_MAX_LCORE; lc++) {
		const lcore_queue &q = c->queues[lc];
		if (!q.active)
			continue;
		if (q.count > q.capacity || q.limit > q.capacity)
			r.add("lcore %u queue: count %u / limit %u over capacity %u", lc, q.count, q.limit, q.capacity);
		std::snprintf(where, sizeof(where), "lcore %u queue", lc);
		for (std::uint32_t i = 0; i < q.count && i < q.capacity; i++)
			check_queued(c, q.objs[i], where, q.socket, r, slabs);
		for (unsigned h = 0; h < c->nr_sockets; h++) {
			const obj_stack &b = c->aliens[lc].home[h];
			if (b.count > b.capacity || (b.count != 0 && h == q.socket))
				r.add("lcore %u alien buffer for socket %u: count %u, capacity %u", lc, h, b.count,
				      b.capacity);
			std::snprintf(where, sizeof(where), "lcore %u alien buffer for socket %u", lc, h);
			for (std::uint32_t i = 0; i < b.count && i < b.capacity; i++)
				check_queued(c, b.objs[i], where, h, r, slabs);
		}
	}
	// Debug metadata (object states, red zones of free objects) agrees.
	debug_verify(c, [&](const char *msg) { r.add("%s", msg); });

	for (unsigned s = c->nr_sockets; s-- > 0;)
		node_unlock(c->nodes[s]);
	for (unsigned s = c->nr_sockets; s-- > 0;)
		for (unsigned h = c->nr_sockets; h-- > 0;)
			alien_unlock(c->nodes[s]->alien[h]);
	return r.problems;
}
