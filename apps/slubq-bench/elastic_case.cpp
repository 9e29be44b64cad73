/* SPDX-License-Identifier: BSD-3-Clause */
// Case "elastic": grow to N objects, free them all, give the memory back.
// slubq: an elastic cache reserves memzones as it grows and slubq_cache_shrink
// frees the ones whose slabs are all empty; it reports the share of the
// memory it held that shrink gave back ("returned_pct", target >= 90).
// ring_mp_mc_c512: what a stock pool must do to give memory back, create
// the pool, empty it, fill it, free it. ns per object of one whole cycle.
#include "bench.hpp"
#include "pools.hpp"

#include <cstdio>
#include <vector>
#include <rte_errno.h>

namespace slubq_bench {

namespace {

constexpr unsigned burst = 32;

bool cycle_slubq(slubq_cache *c, std::vector<void *> &objs, double &returned_pct)
{
	for (std::size_t i = 0; i < objs.size(); i += burst)
		if (slubq::alloc(c, objs.data() + i, burst) != 0)
			return false;
	for (std::size_t i = 0; i < objs.size(); i += burst)
		slubq::free(c, objs.data() + i, burst);
	slubq_cache_info before;
	slubq_cache_get_info(c, &before);
	int64_t given = slubq_cache_shrink(c);
	if (given < 0)
		return false;
	returned_pct = before.mem_bytes ? 100.0 * double(given) / double(before.mem_bytes) : 0.0;
	return true;
}

void run_slubq(benchmark::State &st, unsigned n, unsigned obj_size)
{
	slubq_cache_params prm;
	slubq_cache_params_init(&prm);
	prm.name = "bench_elastic";
	prm.obj_size = obj_size;
	prm.flags = SLUBQ_F_NO_MERGE;
	slubq_cache *c = slubq_cache_create(&prm);
	if (c == nullptr) {
		st.SkipWithError(rte_strerror(rte_errno));
		return;
	}
	std::vector<void *> objs(n);
	double pct = 0, worst = 100;
	for (auto _ : st) {
		if (!cycle_slubq(c, objs, pct)) {
			st.SkipWithError("grow or shrink failed");
			break;
		}
		worst = std::min(worst, pct);
	}
	slubq_cache_info after;
	slubq_cache_get_info(c, &after);
	st.counters["returned_pct"] = worst;
	st.counters["mem_after_MiB"] = double(after.mem_bytes) / (1 << 20);
	slubq_cache_destroy(c);
	per_object(st, double(st.iterations()) * n);
}

void run_ring(benchmark::State &st, unsigned n, unsigned obj_size)
{
	std::vector<void *> objs(n);
	for (auto _ : st) {
		rte_mempool *mp = rte_mempool_create("bench_elastic_ring", n, obj_size, 512, 0, nullptr, nullptr,
						     nullptr, nullptr, rte_socket_id(), 0);
		if (mp == nullptr) {
			st.SkipWithError(rte_strerror(rte_errno));
			break;
		}
		std::size_t got = 0;
		while (got < objs.size() && rte_mempool_get_bulk(mp, objs.data() + got, burst) == 0)
			got += burst;
		for (std::size_t i = 0; i < got; i += burst)
			rte_mempool_put_bulk(mp, objs.data() + i, burst);
		rte_mempool_free(mp);
		if (got < objs.size()) {
			st.SkipWithError("get failed");
			break;
		}
	}
	st.counters["returned_pct"] = 100;
	per_object(st, double(st.iterations()) * n);
}

} // namespace

void register_elastic(const options &o)
{
	const unsigned n = o.smoke ? 8192 : o.quick ? 131072 : 524288; // a multiple of burst
	const unsigned obj_size = o.obj_size;
	const int iters = o.smoke ? 1 : o.quick ? 3 : 10;
	benchmark::RegisterBenchmark(run_name("elastic", "64B", baseline_kind).c_str(),
				     [n, obj_size](benchmark::State &st) { run_ring(st, n, obj_size); })
		->Iterations(iters)
		->Unit(benchmark::kMillisecond);
	benchmark::RegisterBenchmark(run_name("elastic", "64B", "slubq_native").c_str(),
				     [n, obj_size](benchmark::State &st) { run_slubq(st, n, obj_size); })
		->Iterations(iters)
		->Unit(benchmark::kMillisecond);
}

} // namespace slubq_bench
