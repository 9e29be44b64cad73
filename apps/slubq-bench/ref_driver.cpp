/* SPDX-License-Identifier: BSD-3-Clause */
// The reference driver "bench_ref", registered by slubq-bench only: a
// per-lcore LIFO array that shares nothing, the floor of any driver behind
// rte_mempool_ops. Only what cannot be served locally (the objects of
// populate, a thread that is not an lcore, an empty or full array) goes
// through one spinlocked reserve; the benchmarks never need it once warm.
#include <cstring>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mempool.h>
#include <rte_spinlock.h>
#include "pools.hpp"

namespace {

constexpr unsigned lcore_cap = 2048;

struct alignas(RTE_CACHE_LINE_SIZE) ref_lcore {
	unsigned count;
	void *objs[lcore_cap];
};

struct ref_pool {
	rte_spinlock_t lock;
	unsigned reserve_count, reserve_cap;
	void **reserve;
	ref_lcore lcores[RTE_MAX_LCORE];
};

ref_pool *of(const rte_mempool *mp)
{
	return static_cast<ref_pool *>(mp->pool_data);
}

int ref_alloc(rte_mempool *mp)
{
	auto *rp = static_cast<ref_pool *>(rte_zmalloc_socket("bench_ref", sizeof(ref_pool), RTE_CACHE_LINE_SIZE,
							       mp->socket_id));
	if (rp == nullptr)
		return -ENOMEM;
	rp->reserve = static_cast<void **>(rte_malloc_socket("bench_ref", sizeof(void *) * (mp->size + 1), 0,
							     mp->socket_id));
	if (rp->reserve == nullptr) {
		rte_free(rp);
		return -ENOMEM;
	}
	rp->reserve_cap = mp->size + 1;
	rte_spinlock_init(&rp->lock);
	mp->pool_data = rp;
	return 0;
}

void ref_free(rte_mempool *mp)
{
	rte_free(of(mp)->reserve);
	rte_free(of(mp));
}

int ref_enqueue_slow(ref_pool *rp, void *const *objs, unsigned n)
{
	rte_spinlock_lock(&rp->lock);
	std::memcpy(rp->reserve + rp->reserve_count, objs, n * sizeof(void *));
	rp->reserve_count += n;
	rte_spinlock_unlock(&rp->lock);
	return 0;
}

int ref_dequeue_slow(ref_pool *rp, ref_lcore *lc, void **objs, unsigned n)
{
	int rc = 0;
	rte_spinlock_lock(&rp->lock);
	if (lc != nullptr) { // refill the array to half, then serve from it
		unsigned take = std::min(rp->reserve_count, lcore_cap / 2 > lc->count ? lcore_cap / 2 - lc->count : 0);
		rp->reserve_count -= take;
		std::memcpy(lc->objs + lc->count, rp->reserve + rp->reserve_count, take * sizeof(void *));
		lc->count += take;
		if (lc->count >= n) {
			lc->count -= n;
			std::memcpy(objs, lc->objs + lc->count, n * sizeof(void *));
		} else {
			rc = -ENOBUFS;
		}
	} else if (rp->reserve_count >= n) {
		rp->reserve_count -= n;
		std::memcpy(objs, rp->reserve + rp->reserve_count, n * sizeof(void *));
	} else {
		rc = -ENOBUFS;
	}
	rte_spinlock_unlock(&rp->lock);
	return rc;
}

// The common path: rte_lcore_id() (a TLS read: the bench is built with
// -ftls-model=initial-exec), one bounds check, a plain forward copy loop.
int ref_enqueue(rte_mempool *mp, void *const *objs, unsigned n)
{
	ref_pool *rp = of(mp);
	unsigned id = rte_lcore_id();
	if (likely(id < RTE_MAX_LCORE)) {
		ref_lcore *lc = &rp->lcores[id];
		unsigned cnt = lc->count;
		if (likely(cnt + n <= lcore_cap)) {
			for (unsigned i = 0; i < n; i++)
				lc->objs[cnt + i] = objs[i];
			lc->count = cnt + n;
			return 0;
		}
	}
	return ref_enqueue_slow(rp, objs, n);
}

int ref_dequeue(rte_mempool *mp, void **objs, unsigned n)
{
	ref_pool *rp = of(mp);
	unsigned id = rte_lcore_id();
	if (likely(id < RTE_MAX_LCORE)) {
		ref_lcore *lc = &rp->lcores[id];
		unsigned cnt = lc->count;
		if (likely(n <= cnt)) {
			cnt -= n;
			for (unsigned i = 0; i < n; i++)
				objs[i] = lc->objs[cnt + i];
			lc->count = cnt;
			return 0;
		}
		return ref_dequeue_slow(rp, lc, objs, n);
	}
	return ref_dequeue_slow(rp, nullptr, objs, n);
}

unsigned ref_get_count(const rte_mempool *mp)
{
	const ref_pool *rp = of(mp);
	unsigned n = rp->reserve_count;
	for (const auto &lc : rp->lcores)
		n += lc.count;
	return n;
}

rte_mempool_ops ref_ops = {
	.name = "bench_ref",
	.alloc = ref_alloc,
	.free = ref_free,
	.enqueue = ref_enqueue,
	.dequeue = ref_dequeue,
	.get_count = ref_get_count,
	.calc_mem_size = nullptr,
	.populate = nullptr,
	.get_info = nullptr,
	.dequeue_contig_blocks = nullptr,
};

} // namespace

RTE_MEMPOOL_REGISTER_OPS(ref_ops);
