/* SPDX-License-Identifier: BSD-3-Clause */
// The rte_mempool_ops "slubq": each pool is a slubq cache on a fixed memory
// source. calc_mem_size asks for slab-aligned memory, populate cuts slabs
// (its objects are free at once: no enqueue per object), enqueue and dequeue
// are the cache's inline bulk free and all-or-nothing alloc, get_count is
// the cache's exact count. pool_data is the cache itself (hugepage memory,
// the same address in every process), so secondary processes need nothing
// more than the ops being registered at the same index.
#include <cstdio>
#include <cstring>
#include <rte_eal.h>
#include <rte_mempool.h>
#include "slubq.hpp"
#include "slubq_debug.h"
#include "common/log.hpp"
#include "debug_pool.hpp"
#include "pool_params.hpp"
#include "rte_mempool_slubq.h"

using namespace slubq_driver;

namespace {

slubq_cache *cache_of(const rte_mempool *mp)
{
	return static_cast<slubq_cache *>(mp->pool_data);
}

int slubq_mp_alloc(rte_mempool *mp)
{
	std::size_t pg_sz = 0;
	int rc = rte_mempool_get_page_size(mp, &pg_sz);
	if (rc < 0)
		return rc;
	pool_params pp;
	rc = pool_params_of(mp, page_rule(mp, pg_sz), pp);
	if (rc < 0)
		return rc;
	slubq_cache *c = slubq_cache_create(&pp.p);
	if (c == nullptr) {
		SLUBQ_LOG(ERR, "mempool %s: cannot create cache %s: %s", mp->name, pp.cache_name,
			  rte_strerror(rte_errno));
		return -rte_errno;
	}
	if (pp.p.flags & SLUBQ_F_DEBUG) {
		rc = debug_pool_start(mp, c, pp);
		if (rc < 0) {
			slubq_cache_destroy(c);
			return rc;
		}
	}
	if (pp.faults) {
		rc = slubq_cache_inject_faults(c, pp.fault_every_n, pp.fault_ppm, pp.fault_seed);
		if (rc < 0) {
			SLUBQ_LOG(ERR, "mempool %s: cannot inject faults: %s", mp->name, rte_strerror(-rc));
			debug_pool_end(c);
			slubq_cache_destroy(c);
			return rc;
		}
	}
	// Best effort: telemetry says "no origin" when the table is full.
	if (slubq_pool_origin_set(pp.cache_name, &pp.origin) < 0)
		SLUBQ_LOG(DEBUG, "mempool %s: origin of its tunables not recorded: %s", mp->name,
			  rte_strerror(rte_errno));
	slubq_cache_info info;
	slubq_cache_get_info(c, &info);
	if (info.queue_size == 0)
		SLUBQ_LOG(DEBUG, "mempool %s: %u objects of %u B in slabs of %u B x %u, no lcore queue", mp->name,
			  mp->size, info.slot_size, info.slab_size, info.slab_objs);
	else
		SLUBQ_LOG(DEBUG, "mempool %s: %u objects of %u B in slabs of %u B x %u, lcore queue %u (batch %u) %s",
			  mp->name, mp->size, info.slot_size, info.slab_size, info.slab_objs, info.queue_size, info.batch,
			  pp.queue_is_the_cache ? "doing the per-lcore caching" : "behind the rte_mempool cache");
	mp->pool_data = c;
	return 0;
}

void slubq_mp_free(rte_mempool *mp)
{
	slubq_cache *c = cache_of(mp);
	if (c == nullptr)
		return;
	// rte_mempool_free() has already dequeued every object and freed the
	// memory chunks, so the cache would report all its objects "in use":
	// that report says nothing here, keep it out of the log.
	debug_pool_end(c);
	int type = slubq_logtype();
	int level = rte_log_get_level(type);
	if (level > int(RTE_LOG_ERR))
		rte_log_set_level(type, RTE_LOG_ERR);
	slubq_cache_destroy(c);
	if (level > int(RTE_LOG_ERR))
		rte_log_set_level(type, std::uint32_t(level));
	mp->pool_data = nullptr;
	char cache_name[SLUBQ_NAMESIZE];
	std::snprintf(cache_name, sizeof(cache_name), "mp:%s", mp->name);
	slubq_pool_origin_set(cache_name, nullptr);
}

int slubq_mp_enqueue(rte_mempool *mp, void *const *objs, unsigned int n)
{
	slubq::free(cache_of(mp), objs, n);
	return 0;
}

int slubq_mp_dequeue(rte_mempool *mp, void **objs, unsigned int n)
{
	return slubq::alloc(cache_of(mp), objs, n);
}

unsigned int slubq_mp_get_count(const rte_mempool *mp)
{
	return unsigned(slubq_cache_available(cache_of(mp)));
}

ssize_t slubq_mp_calc_mem_size(const rte_mempool *mp, std::uint32_t obj_num, std::uint32_t pg_shift,
			       std::size_t *min_chunk_size, std::size_t *align)
{
	std::uint64_t page = page_rule(mp, pg_shift ? std::size_t(1) << pg_shift : 0);
	pool_params pp;
	int rc = pool_params_of(mp, page, pp);
	if (rc < 0)
		return rc;
	if (const slubq_cache *c = cache_of(mp)) {
		// The cache exists: its slabs are the ones populate will cut.
		slubq_cache_info info;
		slubq_cache_get_info(c, &info);
		if (page != 0 && page < info.slab_size) {
			SLUBQ_LOG(ERR, "mempool %s: memory in pages of %" PRIu64 " B cannot hold its %u B slabs "
				  "(IOVA as PA); use rte_mempool_populate_default() or RTE_MEMPOOL_F_NO_IOVA_CONTIG",
				  mp->name, page, info.slab_size);
			return -EINVAL;
		}
		pp.p.slab_size = info.slab_size;
		pp.p.slab_objs = info.slab_objs;
		pp.p.page_size = 0;
	}
	// Exactly what populate cuts, for chunks aligned to the slab (as
	// populate_default reserves them), plus the head an only page-aligned
	// chunk loses (populate_anon) when pages are smaller than slabs.
	std::size_t slab = 0;
	ssize_t mem = slubq_cache_calc_mem_size(&pp.p, obj_num, 0, min_chunk_size, &slab);
	if (align)
		*align = slab;
	if (mem < 0)
		return mem;
	return mem + ssize_t(head_slack(slab, pg_shift));
}

struct populate_ctx {
	rte_mempool *mp;
	rte_mempool_populate_obj_cb_t *obj_cb;
	void *obj_cb_arg;
};

void each_object(void *opaque, void *obj, rte_iova_t iova)
{
	auto *ctx = static_cast<populate_ctx *>(opaque);
	if (ctx->obj_cb != nullptr)
		ctx->obj_cb(ctx->mp, ctx->obj_cb_arg, obj, iova);
}

// One IOVA-contiguous chunk (rte_mempool splits at discontinuities): the
// slabs are cut inside it, so no object straddles one.
int slubq_mp_populate(rte_mempool *mp, unsigned int max_objs, void *vaddr, rte_iova_t iova, std::size_t len,
		      rte_mempool_populate_obj_cb_t *obj_cb, void *obj_cb_arg)
{
	populate_ctx ctx{mp, obj_cb, obj_cb_arg};
	if (max_objs == 0)
		return 0;
	return slubq_cache_populate(cache_of(mp), vaddr, iova, len, -1, max_objs, each_object, &ctx);
}

// Objects are not handed out in runs at a fixed stride: a block is one object.
int slubq_mp_get_info(const rte_mempool *, rte_mempool_info *info)
{
	info->contig_block_size = 1;
	return 0;
}

int slubq_mp_dequeue_contig_blocks(rte_mempool *mp, void **first_objs, unsigned int n)
{
	return slubq::alloc(cache_of(mp), first_objs, n);
}

const rte_mempool_ops slubq_mempool_ops = {
	.name = RTE_MEMPOOL_SLUBQ_OPS_NAME,
	.alloc = slubq_mp_alloc,
	.free = slubq_mp_free,
	.enqueue = slubq_mp_enqueue,
	.dequeue = slubq_mp_dequeue,
	.get_count = slubq_mp_get_count,
	.calc_mem_size = slubq_mp_calc_mem_size,
	.populate = slubq_mp_populate,
	.get_info = slubq_mp_get_info,
	.dequeue_contig_blocks = slubq_mp_dequeue_contig_blocks,
};

bool registered_already()
{
	for (unsigned i = 0; i < rte_mempool_ops_table.num_ops; i++)
		if (std::strcmp(rte_mempool_ops_table.ops[i].name, RTE_MEMPOOL_SLUBQ_OPS_NAME) == 0)
			return true;
	return false;
}

} // namespace

