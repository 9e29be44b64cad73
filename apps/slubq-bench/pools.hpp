/* SPDX-License-Identifier: BSD-3-Clause */
// The pools every case runs on, by kind, and the two ways to reach them:
// slubq's native API (inline, no rte_mempool) or rte_mempool_get/put_bulk
// (DPDK's per-lcore cache, if any, in front of the driver's ops).
#pragma once

#include <string>
#include <type_traits>
#include <vector>
#include <rte_mempool.h>
#include "slubq.hpp"

namespace slubq_bench {

// One pool under test. Exactly one of cache and mp is set.
struct pool {
	std::string kind; // e.g. "slubq_native", "ring_mp_mc_c512"
	slubq_cache *cache = nullptr;
	rte_mempool *mp = nullptr;

	bool native() const { return cache != nullptr; }
};

// The kinds, in report order. The first is every ratio's baseline.
inline constexpr const char *baseline_kind = "ring_mp_mc_c512";
// Kinds of the local and pipeline cases.
std::vector<std::string> all_kinds();
// slubq's configurations only (the cases that need its topology or elastic source).
inline constexpr const char *slubq_native_kind = "slubq_native";

// Create a pool of `kind` holding n objects of obj_size bytes, warmed; the
// name is unique per call. nullptr (and a message on stderr) when the kind
// cannot be made here (e.g. the reference ops found no free slot) or does
// not hand out all n objects.
pool *make_pool(const std::string &kind, unsigned n, unsigned obj_size);
void free_pool(pool *p);

// Every object of the pool, allocated and freed once, so that no case
// measures first-touch page faults or the elastic source's growth.
// Returns how many could be allocated.
unsigned warm_pool(const pool &p, unsigned n);

// The slubq cache behind a pool (native, or the driver's), else nullptr.
slubq_cache *slubq_cache_of_pool(const pool &p);
// Refills + flushes of the calling lcore since `before`, per 1000 objects.
double slow_per_kobj(slubq_cache *c, const slubq_stats &before, double objs);

// Access, specialised at compile time so that neither side pays a branch.
template <bool native>
SLUBQ_FAST int get(const pool &p, void **objs, unsigned n)
{
	if constexpr (native)
		return slubq::alloc(p.cache, objs, n);
	else
		return rte_mempool_get_bulk(p.mp, objs, n);
}

template <bool native>
SLUBQ_FAST void put(const pool &p, void *const *objs, unsigned n)
{
	if constexpr (native)
		slubq::free(p.cache, objs, n);
	else
		rte_mempool_put_bulk(p.mp, objs, n);
}

// f(std::true_type) for slubq's native API, f(std::false_type) for
// rte_mempool: one runtime branch, then code specialised for either side.
template <typename F>
void with_api(const pool &p, F &&f)
{
	if (p.native())
		f(std::true_type{});
	else
		f(std::false_type{});
}

// The reference driver's ops name (registered by ref_driver.cpp, in this
// binary only): a per-lcore array that shares nothing.
inline constexpr const char *ref_ops_name = "bench_ref";

} // namespace slubq_bench

namespace slubq_bench {

// The pools of the local and pipeline cases: one per kind, made on first
// use and kept until exit (nullptr when the kind is unavailable here).
inline constexpr unsigned shared_pool_objs = 16384;
pool *shared_pool(const std::string &kind, unsigned obj_size);
// Keep a pool made elsewhere until free_shared_pools().
void keep_pool(pool *p);
void free_shared_pools();

} // namespace slubq_bench
