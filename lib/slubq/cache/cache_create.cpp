/* SPDX-License-Identifier: BSD-3-Clause */
// Cache life cycle: parameters, geometry, build, merge test and teardown
// (the registry names caches: registry/registry_api.cpp), tunables, shrink.
#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <rte_malloc.h>
#include <rte_memory.h>
#include <rte_memzone.h>
#include <rte_eal.h>
#include "cache/cache.hpp"
#include "cache/cache_create.hpp"
#include "cache/cache_source.hpp"
#include "common/log.hpp"
#include "slab/slot_layout.hpp"
#include "slubq_defaults.h"

namespace slubq {

namespace {

constexpr std::uint64_t fixed_pick_max = 2u << 20;

bool anonymous(const slubq_cache_params *p) { return p->name == nullptr || p->name[0] == '\0'; }

std::uint32_t align_of(const slubq_cache_params *p)
{
	return std::max<std::uint32_t>(p->align ? p->align : SLUBQ_DEFAULT_ALIGN, SLUBQ_DEFAULT_ALIGN);
}

int validate(const slubq_cache_params *p)
{
	if (p->obj_size == 0) {
		SLUBQ_LOG(ERR, "cache %s: object size 0", anonymous(p) ? "(anonymous)" : p->name);
		return fail(EINVAL);
	}
	if (!anonymous(p) && std::strlen(p->name) >= SLUBQ_NAMESIZE) {
		SLUBQ_LOG(ERR, "cache name '%s' longer than %d", p->name, SLUBQ_NAMESIZE - 1);
		return fail(ENAMETOOLONG);
	}
	if (!anonymous(p) && std::strncmp(p->name, "anon-", 5) == 0) {
		SLUBQ_LOG(ERR, "cache name '%s': names starting with 'anon-' are reserved for anonymous caches", p->name);
		return fail(EINVAL);
	}
	if (p->obj_size > SLUBQ_MAX_OBJ_SIZE) {
		SLUBQ_LOG(ERR, "cache %s: obj_size %u must be 1..%u", anonymous(p) ? "(anonymous)" : p->name,
			  p->obj_size, SLUBQ_MAX_OBJ_SIZE);
		return fail(EINVAL);
	}
	if (p->flags & ~std::uint32_t(SLUBQ_F_ALL)) {
		SLUBQ_LOG(ERR, "cache %s: undefined flag bits 0x%x (defined: 0x%x)", anonymous(p) ? "(anonymous)" : p->name,
			  p->flags & ~std::uint32_t(SLUBQ_F_ALL), std::uint32_t(SLUBQ_F_ALL));
		return fail(EINVAL);
	}
	if (p->align != 0 && !is_pow2(p->align)) {
		SLUBQ_LOG(ERR, "cache %s: alignment %u is not a power of two", p->name, p->align);
		return fail(EINVAL);
	}
	std::uint32_t q = p->queue_size == SLUBQ_QUEUE_OFF ? 0 : p->queue_size;
	if (q > SLUBQ_MAX_QUEUE || p->shared_size > SLUBQ_MAX_QUEUE || p->alien_size > SLUBQ_MAX_QUEUE) {
		SLUBQ_LOG(ERR, "cache %s: queue sizes are limited to %d", p->name, SLUBQ_MAX_QUEUE);
		return fail(EINVAL);
	}
	if (p->batch != 0 && q != 0 && p->batch > q) {
		SLUBQ_LOG(ERR, "cache %s: batch %u larger than queue size %u", p->name, p->batch, q);
		return fail(EINVAL);
	}
	// Poison stays inside the object (the mempool driver narrows it to an
	// mbuf's data buffer); red zones need room around it.
	if (p->source == SLUBQ_SOURCE_FIXED && (p->flags & SLUBQ_F_RED_ZONE)) {
		SLUBQ_LOG(ERR, "cache %s: red zones need an elastic cache "
			  "(a fixed source does not own its slot layout)", p->name);
		return fail(EINVAL);
	}
	if (p->source != SLUBQ_SOURCE_FIXED && p->source != SLUBQ_SOURCE_ELASTIC)
		return fail(EINVAL);
	return 0;
}

// Fill the tunables from the parameters (0 = default, slubq_defaults.h).
tunables tunables_of(const slubq_cache_params *p)
{
	tunables t{};
	t.queue_size = p->queue_size == SLUBQ_QUEUE_OFF ? 0 : p->queue_size ? p->queue_size : SLUBQ_DEFAULT_QUEUE_SIZE;
	t.batch = p->batch ? p->batch : slubq_auto_batch(t.queue_size);
	t.shared_size = p->shared_size ? p->shared_size : slubq_auto_shared(t.queue_size);
	t.alien_size = p->alien_size ? p->alien_size : SLUBQ_DEFAULT_ALIEN_SIZE;
	t.mem_limit = p->mem_limit;
	return t;
}

// The largest page the EAL's memory is on (lists of a page size with no
// page mapped, e.g. 1 GiB pages mounted but none reserved, do not count).
int largest_page(const rte_memseg_list *msl, void *arg)
{
	auto *max = static_cast<std::uint64_t *>(arg);
	if (msl->memseg_arr.count > 0)
		*max = std::max<std::uint64_t>(*max, msl->page_sz);
	return 0;
}

} // namespace

unsigned fixed_spread(const topology &t, int socket_id)
{
	unsigned n = 0;
	for (unsigned s = 0; s < t.nr_sockets; s++)
		if (socket_id == SOCKET_ID_ANY || t.real_socket[s] == socket_id)
			n++;
	return n ? n : 1;
}

int cache_geometry(geometry &g, const slubq_cache_params *p, unsigned spread)
{
	std::uint32_t align = align_of(p);
	slot_layout dl = slot_layout_of(p->flags, p->obj_size, align);
	std::uint32_t stride = p->slot_size ? p->slot_size : dl.stride;
	std::uint32_t obj_offset = p->slot_size ? p->obj_offset : dl.obj_offset;
	// A fixed source told how many objects it will hold (the mempool
	// driver, the sizing calculator) gets the slab size that needs least
	// memory for them, up to its page or a 2 MiB hugepage. Others keep
	// slabs of at least 64 KiB and 8 objects (elastic caches cut them from
	// 2 MiB chunks; a native fixed cache may be handed small chunks).
	std::uint64_t pick_max = 0;
	if (p->source == SLUBQ_SOURCE_FIXED && p->expected_objs != 0)
		pick_max = p->page_size ? p->page_size : fixed_pick_max;
	return geometry_make(g, stride, obj_offset, p->obj_size, align, p->slab_objs, p->slab_size, p->page_size,
			     dl.meta_size, pick_max, p->expected_objs, spread);
}

std::uint64_t elastic_chunk_bytes(const slubq_cache_params *p, const geometry &g)
{
	std::uint64_t chunk = p->chunk_size ? p->chunk_size
					    : std::max<std::uint64_t>(g.slab_size, (p->flags & SLUBQ_F_DMA)
											  ? SLUBQ_DEFAULT_DMA_CHUNK_SIZE
											  : SLUBQ_DEFAULT_CHUNK_SIZE);
	if (p->mem_limit != 0 && p->chunk_size == 0)
		chunk = std::min(chunk, p->mem_limit); // a chunk never exceeds the limit on its own
	return std::max<std::uint64_t>(align_down(chunk, g.slab_size), g.slab_size);
}

namespace {

// Merging (SLUB's slab_merge). Only anonymous caches merge, and only into
// anonymous caches: a named cache is someone's on purpose. Two caches may
// share when a slab of one is a slab of the other (same layout), they
// behave alike (flags), draw memory alike (elastic, same chunk size, same
// topology) and neither has a memory limit (a limit is one user's budget)
// or debug checks. Tunables (queue, batch, ...) are the first cache's.
constexpr std::uint32_t merge_same_flags = SLUBQ_F_DMA | SLUBQ_F_NO_ALIEN | SLUBQ_F_NO_IOVA_CONTIG;

bool mergeable_request(const slubq_cache_params *p)
{
	return anonymous(p) && !(p->flags & (SLUBQ_F_NO_MERGE | SLUBQ_F_DEBUG)) &&
	       p->source == SLUBQ_SOURCE_ELASTIC && p->mem_limit == 0;
}

bool same_layout(const geometry &a, const geometry &b)
{
	// obj_size may differ: the stride serves both.
	return a.slab_size == b.slab_size && a.stride == b.stride && a.obj_offset == b.obj_offset &&
	       a.first_off == b.first_off && a.objs_per_slab == b.objs_per_slab && a.align == b.align &&
	       a.meta_size == b.meta_size && a.layout == b.layout;
}

void free_cache_memory(slubq_cache *c)
{
	for (unsigned lc = 0; lc < RTE_MAX_LCORE; lc++)
		rte_free(c->queues[lc].objs);
	alien_buffers_free(c);
	for (unsigned s = 0; s < c->nr_sockets; s++) {
		if (c->nodes[s] == nullptr)
			continue;
		elastic_release_all(c, c->nodes[s]);
		node_fini(c->nodes[s], c->nr_sockets);
		rte_free(c->nodes[s]);
	}
	c->magic = 0;
	rte_memzone_free(c->mz);
}

// An elastic chunk is a memzone aligned to its slab size. With hugepages
// the EAL maps pages as the heap grows and cannot align a memzone beyond
// one page: a larger slab is never served (every allocation -ENOBUFS).
// True (logged with the largest obj_size and align that fit) then.
bool elastic_slab_unservable(const slubq_cache_params *p, const geometry &g)
{
	std::uint64_t page = 0;
	if (p->source != SLUBQ_SOURCE_ELASTIC || !rte_eal_has_hugepages())
		return false;
	rte_memseg_list_walk(largest_page, &page);
	if (page == 0 || g.slab_size <= page)
		return false;
	auto fits = [&](std::uint32_t size, std::uint32_t align) {
		slubq_cache_params q = *p;
		q.obj_size = size;
		q.align = align;
		geometry t;
		return cache_geometry(t, &q, 1) == 0 && t.slab_size <= page;
	};
	std::uint32_t lo = 0, hi = p->obj_size; // largest obj_size that fits: in [lo, hi)
	while (hi - lo > 1) {
		std::uint32_t mid = lo + (hi - lo) / 2;
		(fits(mid, p->align) ? lo : hi) = mid;
	}
	std::uint32_t align = align_of(p);
	while (align > 8 && !fits(p->obj_size, align))
		align >>= 1;
	char size_range[64] = "no obj_size fits at this align", align_range[64] = "";
	if (lo > 0)
		std::snprintf(size_range, sizeof(size_range), "obj_size must be 1..%u at this align", lo);
	if (fits(p->obj_size, align))
		std::snprintf(align_range, sizeof(align_range), ", or align at most %u for this size", align);
	SLUBQ_LOG(ERR, "cache %s: %u-byte objects aligned to %u need %" PRIu64 "-byte slabs; an elastic cache's "
		  "slabs are at most one hugepage (%" PRIu64 " bytes): %s%s",
		  anonymous(p) ? "(anonymous)" : p->name, p->obj_size, align_of(p), g.slab_size, page, size_range,
		  align_range);
	return true;
}

} // namespace

int cache_check_params(const slubq_cache_params *p)
{
	return p == nullptr ? fail(EINVAL) : validate(p);
}

int cache_plan(const slubq_cache_params *p, const topology &t, geometry &g)
{
	// A fixed source deals its slabs round-robin to the logical sockets
	// of its memory: a pool is cut into at least that many (cache_fixed.cpp).
	if (cache_geometry(g, p, p->source == SLUBQ_SOURCE_FIXED ? fixed_spread(t, p->socket_id) : 1) < 0) {
		SLUBQ_LOG(ERR, "cache %s: no slab layout for %u-byte objects (align %u, slab %u)",
			  anonymous(p) ? "(anonymous)" : p->name, p->obj_size, p->align, p->slab_size);
		return fail(EINVAL);
	}
	if (elastic_slab_unservable(p, g))
		return fail(EINVAL);
	return 0;
}

bool cache_mergeable(const slubq_cache *c, const slubq_cache_params *p, const geometry &g, const topology &t)
{
	if (!mergeable_request(p))
		return false;
	if ((c->flags & SLUBQ_F_NO_MERGE) || c->src.kind != SLUBQ_SOURCE_ELASTIC ||
	    load_relaxed(c->src.limit) != 0 || load_relaxed(c->dbg.flags) != 0 ||
	    load_relaxed(c->dbg.fail_every) != 0 || load_relaxed(c->dbg.fail_ppm) != 0)
		return false;
	return same_layout(c->geo, g) && c->align == align_of(p) && ((c->flags ^ p->flags) & merge_same_flags) == 0 &&
	       c->src.chunk_bytes == elastic_chunk_bytes(p, g) && std::memcmp(&c->topo, &t, sizeof(topology)) == 0;
}

slubq_cache *cache_build(const slubq_cache_params *p, const geometry &g, const char *name, const topology &topo,
			 std::uint32_t id)
{
	char mzname[RTE_MEMZONE_NAMESIZE];
	std::snprintf(mzname, sizeof(mzname), "slubq_c%u", id);
	const rte_memzone *mz = rte_memzone_reserve_aligned(mzname, sizeof(slubq_cache), SOCKET_ID_ANY, 0, cache_line);
	if (mz == nullptr)
		return nullptr;
	auto *c = static_cast<slubq_cache *>(mz->addr);
	std::memset(static_cast<void *>(c), 0, sizeof(*c));
	c->mz = mz;
	c->id = id;
	std::snprintf(c->name, sizeof(c->name), "%s", name);
	c->flags = p->flags;
	c->refcnt = 1;
	c->align = align_of(p);
	c->obj_size_req = p->obj_size;
	c->geo = g;
	c->slab_mask = g.slab_mask;
	c->topo = topo;
	c->nr_sockets = c->topo.nr_sockets;
	c->tune = tunables_of(p);
	plock_init(c->tune_lock);
	c->dbg.flags = p->flags & SLUBQ_F_DEBUG;
	c->dbg.red_zone = g.obj_offset && !p->slot_size ? g.obj_offset : 0;
	c->dbg.fail_seed = 0x9e3779b97f4a7c15ull ^ id;
	c->dbg.poison_len = g.obj_size;
	c->src.kind = p->source;
	c->src.mz_flags = (p->flags & SLUBQ_F_DMA) ? RTE_MEMZONE_IOVA_CONTIG : 0;
	c->src.chunk_bytes = elastic_chunk_bytes(p, g);
	c->src.limit = p->mem_limit;
	c->src.home_socket = p->socket_id;
	c->fast_flags = c->nr_sockets > 1 ? std::uint32_t(FAST_CHECK_REMOTE) : 0u;
	for (unsigned s = 0; s < c->nr_sockets; s++) {
		int real = c->topo.real_socket[s];
		if (p->source == SLUBQ_SOURCE_FIXED && p->socket_id != SOCKET_ID_ANY)
			real = p->socket_id;
		auto *nd = static_cast<node *>(rte_zmalloc_socket("slubq_node", sizeof(node), cache_line, real));
		if (nd == nullptr)
			nd = static_cast<node *>(rte_zmalloc("slubq_node", sizeof(node), cache_line));
		c->nodes[s] = nd;
		if (nd == nullptr || node_init(nd, s, real, c->nr_sockets, c->tune.shared_size, c->tune.queue_size,
					       c->tune.alien_size) < 0) {
			free_cache_memory(c);
			return fail_null<slubq_cache>(ENOMEM);
		}
	}
	store_release(c->magic, cache_magic);
	return c;
}

int cache_teardown(slubq_cache *c)
{
	// Objects still in queues are free; only objects held by users leak.
	std::uint64_t total = slubq_cache_total(c), avail = slubq_cache_available(c);
	int rc = 0;
	if (avail != total) {
		SLUBQ_LOG(WARNING, "cache %s destroyed with %" PRIu64 " of %" PRIu64 " objects in use", c->name,
			  total - avail, total);
		rc = fail(EBUSY);
	}
	free_cache_memory(c);
	return rc;
}

} // namespace slubq

