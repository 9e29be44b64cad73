/* SPDX-License-Identifier: BSD-3-Clause */
// Reading a cache: exact counts, statistics, snapshots.
// Also the exported C entry points of the object paths.
#include <cstring>
#include <vector>
#include "cache/cache.hpp"
#include "cache/cache_source.hpp"
#include "common/log.hpp"

using namespace slubq;

namespace {

bool valid(const slubq_cache *c) { return c != nullptr && c->magic == cache_magic; }

// The logical socket of c that serves real socket `socket` for the caller:
// its own when that is where its memory is, else the first that is there;
// -1 when none is.
int logical_socket_for(const slubq_cache *c, int socket)
{
	unsigned own = topology_thread_socket(c->topo);
	if (socket < 0 || c->topo.real_socket[own] == socket)
		return int(own);
	for (unsigned s = 0; s < c->nr_sockets; s++)
		if (c->topo.real_socket[s] == socket)
			return int(s);
	return -1;
}

std::uint64_t queued_in_lcores(const slubq_cache *c)
{
	std::uint64_t n = 0;
	for (unsigned lc = 0; lc < RTE_MAX_LCORE; lc++)
		if (load_relaxed(c->queues[lc].active))
			n += load_relaxed(c->queues[lc].count);
	return n;
}

// Objects in the alien queues of nd and the alien buffers of its lcores
// (no lock: readers never wait on a process that may have died holding
// one; exact once the holders are quiet).
std::uint64_t alien_count(const slubq_cache *c, const node *nd)
{
	std::uint64_t alien = 0;
	for (unsigned h = 0; h < c->nr_sockets; h++)
		if (h != nd->socket)
			alien += load_relaxed(nd->alien[h].q.count);
	for (unsigned lc = 0; lc < RTE_MAX_LCORE; lc++)
		if (load_relaxed(c->queues[lc].active) && load_relaxed(c->queues[lc].socket) == nd->socket)
			alien += alien_buffered(c, lc);
	return alien;
}

// free bits + shared + alien objects of one node, without locks.
void node_counts(const slubq_cache *c, const node *nd, std::uint64_t *free_bits, std::uint64_t *queued,
		 std::uint64_t *total)
{
	*free_bits += load_relaxed(nd->free_objs);
	*queued += node_queued(nd) + alien_count(c, nd);
	*total += load_relaxed(nd->nr_objs);
}

} // namespace

