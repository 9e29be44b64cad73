/* SPDX-License-Identifier: BSD-3-Clause */
// slubq_malloc/slubq_free against rte_malloc/rte_free: see malloc_bench.hpp.
#include "malloc_bench.hpp"

#include <cstdio>
#include <map>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_pause.h>
#include <rte_ring.h>
#include "slubq_malloc.hpp"

namespace slubq_bench {

namespace {

constexpr long sizes[] = {64, 128, 256, 512, 1024, 2048};
constexpr unsigned burst = 32;

struct slubq_c {
	static constexpr const char *name = "slubq_malloc";
	static void *alloc(std::size_t n) { return slubq_malloc(n, SOCKET_ID_ANY); }
	static void release(void *p) { slubq_free(p); }
};

struct slubq_inline {
	static constexpr const char *name = "slubq_kmalloc";
	static void *alloc(std::size_t n) { return slubq::kmalloc(n); }
	static void release(void *p) { slubq::kfree(p); }
};

struct rte {
	static constexpr const char *name = "rte_malloc";
	static void *alloc(std::size_t n) { return rte_malloc(nullptr, n, 0); }
	static void release(void *p) { rte_free(p); }
};

void per_object(benchmark::State &st, std::uint64_t objs)
{
	// Seconds per object once the run is finished (the console prints "2.1n").
	st.counters["ns_per_obj"] = benchmark::Counter(double(objs), benchmark::Counter::kIsRate |
										benchmark::Counter::kInvert);
}

template <typename impl>
void pair(benchmark::State &st)
{
	const auto size = std::size_t(st.range(0));
	for (auto _ : st) {
		void *p = impl::alloc(size);
		if (p == nullptr) {
			st.SkipWithError("allocation failed");
			break;
		}
		benchmark::DoNotOptimize(p);
		impl::release(p);
	}
	per_object(st, st.iterations());
}

template <typename impl>
void batch(benchmark::State &st)
{
	const auto size = std::size_t(st.range(0));
	void *p[burst];
	for (auto _ : st) {
		for (unsigned i = 0; i < burst; i++)
			p[i] = impl::alloc(size);
		benchmark::DoNotOptimize(p);
		for (unsigned i = 0; i < burst; i++)
			impl::release(p[i]);
	}
	per_object(st, st.iterations() * burst);
}

// The consumer side of malloc_xlcore: frees whatever arrives until told to stop.
struct consumer {
	rte_ring *ring;
	void (*release)(void *);
	volatile bool stop;
};

int consume(void *arg)
{
	auto *c = static_cast<consumer *>(arg);
	void *objs[burst];
	for (;;) {
		unsigned n = rte_ring_sc_dequeue_burst(c->ring, objs, burst, nullptr);
		for (unsigned i = 0; i < n; i++)
			c->release(objs[i]);
		if (n == 0) {
			if (c->stop && rte_ring_empty(c->ring))
				return 0;
			rte_pause();
		}
	}
}

rte_ring *xlcore_ring;
unsigned xlcore_worker = RTE_MAX_LCORE;

template <typename impl>
void xlcore(benchmark::State &st)
{
	const auto size = std::size_t(st.range(0));
	consumer c{xlcore_ring, impl::release, false};
	if (rte_eal_remote_launch(consume, &c, xlcore_worker) != 0) {
		st.SkipWithError("worker lcore busy");
		return;
	}
	void *p[burst];
	for (auto _ : st) {
		for (unsigned i = 0; i < burst; i++) {
			p[i] = impl::alloc(size);
			if (p[i] == nullptr) {
				st.SkipWithError("allocation failed");
				break;
			}
		}
		while (rte_ring_sp_enqueue_bulk(xlcore_ring, p, burst, nullptr) == 0)
			rte_pause();
	}
	c.stop = true;
	rte_eal_wait_lcore(xlcore_worker);
	per_object(st, st.iterations() * burst);
}

template <typename impl>
void register_impl(unsigned worker)
{
	std::string n = impl::name;
	for (long s : sizes) {
		benchmark::RegisterBenchmark(("malloc_pair/" + n).c_str(), pair<impl>)->Arg(s);
		benchmark::RegisterBenchmark(("malloc_batch32/" + n).c_str(), batch<impl>)->Arg(s);
		if (worker < RTE_MAX_LCORE)
			benchmark::RegisterBenchmark(("malloc_xlcore/" + n).c_str(), xlcore<impl>)->Arg(s)->UseRealTime();
	}
}

} // namespace

void register_malloc_benchmarks(unsigned worker)
{
	// First use creates the class caches: not part of any measurement.
	for (long s : sizes)
		slubq_free(slubq_malloc(std::size_t(s), SOCKET_ID_ANY));
	if (worker < RTE_MAX_LCORE) {
		xlcore_ring = rte_ring_create("bench_malloc_xlcore", 1024, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (xlcore_ring == nullptr) {
			std::fprintf(stderr, "no ring: cross-lcore benchmarks skipped\n");
			worker = RTE_MAX_LCORE;
		}
	}
	xlcore_worker = worker;
	register_impl<slubq_c>(worker);
	register_impl<slubq_inline>(worker);
	register_impl<rte>(worker);
}

void ratio_reporter::ReportRuns(const std::vector<Run> &runs)
{
	for (const auto &r : runs) {
		if (r.error_occurred || r.run_type != Run::RT_Iteration)
			continue;
		auto it = r.counters.find("ns_per_obj");
		const std::string &fn = r.run_name.function_name; // "<kind>/<impl>"
		auto slash = fn.find('/');
		if (it == r.counters.end() || slash == std::string::npos)
			continue;
		results_.push_back({fn.substr(0, slash), fn.substr(slash + 1), std::stol(r.run_name.args),
				    it->second.value * 1e9});
	}
	ConsoleReporter::ReportRuns(runs);
}

void ratio_reporter::print_ratios() const
{
	// (kind, size) -> impl -> ns; with --benchmark_repetitions, the fastest
	// repetition (the one least disturbed on a shared machine).
	std::map<std::pair<std::string, long>, std::map<std::string, double>> table;
	for (const auto &r : results_) {
		auto &ns = table[{r.kind, r.size}];
		auto it = ns.find(r.impl);
		if (it == ns.end() || r.ns < it->second)
			ns[r.impl] = r.ns;
	}
	std::printf("\n%-16s %6s %14s %14s %14s %12s %12s\n", "benchmark", "size", "rte_malloc ns", "slubq_malloc",
		    "slubq_kmalloc", "x (C API)", "x (inline)");
	for (const auto &[key, ns] : table) {
		auto get = [&](const char *impl) {
			auto it = ns.find(impl);
			return it == ns.end() ? 0.0 : it->second;
		};
		double r = get("rte_malloc"), c = get("slubq_malloc"), k = get("slubq_kmalloc");
		std::printf("%-16s %6ld %14.2f %14.2f %14.2f %11.1fx %11.1fx\n", key.first.c_str(), key.second, r, c, k,
			    c > 0 ? r / c : 0.0, k > 0 ? r / k : 0.0);
	}
}

} // namespace slubq_bench
