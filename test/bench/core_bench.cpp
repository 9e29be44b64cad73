/* SPDX-License-Identifier: BSD-3-Clause */
// Issue 3 micro-benchmark: native bulk alloc+free on one lcore at bulk 1,
// 8 and 32, next to rte_mempool ring_mp_mc with a per-lcore cache of 512,
// in the same run. Reports ns per object (alloc + free).
#include <benchmark/benchmark.h>
#include <cstdio>
#include <rte_eal.h>
#include <rte_mempool.h>
#include "eal_env.hpp"
#include "slubq.hpp"

namespace {

constexpr unsigned pool_objs = 65536;
constexpr unsigned obj_size = 64;
slubq_cache *cache;
rte_mempool *ring_pool;

void BM_slubq_native(benchmark::State &st)
{
	const unsigned n = unsigned(st.range(0));
	void *objs[64];
	for (auto _ : st) {
		if (slubq::alloc(cache, objs, n) != 0)
			st.SkipWithError("alloc failed");
		benchmark::DoNotOptimize(objs[0]);
		slubq::free(cache, objs, n);
	}
	st.counters["ns_per_obj"] = benchmark::Counter(double(st.iterations()) * n,
						       benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void BM_ring_mp_mc_c512(benchmark::State &st)
{
	const unsigned n = unsigned(st.range(0));
	void *objs[64];
	for (auto _ : st) {
		if (rte_mempool_get_bulk(ring_pool, objs, n) != 0)
			st.SkipWithError("get failed");
		benchmark::DoNotOptimize(objs[0]);
		rte_mempool_put_bulk(ring_pool, objs, n);
	}
	st.counters["ns_per_obj"] = benchmark::Counter(double(st.iterations()) * n,
						       benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

BENCHMARK(BM_slubq_native)->Arg(1)->Arg(8)->Arg(32);
BENCHMARK(BM_ring_mp_mc_c512)->Arg(1)->Arg(8)->Arg(32);

} // namespace

int main(int argc, char **argv)
{
	slubq_test::eal_start(argv[0], "0", 512);
	slubq_cache_params p;
	slubq_cache_params_init(&p);
	p.name = "bench_core";
	p.obj_size = obj_size;
	cache = slubq_cache_create(&p);
	ring_pool = rte_mempool_create("bench_ring", pool_objs, obj_size, 512, 0, nullptr, nullptr, nullptr, nullptr,
				       SOCKET_ID_ANY, 0);
	if (cache == nullptr || ring_pool == nullptr) {
		std::fprintf(stderr, "setup failed\n");
		return 1;
	}
	benchmark::Initialize(&argc, argv);
	benchmark::RunSpecifiedBenchmarks();
	benchmark::Shutdown();
	rte_mempool_free(ring_pool);
	slubq_cache_destroy(cache);
	rte_eal_cleanup();
	return 0;
}