extern "C" {

int slubq_cache_alloc_bulk(struct slubq_cache *c, void **objs, unsigned int n)
{
	return alloc_bulk(c, objs, n);
}

int slubq_cache_alloc_bulk_socket(struct slubq_cache *c, void **objs, unsigned int n, int socket)
{
	int l = logical_socket_for(c, socket);
	if (l < 0)
		return fail(EINVAL);
	return unsigned(l) == topology_thread_socket(c->topo) ? alloc_bulk(c, objs, n)
							       : alloc_locked(c, unsigned(l), objs, n);
}

void slubq_cache_free_bulk(struct slubq_cache *c, void *const *objs, unsigned int n)
{
	free_bulk(c, objs, n);
}

void *slubq_cache_alloc(struct slubq_cache *c)
{
	void *o;
	return alloc_bulk(c, &o, 1) == 0 ? o : nullptr;
}

void slubq_cache_free(struct slubq_cache *c, void *obj)
{
	free_bulk(c, &obj, 1);
}

int slubq_cache_populate(struct slubq_cache *c, void *vaddr, rte_iova_t iova, size_t len, int socket,
			 unsigned int max_objs, slubq_obj_cb_t *cb, void *opaque)
{
	if (!valid(c))
		return fail(EINVAL);
	return fixed_populate(c, vaddr, iova, len, socket, max_objs, cb, opaque);
}

int slubq_cache_calc_layout(const struct slubq_cache_params *p, uint64_t n, unsigned int spread,
			    struct slubq_cache_layout *l)
{
	if (p == nullptr || l == nullptr || spread == 0)
		return fail(EINVAL);
	geometry g;
	if (cache_geometry(g, p, spread) < 0)
		return -rte_errno;
	l->slot_size = g.stride;
	l->slab_size = std::uint32_t(g.slab_size);
	l->slab_objs = g.objs_per_slab;
	l->mem_bytes = geometry_bytes(g, n);
	l->chunk_bytes = elastic_chunk_bytes(p, g);
	l->cache_bytes = sizeof(slubq_cache);
	l->node_bytes = sizeof(node);
	return 0;
}

ssize_t slubq_cache_calc_mem_size(const struct slubq_cache_params *p, uint32_t n, uint32_t pg_shift,
				  size_t *min_chunk, size_t *align)
{
	if (p == nullptr || p->obj_size == 0)
		return fail(EINVAL);
	slubq_cache_params q = *p;
	if (pg_shift != 0)
		q.page_size = std::uint64_t(1) << pg_shift;
	geometry g;
	if (cache_geometry(g, &q) < 0)
		return -rte_errno;
	// Exactly what populate cuts: full slabs, then a short one. Chunks come
	// aligned to the slab (rte_mempool_populate_default reserves its
	// memzones with this alignment, and page or IOVA boundaries inside
	// them fall on slab boundaries), so no slab is lost to a chunk's head;
	// a chunk shorter than asked (ENOMEM retries) ends in a short slab and
	// the objects it lacks are asked for again. The smallest useful chunk
	// holds one object.
	std::uint64_t bytes = geometry_bytes(g, n);
	std::uint64_t one = g.first_off + std::uint64_t(g.stride);
	if (min_chunk)
		*min_chunk = std::size_t(bytes < one ? bytes : one);
	if (align)
		*align = std::size_t(g.slab_size);
	return ssize_t(bytes);
}

uint64_t slubq_cache_available(const struct slubq_cache *c)
{
	if (!valid(c))
		return 0;
	std::uint64_t free_bits = 0, queued = 0, total = 0;
	for (unsigned s = 0; s < c->nr_sockets; s++)
		node_counts(c, c->nodes[s], &free_bits, &queued, &total);
	return free_bits + queued + queued_in_lcores(c);
}

uint64_t slubq_cache_total(const struct slubq_cache *c)
{
	if (!valid(c))
		return 0;
	std::uint64_t total = 0;
	for (unsigned s = 0; s < c->nr_sockets; s++)
		total += load_relaxed(c->nodes[s]->nr_objs);
	return total;
}

int slubq_cache_stats(const struct slubq_cache *c, int lcore, struct slubq_stats *s)
{
	if (!valid(c) || s == nullptr || lcore >= RTE_MAX_LCORE || lcore < -1)
		return fail(EINVAL);
	std::memset(s, 0, sizeof(*s));
	unsigned lo = lcore < 0 ? 0 : unsigned(lcore);
	unsigned hi = lcore < 0 ? RTE_MAX_LCORE : unsigned(lcore) + 1;
	for (unsigned lc = lo; lc < hi; lc++) {
		const lcore_queue &q = c->queues[lc];
		const lcore_stats &st = c->stats[lc];
		s->alloc_fast += load_relaxed(q.alloc_fast);
		s->free_fast += load_relaxed(q.free_fast);
		s->alloc_slow += load_relaxed(st.alloc_slow);
		s->free_slow += load_relaxed(st.free_slow);
		s->refills += load_relaxed(st.refills);
		s->flushes += load_relaxed(st.flushes);
		s->alien_sent += load_relaxed(st.alien_sent);
		s->alien_flushes += load_relaxed(st.alien_flushes);
		s->remote_allocs += load_relaxed(st.remote_allocs);
		s->alloc_fail += load_relaxed(st.alloc_fail);
	}
	if (lcore < 0) {
		// Counters kept by the nodes (shared by every lcore of a socket).
		for (unsigned n = 0; n < c->nr_sockets; n++) {
			const node_stats &ns = c->nodes[n]->stats;
			s->alien_received += load_relaxed(ns.alien_received);
			s->slabs_grown += load_relaxed(ns.slabs_grown);
			s->slabs_freed += load_relaxed(ns.slabs_freed);
			s->locked_ops += load_relaxed(ns.locked_ops);
			s->node_locks += load_relaxed(ns.lock_acquisitions);
		}
		s->debug_errors = load_relaxed(c->dbg.errors);
		s->injected_faults = load_relaxed(c->dbg.injected);
	}
	return 0;
}

int slubq_cache_queue_fill(const struct slubq_cache *c, unsigned int lcore, uint32_t *count, uint32_t *size)
{
	if (!valid(c) || lcore >= RTE_MAX_LCORE)
		return fail(EINVAL);
	const lcore_queue &q = c->queues[lcore];
	bool active = load_relaxed(q.active);
	if (count)
		*count = active ? load_relaxed(q.count) : 0;
	if (size)
		*size = active ? load_relaxed(q.limit) : 0;
	return active ? 1 : 0;
}

int slubq_cache_get_info(const struct slubq_cache *c, struct slubq_cache_info *info)
{
	if (!valid(c) || info == nullptr)
		return fail(EINVAL);
	std::memset(info, 0, sizeof(*info));
	std::memcpy(info->name, c->name, sizeof(info->name));
	info->obj_size = c->obj_size_req;
	info->align = c->align;
	info->flags = c->flags;
	info->source = slubq_source_kind(c->src.kind);
	info->slot_size = c->geo.stride;
	info->slab_size = std::uint32_t(c->geo.slab_size);
	info->slab_objs = c->geo.objs_per_slab;
	info->queue_size = load_relaxed(c->tune.queue_size);
	info->batch = load_relaxed(c->tune.batch);
	info->shared_size = load_relaxed(c->tune.shared_size);
	info->alien_size = load_relaxed(c->tune.alien_size);
	info->mem_limit = load_relaxed(c->src.limit);
	info->nr_sockets = c->nr_sockets;
	info->refcnt = load_relaxed(c->refcnt);
	std::uint64_t queued = 0;
	for (unsigned s = 0; s < c->nr_sockets; s++) {
		node *nd = c->nodes[s];
		slubq_node_info &ni = info->node[s];
		ni.socket = s;
		ni.real_socket = nd->real_socket;
		// No lock: see node_counts().
		const auto alien = std::uint32_t(alien_count(c, nd));
		ni.slabs_partial = load_relaxed(nd->partial.count);
		ni.slabs_full = load_relaxed(nd->full.count);
		ni.slabs_empty = load_relaxed(nd->empty.count);
		ni.objects = load_relaxed(nd->nr_objs);
		ni.free_in_slabs = load_relaxed(nd->free_objs);
		ni.shared_count = std::uint32_t(node_queued(nd));
		ni.magazine_exchanges = load_relaxed(nd->dep.exchanges);
		ni.reclaimed = load_relaxed(nd->stats.reclaimed);
		ni.lock_repairs = load_relaxed(nd->stats.repairs);
		ni.lock_acquisitions = load_relaxed(nd->stats.lock_acquisitions);
		ni.shared_size = load_relaxed(nd->shared.size);
		ni.mem_bytes = load_relaxed(nd->mem_bytes);
		ni.alien_count = alien;
		ni.alien_size = load_relaxed(c->tune.alien_size);
		info->total += ni.objects;
		info->available += ni.free_in_slabs + ni.shared_count + alien;
		info->mem_bytes += ni.mem_bytes;
		queued += ni.shared_count + alien;
	}
	std::uint64_t in_lcores = queued_in_lcores(c);
	info->available += in_lcores;
	info->in_queues = queued + in_lcores;
	return 0;
}

struct slubq_cache *slubq_cache_of(const void *obj, uint32_t slab_size)
{
	if (obj == nullptr || !is_pow2(slab_size))
		return nullptr;
	auto *s = reinterpret_cast<const slab *>(reinterpret_cast<std::uintptr_t>(obj) & ~std::uintptr_t(slab_size - 1));
	if (s->magic != slab_magic || s->owner == nullptr || s->owner->magic != cache_magic ||
	    s->owner->geo.slab_size != slab_size)
		return nullptr;
	return s->owner;
}

int slubq_cache_get_shape(const struct slubq_cache *c, struct slubq_cache_shape *s)
{
	if (!valid(c) || s == nullptr)
		return fail(EINVAL);
	s->obj_size = c->geo.obj_size;
	s->align = c->align;
	s->flags = c->flags;
	s->slab_size = c->geo.slab_size;
	s->source = slubq_source_kind(c->src.kind);
	return 0;
}

rte_iova_t slubq_cache_virt2iova(const struct slubq_cache *c, const void *obj)
{
	if (!valid(c) || obj == nullptr)
		return RTE_BAD_IOVA;
	const slab *s = slab_of(c->geo, obj);
	if (s->magic != slab_magic || s->owner != c)
		return RTE_BAD_IOVA;
	rte_iova_t base = slab_iova(s);
	if (base == RTE_BAD_IOVA)
		return RTE_BAD_IOVA;
	return base + (reinterpret_cast<std::uintptr_t>(obj) - reinterpret_cast<std::uintptr_t>(s));
}

} // extern "C"