using namespace slubq;

extern "C" {

void slubq_cache_params_init(struct slubq_cache_params *p)
{
	std::memset(p, 0, sizeof(*p));
	p->align = SLUBQ_DEFAULT_ALIGN;
	p->source = SLUBQ_SOURCE_ELASTIC;
	p->socket_id = SOCKET_ID_ANY;
}

const char *slubq_cache_name(const struct slubq_cache *c) { return c ? c->name : nullptr; }

int slubq_tunable_from_name(const char *name, enum slubq_tunable *key)
{
	static const struct { const char *name; slubq_tunable key; } names[] = {
		{"queue", SLUBQ_TUNE_QUEUE_SIZE}, {"queue_size", SLUBQ_TUNE_QUEUE_SIZE},
		{"batch", SLUBQ_TUNE_BATCH},      {"shared", SLUBQ_TUNE_SHARED_SIZE},
		{"shared_size", SLUBQ_TUNE_SHARED_SIZE}, {"alien", SLUBQ_TUNE_ALIEN_SIZE},
		{"alien_size", SLUBQ_TUNE_ALIEN_SIZE}, {"limit", SLUBQ_TUNE_MEM_LIMIT},
		{"mem_limit", SLUBQ_TUNE_MEM_LIMIT},
	};
	if (name == nullptr || key == nullptr)
		return fail(EINVAL);
	for (const auto &n : names) {
		if (std::strcmp(n.name, name) == 0) {
			*key = n.key;
			return 0;
		}
	}
	return fail(EINVAL);
}

int slubq_cache_get(const struct slubq_cache *c, enum slubq_tunable key, uint64_t *value)
{
	if (c == nullptr || value == nullptr)
		return fail(EINVAL);
	switch (key) {
	case SLUBQ_TUNE_QUEUE_SIZE: *value = load_relaxed(c->tune.queue_size); return 0;
	case SLUBQ_TUNE_BATCH: *value = load_relaxed(c->tune.batch); return 0;
	case SLUBQ_TUNE_SHARED_SIZE: *value = load_relaxed(c->tune.shared_size); return 0;
	case SLUBQ_TUNE_ALIEN_SIZE: *value = load_relaxed(c->tune.alien_size); return 0;
	case SLUBQ_TUNE_MEM_LIMIT: *value = load_relaxed(c->src.limit); return 0;
	default: return fail(EINVAL);
	}
}

} // extern "C"

