/* SPDX-License-Identifier: BSD-3-Clause */
// Elastic source: memzones reserved per socket on demand, cut into slabs
// aligned to their size. A chunk record sits just past the last slab.
#include <cinttypes>
#include <cstdio>
#include <rte_eal.h>
#include <rte_malloc.h>
#include <rte_memory.h>
#include "cache/cache.hpp"
#include "cache/cache_source.hpp"
#include "common/log.hpp"

namespace slubq {

namespace {

// Count bytes against the cache's memory limit; false when over it.
bool charge(slubq_cache *c, std::uint64_t bytes)
{
	std::uint64_t now = __atomic_add_fetch(&c->src.reserved, bytes, __ATOMIC_RELAXED);
	std::uint64_t limit = load_relaxed(c->src.limit);
	if (limit == 0 || now <= limit)
		return true;
	__atomic_sub_fetch(&c->src.reserved, bytes, __ATOMIC_RELAXED);
	return false;
}

void uncharge(slubq_cache *c, std::uint64_t bytes)
{
	__atomic_sub_fetch(&c->src.reserved, bytes, __ATOMIC_RELAXED);
}

rte_iova_t slab_iova(const slubq_cache *c, const rte_memzone *mz, std::uint64_t off)
{
	if (mz->iova == RTE_BAD_IOVA)
		return RTE_BAD_IOVA;
	if ((c->src.mz_flags & RTE_MEMZONE_IOVA_CONTIG) || rte_eal_iova_mode() == RTE_IOVA_VA)
		return mz->iova + off;
	if (c->geo.slab_size <= mz->hugepage_sz)
		return rte_mem_virt2iova(static_cast<const char *>(mz->addr) + off);
	return RTE_BAD_IOVA;
}

} // namespace

int elastic_grow(slubq_cache *c, node *nd)
{
	const std::uint64_t bytes = c->src.chunk_bytes;
	if (!charge(c, bytes)) {
		// At the limit: take back this cache's own wholly empty chunks first.
		for (unsigned s = 0; s < c->nr_sockets; s++) {
			alien_drain_to(nodes_of(c), s);
			elastic_release(c, c->nodes[s]);
		}
		if (!charge(c, bytes))
			return fail(ENOMEM);
	}
	char name[RTE_MEMZONE_NAMESIZE];
	std::uint64_t seq = __atomic_fetch_add(&c->src.seq, 1, __ATOMIC_RELAXED);
	std::snprintf(name, sizeof(name), "slubq%u.%" PRIu64, c->id, seq);
	// The chunk record lives apart so that a chunk is exactly a power-of-two
	// multiple of slabs (an IOVA-contiguous 2 MiB chunk fits one hugepage).
	auto *ch = static_cast<chunk *>(rte_zmalloc_socket("slubq_chunk", sizeof(chunk), cache_line, nd->real_socket));
	if (ch == nullptr)
		ch = static_cast<chunk *>(rte_zmalloc("slubq_chunk", sizeof(chunk), cache_line));
	if (ch == nullptr) {
		uncharge(c, bytes);
		return fail(ENOMEM);
	}
	const std::uint64_t len = bytes;
	const rte_memzone *mz = rte_memzone_reserve_aligned(name, len, nd->real_socket, c->src.mz_flags,
							     unsigned(c->geo.slab_size));
	if (mz == nullptr && rte_errno == ENOMEM) {
		// Memory pressure: other caches give back their empty chunks.
		if (registry_reclaim(c) > 0)
			mz = rte_memzone_reserve_aligned(name, len, nd->real_socket, c->src.mz_flags,
							 unsigned(c->geo.slab_size));
	}
	if (mz == nullptr) {
		int err = rte_errno;
		uncharge(c, bytes);
		rte_free(ch);
		SLUBQ_LOG(DEBUG, "cache %s: no memzone of %" PRIu64 " bytes on socket %d: %s", c->name, len,
			  nd->real_socket, rte_strerror(err));
		return fail(err ? err : ENOMEM);
	}
	auto *base = static_cast<char *>(mz->addr);
	// Known as ours before any of its objects can exist (frees check it).
	const auto lo = reinterpret_cast<std::uintptr_t>(base);
	(void)spans_add(c->spans, c->name, lo, lo + bytes, true, nullptr);
	ch->next = ch->prev = nullptr;
	ch->mz = mz;
	ch->nr_slabs = std::uint32_t(bytes >> c->geo.slab_shift);
	ch->empty_slabs = 0;
	ch->bytes = bytes;
	for (std::uint32_t i = 0; i < ch->nr_slabs; i++) {
		std::uint64_t off = std::uint64_t(i) << c->geo.slab_shift;
		slab_init(c->geo, reinterpret_cast<slab *>(base + off), c, ch, slab_iova(c, mz, off),
			  c->geo.objs_per_slab, nd->socket);
	}
	node_lock(nodes_of(c), nd);
	for (std::uint32_t i = 0; i < ch->nr_slabs; i++)
		list_add(nd, reinterpret_cast<slab *>(base + (std::uint64_t(i) << c->geo.slab_shift)), LIST_EMPTY,
			 false);
	ch->next = nd->chunks;
	if (nd->chunks)
		nd->chunks->prev = ch;
	nd->chunks = ch;
	nd->nr_objs += std::uint64_t(ch->nr_slabs) * c->geo.objs_per_slab;
	nd->free_objs += std::uint64_t(ch->nr_slabs) * c->geo.objs_per_slab;
	nd->mem_bytes += bytes;
	nd->stats.slabs_grown += ch->nr_slabs;
	node_unlock(nd);
	return 0;
}

namespace {

// Unlink chunk ch and its slabs from nd (nd locked). Returns it.
chunk *detach(slubq_cache *c, node *nd, chunk *ch)
{
	auto *base = static_cast<char *>(ch->mz->addr);
	for (std::uint32_t i = 0; i < ch->nr_slabs; i++) {
		auto *s = reinterpret_cast<slab *>(base + (std::uint64_t(i) << c->geo.slab_shift));
		list_del(nd, s);
		nd->nr_objs -= s->nr_objs;
		nd->free_objs -= slab_nr_free(s);
		s->magic = 0; // a stale pointer into freed memory is no longer "ours"
	}
	if (ch->prev) ch->prev->next = ch->next; else nd->chunks = ch->next;
	if (ch->next) ch->next->prev = ch->prev;
	nd->mem_bytes -= ch->bytes;
	nd->stats.slabs_freed += ch->nr_slabs;
	return ch;
}

void release_chunk(slubq_cache *c, chunk *ch)
{
	auto base = reinterpret_cast<std::uintptr_t>(ch->mz->addr);
	spans_remove(c->spans, c->name, base, base + ch->bytes);
	rte_memzone_free(ch->mz);
	rte_free(ch);
}

} // namespace

std::uint64_t elastic_release(slubq_cache *c, node *nd)
{
	if (c->src.kind != SLUBQ_SOURCE_ELASTIC || nd == nullptr)
		return 0;
	chunk *gone[64];
	std::uint64_t freed = 0;
	for (;;) {
		unsigned n = 0;
		node_lock(nodes_of(c), nd);
		for (chunk *ch = nd->chunks, *next; ch != nullptr && n < 64; ch = next) {
			next = ch->next;
			if (ch->empty_slabs == ch->nr_slabs) {
				freed += ch->bytes;
				uncharge(c, ch->bytes);
				gone[n++] = detach(c, nd, ch);
			}
		}
		node_unlock(nd);
		// Memzones are freed outside the node lock (the EAL takes its own).
		for (unsigned i = 0; i < n; i++)
			release_chunk(c, gone[i]);
		if (n < 64)
			break;
	}
	return freed;
}

void elastic_release_all(slubq_cache *c, node *nd)
{
	if (c->src.kind != SLUBQ_SOURCE_ELASTIC || nd == nullptr)
		return;
	// Nobody else uses the cache any more; the lock is taken for the
	// asserted "node lock held" of the slab lists, and dropped before the
	// memzone is freed (the EAL takes its own lock).
	for (;;) {
		node_lock(nodes_of(c), nd);
		chunk *ch = nd->chunks;
		if (ch != nullptr) {
			uncharge(c, ch->bytes);
			detach(c, nd, ch);
		}
		node_unlock(nd);
		if (ch == nullptr)
			break;
		release_chunk(c, ch);
	}
}

} // namespace slubq
