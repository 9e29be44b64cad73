/* SPDX-License-Identifier: BSD-3-Clause */
// Case "local": get `keep` objects in bulks of `bulk`, then put them back in
// bulks of `bulk` (as DPDK's mempool_perf_autotest does), on one lcore
// ("local1") and on both lcores at once on the same pool ("local2": the
// worker runs the same loop while the main lcore is measured).
// Case "bulk": one get of n then one put of n (n = 1, 8, 32), one lcore:
// the bare fast path, slubq's native API next to ring_mp_mc_c512.
#include "bench.hpp"
#include "pools.hpp"

#include <vector>

namespace slubq_bench {

namespace {


template <bool native>
SLUBQ_FAST bool get_put(const pool &p, void **objs, unsigned bulk, unsigned keep)
{
	for (unsigned i = 0; i < keep; i += bulk)
		if (SLUBQ_UNLIKELY(get<native>(p, objs + i, bulk) != 0)) {
			put<native>(p, objs, i);
			return false;
		}
	benchmark::DoNotOptimize(objs[0]);
	for (unsigned i = 0; i < keep; i += bulk)
		put<native>(p, objs + i, bulk);
	return true;
}

struct loop_args {
	const pool *p;
	shape s;
};

template <bool native>
void worker_body(void *arg, const std::atomic<bool> &stop)
{
	auto *a = static_cast<loop_args *>(arg);
	std::vector<void *> objs(a->s.keep);
	while (!stop.load(std::memory_order_relaxed))
		get_put<native>(*a->p, objs.data(), a->s.bulk, a->s.keep);
}

template <bool native>
void run_local(benchmark::State &st, const pool *p, shape s, unsigned worker)
{
	std::vector<void *> objs(s.keep);
	loop_args args{p, s};
	worker_loop w;
	slubq_cache *c = slubq_cache_of_pool(*p);
	slubq_stats before{};
	if (c != nullptr)
		slubq_cache_stats(c, int(rte_lcore_id()), &before);
	if (worker != RTE_MAX_LCORE && !w.start(worker, worker_body<native>, &args)) {
		st.SkipWithError("worker lcore busy");
		return;
	}
	for (auto _ : st)
		if (!get_put<native>(*p, objs.data(), s.bulk, s.keep)) {
			st.SkipWithError("get failed");
			break;
		}
	if (worker != RTE_MAX_LCORE)
		w.stop();
	per_object(st, double(st.iterations()) * s.keep);
	if (c != nullptr) // how often the measured lcore left slubq's fast path
		st.counters["refills_flushes_per_kobj"] = slow_per_kobj(c, before, double(st.iterations()) * s.keep);
}

// The benchmark function of one pool and shape (worker: RTE_MAX_LCORE = none).
auto local_fn(const pool *p, shape s, unsigned worker)
{
	return [p, s, worker](benchmark::State &st) {
		with_api(*p, [&](auto native) { run_local<decltype(native)::value>(st, p, s, worker); });
	};
}

} // namespace

void register_get_put(const char *case_name, const std::string &kind, pool *p, unsigned bulk, unsigned keep)
{
	std::string variant = std::to_string(bulk) + "x" + std::to_string(keep);
	benchmark::RegisterBenchmark(run_name(case_name, variant, kind).c_str(),
				     local_fn(p, shape{bulk, keep}, RTE_MAX_LCORE));
}

void register_local(const options &o)
{
	for (unsigned n : {1u, 8u, 32u})
		for (const char *kind : {baseline_kind, slubq_native_kind, "slubq_ops_c512"})
			if (pool *p = shared_pool(kind, o.obj_size)) {
				shape s{n, n};
				benchmark::RegisterBenchmark(run_name("bulk", std::to_string(n), kind).c_str(),
							     local_fn(p, s, RTE_MAX_LCORE));
			}
	for (int both = 0; both <= 1; both++) {
		if (both && o.worker == RTE_MAX_LCORE)
			break;
		for (const shape &s : local_shapes)
			for (const auto &kind : all_kinds()) {
				pool *p = shared_pool(kind, o.obj_size);
				if (p == nullptr)
					continue;
				std::string variant = std::to_string(s.bulk) + "x" + std::to_string(s.keep);
				unsigned worker = both ? o.worker : RTE_MAX_LCORE;
				auto *b = benchmark::RegisterBenchmark(
					run_name(both ? "local2" : "local1", variant, kind).c_str(), local_fn(p, s, worker));
				if (both)
					b->UseRealTime();
			}
	}
}

} // namespace slubq_bench
