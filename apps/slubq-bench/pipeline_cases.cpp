/* SPDX-License-Identifier: BSD-3-Clause */
// Case "pipeline": the main lcore gets bursts of 32 and passes them through
// an rte_ring to the worker lcore, which puts them back in bursts of 32:
// every object is freed on another lcore than the one that allocated it.
// Two hand-off sizes (the variant): 512 objects at a time (16 bursts) and
// single bursts of 32, the RX-lcore -> worker pattern of client_server_mp
// and most pipelines. Single bursts can make the two lcores fall into
// lock-step or not from one run to the next (3 to 16 ns/object for the
// same pool on a 2-vCPU VM): read the 32 hand-off over several repetitions.
// The same runs on simulated sockets are case "xsocket" (socket_cases.cpp).
#include "bench.hpp"
#include "pools.hpp"

#include <algorithm>
#include <cstdio>
#include <rte_pause.h>
#include <rte_ring.h>

namespace slubq_bench {

namespace {

constexpr unsigned burst = 32;
constexpr unsigned max_handoff = 512;
rte_ring *handoff;

struct drain_args {
	const pool *p;
};

template <bool native>
void drain_body(void *arg, const std::atomic<bool> &stop)
{
	const pool &p = *static_cast<drain_args *>(arg)->p;
	void *objs[max_handoff];
	for (;;) {
		unsigned n = rte_ring_sc_dequeue_burst(handoff, objs, max_handoff, nullptr);
		if (n != 0) {
			for (unsigned i = 0; i < n; i += burst)
				put<native>(p, objs + i, std::min(burst, n - i));
		} else if (stop.load(std::memory_order_acquire)) {
			if (rte_ring_empty(handoff))
				return;
		} else {
			rte_pause();
		}
	}
}

template <bool native>
void run_pipeline(benchmark::State &st, const pool *p, unsigned worker, unsigned handoff_objs)
{
	drain_args args{p};
	worker_loop w;
	slubq_cache *c = slubq_cache_of_pool(*p);
	slubq_stats before{};
	if (c != nullptr)
		slubq_cache_stats(c, -1, &before);
	if (!w.start(worker, drain_body<native>, &args)) {
		st.SkipWithError("worker lcore busy");
		return;
	}
	void *objs[max_handoff];
	bool failed = false;
	for (auto _ : st) {
		unsigned got = 0;
		for (; got < handoff_objs && !failed; got += burst)
			failed = get<native>(*p, objs + got, burst) != 0;
		if (SLUBQ_UNLIKELY(failed)) {
			put<native>(*p, objs, got - burst);
			st.SkipWithError("get failed");
			break;
		}
		while (rte_ring_sp_enqueue_bulk(handoff, objs, handoff_objs, nullptr) == 0)
			rte_pause();
	}
	w.stop();
	const double n = double(st.iterations()) * handoff_objs;
	per_object(st, n);
	if (c != nullptr && n > 0) { // where slubq's time goes: its slow paths, per 1000 objects
		slubq_stats now{};
		slubq_cache_stats(c, -1, &now);
		st.counters["node_locks_per_kobj"] = 1000.0 * double(now.node_locks - before.node_locks) / n;
		st.counters["slow_per_kobj"] =
			1000.0 * double(now.refills - before.refills + now.flushes - before.flushes) / n;
		st.counters["alien_flushes_per_kobj"] = 1000.0 * double(now.alien_flushes - before.alien_flushes) / n;
	}
}

} // namespace

void register_handoff(const char *case_name, const std::string &kind, pool *p, unsigned worker, unsigned objs)
{
	auto fn = [p, worker, objs](benchmark::State &st) {
		with_api(*p, [&](auto native) { run_pipeline<decltype(native)::value>(st, p, worker, objs); });
	};
	benchmark::RegisterBenchmark(run_name(case_name, std::to_string(objs), kind).c_str(), fn)->UseRealTime();
}

void register_pipeline(const options &o)
{
	if (o.worker == RTE_MAX_LCORE) {
		std::fprintf(stderr, "slubq-bench: one lcore only: pipeline and xsocket cases left out\n");
		return;
	}
	handoff = rte_ring_create("bench_handoff", 4096, rte_socket_id(), RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (handoff == nullptr) {
		std::fprintf(stderr, "slubq-bench: no ring: pipeline cases left out\n");
		return;
	}
	for (unsigned objs : handoff_sizes)
		for (const auto &kind : all_kinds())
			if (pool *p = shared_pool(kind, o.obj_size))
				register_handoff("pipeline", kind, p, o.worker, objs);
}

} // namespace slubq_bench