namespace slubq {
namespace {

// Resize a locked stack; objects over the new bound go to `spill`.
int resize_stack(slubq_cache *c, plock *lock, node *guarded, obj_stack &st, std::uint32_t size, int real_socket,
		 void (*spill)(slubq_cache *, void *, void *const *, std::uint32_t), void *arg)
{
	// Allocate outside the lock when growing; swap inside it. The array may
	// change under us (an alien queue hands its array home as a magazine
	// and takes another, of at least the old size), so check again inside
	// and allocate again when it is still too small.
	void **fresh = nullptr;
	for (;;) {
		if (fresh == nullptr && size > load_relaxed(st.capacity)) {
			fresh = static_cast<void **>(rte_zmalloc_socket(
				"slubq_stack", std::max(size, 64u) * sizeof(void *), cache_line, real_socket));
			if (fresh == nullptr)
				return fail(ENOMEM);
		}
		if (plock_acquire(*lock)) {
			// Taken over from a dead process: repair what the lock guards.
			if (guarded != nullptr)
				node_repair(nodes_of(c), guarded);
			else
				stack_repair(st);
		}
		if (fresh != nullptr || size <= st.capacity)
			break;
		plock_release(*lock);
	}
	void **old = nullptr;
	if (fresh != nullptr && size > st.capacity) {
		std::memcpy(fresh, st.objs, st.count * sizeof(void *));
		old = st.objs;
		st.objs = fresh;
		st.capacity = std::max(size, 64u);
		fresh = nullptr;
	}
	if (st.count > size) {
		// Let go of the excess before it goes elsewhere (crash_order()).
		const std::uint32_t excess = st.count - size;
		st.count = size;
		crash_order();
		spill(c, arg, st.objs + size, excess);
	}
	store_relaxed(st.size, size);
	plock_release(*lock);
	rte_free(old);
	rte_free(fresh);
	return 0;
}

void spill_to_slabs(slubq_cache *c, void *arg, void *const *objs, std::uint32_t n)
{
	node_put_slabs(nodes_of(c), static_cast<node *>(arg), objs, n); // node lock held
}

void spill_home(slubq_cache *c, void *arg, void *const *objs, std::uint32_t n)
{
	node *home = static_cast<node *>(arg); // alien lock held, node lock next: allowed order
	node_lock(nodes_of(c), home);
	node_put(nodes_of(c), home, objs, n);
	home->stats.alien_received += n;
	node_unlock(home);
}

} // namespace
} // namespace slubq

