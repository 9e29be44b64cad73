/* SPDX-License-Identifier: BSD-3-Clause */
// Cases "malloc_pair", "malloc_batch32", "malloc_xlcore": slubq_malloc /
// slubq_free against rte_malloc / rte_free (the baseline of these cases),
// 64 B .. 2 KiB:
//  malloc_pair     one alloc + one free per iteration, one lcore
//  malloc_batch32  32 live allocations, then 32 frees, one lcore
//  malloc_xlcore   alloc here, pass 32 at a time through an rte_ring, free
//                  on the worker lcore
// Implementations: slubq_malloc (the C entry points), slubq_kmalloc (the
// inline C++ path), rte_malloc.
#include "bench.hpp"

#include <cstdio>
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
	per_object(st, double(st.iterations()));
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
	per_object(st, double(st.iterations()) * burst);
}

rte_ring *xlcore_ring;
unsigned xlcore_worker = RTE_MAX_LCORE;

// The consumer side of malloc_xlcore (a worker_loop body): frees whatever
// arrives until told to stop and the ring is empty.
template <typename impl>
void consume(void *, const std::atomic<bool> &stop)
{
	void *objs[burst];
	for (;;) {
		unsigned n = rte_ring_sc_dequeue_burst(xlcore_ring, objs, burst, nullptr);
		for (unsigned i = 0; i < n; i++)
			impl::release(objs[i]);
		if (n == 0) {
			if (stop.load(std::memory_order_acquire) && rte_ring_empty(xlcore_ring))
				return;
			rte_pause();
		}
	}
}

template <typename impl>
void xlcore(benchmark::State &st)
{
	const auto size = std::size_t(st.range(0));
	worker_loop w;
	if (!w.start(xlcore_worker, consume<impl>, nullptr)) {
		st.SkipWithError("worker lcore busy");
		return;
	}
	void *p[burst];
	bool failed = false;
	for (auto _ : st) {
		unsigned got = 0;
		for (; got < burst && !failed; got++)
			failed = (p[got] = impl::alloc(size)) == nullptr;
		if (failed) {
			for (unsigned i = 0; i + 1 < got; i++)
				impl::release(p[i]);
			st.SkipWithError("allocation failed");
			break;
		}
		while (rte_ring_sp_enqueue_bulk(xlcore_ring, p, burst, nullptr) == 0)
			rte_pause();
	}
	w.stop();
	per_object(st, double(st.iterations()) * burst);
}

template <typename impl>
void register_impl(unsigned worker)
{
	for (long s : sizes) {
		const std::string size = std::to_string(s);
		benchmark::RegisterBenchmark(run_name("malloc_pair", size, impl::name).c_str(), pair<impl>)->Arg(s);
		benchmark::RegisterBenchmark(run_name("malloc_batch32", size, impl::name).c_str(), batch<impl>)->Arg(s);
		if (worker < RTE_MAX_LCORE)
			benchmark::RegisterBenchmark(run_name("malloc_xlcore", size, impl::name).c_str(), xlcore<impl>)
				->Arg(s)
				->UseRealTime();
	}
}

} // namespace

void register_malloc(const options &o)
{
	unsigned worker = o.worker;
	// First use creates the class caches: not part of any measurement.
	for (long s : sizes)
		slubq_free(slubq_malloc(std::size_t(s), SOCKET_ID_ANY));
	if (worker < RTE_MAX_LCORE) {
		xlcore_ring = rte_ring_create("bench_malloc_xlcore", 1024, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (xlcore_ring == nullptr) {
			std::fprintf(stderr, "slubq-bench: no ring: malloc_xlcore left out\n");
			worker = RTE_MAX_LCORE;
		}
	}
	xlcore_worker = worker;
	register_impl<rte>(worker);
	register_impl<slubq_c>(worker);
	register_impl<slubq_inline>(worker);
}

} // namespace slubq_bench