// Not MEMPOOL_REGISTER_OPS: the plugin may be loaded twice (from DPDK's
// plugin directory and again with -d from another path), and DPDK 22.11
// would give the second copy a second slot of its 16 under the same name.
RTE_INIT(slubq_mempool_register)
{
	if (registered_already()) {
		SLUBQ_LOG(DEBUG, "mempool ops '%s' already registered by another copy of the plugin",
			  RTE_MEMPOOL_SLUBQ_OPS_NAME);
		return;
	}
	int index = rte_mempool_register_ops(&slubq_mempool_ops);
	if (index < 0)
		SLUBQ_LOG(ERR, "cannot register mempool ops '%s': %s", RTE_MEMPOOL_SLUBQ_OPS_NAME, rte_strerror(-index));
	else
		SLUBQ_LOG(DEBUG, "mempool ops '%s' registered at index %d", RTE_MEMPOOL_SLUBQ_OPS_NAME, index);
}

extern "C" struct slubq_cache *rte_mempool_slubq_cache(const struct rte_mempool *mp)
{
	if (mp == nullptr || mp->ops_index < 0 || mp->ops_index >= RTE_MEMPOOL_MAX_OPS_IDX ||
	    std::strcmp(rte_mempool_ops_table.ops[mp->ops_index].name, RTE_MEMPOOL_SLUBQ_OPS_NAME) != 0) {
		rte_errno = EINVAL;
		return nullptr;
	}
	if (mp->pool_data == nullptr) {
		rte_errno = ENOENT;
		return nullptr;
	}
	return cache_of(mp);
}