extern "C" {

int slubq_cache_set(struct slubq_cache *c, enum slubq_tunable key, uint64_t value)
{
	if (c == nullptr || c->magic != cache_magic)
		return fail(EINVAL);
	int rc = 0;
	(void)plock_acquire(c->tune_lock);
	switch (key) {
	case SLUBQ_TUNE_QUEUE_SIZE:
		if (value > SLUBQ_MAX_QUEUE) { rc = fail(EINVAL); break; }
		store_relaxed(c->tune.queue_size, std::uint32_t(value));
		if (c->tune.batch > value || c->tune.batch == 0)
			store_relaxed(c->tune.batch, slubq_auto_batch(std::uint32_t(value)));
		request_pickup(c);
		break;
	case SLUBQ_TUNE_BATCH:
		if (value == 0 || value > std::max<std::uint32_t>(c->tune.queue_size, 1)) { rc = fail(EINVAL); break; }
		store_relaxed(c->tune.batch, std::uint32_t(value));
		request_pickup(c);
		break;
	case SLUBQ_TUNE_SHARED_SIZE:
		if (value > SLUBQ_MAX_QUEUE) { rc = fail(EINVAL); break; }
		store_relaxed(c->tune.shared_size, std::uint32_t(value));
		for (unsigned s = 0; s < c->nr_sockets && rc == 0; s++) {
			node *nd = c->nodes[s];
			rc = resize_stack(c, &nd->lock, nd, nd->shared, std::uint32_t(value), nd->real_socket, spill_to_slabs, nd);
			// Magazines count against the shared size: over it, into the slabs.
			node_lock(nodes_of(c), nd);
			if (node_queued(nd) > value)
				depot_to_slabs(nodes_of(c), nd);
			node_unlock(nd);
		}
		break;
	case SLUBQ_TUNE_ALIEN_SIZE:
		if (value > SLUBQ_MAX_QUEUE) { rc = fail(EINVAL); break; }
		store_relaxed(c->tune.alien_size, std::uint32_t(value));
		for (unsigned s = 0; s < c->nr_sockets && rc == 0; s++)
			for (unsigned h = 0; h < c->nr_sockets && rc == 0; h++)
				if (h != s)
					rc = resize_stack(c, &c->nodes[s]->alien[h].lock, nullptr, c->nodes[s]->alien[h].q,
							  std::uint32_t(value), c->nodes[s]->real_socket, spill_home,
							  c->nodes[h]);
		request_pickup(c); // the lcores' alien buffers take it at their next slow path
		break;
	case SLUBQ_TUNE_MEM_LIMIT:
		if (c->src.kind != SLUBQ_SOURCE_ELASTIC) { rc = fail(ENOTSUP); break; }
		store_relaxed(c->src.limit, value);
		c->tune.mem_limit = value;
		break;
	default:
		rc = fail(EINVAL);
	}
	plock_release(c->tune_lock);
	return rc;
}

int64_t slubq_cache_shrink(struct slubq_cache *c)
{
	if (c == nullptr || c->magic != cache_magic)
		return fail(EINVAL);
	// Other lcores empty their queues at their next slow path.
	(void)plock_acquire(c->tune_lock);
	__atomic_add_fetch(&c->drain_gen, 1, __ATOMIC_SEQ_CST);
	request_pickup(c);
	plock_release(c->tune_lock);
	unsigned lc = rte_lcore_id();
	if (lc < RTE_MAX_LCORE && c->queues[lc].active) {
		lcore_queue *q = &c->queues[lc];
		queue_enter(q);
		queue_wait_unclaimed(q);
		queue_pickup(c, q); // drains our own queue now
		queue_leave(q);
	}
	// Queues of lcores not inside an operation come back now, the others at
	// their next slow path.
	reclaim_queues(c);
	std::int64_t freed = 0;
	for (unsigned s = 0; s < c->nr_sockets; s++)
		alien_drain_to(nodes_of(c), s);
	for (unsigned s = 0; s < c->nr_sockets; s++) {
		node *nd = c->nodes[s];
		node_lock(nodes_of(c), nd);
		node_put_slabs(nodes_of(c), nd, nd->shared.objs, nd->shared.count);
		nd->shared.count = 0;
		depot_to_slabs(nodes_of(c), nd);
		node_unlock(nd);
		freed += std::int64_t(elastic_release(c, nd));
	}
	return freed;
}

} // extern "C"
